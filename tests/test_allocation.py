"""The allocation rules on small ledgers, through the engine, the journal and the check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ledger.allocation import periods
from ledger.allocation.check import check
from ledger.allocation.engine import allocate
from ledger.allocation.models import JournalEntry, Period, PeriodStatus
from ledger.core.errors import Conflict
from ledger.inventory.assignments import add_assignment, move
from ledger.inventory.models import SubscriptionKind
from ledger.organisation.models import Supplier
from tests.allocation_fixtures import SUPPLIER, Ledger, line
from tests.importers.ubl_builder import Line

MARCH = ("2026-03-01", "2026-03-31")


@pytest.fixture
def ledger(db, org) -> Ledger:
    supplier = Supplier(name="Operatören AB", organisation_number=SUPPLIER)
    db.add(supplier)
    db.commit()
    return Ledger(org, supplier)


def entries(db, **where) -> list[tuple]:
    query = sa.select(JournalEntry.unit_id, JournalEntry.amount, JournalEntry.rule, JournalEntry.reason)
    for name, value in where.items():
        query = query.where(getattr(JournalEntry, name) == value)
    return [tuple(row) for row in db.execute(query.order_by(JournalEntry.id))]


def run(db, ledger: Ledger, period: str = "2026-03"):
    result = allocate(None, ledger.org.organisation, period)
    db.commit()
    return result


def test_a_move_on_the_15th_of_a_31_day_month_splits_14_31_and_17_31(db, ledger) -> None:
    sub = ledger.subscription("0701234567", ledger.org.forskola)
    move(None, sub, ledger.org.skola, date(2026, 3, 15))
    db.commit()
    ledger.invoice([line("0701234567", "100.00", period=MARCH)])
    result = run(db, ledger)
    assert entries(db) == [
        (ledger.org.forskola.id, Decimal("45.16"), "direct", "14 of 31 days"),
        (ledger.org.skola.id, Decimal("54.84"), "direct", "17 of 31 days"),
    ]
    assert (result.lines, result.entries, result.allocated_total) == (1, 2, Decimal("100.00"))
    assert check() == []


def test_switchboard_lines_go_to_kanslienheten_except_for_fee_funded_units(db, ledger) -> None:
    ledger.subscription("050517123", ledger.org.forskola, kind=SubscriptionKind.SWITCHBOARD_EXTENSION)
    ledger.subscription("050517124", ledger.org.va, kind=SubscriptionKind.SWITCHBOARD_EXTENSION)
    ledger.invoice([line("0505-171 23", "42.00", "Anknytning", MARCH), line("0505-171 24", "42.00", "Anknytning",
                                                                             MARCH)])
    run(db, ledger)
    assert entries(db) == [
        (ledger.org.kansli.id, Decimal("42.00"), "switchboard_central", None),
        (ledger.org.va.id, Decimal("42.00"), "fee_funded_own", None),
    ]
    accounts = set(db.scalars(sa.select(JournalEntry.account)))
    assert accounts == {"6820"}


def test_operator_service_without_an_asset_is_central(db, ledger) -> None:
    ledger.invoice([Line(name="Telefonisttjänst mars", price="1850.00")])
    run(db, ledger)
    assert entries(db) == [(ledger.org.kansli.id, Decimal("1850.00"), "switchboard_central",
                            "no asset: central switchboard cost")]


def test_unknown_number_goes_to_suspense_and_moves_with_a_reversal_once_assigned(db, ledger) -> None:
    ledger.invoice([line("0709999999", "80.00", period=MARCH)])
    first = run(db, ledger)
    assert first.suspense_total == Decimal("80.00")
    assert entries(db) == [(None, Decimal("80.00"), "suspense",
                            "no subscription or handset matches the line's reference")]
    ledger.subscription("0709999999", ledger.org.skola, since=date(2026, 1, 1))
    second = run(db, ledger)
    assert (second.entries, second.reversals, second.suspense_total) == (1, 1, Decimal("0.00"))
    assert entries(db)[1:] == [(None, Decimal("-80.00"), "suspense", f"reverses entry {_first_id(db)}"),
                               (ledger.org.skola.id, Decimal("80.00"), "direct", None)]
    assert check() == []


def _first_id(db) -> int:
    return db.scalar(sa.select(sa.func.min(JournalEntry.id)))


def test_days_without_an_assignment_go_to_suspense(db, ledger) -> None:
    ledger.subscription("0701234567", ledger.org.forskola, since=date(2026, 3, 11))
    ledger.invoice([line("0701234567", "31.00", period=MARCH)])
    run(db, ledger)
    assert entries(db) == [
        (ledger.org.forskola.id, Decimal("21.00"), "direct", "21 of 31 days"),
        (None, Decimal("10.00"), "suspense", "no assignment for 10 of 31 days (2026-03-01 – 2026-03-31)"),
    ]


def test_rerunning_without_changes_writes_nothing(db, ledger) -> None:
    ledger.subscription("0701234567", ledger.org.forskola)
    ledger.invoice([line("0701234567", "149.00", period=MARCH), line("0709999999", "1.00")])
    assert run(db, ledger).entries == 2
    again = run(db, ledger)
    assert (again.entries, again.reversals, again.changed_lines) == (0, 0, 0)
    assert db.scalar(sa.select(sa.func.count()).select_from(JournalEntry)) == 2


def test_document_allowance_is_spread_pro_rata_and_rounding_booked_apart(db, ledger) -> None:
    ledger.subscription("0701234567", ledger.org.forskola)
    ledger.subscription("0702345678", ledger.org.skola)
    invoice_id = ledger.invoice([line("0701234567", "100.00", period=MARCH), line("0702345678", "200.00",
                                                                                   period=MARCH)],
                                doc_allowances=["10.00"], rounding="0.25")
    run(db, ledger)
    spread = entries(db, rule="allowance_spread")
    assert spread == [(ledger.org.forskola.id, Decimal("-3.33"), "allowance_spread",
                       "share of a document allowance or charge"),
                      (ledger.org.skola.id, Decimal("-6.67"), "allowance_spread",
                       "share of a document allowance or charge")]
    assert entries(db, rule="rounding") == [(None, Decimal("0.25"), "rounding", None)]
    total = db.scalar(sa.select(sa.func.sum(JournalEntry.amount)).where(JournalEntry.invoice_id == invoice_id))
    assert total == Decimal("290.25")
    assert check() == []


def test_a_closed_period_is_untouched_by_a_later_correction(db, ledger) -> None:
    sub = ledger.subscription("0701234567", ledger.org.forskola)
    ledger.invoice([line("0701234567", "100.00", period=MARCH)])
    run(db, ledger)
    periods.close(None, ledger.org.id, "2026-03")
    db.commit()
    march = db.scalars(sa.select(Period).where(Period.period == "2026-03")).one()
    before = entries(db, period_id=march.id)
    # A back-dated move is discovered: the number belonged to the school from 15 March.
    sub_row = db.get(type(sub), sub.id)
    move(None, sub_row, ledger.org.skola, date(2026, 3, 15))
    db.commit()
    result = run(db, ledger)
    assert result.booked_in == "2026-04"
    assert entries(db, period_id=march.id) == before
    april = db.scalars(sa.select(Period).where(Period.period == "2026-04")).one()
    assert april.status == PeriodStatus.OPEN
    corrections = db.execute(sa.select(JournalEntry.amount, JournalEntry.is_correction)
                             .where(JournalEntry.period_id == april.id).order_by(JournalEntry.id)).all()
    assert [(a, c) for a, c in corrections] == [(Decimal("-100.00"), True), (Decimal("45.16"), True),
                                                (Decimal("54.84"), True)]
    assert check() == []


def test_closing_twice_is_a_conflict(db, ledger) -> None:
    periods.close(None, ledger.org.id, "2026-03")
    with pytest.raises(Conflict, match="already closed"):
        periods.close(None, ledger.org.id, "2026-03")


def test_check_detects_a_hand_corrupted_entry(app, db, ledger) -> None:
    ledger.subscription("0701234567", ledger.org.forskola)
    ledger.invoice([line("0701234567", "100.00", period=MARCH)])
    run(db, ledger)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["check"]).exit_code == 0
    db.execute(sa.text("UPDATE journal_entry SET amount_ore = amount_ore + 1"))
    db.commit()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "invoice F-1: entries sum to 100.01" in result.output
    assert "line 1" in result.output


def test_allocate_command_json(app, db, ledger) -> None:
    import json

    ledger.subscription("0701234567", ledger.org.forskola)
    ledger.invoice([line("0701234567", "100.00", period=MARCH), line("0709999999", "5.00")])
    result = app.test_cli_runner().invoke(args=["allocate", "2026-03", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output.strip().splitlines()[-1])
    assert payload | {"run_id": None} == {
        "period": "2026-03", "booked_in": "2026-03", "invoices": 1, "lines": 2, "entries": 2, "reversals": 0,
        "changed_lines": 2, "allocated_total": "100.00", "suspense_total": "5.00",
        "by_rule": {"direct": "100.00", "suspense": "5.00"}, "run_id": None}


def test_allocate_rejects_a_malformed_period(app, db, ledger) -> None:
    result = app.test_cli_runner().invoke(args=["allocate", "2026-13"])
    assert result.exit_code == 1 and "not a month written YYYY-MM" in result.output


def test_lines_belong_to_the_period_of_the_invoice_date(db, ledger) -> None:
    ledger.subscription("0701234567", ledger.org.forskola)
    ledger.invoice([line("0701234567", "10.00", period=("2026-02-01", "2026-02-28"))], number="F-FEB",
                   issue_date="2026-03-02")
    ledger.invoice([line("0701234567", "20.00", period=MARCH)], number="F-APR", issue_date="2026-04-01")
    assert run(db, ledger).lines == 1
    assert entries(db) == [(ledger.org.forskola.id, Decimal("10.00"), "direct", None)]


def test_a_handset_line_follows_the_handsets_unit(db, ledger) -> None:
    from ledger.inventory.models import Handset

    handset = Handset(organisation_id=ledger.org.id, imei="490154203237518", model="Doro 8100")
    db.add(handset)
    db.flush()
    add_assignment(None, handset, ledger.org.skola, date(2026, 1, 1))
    db.commit()
    ledger.invoice([Line(name="Mobiltelefon", price="1490.00", properties={"IMEI": "490154203237518"})],
                   issue_date="2026-03-10")
    run(db, ledger)
    assert entries(db) == [(ledger.org.skola.id, Decimal("1490.00"), "direct", None)]
    assert db.scalar(sa.select(JournalEntry.account)) == "6420"
