"""The ledger's invariants, checked with a handful of grouped queries.

1. Every allocated invoice's entries sum to its net total (rounding apart), and its rounding
   entries to its rounding.
2. Every allocated line's own entries (not its share of document allowances) sum to the line.
3. Every reversal is the exact negative of the entry it reverses (same unit, account and
   administration), and reverses it only once.
4. No entry was written into a closed period after it was closed.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ledger.allocation.models import JournalEntry, Period, PeriodStatus
from ledger.allocation.rules import Rule
from ledger.core.money import from_ore
from ledger.database import db
from ledger.database.types import raw_ore
from ledger.invoices.models import Invoice, InvoiceLine


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    message: str


def check(organisation_id: int | None = None) -> list[Violation]:
    amount = raw_ore(JournalEntry.amount)
    org = [JournalEntry.organisation_id == organisation_id] if organisation_id else []
    violations: list[Violation] = []

    not_rounding = sa.func.sum(sa.case((JournalEntry.rule != Rule.ROUNDING, amount), else_=0))
    rounding = sa.func.sum(sa.case((JournalEntry.rule == Rule.ROUNDING, amount), else_=0))
    for number, net, round_, booked, booked_rounding in db.session.execute(
        sa.select(Invoice.number, raw_ore(Invoice.net_total), raw_ore(Invoice.rounding),
                  not_rounding, rounding)
        .join(JournalEntry, JournalEntry.invoice_id == Invoice.id).where(*org)
        .group_by(Invoice.id, Invoice.number, raw_ore(Invoice.net_total), raw_ore(Invoice.rounding))
        .having(sa.or_(not_rounding != raw_ore(Invoice.net_total),
                       rounding != raw_ore(Invoice.rounding)))
    ):
        violations.append(Violation("invoice_total", (
            f"invoice {number}: entries sum to {from_ore(booked)} (rounding {from_ore(booked_rounding)}), "
            f"but its net total is {from_ore(net)} (rounding {from_ore(round_)})")))

    own = sa.func.sum(sa.case((JournalEntry.allowance_charge_id.is_(None), amount), else_=0))
    line_amount = raw_ore(InvoiceLine.net_amount)
    for line_id, position, number, expected, booked in db.session.execute(
        sa.select(InvoiceLine.id, InvoiceLine.position, Invoice.number, line_amount, own)
        .join(JournalEntry, JournalEntry.invoice_line_id == InvoiceLine.id)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id).where(*org)
        .group_by(InvoiceLine.id, InvoiceLine.position, Invoice.number, line_amount)
        .having(own != line_amount)
    ):
        violations.append(Violation("line_total", (
            f"invoice {number} line {position} (id {line_id}): entries sum to {from_ore(booked)}, "
            f"the line is {from_ore(expected)}")))

    original = aliased(JournalEntry)
    for reversal_id, original_id, reversal_amount, original_amount in db.session.execute(
        sa.select(JournalEntry.id, original.id, amount.label("reversal"), raw_ore(original.amount).label("original"))
        .join(original, original.id == JournalEntry.reverses_id).where(*org)
        .where(sa.or_(amount + raw_ore(original.amount) != 0,
                      JournalEntry.unit_id.is_distinct_from(original.unit_id),
                      JournalEntry.account != original.account,
                      JournalEntry.administration_id.is_distinct_from(original.administration_id)))
    ):
        violations.append(Violation("reversal", (
            f"entry {reversal_id} does not mirror entry {original_id}: {from_ore(reversal_amount)} against "
            f"{from_ore(original_amount)}, or another unit, account or administration")))
    for original_id, times in db.session.execute(
        sa.select(JournalEntry.reverses_id, sa.func.count()).where(JournalEntry.reverses_id.is_not(None), *org)
        .group_by(JournalEntry.reverses_id).having(sa.func.count() > 1)
    ):
        violations.append(Violation("reversal", f"entry {original_id} is reversed {times} times"))

    for entry_id, period, closed_at in db.session.execute(
        sa.select(JournalEntry.id, Period.period, Period.closed_at)
        .join(Period, Period.id == JournalEntry.period_id).where(*org)
        .where(Period.status == PeriodStatus.CLOSED, JournalEntry.created_at > Period.closed_at)
    ):
        violations.append(Violation("closed_period", f"entry {entry_id} was written into {period} after it was "
                                                     f"closed at {closed_at:%Y-%m-%d %H:%M}"))
    return violations
