"""A change dated in a closed month is recorded as it happened and lands as a correction in the
first open month; the closed month's journal, report and content hash stay as they were."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.allocation import periods
from ledger.allocation.check import check
from ledger.allocation.engine import allocate
from ledger.allocation.models import JournalEntry
from ledger.inventory.assignments import move
from ledger.reporting import service as report_data
from tests.conftest import journal_sums
from tests.factories import SUPPLIER, import_invoice, line, make_subscription, make_supplier, save

AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def november(db, org):
    """November allocated and closed: a 300.00 subscription fee for 1–30 November at förskolan."""
    operator = make_supplier("Operatören AB", SUPPLIER)
    sub = make_subscription(org, "0701234567", org.forskola, supplier=operator, start=date(2026, 1, 1))
    import_invoice(org, [line("0701234567", "300.00", "Månadsavgift", ("2026-11-01", "2026-11-30"))],
                   number="F-11", issue_date="2026-11-30")
    allocate(None, org.organisation, "2026-11")
    periods.close(None, org.id, "2026-11")
    save()
    return sub


def _report(org, period: str):
    return report_data.allocation_report(org.organisation, period, generated_by="Revisor", generated_at=AT)


def test_a_move_on_20_november_books_11_30_of_the_fee_in_december(db, org, november) -> None:
    before = _report(org, "2026-11")
    last_november = db.scalar(sa.select(sa.func.max(JournalEntry.id)))
    move(None, november, org.skola, date(2026, 11, 20))
    save()  # the unit of work books the corrections before it commits
    assert journal_sums("2026-12") == {"3110": Decimal("-110.00"), "3140": Decimal("110.00")}  # 11 of 30 days
    december = db.scalars(sa.select(JournalEntry).where(JournalEntry.id > last_november)).all()
    assert december and all(entry.is_correction for entry in december)
    after = _report(org, "2026-11")
    assert after.content_hash == before.content_hash and after.summary == before.summary
    assert journal_sums("2026-11") == {"3110": Decimal("300.00")}
    assert check() == []
    assert allocate(None, org.organisation, "2026-11").entries == 0  # nothing left to correct


def test_through_the_api_the_move_is_accepted_and_corrected(client, db, org, november, api_headers) -> None:
    response = client.post("/api/v1/assignments", headers=api_headers(Role.FINANCE),
                           json={"number": "+46701234567", "unit": "3140", "valid_from": "2026-11-20"})
    assert response.status_code == 201
    assert journal_sums("2026-12") == {"3110": Decimal("-110.00"), "3140": Decimal("110.00")}


def test_several_changes_in_one_unit_of_work_correct_each_closed_month_once(db, org, november) -> None:
    move(None, november, org.skola, date(2026, 11, 1))
    move(None, november, org.forskola, date(2026, 12, 1))  # and back again for December
    runs = db.scalar(sa.text("SELECT count(*) FROM allocation_run"))
    save()
    assert db.scalar(sa.text("SELECT count(*) FROM allocation_run")) == runs + 1  # November, once
    assert journal_sums("2026-12") == {"3110": Decimal("-300.00"), "3140": Decimal("300.00")}
