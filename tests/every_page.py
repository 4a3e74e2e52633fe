"""Every page each demo user may open, found in the URL map and filled from the demo data.

A test that must visit every page (every width, every language, every role) asks this module
instead of keeping a list: a new route is covered the day it is added. Use it with the demo
organisation loaded (``flask demo load``, or ``load_demo(app)`` here) and inside an app context::

    for login in demo_logins():
        for path in pages_for(app, login.username):
            ...

A path parameter this module does not know how to fill raises ``UnfillablePage`` naming the
route and the parameter, so that the test fails instead of quietly leaving the page out: add a
filler to ``FILLERS`` then. A GET route without ``@require`` that is not listed as ``PUBLIC``
raises ``UnprotectedPage`` likewise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Flask
from werkzeug.routing import Rule

from ledger.access.models import Role, User
from ledger.access.permissions import allowed, visible_only
from ledger.allocation.models import JournalEntry, Period
from ledger.database import db
from ledger.demo import data
from ledger.findings.models import Claim, Finding
from ledger.inventory.models import Asset, Handset, Subscription
from ledger.inventory.register import scope_clause
from ledger.invoices.models import Invoice
from ledger.organisation.models import BudgetUnit, Supplier
from ledger.procurement.models import FrameworkContract

#: Files, not pages: their width and language do not apply (``.atom``: the change feed).
DOWNLOAD_SUFFIXES = (".csv", ".xlsx", ".pdf", ".si", ".atom")
#: The POST-only forms of the layout (they answer GET with a redirect or 405).
NOT_PAGES = frozenset({"web.logout", "web.language"})
#: Routes open without logging in, so no role's pages: the ways of logging in (``/login...``),
#: the health probes (blueprint ``health``) and any endpoint listed here. Any other route without
#: ``@require`` stops the test (``may_open``): protect it, or list it here.
PUBLIC: frozenset[str] = frozenset()


def is_public(rule: Rule) -> bool:
    return rule.rule.startswith("/login") or rule.endpoint.startswith("health.") or rule.endpoint in PUBLIC


class UnfillablePage(AssertionError):
    """A route has a path parameter the demo data cannot fill (or nothing for this user)."""


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """One demo user as the log-in form takes them."""

    username: str
    display_name: str
    role: Role
    units: tuple[str, ...]
    password: str = data.DEMO_PASSWORD


def demo_logins() -> list[DemoLogin]:
    """The demo users of ``ledger/demo/data.py``: one per role and a second department user."""
    return [DemoLogin(username, display_name, Role(role), tuple(units))
            for units, username, display_name, role in data.USERS + data.COOPERATION_USERS]


def load_demo(app: Flask) -> None:
    """``flask demo load``, as an operator runs it; fails the test with its output otherwise."""
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output


def page_rules(app: Flask) -> list[Rule]:
    """The GET routes that render a page: no API, static files, downloads or layout forms."""
    return sorted((rule for rule in app.url_map.iter_rules()
                   if "GET" in (rule.methods or ())
                   and not rule.rule.startswith(("/api", "/static"))
                   and not rule.rule.endswith(DOWNLOAD_SUFFIXES)
                   and rule.endpoint not in NOT_PAGES and not is_public(rule)), key=lambda rule: rule.rule)


class UnprotectedPage(AssertionError):
    """A page route without ``@require``: nobody can say which roles it is for."""


def may_open(app: Flask, rule: Rule, user: User) -> bool:
    """Whether the route's ``@require`` lets the user's role in."""
    view: Any = app.view_functions[rule.endpoint]
    while view is not None and not hasattr(view, "required_permission"):
        view = getattr(view, "__wrapped__", None)
    if view is None:
        raise UnprotectedPage(f"{rule.rule} ({rule.endpoint}) has no @require: protect it, or list it in "
                              "tests/every_page.py PUBLIC if anyone may open it without logging in")
    return allowed(user, view.required_permission)


def pages_for(app: Flask, username: str, today: date | None = None) -> list[str]:
    """The paths of every page the user may open, parameters filled with rows they may see."""
    user = db.session.scalars(sa.select(User).where(User.username == username)).one()
    return [fill(rule, user, today or date.today()) for rule in page_rules(app) if may_open(app, rule, user)]


def fill(rule: Rule, user: User, today: date) -> str:
    """The rule's path with each parameter taken from the demo data as ``user`` sees it."""
    values: dict[str, object] = {}
    for name in sorted(rule.arguments):
        filler = FILLERS.get(name)
        if filler is None:
            raise UnfillablePage(f"{rule.rule} ({rule.endpoint}): no filler for the path parameter "
                                 f"{name!r}; add one to tests/every_page.py FILLERS")
        values[name] = filler(user, today)
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"{rule.rule}: could not build it from {values}"
    return built[1]


# --- fillers: one row the user may see, per kind of path parameter -------------------------------


def _one(what: str, user: User, query: sa.Select[Any]) -> object:
    value = db.session.scalars(query.limit(1)).first()
    if value is None:
        raise UnfillablePage(f"the demo data has no {what} that {user.username} ({user.role.value}) may see")
    return value


def _unit_ids(user: User) -> list[int]:
    """The user's units (a department user's own, else every unit of the organisation)."""
    query = sa.select(BudgetUnit.id).where(BudgetUnit.organisation_id == user.organisation_id)
    query = visible_only(query, user, BudgetUnit.id.in_)
    return list(db.session.scalars(query.order_by(BudgetUnit.ansvar)))


def unit_code(user: User, _today: date) -> object:
    return _one("budget unit", user, sa.select(BudgetUnit.ansvar).where(BudgetUnit.id.in_(_unit_ids(user)))
                .order_by(BudgetUnit.ansvar))


def _asset(model: type[Asset], what: str) -> Callable[[User, date], object]:
    def asset_id(user: User, today: date) -> object:
        query = sa.select(model.id).where(model.organisation_id == user.organisation_id)
        query = visible_only(query, user, lambda scope: scope_clause(scope, today))
        return _one(what, user, query.order_by(model.id))
    return asset_id


def journal_entry_id(user: User, _today: date) -> object:
    query = sa.select(JournalEntry.id).where(JournalEntry.organisation_id == user.organisation_id)
    query = visible_only(query, user, JournalEntry.unit_id.in_)
    return _one("journal entry", user, query.order_by(JournalEntry.id))


def invoice_id(user: User, _today: date) -> object:
    return _one("invoice", user, sa.select(Invoice.id).where(Invoice.organisation_id == user.organisation_id)
                .order_by(Invoice.id))


def period(user: User, _today: date) -> object:
    """The newest period of the organisation: open, with the month's invoices allocated."""
    return _one("period", user, sa.select(Period.period).where(Period.organisation_id == user.organisation_id)
                .order_by(Period.period.desc()))


def year(user: User, _today: date) -> object:
    return int(str(period(user, _today))[:4])


def month(user: User, _today: date) -> object:
    return int(str(period(user, _today))[5:7])


def contract_id(user: User, _today: date) -> object:
    return _one("framework contract", user, sa.select(FrameworkContract.id).order_by(FrameworkContract.id))


def supplier_id(user: User, _today: date) -> object:
    return _one("supplier", user, sa.select(Supplier.id).order_by(Supplier.id))


def finding_id(user: User, _today: date) -> object:
    return _one("finding", user, sa.select(Finding.id).where(Finding.organisation_id == user.organisation_id)
                .order_by(Finding.id))


def claim_id(user: User, _today: date) -> object:
    return _one("claim", user, sa.select(Claim.id).where(Claim.organisation_id == user.organisation_id)
                .order_by(Claim.id))


def user_name(user: User, _today: date) -> object:
    """Another user of the organisation than the one looking (their own page is no special case)."""
    return _one("user", user, sa.select(User.username).where(User.organisation_id == user.organisation_id)
                .order_by(User.username != "ekonomi", User.username))


#: Path parameter name → a value from the demo data that ``user`` may see.
FILLERS: dict[str, Callable[[User, date], object]] = {
    "code": unit_code,
    "year": year,
    "month": month,
    "period": period,
    "invoice_id": invoice_id,
    "entry_id": journal_entry_id,
    "subscription_id": _asset(Subscription, "subscription"),
    "handset_id": _asset(Handset, "handset"),
    "contract_id": contract_id,
    "supplier_id": supplier_id,
    "finding_id": finding_id,
    "claim_id": claim_id,
    "name": user_name,
}


def one_login_per_role() -> list[DemoLogin]:
    """The first demo user of each role (the second department user has the same pages)."""
    chosen: dict[str, DemoLogin] = {}
    for login in demo_logins():
        chosen.setdefault(login.role.value, login)
    return list(chosen.values())
