"""The allocation's common case in one statement: a new line on one unit for its whole service period.

Most of a month's lines are for an asset that sat at one unit for the whole service period,
on an invoice without document allowances or charges, and are allocated for the first time.
``rules.place_line`` gives such a line one piece: the whole amount, on the asset's unit
(``direct``), or for a switchboard category on the carrier (``switchboard_central``) unless the
asset's unit is fee-funded (``fee_funded_own``), with the assignment it used and no reason.
This module books those pieces with one ``INSERT INTO journal_entry … SELECT`` and sums what it
wrote with one grouped query, instead of reading every line into Python (reading lines
through the ORM and building their objects was 43 % of the allocation's time).

The engine runs this first; its per-line path then skips the lines that have entries from the
run, and handles everything else exactly as before: day splits, gaps, allowances, suspense,
öresavrundning, and every line that already has entries.

The SQL below says what ``rules.service_period`` and ``rules.place_line`` say; the equivalence
test (``tests/allocation/test_set_based.py``) compares the two paths entry by entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ledger.accounting.plan import AccountingSettings
from ledger.allocation.models import JournalEntry
from ledger.allocation.rules import Rule
from ledger.core.categories import Category
from ledger.database import db
from ledger.database.types import Timestamp, raw_ore
from ledger.inventory.models import Assignment
from ledger.invoices.models import Invoice, InvoiceAllowanceCharge, InvoiceLine, allocated_source
from ledger.organisation.models import BudgetUnit, Supplier

#: The columns the statement fills, in the order of its SELECT (the others stay NULL).
COLUMNS = ("organisation_id", "period_id", "run_id", "unit_id", "administration_id", "account", "counterparty",
           "activity", "amount_ore", "rule", "invoice_id", "invoice_line_id", "assignment_id", "is_correction",
           "created_at")

SWITCHBOARD = tuple(category for category in Category if category.is_switchboard)


@dataclass(frozen=True)
class Booking:
    """Where and how the run books: the booked period, the run, the plan and the units' dimensions."""

    organisation_id: int
    period_id: int
    run_id: int
    is_correction: bool
    created_at: datetime
    plan: AccountingSettings
    carrier_id: int
    #: the carrier's administration in the booked month and its activity
    carrier_dims: tuple[int, str | None]
    #: unit → its administration in the booked month, for the units that have moved to another since
    moved_since: Mapping[int, int]


@dataclass
class Tally:
    """What the statement wrote: one entry per line, and their sums by rule (öre)."""

    lines: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)  #: keyed by ``Rule``


# The period's lines and their assignments (the per-line path joins by ``overlaps_line`` too) ---

def period_lines(organisation_id: int, start: date, end: date) -> list[sa.ColumnElement[bool]]:
    """The lines the allocation of [start, end) reads: invoices by issue date, the allocated source."""
    return [Invoice.organisation_id == organisation_id, Invoice.issue_date >= start, Invoice.issue_date < end,
            allocated_source()]


def overlaps_line(assignment: Any) -> sa.ColumnElement[bool]:
    """``assignment`` (the class or an alias) is of the line's asset and overlaps the days the
    line's period columns name: the join by which the engine finds a line's spans."""
    line_start = sa.func.coalesce(InvoiceLine.period_start, Invoice.period_start, Invoice.issue_date)
    line_end = sa.func.coalesce(InvoiceLine.period_end, InvoiceLine.period_start, Invoice.period_end,
                                Invoice.period_start, Invoice.issue_date)
    return sa.and_(assignment.asset_id == InvoiceLine.asset_id, assignment.valid_from <= line_end,
                   sa.or_(assignment.valid_to.is_(None), assignment.valid_to > line_start))


def service_period() -> tuple[sa.ColumnElement[date], sa.ColumnElement[date]]:
    """``rules.service_period`` in SQL: the line's period, else the invoice's, else the issue
    date; an end before the start is the start day alone."""
    start = sa.func.coalesce(InvoiceLine.period_start, Invoice.period_start, Invoice.issue_date)
    end = sa.case((InvoiceLine.period_start.is_not(None),
                   sa.func.coalesce(InvoiceLine.period_end, InvoiceLine.period_start)),
                  (Invoice.period_start.is_not(None), sa.func.coalesce(Invoice.period_end, Invoice.period_start)),
                  else_=Invoice.issue_date)
    return start, sa.case((end < start, start), else_=end)


def whole_period_lines() -> list[sa.ColumnElement[bool]]:
    """The common case, for a select joining the line, its invoice and ``Assignment``: the
    line's only overlapping assignment covers its whole service period, the amount is not zero,
    the invoice has no document allowance or charge, and the line has no journal entry yet."""
    start, end = service_period()
    other = aliased(Assignment)
    return [
        raw_ore(InvoiceLine.net_amount) != 0,
        Assignment.valid_from <= start, sa.or_(Assignment.valid_to.is_(None), Assignment.valid_to > end),
        ~sa.exists().where(overlaps_line(other), other.id != Assignment.id),
        ~sa.exists().where(InvoiceAllowanceCharge.invoice_id == Invoice.id),
        ~sa.exists().where(JournalEntry.invoice_line_id == InvoiceLine.id),
    ]


# The statement ---------------------------------------------------------------------------

def book_whole_lines(booking: Booking, start: date, end: date) -> Tally:
    """Book every common-case line of the period's invoices with one statement; what it wrote."""
    table = cast(sa.Table, JournalEntry.__table__)  # a mapped class's table, typed as any FromClause
    db.session.execute(table.insert().from_select(list(COLUMNS), _entries(booking, start, end)))
    return tally(booking.run_id)


def _entries(booking: Booking, start: date, end: date) -> sa.Select[Any]:
    """One journal entry per common-case line, its columns in the order of ``COLUMNS``.

    The assigned unit's facts come from its row, joined by key (the engine read the same rows);
    the carrier's dimensions are constants of the statement."""
    carrier_admin, carrier_activity = booking.carrier_dims
    switchboard = InvoiceLine.category.in_(SWITCHBOARD)
    # rules.placement: a switchboard line goes to the carrier unless the asset's unit is fee-funded
    own_pays = sa.or_(~switchboard, BudgetUnit.fee_funded)
    rule = sa.case((~switchboard, sa.literal(Rule.DIRECT.value, sa.String)),
                   (BudgetUnit.fee_funded, sa.literal(Rule.FEE_FUNDED_OWN.value, sa.String)),
                   else_=sa.literal(Rule.SWITCHBOARD_CENTRAL.value, sa.String))
    account = sa.case({category: booking.plan.for_category(category) for category in Category},
                      value=InvoiceLine.category)
    # as ``invoice.counterparty or plan.default_counterparty``: an empty code is none
    counterparty = sa.func.coalesce(sa.func.nullif(Supplier.counterparty_code, ""),
                                    sa.literal(booking.plan.default_counterparty, sa.String))
    moved = _moved_since(booking.moved_since)
    # the assigned unit's administration in the booked month: its own, unless it has moved since
    own_admin = (BudgetUnit.administration_id.expression if moved is None
                 else sa.func.coalesce(moved.c.administration_id, BudgetUnit.administration_id))
    query = (
        sa.select(sa.literal(booking.organisation_id, sa.Integer), sa.literal(booking.period_id, sa.Integer),
                  sa.literal(booking.run_id, sa.Integer),
                  sa.case((own_pays, Assignment.unit_id), else_=sa.literal(booking.carrier_id, sa.Integer)),
                  sa.case((own_pays, own_admin), else_=sa.literal(carrier_admin, sa.Integer)),
                  account, counterparty,
                  sa.case((own_pays, BudgetUnit.activity_code), else_=sa.literal(carrier_activity, sa.String)),
                  raw_ore(InvoiceLine.net_amount), rule, Invoice.id, InvoiceLine.id, Assignment.id,
                  sa.literal(booking.is_correction, sa.Boolean), sa.literal(booking.created_at, Timestamp()))
        .select_from(InvoiceLine)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .join(Supplier, Supplier.id == Invoice.supplier_id)
        .join(Assignment, overlaps_line(Assignment))
        # the assigned unit must be one of the organisation's, whose facts the rules know
        .join(BudgetUnit, sa.and_(BudgetUnit.id == Assignment.unit_id,
                                  BudgetUnit.organisation_id == booking.organisation_id))
    )
    if moved is not None:
        query = query.outerjoin(moved, moved.c.unit_id == BudgetUnit.id)
    return (query.where(*period_lines(booking.organisation_id, start, end), *whole_period_lines())
            .order_by(Invoice.id, InvoiceLine.id))


def _moved_since(moved_since: Mapping[int, int]) -> sa.CTE | None:
    """The units that have moved to another administration since the booked month, with the one
    they had then, as a VALUES list keyed by unit (none: nothing to join)."""
    if not moved_since:
        return None
    return sa.values(sa.column("unit_id", sa.Integer), sa.column("administration_id", sa.Integer),
                     name="moved_since").data(sorted(moved_since.items())).cte()


def tally(run_id: int) -> Tally:
    """The entries of run ``run_id`` counted and summed by rule (before the per-line path writes)."""
    rows = db.session.execute(
        sa.select(JournalEntry.rule, sa.func.count(), sa.func.sum(raw_ore(JournalEntry.amount)))
        .where(JournalEntry.run_id == run_id).group_by(JournalEntry.rule))
    result = Tally()
    for rule, count, amount in rows:
        result.lines += count
        result.by_rule[Rule(rule)] = int(amount)
    return result
