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
from ledger.allocation.rules import english_reason
from ledger.core.errors import Conflict
from ledger.inventory.assignments import move
from ledger.inventory.models import SubscriptionKind
from ledger.organisation.models import Supplier
from tests.factories import (
    MARCH,
    SUPPLIER,
    Org,
    import_invoice,
    line,
    make_handset,
    make_subscription,
    make_supplier,
    save,
)
from tests.importers.ubl_builder import Line


@pytest.fixture
def operator(db, org) -> Supplier:
    """Operatören AB, the seller of every invoice here."""
    return make_supplier("Operatören AB", SUPPLIER)


pytestmark = pytest.mark.usefixtures("operator")


def entries(db, **where) -> list[tuple]:
    """Each entry's unit, amount, rule and reason (its stored code and values as the English sentence)."""
    query = sa.select(JournalEntry.unit_id, JournalEntry.amount, JournalEntry.rule, JournalEntry.reason,
                      JournalEntry.reason_params, JournalEntry.reverses_id)
    for name, value in where.items():
        query = query.where(getattr(JournalEntry, name) == value)
    return [(unit_id, amount, rule, english_reason(reason, params, reverses_id))
            for unit_id, amount, rule, reason, params, reverses_id in db.execute(query.order_by(JournalEntry.id))]


def run(org: Org, period: str = "2026-03"):
    result = allocate(None, org.organisation, period)
    save()
    return result


def test_a_move_on_the_15th_of_a_31_day_month_splits_14_31_and_17_31(db, org) -> None:
    sub = make_subscription(org, "0701234567", org.forskola)
    move(None, sub, org.skola, date(2026, 3, 15))
    save()
    import_invoice(org, [line("0701234567", "100.00", period=MARCH)])
    result = run(org)
    assert entries(db) == [
        (org.forskola.id, Decimal("45.16"), "direct", "14 of 31 days"),
        (org.skola.id, Decimal("54.84"), "direct", "17 of 31 days"),
    ]
    assert (result.lines, result.entries, result.allocated_total) == (1, 2, Decimal("100.00"))
    assert check() == []


def test_switchboard_lines_go_to_kanslienheten_except_for_fee_funded_units(db, org) -> None:
    make_subscription(org, "050517123", org.forskola, kind=SubscriptionKind.SWITCHBOARD_EXTENSION)
    make_subscription(org, "050517124", org.va, kind=SubscriptionKind.SWITCHBOARD_EXTENSION)
    import_invoice(org, [line("0505-171 23", "42.00", "Anknytning", MARCH),
                         line("0505-171 24", "42.00", "Anknytning", MARCH)])
    run(org)
    assert entries(db) == [
        (org.kansli.id, Decimal("42.00"), "switchboard_central", None),
        (org.va.id, Decimal("42.00"), "fee_funded_own", None),
    ]
    accounts = set(db.scalars(sa.select(JournalEntry.account)))
    assert accounts == {"6820"}


def test_operator_service_without_an_asset_is_central(db, org) -> None:
    import_invoice(org, [Line(name="Telefonisttjänst mars", price="1850.00")])
    run(org)
    assert entries(db) == [(org.kansli.id, Decimal("1850.00"), "switchboard_central",
                            "no asset: central switchboard cost")]


def test_unknown_number_goes_to_suspense_and_moves_with_a_reversal_once_assigned(db, org) -> None:
    import_invoice(org, [line("0709999999", "80.00", period=MARCH)])
    first = run(org)
    assert first.suspense_total == Decimal("80.00")
    assert entries(db) == [(None, Decimal("80.00"), "suspense",
                            "no subscription or handset matches the line's reference")]
    make_subscription(org, "0709999999", org.skola, start=date(2026, 1, 1))
    second = run(org)
    assert (second.entries, second.reversals, second.suspense_total) == (1, 1, Decimal("0.00"))
    assert entries(db)[1:] == [(None, Decimal("-80.00"), "suspense", f"reverses entry {_first_id(db)}"),
                               (org.skola.id, Decimal("80.00"), "direct", None)]
    assert check() == []


def _first_id(db) -> int:
    return db.scalar(sa.select(sa.func.min(JournalEntry.id)))


def test_days_without_an_assignment_go_to_suspense(db, org) -> None:
    make_subscription(org, "0701234567", org.forskola, start=date(2026, 3, 11))
    import_invoice(org, [line("0701234567", "31.00", period=MARCH)])
    run(org)
    assert entries(db) == [
        (org.forskola.id, Decimal("21.00"), "direct", "21 of 31 days"),
        (None, Decimal("10.00"), "suspense", "no assignment for 10 of 31 days (2026-03-01 – 2026-03-31)"),
    ]


def test_rerunning_without_changes_writes_nothing(db, org) -> None:
    make_subscription(org, "0701234567", org.forskola)
    import_invoice(org, [line("0701234567", "149.00", period=MARCH), line("0709999999", "1.00")])
    assert run(org).entries == 2
    again = run(org)
    assert (again.entries, again.reversals, again.changed_lines) == (0, 0, 0)
    assert db.scalar(sa.select(sa.func.count()).select_from(JournalEntry)) == 2


def test_document_allowance_is_spread_pro_rata_and_rounding_booked_apart(db, org) -> None:
    make_subscription(org, "0701234567", org.forskola)
    make_subscription(org, "0702345678", org.skola)
    invoice_id = import_invoice(org, [line("0701234567", "100.00", period=MARCH), line("0702345678", "200.00",
                                                                                      period=MARCH)],
                                doc_allowances=["10.00"], rounding="0.25")
    run(org)
    spread = entries(db, rule="allowance_spread")
    assert spread == [(org.forskola.id, Decimal("-3.33"), "allowance_spread",
                       "share of a document allowance or charge"),
                      (org.skola.id, Decimal("-6.67"), "allowance_spread",
                       "share of a document allowance or charge")]
    assert entries(db, rule="rounding") == [(None, Decimal("0.25"), "rounding", None)]
    total = db.scalar(sa.select(sa.func.sum(JournalEntry.amount)).where(JournalEntry.invoice_id == invoice_id))
    assert total == Decimal("290.25")
    assert check() == []


def test_a_closed_period_is_untouched_by_a_later_correction(db, org) -> None:
    sub = make_subscription(org, "0701234567", org.forskola)
    import_invoice(org, [line("0701234567", "100.00", period=MARCH)])
    run(org)
    periods.close(None, org.id, "2026-03")
    save()
    march = db.scalars(sa.select(Period).where(Period.period == "2026-03")).one()
    before = entries(db, period_id=march.id)
    # A back-dated move is discovered: the number belonged to the school from 15 March.
    sub_row = db.get(type(sub), sub.id)
    move(None, sub_row, org.skola, date(2026, 3, 15))
    save()
    result = run(org)
    assert result.booked_in == "2026-04"
    assert entries(db, period_id=march.id) == before
    april = db.scalars(sa.select(Period).where(Period.period == "2026-04")).one()
    assert april.status == PeriodStatus.OPEN
    corrections = db.execute(sa.select(JournalEntry.amount, JournalEntry.is_correction)
                             .where(JournalEntry.period_id == april.id).order_by(JournalEntry.id)).all()
    assert [(a, c) for a, c in corrections] == [(Decimal("-100.00"), True), (Decimal("45.16"), True),
                                                (Decimal("54.84"), True)]
    assert check() == []


def test_closing_twice_is_a_conflict(db, org) -> None:
    periods.close(None, org.id, "2026-03")
    with pytest.raises(Conflict, match="already closed"):
        periods.close(None, org.id, "2026-03")


def test_check_detects_a_hand_corrupted_entry(app, db, org) -> None:
    make_subscription(org, "0701234567", org.forskola)
    import_invoice(org, [line("0701234567", "100.00", period=MARCH)])
    run(org)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["check"]).exit_code == 0
    db.execute(sa.text("UPDATE journal_entry SET amount_ore = amount_ore + 1"))
    save()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "invoice F-1: entries sum to 100.01" in result.output
    assert "line 1" in result.output


def test_allocate_command_json(app, db, org) -> None:
    import json

    make_subscription(org, "0701234567", org.forskola)
    import_invoice(org, [line("0701234567", "100.00", period=MARCH), line("0709999999", "5.00")])
    result = app.test_cli_runner().invoke(args=["allocate", "2026-03", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output.strip().splitlines()[-1])
    assert payload | {"run_id": None} == {
        "period": "2026-03", "booked_in": "2026-03", "invoices": 1, "lines": 2, "entries": 2, "reversals": 0,
        "changed_lines": 2, "allocated_total": "100.00", "suspense_total": "5.00",
        "by_rule": {"direct": "100.00", "suspense": "5.00"}, "run_id": None}


def test_allocate_rejects_a_malformed_period(app, db, org) -> None:
    result = app.test_cli_runner().invoke(args=["allocate", "2026-13"])
    assert result.exit_code == 1 and "not a month written YYYY-MM" in result.output


def test_lines_belong_to_the_period_of_the_invoice_date(db, org) -> None:
    make_subscription(org, "0701234567", org.forskola)
    import_invoice(org, [line("0701234567", "10.00", period=("2026-02-01", "2026-02-28"))], number="F-FEB",
                   issue_date="2026-03-02")
    import_invoice(org, [line("0701234567", "20.00", period=MARCH)], number="F-APR", issue_date="2026-04-01")
    assert run(org).lines == 1
    assert entries(db) == [(org.forskola.id, Decimal("10.00"), "direct", None)]


def test_a_handset_line_follows_the_handsets_unit(db, org) -> None:
    make_handset(org, "490154203237518", org.skola, purchase_date=None, assigned_from=date(2026, 1, 1))
    import_invoice(org, [Line(name="Mobiltelefon", price="1490.00", properties={"IMEI": "490154203237518"})],
                   issue_date="2026-03-10")
    run(org)
    assert entries(db) == [(org.skola.id, Decimal("1490.00"), "direct", None)]
    assert db.scalar(sa.select(JournalEntry.account)) == "6420"
