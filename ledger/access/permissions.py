"""Who is asking and what they may do: one permission table used by every route.

Pages authenticate with a session cookie (Flask-Login); the API only with a bearer token, so
a browser session can never be used to call the API across sites (the API is CSRF-exempt).
``require("permission")`` works for both and raises ``NotAuthenticated`` / ``Forbidden``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import g, request
from flask_login import current_user
from sqlalchemy.sql.elements import SQLCoreOperations

from ledger.access.models import Role, User
from ledger.core.errors import Forbidden, NotAuthenticated
from ledger.core.text import N_, Label
from ledger.database import db, tenancy
from ledger.organisation.models import BudgetUnit

#: The roles that work in a municipality's ledger. The cooperation's administrator and the
#: contact centre are outside it: each is granted by name what it may see, nothing by default.
ALL = frozenset(Role) - {Role.COOPERATION, Role.CONTACT_CENTRE}
READ_ALL = frozenset({Role.ADMIN, Role.FINANCE, Role.PROCUREMENT, Role.AUDITOR})
#: Who reads the directory (numbers, who answers them, how else a unit is reached).
DIRECTORY_READERS = ALL | {Role.CONTACT_CENTRE}

#: action → roles allowed. Department users are further limited to their own units by the
#: services (``visible_unit_ids``), never by the route.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "units.read": ALL,
    "units.write": frozenset({Role.ADMIN}),
    "units.move": frozenset({Role.ADMIN, Role.FINANCE}),  # to another administration
    "organisation.read_all": READ_ALL,
    "suppliers.read": ALL,
    "suppliers.write": frozenset({Role.PROCUREMENT, Role.FINANCE, Role.ADMIN}),
    # the contract register belongs to the cooperation: its administrator reads it all
    "contracts.read": ALL | {Role.COOPERATION},
    "contracts.write": frozenset({Role.PROCUREMENT}),
    "exceptions.read": ALL,
    "exceptions.request": frozenset({Role.DEPARTMENT, Role.PROCUREMENT}),
    "exceptions.decide": frozenset({Role.PROCUREMENT}),
    "inventory.read": ALL,
    "inventory.write": frozenset({Role.FINANCE, Role.ADMIN}),
    # a department user's move is a request that finance or admin decides
    "inventory.move": frozenset({Role.FINANCE, Role.ADMIN, Role.DEPARTMENT}),
    "inventory.decide": frozenset({Role.FINANCE, Role.ADMIN}),
    "inventory.report_loss": frozenset({Role.FINANCE, Role.ADMIN, Role.DEPARTMENT}),
    "inventory.reorganise": frozenset({Role.FINANCE, Role.ADMIN}),
    "inventory.coverage": frozenset({Role.FINANCE, Role.ADMIN, Role.AUDITOR}),
    "units.close": frozenset({Role.FINANCE, Role.ADMIN}),
    "directory.read": DIRECTORY_READERS,
    # who answers a number and how a unit is reached, as it changes: the contact centre's feed,
    # readable by whoever reads the directory it changes
    "directory.changes": DIRECTORY_READERS,
    # a unit's function, hours and contact paths: its own department users (and the admin) keep them
    "units.contact_details": frozenset({Role.ADMIN, Role.DEPARTMENT}),
    "invoices.read": frozenset({Role.FINANCE, Role.AUDITOR}),
    "invoices.import": frozenset({Role.FINANCE}),
    "allocation.run": frozenset({Role.FINANCE}),
    "journal.read": ALL,
    "suspense.read": frozenset({Role.FINANCE, Role.AUDITOR}),
    "compliance.read": frozenset({Role.FINANCE, Role.PROCUREMENT, Role.AUDITOR}),
    # compliance findings' status, owner and history, and the claims to suppliers (ledger.findings)
    "findings.read": frozenset({Role.FINANCE, Role.PROCUREMENT, Role.AUDITOR}),
    "findings.manage": frozenset({Role.FINANCE, Role.PROCUREMENT}),
    "claims.manage": frozenset({Role.FINANCE, Role.PROCUREMENT}),
    # lines that indicate private use, per holder: the manager's (department) and finance's basis
    # for a salary deduction, and the auditors'; personal data, so no one else's
    "private_use.read": frozenset({Role.FINANCE, Role.AUDITOR, Role.DEPARTMENT}),
    "budgets.read": ALL,
    "budgets.write": frozenset({Role.FINANCE, Role.ADMIN}),
    "reports.read": frozenset({Role.FINANCE, Role.AUDITOR}),
    "exports.sie": frozenset({Role.FINANCE}),  # hand the month over (recorded); auditors may only look
    "accounts.read": frozenset({Role.ADMIN, Role.FINANCE, Role.AUDITOR}),
    "accounts.write": frozenset({Role.ADMIN}),
    "audit.read": frozenset({Role.AUDITOR, Role.ADMIN}),
    "users.manage": frozenset({Role.ADMIN}),
    # a person's extract of their personal data, and the retention page (docs/privacy.md)
    "privacy.manage": frozenset({Role.ADMIN}),
    # the municipalities of one deployment: the cooperation's administrator creates them
    "organisations.read": frozenset({Role.COOPERATION, Role.ADMIN}),
    "organisations.create": frozenset({Role.COOPERATION}),
}

F = TypeVar("F", bound=Callable[..., Any])
S = TypeVar("S", bound=sa.Select[Any])


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def acting_user() -> User | None:
    """The authenticated user of this request: bearer token for the API, session for pages."""
    if _is_api_request():
        return cast(User | None, g.get("api_user"))
    user = current_user._get_current_object() if current_user else None
    return user if user is not None and user.is_authenticated else None


#: A refusal by role; the permission is named by its code, which an administrator can look up.
MAY_NOT = N_("Role %(role)s may not %(permission)s")


def allowed(user: User, permission: str) -> bool:
    return user.role in PERMISSIONS[permission]


def authorise(user: User, permission: str) -> None:
    """Raise ``Forbidden`` unless ``user`` holds ``permission`` (for a second check in one view)."""
    if not allowed(user, permission):
        raise Forbidden(MAY_NOT, role=Label(user.role.value), permission=permission)


def require(permission: str) -> Callable[[F], F]:
    """Decorator for views: the user must be logged in and hold ``permission``."""
    if permission not in PERMISSIONS:  # a typo must fail at import, not at request time
        raise KeyError(f"unknown permission {permission!r}")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = acting_user()
            if user is None:
                raise NotAuthenticated(N_("Log in or send a valid bearer token"))
            if not allowed(user, permission):
                raise Forbidden(MAY_NOT, role=Label(user.role.value), permission=permission)
            g.user = user
            tenancy.scope_to(db.session, user.organisation_id)  # nothing of another municipality
            return view(*args, **kwargs)

        wrapper.required_permission = permission  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorator


def visible_unit_ids(user: User) -> set[int] | None:
    """The units a user may see: ``None`` means every unit of their organisation."""
    if user.role == Role.DEPARTMENT:
        return {unit.id for unit in user.units}
    return None


def visible_only(query: S, user: User, clause: Callable[[set[int]], SQLCoreOperations[bool]]) -> S:
    """``query`` limited to what ``user`` may see: for a department user the rows that meet
    ``clause(ids of their units)``, e.g. ``JournalEntry.unit_id.in_``; for anyone else unchanged."""
    scope = visible_unit_ids(user)
    return query if scope is None else query.where(clause(scope))


def ensure_unit_visible(user: User, unit: BudgetUnit) -> None:
    """Raise ``Forbidden`` unless the user may see ``unit``."""
    if unit.organisation_id != user.organisation_id:
        raise Forbidden(N_("Unit %(ansvar)s belongs to another organisation"), ansvar=unit.ansvar)
    scope = visible_unit_ids(user)
    if scope is not None and unit.id not in scope:
        raise Forbidden(N_("Unit %(ansvar)s is not one of your units"), ansvar=unit.ansvar)


def ensure_units_visible(user: User, units: Iterable[BudgetUnit]) -> None:
    for unit in units:
        ensure_unit_visible(user, unit)
