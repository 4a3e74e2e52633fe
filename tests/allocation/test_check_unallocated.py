"""``check`` fails on a line of a past period that was never allocated (no journal entry at all,
not even suspense), names its invoice and line, and passes once the period is allocated."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.allocation.check import check
from ledger.allocation.engine import allocate
from ledger.core import clock
from ledger.invoices.importing import import_file
from ledger.invoices.models import ImportStatus
from tests.factories import SUPPLIER, import_invoice, invoice_operator, line, make_subscription, save
from tests.importers.ubl_builder import Line, build_invoice

MARCH = ("2026-03-01", "2026-03-31")
APRIL_15 = date(2026, 4, 15)


@pytest.fixture(autouse=True)
def operator(db, org):
    invoice_operator()
    make_subscription(org, "0701234567", org.forskola)


def allocated(org, period: str = "2026-03") -> None:
    allocate(None, org.organisation, period)
    save()


def unallocated(today: date = APRIL_15) -> list[str]:
    return [v.message for v in check(today=today) if v.rule == "unallocated"]


def test_a_line_never_allocated_fails_the_check_until_it_is(db, org) -> None:
    invoice_id = import_invoice(org, [line("0701234567", "149.00", period=MARCH), line("0709999999", "20.00")],
                                number="F-20", issue_date="2026-03-31")
    found = unallocated()
    assert len(found) == 2
    assert found[0].startswith(f"invoice F-20 (id {invoice_id}) of 2026-03 line 1 (id ")
    assert "149.00) has no journal entry: it was never allocated (allocate 2026-03)" in found[0]
    assert " line 2 (id " in found[1]
    allocated(org)
    assert check(today=APRIL_15) == []  # the unknown number is in suspense: allocated all the same


def test_only_past_periods_count(db, org) -> None:
    import_invoice(org, [line("0701234567", "149.00", period=MARCH)], number="F-20", issue_date="2026-03-31")
    assert unallocated(today=date(2026, 3, 31)) == []  # March is the current month
    assert len(unallocated(today=date(2026, 4, 1))) == 1


def test_a_line_of_nothing_has_nothing_to_allocate(db, org) -> None:
    import_invoice(org, [line("0701234567", "149.00", period=MARCH), Line(name="Rabatt ingår", price="0.00")],
                   number="F-21", issue_date="2026-03-31")
    allocated(org)
    assert check(today=APRIL_15) == []


def test_an_invoice_detailed_by_its_specification_is_checked_on_the_specification(db, org) -> None:
    import_invoice(org, [Line(name="Mobiltelefoni enligt specifikation", price="149.00")], number="F-55",
                   issue_date="2026-03-31")
    spec = ("Organisationsnummer;Fakturanummer;Fakturadatum;Nummer;Text;Från;Till;Belopp exkl. moms\n"
            f"{SUPPLIER};F-55;2026-03-31;0701234567;Jobbmobil;2026-03-01;2026-03-31;149,00\n")
    assert import_file(None, org.organisation, spec.encode(), "spec.csv").status == ImportStatus.IMPORTED
    save()
    assert len(unallocated()) == 1 and "line 1" in unallocated()[0]
    allocated(org)
    assert check(today=APRIL_15) == []  # the summary line has no entry of its own, and needs none


def test_the_command_lists_the_line_and_exits_1(app, db, org, monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda now=None: APRIL_15)
    import_invoice(org, [line("0701234567", "149.00", period=MARCH)], number="F-20", issue_date="2026-03-31")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "unallocated: invoice F-20" in result.output and "line 1" in result.output
    allocated(org)
    assert runner.invoke(args=["check"]).exit_code == 0


def test_a_credit_note_never_allocated_counts_too(db, org) -> None:
    data = build_invoice([line("0701234567", "49.00", period=MARCH)], number="K-1", issue_date="2026-03-31",
                         credit_note=True)
    assert import_file(None, org.organisation, data, "K-1.xml").status == ImportStatus.IMPORTED
    save()
    assert len(unallocated()) == 1
    allocated(org)
    assert unallocated() == []
