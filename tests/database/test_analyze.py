"""Planner statistics are refreshed after a large bulk write, on both engines, once per file or run."""

from __future__ import annotations

import pytest

from ledger.allocation.engine import allocate
from ledger.database import bulk
from tests.factories import build_month, import_invoice, line, make_subscription, save


def _analyzed(statements: list[str]) -> list[str]:
    return [s.split()[1] for s in statements if s.upper().startswith("ANALYZE")]


def test_a_large_import_and_allocation_refresh_the_statistics(db, org, count_queries,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    month = build_month(org)
    make_subscription(org, "0703456789", org.skola, supplier=month.operator)
    monkeypatch.setattr(bulk, "ANALYZE_AFTER", 3)
    with count_queries() as statements:
        import_invoice(org, [line("0703456789", f"{n}.00") for n in range(10, 14)], number="F-2",
                       issue_date="2026-04-30")
        allocate(None, org.organisation, "2026-04")
        save()
    assert _analyzed(statements) == ["invoice_line", "journal_entry"]


def test_an_ordinary_import_does_not(db, org, count_queries) -> None:
    with count_queries() as statements:
        build_month(org)
    assert _analyzed(statements) == []
