"""The private-use pages: a month's lines that indicate private use, per holder (the basis for a
salary deduction where an agreement covers them), downloadable, and one subscription's year."""

from __future__ import annotations

from typing import Any

from flask import g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ledger.access.permissions import allowed, require
from ledger.core import clock
from ledger.core.errors import BadRequest
from ledger.core.identifiers import display_phone_number
from ledger.labels import LABELS
from ledger.organisation import service as unit_service
from ledger.private_use import service
from ledger.private_use.detection import FINDING_KIND, IndicatorLine
from ledger.private_use.rules import KINDS
from ledger.web import blueprint, listing
from ledger.web.errors import refused
from ledger.web.listing import Column, Listing

# The kind of compliance finding this feature adds, named where the compliance page names the
# kinds (``ledger.labels``).
LABELS.setdefault(FINDING_KIND, _l("Private use without an agreement"))


@blueprint.app_template_filter("indicator_kind")
def indicator_kind(kind: str) -> str:
    """What the pages call a kind of indicator (``premium_rate`` → "premium-rate number")."""
    return _(KINDS[kind]) if kind in KINDS else kind


def _unit(line: IndicatorLine) -> str:
    return f"{line.unit_ansvar} {line.unit_name}" if line.unit_ansvar else ""


#: A month's indicator lines, by holder unless the reader sorts otherwise; ``?agreement=with``
#: or ``without`` one of the two, ``?unit=`` one unit (its ansvar code).
LINES = Listing("privat-anvandning", (
    Column("holder", _l("Holder"), value=lambda r: r.holder_name or "",
           key_of=lambda r: (r.holder_name.casefold(), r.number) if r.holder_name else None),
    Column("number", _l("Number"), value=lambda r: display_phone_number(r.number), key_of=lambda r: r.number),
    Column("unit", _l("Unit"), value=_unit, key_of=lambda r: r.unit_ansvar),
    Column("day", _l("Day"), value=lambda r: r.day, key_of=lambda r: r.day),
    Column("invoice", _l("Invoice"), value=lambda r: r.invoice_number,
           key_of=lambda r: (r.invoice_number, r.position)),
    Column("position", "#", value=lambda r: r.position, css="num"),
    Column("indicator", _l("Indicator"), value=lambda r: indicator_kind(r.kind), key_of=lambda r: r.kind),
    Column("text", _l("Text"), value=lambda r: r.text),
    Column("agreement", _l("Private-use agreement"), value=lambda r: r.agreement or "",
           key_of=lambda r: r.agreement),
    Column("amount", _l("Amount"), value=lambda r: r.net_amount, key_of=lambda r: r.net_amount, css="num"),
), default_sort="holder", filters=("period", "agreement", "unit"))


def _searched(lines: list[IndicatorLine], text: str | None) -> list[IndicatorLine]:
    wanted = (text or "").casefold()
    if not wanted:
        return lines
    return [line for line in lines if any(wanted in (value or "").casefold() for value in (
        line.holder_name, line.number, display_phone_number(line.number), line.invoice_number, line.text,
        line.agreement, line.unit_name))]


@blueprint.route("/private-use")
@require("private_use.read")
def private_use() -> Any:
    period = request.args.get("period") or f"{clock.today():%Y-%m}"
    asked = listing.read(LINES)
    code = asked.filters.get("unit")
    unit = unit_service.get_unit(g.user, code) if code else None
    found, status = [], 200
    try:
        found = service.period_lines(g.user, period, unit=unit)
    except BadRequest as error:
        status = refused(error)
    rows = listing.sorted_items(_searched(service.chosen(found, asked.filters.get("agreement")), asked.q), asked)
    if asked.format and status == 200:
        return listing.download(asked, rows, len(rows))
    holders = service.by_holder(found)
    return render_template(
        "private_use/list.html", period=period, unit=unit, asked=asked, behind=listing.page_of_items(rows, asked),
        covered=[h for h in holders if h.covered], uncovered=[h for h in holders if not h.covered],
        show_compliance=allowed(g.user, "compliance.read"), show_invoices=allowed(g.user, "invoices.read"),
    ), status


def _year() -> int:
    try:
        return int(request.args.get("year", clock.today().year))
    except ValueError:
        return clock.today().year


@blueprint.route("/private-use/subscriptions/<int:subscription_id>")
@require("private_use.read")
def private_use_subscription(subscription_id: int) -> Any:
    """One subscription's indicator lines of a year, per month."""
    year = _year()
    subscription, months = service.subscription_year(g.user, subscription_id, year)
    return render_template("private_use/subscription.html", subscription=subscription, year=year, months=months,
                           show_invoices=allowed(g.user, "invoices.read"))
