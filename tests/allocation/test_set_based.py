"""The set-based common case books exactly what the per-line path books.

Each example is a small ledger drawn at random (assets with effective-dated assignments, gaps
and mid-period moves, a fee-funded unit, a unit that changes administration, switchboard lines,
credit notes, document allowances, öresavrundning, unknown and late-matched references, then a
move, a closed month and a new invoice before the second run, an unchanged third run, then
another move, a unit's move to another administration or nothing before a fourth run and an
unchanged fifth: re-runs, whose unchanged common-case lines are compared in SQL and never
read line by line). It is built twice from the same
drawn values: once allocated with ``set_based=False`` (every line through ``rules.place_line``),
once with the default. The journals are compared entry by entry by what each entry says (ids,
run ids and times apart; references by what they point at), and the runs' results field by field.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.allocation import periods, rules
from ledger.allocation.engine import allocate
from ledger.allocation.models import AllocationRun, JournalEntry, Period
from ledger.core.categories import Category
from ledger.core.errors import LedgerError
from ledger.database import db
from ledger.inventory.assignments import add_assignment, move
from ledger.inventory.models import Assignment, Subscription
from ledger.invoices.models import DocumentType, Invoice, InvoiceAllowanceCharge, InvoiceLine
from ledger.organisation.models import Administration, BudgetUnit, Supplier
from ledger.organisation.service import move_to_administration
from tests.conftest import empty_all_tables
from tests.factories import (
    MARCH,
    SUPPLIER,
    L,
    Org,
    make_invoice,
    make_org,
    make_subscription,
    make_supplier,
    make_unit,
    save,
)

DAY0 = date(2026, 2, 1)
UNITS = ("kansli", "va", "forskola", "skola", "extra")
UNKNOWN = "+46709999999"


# What an example is made of ----------------------------------------------------------------

@dataclass(frozen=True)
class LinePlan:
    amount: int
    category: Category
    reference: str  #: "asset", "late" (the asset's number, matched only at allocation), "unknown", "none"
    asset: int
    period: str  #: "march", "straddle", "header", "day", "backwards"


@dataclass(frozen=True)
class InvoicePlan:
    supplier: str  #: "operator" (no counterparty of its own) or "hjo" (82)
    credit: bool
    issue_day: int
    lines: tuple[LinePlan, ...]
    allowances: tuple[int, ...]
    rounding: int


@dataclass(frozen=True)
class LedgerPlan:
    #: per asset: stretches (first day offset, unit or None for a gap); the last is open or ends at ``end``
    assets: tuple[tuple[tuple[int, str | None], ...], ...]
    ends: tuple[int | None, ...]
    extra_fee_funded: bool
    activities: tuple[str | None, ...]
    skola_moves_on: date | None
    invoices: tuple[InvoicePlan, ...]
    later_move: tuple[int, int, str]
    later_fee_funded: bool  #: the extra unit's fee funding changes before the second run
    close_march: bool
    later_invoice: InvoicePlan | None
    #: before the fourth run: "move" (``rerun_move``), "administration" (forskola to VA's, from
    #: ``rerun_from``) or "nothing"
    rerun_change: str
    rerun_move: tuple[int, int, str]
    rerun_from: date


def lines(assets: int) -> st.SearchStrategy[LinePlan]:
    return st.builds(
        LinePlan, amount=st.one_of(st.integers(1, 500_000), st.integers(-50_000, 0)),
        category=st.sampled_from(list(Category)),
        reference=st.sampled_from(["asset", "asset", "asset", "late", "unknown", "none"]),
        asset=st.integers(0, assets - 1), period=st.sampled_from(["march", "march", "straddle", "header", "day",
                                                                  "backwards"]))


def invoices(assets: int) -> st.SearchStrategy[InvoicePlan]:
    return st.builds(
        InvoicePlan, supplier=st.sampled_from(["operator", "hjo"]), credit=st.booleans(),
        issue_day=st.integers(1, 31), lines=st.lists(lines(assets), min_size=1, max_size=6).map(tuple),
        allowances=st.one_of(st.just(()), st.just(()), st.lists(st.integers(-2_000, 2_000), max_size=2).map(tuple)),
        rounding=st.sampled_from([0, 0, 25, -40]))


def days() -> st.SearchStrategy[int]:
    """Days after 1 February: mostly the firsts of months and mid-March, so that whole months are
    often covered by one assignment, sometimes any day."""
    return st.one_of(st.sampled_from([0, 28, 42, 59, 13]), st.integers(0, 75))


@st.composite
def ledgers(draw: st.DrawFn) -> LedgerPlan:
    count = draw(st.integers(1, 5))
    assets = []
    for _ in range(count):
        cuts = sorted(set(draw(st.lists(days(), min_size=1, max_size=3))))
        assets.append(tuple((cut, draw(st.sampled_from([*UNITS, "forskola", None]))) for cut in cuts))
    return LedgerPlan(
        assets=tuple(assets), ends=tuple(draw(st.one_of(st.none(), st.integers(76, 90))) for _ in assets),
        extra_fee_funded=draw(st.booleans()),
        activities=tuple(draw(st.sampled_from([None, "110", "407"])) for _ in UNITS),
        skola_moves_on=draw(st.sampled_from([None, date(2026, 3, 1), date(2026, 4, 1)])),
        invoices=tuple(draw(st.lists(invoices(count), min_size=1, max_size=3))),
        later_move=(draw(st.integers(0, count - 1)), draw(st.one_of(st.sampled_from([42, 35]), days())),
                    draw(st.sampled_from(UNITS))),
        later_fee_funded=draw(st.booleans()),
        close_march=draw(st.booleans()),
        later_invoice=draw(st.one_of(st.none(), invoices(count))),
        rerun_change=draw(st.sampled_from(["move", "move", "administration", "nothing"])),
        rerun_move=(draw(st.integers(0, count - 1)), draw(st.one_of(st.sampled_from([28, 42]), days())),
                    draw(st.sampled_from(UNITS))),
        rerun_from=draw(st.sampled_from([date(2026, 3, 1), date(2026, 4, 1)])),
    )


# Building one copy ---------------------------------------------------------------------------

@dataclass
class Built:
    org: Org
    units: dict[str, BudgetUnit]
    subscriptions: list[Subscription]


def build(plan: LedgerPlan) -> Built:
    org = make_org()
    extra = make_unit(org, "3150", administration=org.va.administration, fee_funded=plan.extra_fee_funded)
    units = {"kansli": org.kansli, "va": org.va, "forskola": org.forskola, "skola": org.skola, "extra": extra}
    for name, activity in zip(UNITS, plan.activities, strict=True):
        units[name].activity_code = activity
    if plan.skola_moves_on:
        move_to_administration(None, org.skola, org.va.administration, plan.skola_moves_on)
    save()
    make_supplier("Operatören AB", SUPPLIER)
    make_supplier("Hjo kommun", "212000-1645", counterparty_code="82")
    subscriptions = []
    for index, (stretches, end) in enumerate(zip(plan.assets, plan.ends, strict=True)):
        subscription = make_subscription(org, f"07012345{index:02d}", start=date(2025, 1, 1))
        bounds = [day for day, _ in stretches[1:]] + [end]
        for (first, unit), last in zip(stretches, bounds, strict=True):
            if unit is not None and (last is None or last > first):
                add_assignment(None, subscription, units[unit], DAY0 + timedelta(days=first),
                               None if last is None else DAY0 + timedelta(days=last))
        save()
        subscriptions.append(subscription)
    return Built(org, units, subscriptions)


PERIODS = {"march": MARCH, "straddle": ("2026-02-15", "2026-03-14"), "header": (None, None),
           "day": ("2026-03-20", "2026-03-20"), "backwards": ("2026-03-20", "2026-03-02")}


def add_invoice(built: Built, plan: InvoicePlan, number: str) -> None:
    supplier_number = SUPPLIER if plan.supplier == "operator" else "212000-1645"
    supplier = db.session.scalars(sa.select(Supplier).where(Supplier.organisation_number == supplier_number)).one()
    sign = -1 if plan.credit else 1
    specs = []
    for line in plan.lines:
        first, last = PERIODS[line.period]
        subscription = built.subscriptions[line.asset]
        reference = {"asset": subscription.number, "late": subscription.number, "unknown": UNKNOWN}.get(line.reference)
        specs.append(L(net=f"{Decimal(sign * line.amount) / 100:.2f}", category=line.category,
                       period_start=date.fromisoformat(first) if first else None,
                       period_end=date.fromisoformat(last) if last else None, reference=reference,
                       subscription=subscription if line.reference == "asset" else None))
    invoice, _ = make_invoice(built.org, supplier, specs, issue_date=date(2026, 3, plan.issue_day), number=number,
                              document_type=DocumentType.CREDIT_NOTE if plan.credit else DocumentType.INVOICE)
    invoice = db.session.get(Invoice, invoice.id)
    assert invoice is not None
    if all(line.period == "header" for line in plan.lines):
        invoice.period_start, invoice.period_end = date(2026, 3, 1), date(2026, 3, 31)
    for amount in plan.allowances:
        db.session.add(InvoiceAllowanceCharge(invoice_id=invoice.id, is_charge=amount > 0,
                                              amount=Decimal(sign * amount) / 100, vat_category="S"))
    invoice.net_total += Decimal(sign * sum(plan.allowances)) / 100
    invoice.rounding = Decimal(plan.rounding) / 100
    save()


def second_run_changes(built: Built, plan: LedgerPlan) -> None:
    """A move, perhaps a unit's fee funding changed, the month closed, a new invoice: what the
    second run meets."""
    index, day, unit = plan.later_move
    try:
        move(None, db.session.get(Subscription, built.subscriptions[index].id), built.units[unit],
             DAY0 + timedelta(days=day))
        save()
    except LedgerError:
        db.session.rollback()
    if plan.later_fee_funded:
        extra = db.session.get(BudgetUnit, built.units["extra"].id)
        assert extra is not None
        extra.fee_funded = not extra.fee_funded
        save()
    if plan.close_march:
        periods.close(None, built.org.id, "2026-03", force_reason="test")
        save()
    if plan.later_invoice is not None:
        add_invoice(built, plan.later_invoice, "LATER")


def rerun_changes(built: Built, plan: LedgerPlan) -> None:
    """What the fourth run meets after an unchanged third: an asset moved, a unit in another
    administration (in the booked month, or only after it), or nothing."""
    try:
        if plan.rerun_change == "move":
            index, day, unit = plan.rerun_move
            move(None, db.session.get(Subscription, built.subscriptions[index].id), built.units[unit],
                 DAY0 + timedelta(days=day))
        elif plan.rerun_change == "administration":
            forskola = db.session.get(BudgetUnit, built.units["forskola"].id)
            assert forskola is not None
            move_to_administration(None, forskola, built.org.va.administration, plan.rerun_from)
        save()
    except LedgerError:
        db.session.rollback()


def allocate_ledger(plan: LedgerPlan, set_based: bool) -> tuple[Counter[tuple[Any, ...]], list[dict[str, Any]]]:
    built = build(plan)
    for number, invoice in enumerate(plan.invoices):
        add_invoice(built, invoice, f"F-{number}")
    results = [run_once(built, set_based)]
    second_run_changes(built, plan)
    results += [run_once(built, set_based), run_once(built, set_based)]
    rerun_changes(built, plan)
    results += [run_once(built, set_based), run_once(built, set_based)]
    for unchanged in (results[2], results[4]):
        assert (unchanged["entries"], unchanged["reversals"], unchanged["changed_lines"]) == (0, 0, 0)
    return journal(), results


def run_once(built: Built, set_based: bool) -> dict[str, Any]:
    result = allocate(None, built.org.organisation, "2026-03", set_based=set_based)
    save()
    return result.as_dict() | {"run_id": None}


# Reading a journal as what it says ----------------------------------------------------------

def journal() -> Counter[tuple[Any, ...]]:
    """Every entry as its content: units by ansvar, lines by invoice number and position,
    assignments by number and first day, a reversal by the entry it reverses."""
    names = _names()
    said: dict[int, tuple[Any, ...]] = {}
    for row in db.session.execute(sa.select(JournalEntry).order_by(JournalEntry.id)).scalars():
        reason = row.reason_text  # the stored code and values, as the English sentence
        if row.reverses_id is not None:
            assert reason == f"reverses entry {row.reverses_id}"
            reason = "reverses"
        said[row.id] = (
            names["period"][row.period_id], names["run"][row.run_id], names["unit"].get(row.unit_id),
            names["administration"].get(row.administration_id), row.account, row.counterparty, row.activity,
            row.amount, str(row.rule), reason, names["invoice"][row.invoice_id], names["line"].get(row.invoice_line_id),
            names["assignment"].get(row.assignment_id), names["allowance"].get(row.allowance_charge_id),
            said.get(row.reverses_id) if row.reverses_id else None, row.is_correction)
    return Counter(said.values())


def _names() -> dict[str, dict[Any, Any]]:
    def pairs(*columns: Any) -> dict[Any, Any]:
        return {row[0]: row[1] if len(row) == 2 else tuple(row[1:]) for row in db.session.execute(sa.select(*columns))}

    invoices = pairs(Invoice.id, Invoice.number)
    runs = [run_id for (run_id,) in db.session.execute(sa.select(AllocationRun.id).order_by(AllocationRun.id))]
    return {
        "period": pairs(Period.id, Period.period), "run": {run_id: n for n, run_id in enumerate(runs)},
        "unit": pairs(BudgetUnit.id, BudgetUnit.ansvar),
        "administration": pairs(Administration.id, Administration.code),
        "invoice": invoices,
        "line": {i: (invoices[inv], pos) for i, inv, pos in db.session.execute(
            sa.select(InvoiceLine.id, InvoiceLine.invoice_id, InvoiceLine.position))},
        "assignment": {i: (number, since) for i, number, since in db.session.execute(
            sa.select(Assignment.id, Subscription.number, Assignment.valid_from)
            .join(Subscription, Subscription.id == Assignment.asset_id))},
        "allowance": _allowances(invoices),
    }


def _allowances(invoices: dict[int, str]) -> dict[int, tuple[str, int, Decimal]]:
    """Each document allowance or charge by its invoice, its place among the invoice's, its amount."""
    named: dict[int, tuple[str, int, Decimal]] = {}
    for ac_id, invoice_id, amount in db.session.execute(
            sa.select(InvoiceAllowanceCharge.id, InvoiceAllowanceCharge.invoice_id, InvoiceAllowanceCharge.amount)
            .order_by(InvoiceAllowanceCharge.id)):
        place = sum(1 for number, _, _ in named.values() if number == invoices[invoice_id])
        named[ac_id] = (invoices[invoice_id], place, amount)
    return named


# The property -------------------------------------------------------------------------------

@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(plan=ledgers())
def test_the_set_based_path_books_what_the_per_line_path_books(app, plan: LedgerPlan) -> None:
    with app.app_context():
        try:
            reference, reference_results = allocate_ledger(plan, set_based=False)
            db.session.rollback()
            empty_all_tables()
            ours, our_results = allocate_ledger(plan, set_based=True)
            assert ours == reference
            assert our_results == reference_results
        finally:
            db.session.rollback()
            empty_all_tables()


# The common case really takes the set-based path --------------------------------------------

@pytest.fixture
def counted_placements(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The amounts of the lines ``rules.place_line`` placed (the per-line path's lines)."""
    placed: list[int] = []
    original = rules.place_line

    def counting(amount: int, *args: Any, **kwargs: Any) -> list[rules.Piece]:
        placed.append(amount)
        return original(amount, *args, **kwargs)

    monkeypatch.setattr(rules, "place_line", counting)
    return placed


def test_only_lines_outside_the_common_case_are_placed_line_by_line(db, org, counted_placements) -> None:
    operator = make_supplier("Operatören AB", SUPPLIER)
    whole = make_subscription(org, "0701234567", org.forskola)
    moving = make_subscription(org, "0702345678", org.forskola)
    move(None, moving, org.skola, date(2026, 3, 15))
    extension = make_subscription(org, "050517124", org.va)
    save()
    make_invoice(org, operator, [L("100.00", subscription=whole), L("200.00", subscription=moving),
                                 L("42.00", Category.SWITCHBOARD_EXTENSION, subscription=extension),
                                 L("3.00", reference=UNKNOWN)])
    result = allocate(None, org.organisation, "2026-03")
    save()
    assert sorted(counted_placements) == [300, 20000]
    assert (result.invoices, result.lines, result.entries, result.changed_lines) == (1, 4, 5, 4)
    assert result.by_rule == {"direct": Decimal("300.00"), "fee_funded_own": Decimal("42.00"),
                              "suspense": Decimal("3.00")}
    again = allocate(None, org.organisation, "2026-03")
    assert (again.entries, again.reversals, again.lines) == (0, 0, 4)
