"""The allocation's common case in one statement: a new line on one unit for its whole service period.

Most of a month's lines are for an asset that sat at one unit for the whole service period,
on an invoice without document allowances or charges, and are allocated for the first time.
``rules.place_line`` gives such a line one piece: the whole amount, on the asset's unit
(``direct``), or for a switchboard category on the carrier (``switchboard_central``) unless the
asset's unit is fee-funded (``fee_funded_own``), with the assignment it used and no reason.
This module books those pieces with one ``INSERT INTO journal_entry … SELECT`` and sums what it
wrote with one grouped query, instead of reading every line into Python (reading lines
through the ORM and building their objects was 43 % of the allocation's time).

A re-run meets such lines again, now with entries. Before booking, ``keep_unchanged_lines``
computes in SQL what the statement would book for each of them (the same select, for lines that
have entries) and compares it by set operations with the journal's net sums per key (line,
unit, account, rule, assignment, no allowance): a line whose held entries are exactly its one
target piece is unchanged, and its id, rule and amount go to a TEMP table. The per-line path
leaves those lines out as it does the lines booked in this run, and the run's result counts
them from the table. A line whose entries differ is compared and rewritten by the per-line path
as before.

The engine runs this first; its per-line path then skips the lines that have entries from the
run and the unchanged ones, and handles everything else exactly as before: day splits, gaps,
allowances, suspense, öresavrundning, and every changed line that already has entries.

The SQL below says what ``rules.service_period`` and ``rules.place_line`` say; the equivalence
test (``tests/allocation/test_set_based.py``) compares the two paths entry by entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ledger.accounting.plan import AccountingSettings
from ledger.allocation.models import JournalEntry
from ledger.allocation.rules import Rule
from ledger.core.categories import Category
from ledger.database import db
from ledger.database.bulk import analyze_if_large, create_staging_table, drop_staging_table
from ledger.database.types import Timestamp, raw_ore
from ledger.inventory.models import Assignment
from ledger.invoices.models import Invoice, InvoiceAllowanceCharge, InvoiceLine, allocated_source
from ledger.organisation.models import BudgetUnit, Supplier

#: The columns the statement fills, in the order of its SELECT (the others stay NULL).
COLUMNS = ("organisation_id", "period_id", "run_id", "unit_id", "administration_id", "account", "counterparty",
           "activity", "amount_ore", "rule", "invoice_id", "invoice_line_id", "assignment_id", "is_correction",
           "created_at")

SWITCHBOARD = tuple(category for category in Category if category.is_switchboard)

#: The TEMP table of a re-run's unchanged common-case lines (``keep_unchanged_lines``).
UNCHANGED = "unchanged_line"


class UnchangedRow(NamedTuple):
    """One unchanged line: its id, and the rule and amount (öre) of its one piece."""

    invoice_line_id: int
    rule: str
    amount_ore: int


unchanged_lines = sa.table(UNCHANGED, sa.column("invoice_line_id", sa.Integer), sa.column("rule", sa.String),
                           sa.column("amount_ore", sa.BigInteger))


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


def whole_period_lines(*, booked: bool = False) -> list[sa.ColumnElement[bool]]:
    """The common case, for a select joining the line, its invoice and ``Assignment``: the
    line's only overlapping assignment covers its whole service period, the amount is not zero,
    the invoice has no document allowance or charge, and the line has no journal entry yet
    (``booked``: has one, the lines a re-run compares)."""
    start, end = service_period()
    other = aliased(Assignment)
    has_entries = sa.exists().where(JournalEntry.invoice_line_id == InvoiceLine.id)
    return [
        raw_ore(InvoiceLine.net_amount) != 0,
        Assignment.valid_from <= start, sa.or_(Assignment.valid_to.is_(None), Assignment.valid_to > end),
        ~sa.exists().where(overlaps_line(other), other.id != Assignment.id),
        ~sa.exists().where(InvoiceAllowanceCharge.invoice_id == Invoice.id),
        has_entries if booked else ~has_entries,
    ]


# The statement ---------------------------------------------------------------------------

def book_whole_lines(booking: Booking, start: date, end: date) -> Tally:
    """Book every common-case line of the period's invoices with one statement; what it wrote."""
    table = cast(sa.Table, JournalEntry.__table__)  # a mapped class's table, typed as any FromClause
    db.session.execute(table.insert().from_select(list(COLUMNS), _entries(booking, start, end)))
    return tally(booking.run_id)


# A re-run's unchanged lines ----------------------------------------------------------------

def keep_unchanged_lines(booking: Booking, start: date, end: date) -> Tally | None:
    """Put the common-case lines that already have entries, and whose entries net to exactly
    what ``book_whole_lines`` would book for them, in the ``UNCHANGED`` table; count and sum
    them by rule. Run before ``book_whole_lines`` (whose lines have no entries yet), and drop
    the table with ``drop_unchanged_lines`` once the per-line path has read the period.

    None, and no table, when the period's invoices have no entries yet (a first run)."""
    booked = db.session.execute(
        sa.select(sa.exists().where(JournalEntry.invoice_id == Invoice.id,
                                    *period_lines(booking.organisation_id, start, end)[:3]))).scalar()
    if not booked:
        return None
    create_staging_table(UNCHANGED, UnchangedRow,
                         {"invoice_line_id": "BIGINT", "rule": "TEXT", "amount_ore": "BIGINT"})
    db.session.execute(unchanged_lines.insert().from_select(list(UnchangedRow._fields),
                                                            _unchanged(booking, start, end)))
    if db.session.connection().dialect.name == "postgresql":
        # The per-line path asks of every line whether it is here (SQLite's is the rowid).
        db.session.execute(sa.text(f"ALTER TABLE {UNCHANGED} ADD PRIMARY KEY (invoice_line_id)"))
    result = Tally()
    for rule, count, amount in db.session.execute(
            sa.select(unchanged_lines.c.rule, sa.func.count(), sa.func.sum(unchanged_lines.c.amount_ore))
            .group_by(unchanged_lines.c.rule)):
        result.lines += count
        result.by_rule[Rule(rule)] = int(amount)
    # The per-line path's reads leave these lines out: planned for the table as it is.
    analyze_if_large(UNCHANGED, result.lines)
    return result


def drop_unchanged_lines() -> None:
    drop_staging_table(UNCHANGED)


def _unchanged(booking: Booking, start: date, end: date) -> sa.Select[Any]:
    """The lines whose target (one row each, keyed as the engine's ``Key`` with the amount) the
    journal holds exactly: in the target ∩ held, and with no held key outside the target.

    Held is the net of every entry per key, zero sums left out, as the per-line path's
    ``journal_state`` reads it; an allowance share or a second piece makes a held row that the
    target lacks, so the line is changed and the per-line path takes it."""
    placed = _entries(booking, start, end, booked=True)
    picked = placed.selected_columns
    target = placed.with_only_columns(
        picked.invoice_line_id, picked.unit_id, picked.account, picked.rule, picked.assignment_id,
        sa.cast(sa.null(), sa.Integer).label("allowance_charge_id"), picked.amount_ore,
        maintain_column_froms=False).cte("target")
    keys = (JournalEntry.invoice_line_id, JournalEntry.unit_id, JournalEntry.account, JournalEntry.rule,
            JournalEntry.assignment_id, JournalEntry.allowance_charge_id)
    net = sa.func.sum(raw_ore(JournalEntry.amount))
    held = (sa.select(*keys, sa.cast(net, sa.BigInteger).label("amount_ore"))
            .join(Invoice, Invoice.id == JournalEntry.invoice_id)
            .where(Invoice.organisation_id == booking.organisation_id, Invoice.issue_date >= start,
                   Invoice.issue_date < end, JournalEntry.invoice_line_id.is_not(None))
            .group_by(*keys).having(net != 0)).cte("held")
    kept = sa.intersect(sa.select(target), sa.select(held)).subquery("kept")
    extra = sa.except_(sa.select(held), sa.select(target)).subquery("extra")
    # NOT IN, uncorrelated: both engines evaluate the difference once and look lines up in it
    # (no line id is NULL on either side), where a correlated NOT EXISTS re-ran it per line.
    return (sa.select(kept.c.invoice_line_id, kept.c.rule, kept.c.amount_ore)
            .where(kept.c.invoice_line_id.not_in(sa.select(extra.c.invoice_line_id))))


def _entries(booking: Booking, start: date, end: date, *, booked: bool = False) -> sa.Select[Any]:
    """One journal entry per common-case line, its columns in the order of ``COLUMNS`` and
    named by them; of the lines with entries instead when ``booked`` (what a re-run compares).

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
    columns: tuple[Any, ...] = (
               sa.literal(booking.organisation_id, sa.Integer), sa.literal(booking.period_id, sa.Integer),
               sa.literal(booking.run_id, sa.Integer),
               sa.case((own_pays, Assignment.unit_id), else_=sa.literal(booking.carrier_id, sa.Integer)),
               sa.case((own_pays, own_admin), else_=sa.literal(carrier_admin, sa.Integer)),
               account, counterparty,
               sa.case((own_pays, BudgetUnit.activity_code), else_=sa.literal(carrier_activity, sa.String)),
               raw_ore(InvoiceLine.net_amount), rule, Invoice.id, InvoiceLine.id, Assignment.id,
               sa.literal(booking.is_correction, sa.Boolean), sa.literal(booking.created_at, Timestamp()))
    query = (
        sa.select(*(column.label(name) for column, name in zip(columns, COLUMNS, strict=True)))
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
    query = query.where(*period_lines(booking.organisation_id, start, end), *whole_period_lines(booked=booked))
    return query if booked else query.order_by(Invoice.id, InvoiceLine.id)


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
