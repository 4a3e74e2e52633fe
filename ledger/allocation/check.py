"""The ledger's invariants, checked with a handful of grouped queries.

1. Every allocated invoice's entries sum to its net total (rounding apart), and its rounding
   entries to its rounding. An invoice replaced by its corrected re-issue (``invoices
   replace``) is no longer allocated: its entries net to zero.
2. Every allocated line's own entries (not its share of document allowances) sum to the line
   (to zero for a line of a replaced invoice).
3. Every reversal is the exact negative of the entry it reverses (same unit, account and
   administration), and reverses it only once.
4. No entry was written into a closed period after it was closed.
5. Every line the allocation uses of a past period (its invoice dated before the current
   month) has journal entries — at least suspense: a line with none was never allocated. A
   line of 0.00 has nothing to place.
6. The balance table (``journal_balance``, which the pages of budget against actual read)
   equals the journal's sums per period, unit, administration, category and account.
7. Every entry's organisation, period, run, administration, invoice and assignment exist, and
   every invoice line's organisation and invoice: the columns the allocation and the import
   fill on the bulk path have no foreign keys (their per-row checks cost more than the
   inserts), so they are checked here, one query a column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ledger.allocation import balances
from ledger.allocation.models import JournalEntry, Period, PeriodStatus
from ledger.allocation.rules import Rule
from ledger.core import clock
from ledger.core.money import from_ore
from ledger.core.month import Month
from ledger.database import db
from ledger.database.types import raw_ore
from ledger.invoices.models import Invoice, InvoiceLine, allocated_source


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    message: str


def check(organisation_id: int | None = None, today: date | None = None) -> list[Violation]:
    """Every violation of the invariants (of one organisation, when given); ``today`` (default:
    today in Sweden) decides which periods are past."""
    violations = _invoice_totals(organisation_id)
    violations += _line_totals(organisation_id)
    violations += _reversals(organisation_id)
    violations += _closed_periods(organisation_id)
    violations += _never_allocated(organisation_id, Month.of(today or clock.today()))
    violations += _balances(organisation_id)
    violations += _orphans(organisation_id)
    return violations


#: table → (what its rows are called, and one of them, its column → the table the value must be
#: an id of): the references without a foreign key (see 7.)
REFERENCES: dict[str, tuple[str, str, dict[str, str]]] = {
    "journal_entry": ("journal entries", "entry", {
        "organisation_id": "organisation", "period_id": "period", "run_id": "allocation_run",
        "administration_id": "administration", "invoice_id": "invoice", "assignment_id": "assignment"}),
    "invoice_line": ("invoice lines", "line", {"organisation_id": "organisation", "invoice_id": "invoice"}),
}


def _orphans(organisation_id: int | None) -> list[Violation]:
    violations = []
    for table_name, (rows, row, references) in REFERENCES.items():
        source = db.metadata.tables[table_name]
        for column, table in references.items():
            target = sa.table(table, sa.column("id"))
            value = source.c[column]
            query = (sa.select(sa.func.count(), sa.func.min(source.c.id)).select_from(source)
                     .outerjoin(target, target.c.id == value)
                     .where(value.is_not(None), target.c.id.is_(None),
                            *_of(source.c.organisation_id, organisation_id)))
            count, first = db.session.execute(query).one()
            if count:
                violations.append(Violation("orphan", f"{count} {rows} name a {column} that does not exist in "
                                                      f"{table} (the first: {row} {first})"))
    return violations


def _balances(organisation_id: int | None) -> list[Violation]:
    return [Violation("balance", (
        f"balance of period {period_id}, unit {unit_id}, administration {administration_id}, {category}, account "
        f"{account}: {from_ore(int(held or 0))} in the balance table, but the journal sums to "
        f"{from_ore(int(journal or 0))}"))
        for period_id, unit_id, administration_id, category, account, journal, held
        in balances.differences(organisation_id)]


def _of(column: Any, organisation_id: int | None) -> list[sa.ColumnElement[bool]]:
    return [column == organisation_id] if organisation_id else []


def _unless_replaced(amount: sa.ColumnElement[int]) -> sa.ColumnElement[int]:
    """What the entries of an invoice (or its line) must sum to: nothing once it is replaced."""
    return sa.case((Invoice.replaced_at.is_not(None), sa.literal_column("0")), else_=amount)


def _invoice_totals(organisation_id: int | None) -> list[Violation]:
    amount = raw_ore(JournalEntry.amount)
    not_rounding = sa.func.sum(sa.case((JournalEntry.rule != Rule.ROUNDING, amount), else_=0))
    rounding = sa.func.sum(sa.case((JournalEntry.rule == Rule.ROUNDING, amount), else_=0))
    net, round_ = _unless_replaced(raw_ore(Invoice.net_total)), _unless_replaced(raw_ore(Invoice.rounding))
    rows = db.session.execute(
        sa.select(Invoice.number, net, round_, not_rounding, rounding)
        .join(JournalEntry, JournalEntry.invoice_id == Invoice.id).where(*_of(JournalEntry.organisation_id,
                                                                              organisation_id))
        .group_by(Invoice.id, Invoice.number, net, round_)
        .having(sa.or_(not_rounding != net, rounding != round_)))
    return [Violation("invoice_total", (
        f"invoice {number}: entries sum to {from_ore(booked)} (rounding {from_ore(booked_rounding)}), "
        f"but its net total is {from_ore(expected)} (rounding {from_ore(expected_rounding)})"))
        for number, expected, expected_rounding, booked, booked_rounding in rows]


def _line_totals(organisation_id: int | None) -> list[Violation]:
    own = sa.func.sum(sa.case((JournalEntry.allowance_charge_id.is_(None), raw_ore(JournalEntry.amount)), else_=0))
    line_amount = _unless_replaced(raw_ore(InvoiceLine.net_amount))
    rows = db.session.execute(
        sa.select(InvoiceLine.id, InvoiceLine.position, Invoice.number, line_amount, own)
        .join(JournalEntry, JournalEntry.invoice_line_id == InvoiceLine.id)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id).where(*_of(JournalEntry.organisation_id,
                                                                         organisation_id))
        .group_by(InvoiceLine.id, InvoiceLine.position, Invoice.id, Invoice.number, line_amount)
        .having(own != line_amount))
    return [Violation("line_total", (
        f"invoice {number} line {position} (id {line_id}): entries sum to {from_ore(booked)}, "
        f"the line is {from_ore(expected)}")) for line_id, position, number, expected, booked in rows]


def _reversals(organisation_id: int | None) -> list[Violation]:
    amount = raw_ore(JournalEntry.amount)
    org = _of(JournalEntry.organisation_id, organisation_id)
    original = aliased(JournalEntry)
    violations = [Violation("reversal", (
        f"entry {reversal_id} does not mirror entry {original_id}: {from_ore(reversal_amount)} against "
        f"{from_ore(original_amount)}, or another unit, account or administration"))
        for reversal_id, original_id, reversal_amount, original_amount in db.session.execute(
            sa.select(JournalEntry.id, original.id, amount.label("reversal"),
                      raw_ore(original.amount).label("original"))
            .join(original, original.id == JournalEntry.reverses_id).where(*org)
            .where(sa.or_(amount + raw_ore(original.amount) != 0,
                          JournalEntry.unit_id.is_distinct_from(original.unit_id),
                          JournalEntry.account != original.account,
                          JournalEntry.administration_id.is_distinct_from(original.administration_id))))]
    violations += [Violation("reversal", f"entry {original_id} is reversed {times} times")
                   for original_id, times in db.session.execute(
                       sa.select(JournalEntry.reverses_id, sa.func.count())
                       .where(JournalEntry.reverses_id.is_not(None), *org)
                       .group_by(JournalEntry.reverses_id).having(sa.func.count() > 1))]
    return violations


def _closed_periods(organisation_id: int | None) -> list[Violation]:
    rows = db.session.execute(
        sa.select(JournalEntry.id, Period.period, Period.closed_at)
        .join(Period, Period.id == JournalEntry.period_id).where(*_of(JournalEntry.organisation_id, organisation_id))
        .where(Period.status == PeriodStatus.CLOSED, JournalEntry.created_at > Period.closed_at))
    return [Violation("closed_period", f"entry {entry_id} was written into {period} after it was "
                                       f"closed at {closed_at:%Y-%m-%d %H:%M}") for entry_id, period, closed_at in rows]


def _never_allocated(organisation_id: int | None, current: Month) -> list[Violation]:
    """(5) Lines of invoices dated before ``current`` that no journal entry refers to."""
    entries = sa.select(JournalEntry.id).where(JournalEntry.invoice_line_id == InvoiceLine.id).exists()
    rows = db.session.execute(
        sa.select(Invoice.id, Invoice.number, Invoice.issue_date, InvoiceLine.id, InvoiceLine.position,
                  InvoiceLine.net_amount)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(*_of(InvoiceLine.organisation_id, organisation_id), Invoice.issue_date < current.first,
               allocated_source(), InvoiceLine.net_amount != 0, ~entries)
        .order_by(Invoice.issue_date, Invoice.id, InvoiceLine.position))
    return [Violation("unallocated", (
        f"invoice {number} (id {invoice_id}) of {issued:%Y-%m} line {position} (id {line_id}, {amount:.2f}) has "
        f"no journal entry: it was never allocated (allocate {issued:%Y-%m})"))
        for invoice_id, number, issued, line_id, position, amount in rows]
