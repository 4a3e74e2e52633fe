"""``/api/v1/periods``, ``/journal`` and ``/suspense``: allocation, period close, the journal."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint

from ledger.allocation import journal, periods
from ledger.allocation.engine import allocate
from ledger.allocation.rules import REASONS, Rule
from ledger.api.pagination import paged_by_view, paginated
from ledger.api.routes import guarded
from ledger.api.schemas import Amount, PeriodField
from ledger.organisation import service as unit_service

periods_blp = Blueprint("periods", __name__, url_prefix="/periods", description="Allocation and period close")
journal_blp = Blueprint("journal", __name__, url_prefix="/journal", description="The allocation journal")
suspense_blp = Blueprint("suspense", __name__, url_prefix="/suspense", description="Lines waiting in suspense")
BLUEPRINTS = (periods_blp, journal_blp, suspense_blp)


class EntrySchema(ma.Schema):
    id = ma.fields.Function(lambda v: v.entry.id)
    period = ma.fields.Function(lambda v: v.period)
    unit = ma.fields.Function(lambda v: v.unit.ansvar if v.unit else None)
    account = ma.fields.Function(lambda v: v.entry.account)
    counterparty = ma.fields.Function(lambda v: v.entry.counterparty)
    amount = Amount(attribute="entry.amount")
    rule = ma.fields.Function(lambda v: v.entry.rule, metadata={"description": "The rule that placed the entry"})
    reason = ma.fields.Function(lambda v: v.entry.reason_text, metadata={"description": "Why, in English"})
    reason_code = ma.fields.Function(lambda v: v.entry.reason if v.entry.reason in REASONS else None, metadata={
        "description": "The reason's stable code (no_asset, no_assignment_days, days_of, allowance_share …)"})
    is_correction = ma.fields.Function(lambda v: v.entry.is_correction)
    reverses = ma.fields.Function(lambda v: v.entry.reverses_id)
    invoice = ma.fields.Function(lambda v: {"id": v.invoice.id, "number": v.invoice.number,
                                            "supplier": v.supplier.name})
    invoice_line = ma.fields.Function(lambda v: None if v.line is None else {
        "id": v.line.id, "position": v.line.position, "description": v.line.description,
        "reference": v.line.reference, "reference_source": v.line.reference_source})
    asset = ma.fields.Function(lambda v: {"subscription": v.subscription.number} if v.subscription else
                               {"imei": v.handset.imei} if v.handset else None)
    assignment = ma.fields.Function(lambda v: None if v.assignment is None else {
        "id": v.assignment.id, "valid_from": v.assignment.valid_from.isoformat(),
        "valid_to": v.assignment.valid_to.isoformat() if v.assignment.valid_to else None})


class JournalQuery(ma.Schema):
    period = PeriodField(load_default=None)
    unit = ma.fields.String(load_default=None)
    rule = ma.fields.String(load_default=None, validate=ma.validate.OneOf([rule.value for rule in Rule]))


class SuspenseQuery(ma.Schema):
    period = PeriodField(load_default=None)


class SuspenseSchema(ma.Schema):
    invoice_line_id = ma.fields.Function(lambda s: s.line.id)
    invoice = ma.fields.Function(lambda s: {"id": s.invoice.id, "number": s.invoice.number,
                                            "supplier": s.supplier.name,
                                            "issue_date": s.invoice.issue_date.isoformat()})
    reference = ma.fields.Function(lambda s: s.line.reference)
    description = ma.fields.Function(lambda s: s.line.description)
    amount = Amount()
    reason = ma.fields.String(metadata={"description": "Why, in English"})
    reason_code = ma.fields.String(metadata={"description": "The reason's stable code (no_asset, days_of …)"})


@guarded(periods_blp, "POST", "/<period>/allocate", "allocation.run", 200, None,
         conflict="Another allocation of the period is running")
def allocate_period(period: str) -> Any:
    """Allocate every line of the period's invoices; a second run without changes writes nothing."""
    result = allocate(g.user, g.user.organisation, period)
    return result.as_dict()


class CloseBody(ma.Schema):
    force_reason = ma.fields.String(load_default=None, validate=ma.validate.Length(max=500), metadata={
        "description": "Close although lines are not allocated, for this reason (kept in the audit log)"})


@guarded(periods_blp, "POST", "/<period>/close", "allocation.run", 200, None, arguments=CloseBody, required=False,
         conflict="Already closed, or lines not allocated and no force_reason")
def close_period(body: dict[str, Any] | None, period: str) -> Any:
    """Close the period: it takes no more entries; corrections go to the next open period."""
    closed = periods.close(g.user, g.user.organisation_id, period, force_reason=(body or {}).get("force_reason"))
    return {"period": closed.period.period, "status": closed.period.status.value,
            "closed_at": closed.period.closed_at.isoformat() if closed.period.closed_at else None,
            "unallocated_lines": closed.unallocated}


@guarded(journal_blp, "GET", "", "journal.read", 200, EntrySchema(many=True), arguments=JournalQuery,
         location="query", paging=paged_by_view, missing="No unit with that code")
def list_journal(args: dict[str, Any], pagination_parameters: Any) -> Any:
    """Journal entries with the rule that placed each (department users: their units only), in the
    order they were booked."""
    unit = unit_service.get_unit(g.user, args["unit"]) if args["unit"] else None
    chosen = journal.EntryFilter(args["period"], unit, args["rule"])
    pagination_parameters.item_count = journal.count_entries(g.user, chosen)
    return journal.entries(g.user, period=chosen.period, unit=unit, rule=chosen.rule,
                           limit=pagination_parameters.page_size, offset=pagination_parameters.first_item)


@guarded(suspense_blp, "GET", "", "suspense.read", 200, SuspenseSchema(many=True), arguments=SuspenseQuery,
         location="query", paging=paginated)
def list_suspense(args: dict[str, Any]) -> Any:
    """Lines that could not be allocated, and why."""
    return journal.suspense(g.user, args["period"])
