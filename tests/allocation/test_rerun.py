"""A re-run compares its common-case lines in SQL: unchanged ones are never read line by line.

A month of common-case lines (one unit for the whole period, no allowances), one line for an
unknown number (suspense) and öresavrundning is allocated, then allocated again unchanged, then
again after one asset has moved: the per-line path reads only the suspense line, and then the
moved line too, which alone is reversed and rebooked.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from ledger.allocation.engine import _Runner, allocate
from ledger.allocation.models import JournalEntry
from ledger.database import db
from ledger.inventory.assignments import move
from ledger.invoices.models import Invoice
from tests.factories import SUPPLIER, L, make_invoice, make_subscription, make_supplier, save

UNKNOWN = "+46709999999"


@pytest.fixture
def read_lines(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the lines the per-line path read (``_Runner.invoices``), in every run."""
    read: list[int] = []
    original = _Runner.invoices

    def reading(self: _Runner, *args: Any) -> Iterator[Any]:
        for invoice in original(self, *args):
            read.extend(line.id for line in invoice.lines)
            yield invoice

    monkeypatch.setattr(_Runner, "invoices", reading)
    return read


@pytest.fixture
def month(db, org) -> dict[str, Any]:
    operator = make_supplier("Operatören AB", SUPPLIER)
    first = make_subscription(org, "0701234567", org.forskola)
    second = make_subscription(org, "0702345678", org.skola)
    third = make_subscription(org, "0703456789", org.va)
    save()
    invoice, lines = make_invoice(org, operator, [L("100.00", subscription=first), L("200.00", subscription=second),
                                                  L("-30.00", subscription=third), L("3.00", reference=UNKNOWN)])
    stored = db.get(Invoice, invoice.id)
    assert stored is not None
    stored.rounding = Decimal("0.25")
    save()
    return {"org": org, "lines": [line.id for line in lines], "moving": second}


def entries_of(run_id: int | None) -> list[tuple[int | None, int | None, Decimal, bool]]:
    return [(row.invoice_line_id, row.unit_id, row.amount, row.reverses_id is not None)
            for row in db.session.scalars(sa.select(JournalEntry).where(JournalEntry.run_id == run_id)
                                          .order_by(JournalEntry.id))]


def test_an_unchanged_rerun_reads_only_the_lines_outside_the_common_case(month, read_lines) -> None:
    org, unknown = month["org"], month["lines"][3]
    booked = allocate(None, org.organisation, "2026-03")
    save()
    assert sorted(read_lines) == [unknown]  # the three others went set-based
    assert (booked.entries, booked.changed_lines) == (5, 4)  # four lines and the invoice's rounding
    read_lines.clear()

    again = allocate(None, org.organisation, "2026-03")
    save()
    assert read_lines == [unknown]
    assert (again.entries, again.reversals, again.changed_lines) == (0, 0, 0)
    assert (again.invoices, again.lines) == (booked.invoices, booked.lines) == (1, 4)
    assert again.by_rule == booked.by_rule == {"direct": Decimal("270.00"), "suspense": Decimal("3.00"),
                                               "rounding": Decimal("0.25")}
    assert (again.allocated_total, again.suspense_total) == (booked.allocated_total, booked.suspense_total)
    assert entries_of(again.run_id) == []


def test_a_rerun_after_a_move_reverses_and_rewrites_only_the_moved_line(month, read_lines) -> None:
    org, (_, second, _, unknown) = month["org"], month["lines"]
    allocate(None, org.organisation, "2026-03")
    save()
    move(None, month["moving"], org.kansli, date(2026, 3, 1))
    save()
    read_lines.clear()

    moved = allocate(None, org.organisation, "2026-03")
    save()
    assert sorted(read_lines) == sorted([second, unknown])
    assert (moved.entries, moved.reversals, moved.changed_lines, moved.lines) == (1, 1, 1, 4)
    assert entries_of(moved.run_id) == [(second, org.skola.id, Decimal("-200.00"), True),
                                        (second, org.kansli.id, Decimal("200.00"), False)]
    read_lines.clear()

    settled = allocate(None, org.organisation, "2026-03")
    save()
    # the moved line is common case again, its entries net to its target: compared in SQL
    assert read_lines == [unknown]
    assert (settled.entries, settled.reversals, settled.changed_lines) == (0, 0, 0)
