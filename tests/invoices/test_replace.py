"""``invoices replace ID FILE``: an invoice by its corrected re-issue, in one transaction, while
the original has no journal entry in a closed period; the journal stays append-only and the
invariants hold afterwards."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from ledger.allocation import periods
from ledger.allocation.check import check
from ledger.allocation.engine import allocate
from ledger.allocation.models import JournalEntry, Period, PeriodStatus
from ledger.allocation.rules import english_reason
from ledger.core.errors import Conflict, PeriodClosed, ValidationFailed
from ledger.database import db as _db
from ledger.invoices.models import Invoice
from ledger.invoices.replacing import replace_invoice
from tests.conftest import audit_actions, journal_sums
from tests.factories import import_invoice, invoice_operator, line, make_subscription, save
from tests.importers.ubl_builder import build_invoice

MARCH = ("2026-03-01", "2026-03-31")
AFTER_MARCH = date(2026, 4, 15)
TABLES = ("invoice", "invoice_line", "invoice_import", "journal_entry")


def row_counts() -> dict[str, int]:
    return {t: _db.session.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in TABLES}


def lines(second: str = "42.00") -> list:
    return [line("0701234567", "149.00", period=MARCH), line("0702345678", second, period=MARCH)]


def reissue(second: str = "52.00", number: str = "F-10") -> bytes:
    """The supplier's corrected F-10: the school's line is ``second``."""
    return build_invoice(lines(second), number=number, issue_date="2026-03-31")


@pytest.fixture
def f10(db, org) -> int:
    """F-10 of March: the preschool's number (149.00) and the school's (42.00); not allocated."""
    invoice_operator()
    make_subscription(org, "0701234567", org.forskola)
    make_subscription(org, "0702345678", org.skola)
    return import_invoice(org, lines(), number="F-10", issue_date="2026-03-31")


def replace(org, invoice_id: int, data: bytes, name: str = "F-10-rattad.xml"):
    replaced = replace_invoice(None, org.organisation, invoice_id, data, name)
    save()
    return replaced


def test_an_unallocated_invoice_is_replaced(db, org, f10) -> None:
    before = row_counts()
    replaced = replace(org, f10, reissue())
    original, new = db.get(Invoice, f10), db.get(Invoice, replaced.invoice.id)
    assert original.replaced_by_id == new.id and original.replaced_at is not None and new.replaced_at is None
    assert (new.number, new.net_total, original.net_total) == ("F-10", Decimal("201.00"), Decimal("191.00"))
    assert row_counts() == before | {"invoice": before["invoice"] + 1, "invoice_line": before["invoice_line"] + 2,
                                     "invoice_import": before["invoice_import"] + 1}
    assert (replaced.reversed_entries, replaced.allocation) == (0, None)
    assert [(d["field"], d["old"], d["new"]) for d in replaced.differences][-1] == (
        "lines[2].net_amount", "42.00", "52.00")
    [event] = audit_actions(db, "invoice.replace")
    assert event.entity_id == str(f10) and event.after["replaced_by_id"] == new.id
    # The re-issue is what March allocates now; the original is left out.
    result = allocate(None, org.organisation, "2026-03")
    save()
    assert (result.invoices, result.allocated_total) == (1, Decimal("201.00"))
    assert check(today=AFTER_MARCH) == []


def test_an_invoice_allocated_in_an_open_period_is_reversed_and_the_reissue_allocated(db, org, f10) -> None:
    allocate(None, org.organisation, "2026-03")
    save()
    booked = db.scalars(sa.select(JournalEntry.id).where(JournalEntry.invoice_id == f10)).all()
    assert journal_sums("2026-03") == {"3110": Decimal("149.00"), "3140": Decimal("42.00")}
    replaced = replace(org, f10, reissue())
    assert replaced.reversed_entries == len(booked) == 2
    assert replaced.allocation is not None and replaced.allocation.entries == 2
    # Nothing of the journal was changed or deleted: the old entries are there, each reversed once.
    reversals = db.execute(sa.select(JournalEntry.reverses_id, JournalEntry.amount, JournalEntry.reason,
                                     JournalEntry.reason_params)
                           .where(JournalEntry.invoice_id == f10, JournalEntry.reverses_id.is_not(None))
                           .order_by(JournalEntry.reverses_id)).all()
    assert [r.reverses_id for r in reversals] == booked
    assert [r.amount for r in reversals] == [Decimal("-149.00"), Decimal("-42.00")]
    assert english_reason(reversals[0].reason, reversals[0].reason_params, reversals[0].reverses_id) == (
        f"invoice {f10} replaced by invoice {replaced.invoice.id}: reverses entry {booked[0]}")
    assert journal_sums("2026-03") == {"3110": Decimal("149.00"), "3140": Decimal("52.00")}
    assert check(today=AFTER_MARCH) == []
    # Allocating March again changes nothing: the original stays reversed, the re-issue booked.
    again = allocate(None, org.organisation, "2026-03")
    save()
    assert (again.entries, again.reversals) == (0, 0)
    assert check(today=AFTER_MARCH) == []


def test_an_invoice_booked_as_corrections_in_an_open_month_is_replaced(db, org) -> None:
    invoice_operator()
    make_subscription(org, "0701234567", org.forskola)
    make_subscription(org, "0702345678", org.skola)
    periods.close(None, org.id, "2026-03")  # closed before F-10 came: its entries land in April
    save()
    f10 = import_invoice(org, lines(), number="F-10", issue_date="2026-03-31")
    allocate(None, org.organisation, "2026-03")
    save()
    replaced = replace(org, f10, reissue())
    assert replaced.reversed_entries == 2 and replaced.allocation.booked_in == "2026-04"
    assert journal_sums("2026-04") == {"3110": Decimal("149.00"), "3140": Decimal("52.00")}
    assert journal_sums("2026-03") == {}
    assert check(today=date(2026, 5, 2)) == []


def test_an_invoice_allocated_in_a_closed_period_is_refused(db, org, f10) -> None:
    allocate(None, org.organisation, "2026-03")
    save()
    periods.close(None, org.id, "2026-03")
    save()
    before = row_counts()
    with pytest.raises(PeriodClosed, match=r"closed period.*2026-03.*credit note"):
        replace_invoice(None, org.organisation, f10, reissue(), "F-10-rattad.xml")
    _db.session.rollback()
    assert row_counts() == before
    assert db.get(Invoice, f10).replaced_at is None
    assert check(today=AFTER_MARCH) == []


def test_what_is_not_a_replacement_is_refused(db, org, f10) -> None:
    before = row_counts()
    cases = [
        (reissue("42.00"), Conflict, r"was not imported \(duplicate\): the same file"),
        (build_invoice(lines(), number="F-10", issue_date="2026-03-31", due_date="2026-04-30"), Conflict,
         "same content as invoice"),
        (reissue(number="F-11"), ValidationFailed, "not a re-issue of invoice"),
        (build_invoice(lines("52.00"), number="F-10", issue_date="9999-12-31"), ValidationFailed, "9999-12-31"),
    ]
    for data, error, message in cases:
        with pytest.raises(error, match=message):
            replace_invoice(None, org.organisation, f10, data, "x.xml")
        _db.session.rollback()
        assert row_counts() == before and db.get(Invoice, f10).replaced_at is None
    replaced = replace(org, f10, reissue())
    with pytest.raises(Conflict, match=f"already replaced by invoice {replaced.invoice.id}"):
        replace_invoice(None, org.organisation, f10, reissue("62.00"), "y.xml")


def test_the_command(app, db, org, f10, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    allocate(None, org.organisation, "2026-03")
    save()
    path = tmp_path / "F-10-rattad.xml"
    path.write_bytes(reissue())
    missing = runner.invoke(args=["invoices", "replace", "9999", str(path)])
    assert missing.exit_code == 1 and "no invoice 9999" in missing.output
    result = runner.invoke(args=["invoices", "replace", str(f10), str(path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert payload["replaced_invoice_id"] == f10 and payload["reversed_entries"] == 2
    assert payload["allocated"]["period"] == "2026-03"
    assert {"field": "lines[2].net_amount", "line": 2, "old": "42.00", "new": "52.00"} in payload["differences"]
    assert runner.invoke(args=["check"]).exit_code == 0
    # The re-issue is now the invoice F-10: the same file again is a duplicate, an import of
    # the original a conflict with it.
    assert "duplicate" in runner.invoke(args=["invoices", "import", str(path)]).output
    old = tmp_path / "F-10.xml"
    old.write_bytes(build_invoice(lines(), number="F-10", issue_date="2026-03-31", due_date="2026-04-30"))
    assert runner.invoke(args=["invoices", "import", str(old)]).exit_code == 1


def test_the_command_refuses_a_closed_period_with_exit_1(app, db, org, f10, tmp_path: Path) -> None:
    allocate(None, org.organisation, "2026-03")
    save()
    periods.close(None, org.id, "2026-03")
    save()
    path = tmp_path / "F-10-rattad.xml"
    path.write_bytes(reissue())
    before = row_counts()
    result = app.test_cli_runner().invoke(args=["invoices", "replace", str(f10), str(path)])
    assert result.exit_code == 1
    assert "closed period(s) 2026-03" in result.output and "credit note" in result.output
    assert row_counts() == before
    assert db.scalar(sa.select(Period.status).where(Period.period == "2026-03")) == PeriodStatus.CLOSED
