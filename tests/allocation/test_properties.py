"""Property tests: whatever the assignments and invoices, every split sums exactly and the
ledger's invariants hold after allocation and re-allocation."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.allocation import rules
from ledger.allocation.rules import Span, UnitFacts
from ledger.core.categories import Category

DAY0 = date(2026, 1, 1)
UNITS = {1: UnitFacts(False), 2: UnitFacts(True), 3: UnitFacts(False)}


@st.composite
def spans(draw) -> list[Span]:
    """Non-overlapping assignments: a sorted list of cut days, each stretch to a random unit
    or to nobody."""
    cuts = sorted(set(draw(st.lists(st.integers(0, 120), max_size=6))))
    result: list[Span] = []
    bounds = [*cuts, None]
    for index, start in enumerate(cuts):
        unit = draw(st.sampled_from([None, 1, 2, 3]))
        end = bounds[index + 1]
        if unit is not None:
            result.append(Span(index + 1, unit, DAY0 + timedelta(days=start),
                               None if end is None else DAY0 + timedelta(days=end)))
    return result


@given(amount=st.integers(-10**9, 10**9), spans=spans(), first=st.integers(0, 100), length=st.integers(0, 40),
       category=st.sampled_from(list(Category)), has_asset=st.booleans())
def test_a_line_is_always_placed_whole(amount: int, spans: list[Span], first: int, length: int,
                                       category: Category, has_asset: bool) -> None:
    start = DAY0 + timedelta(days=first)
    end = start + timedelta(days=length)
    pieces = rules.place_line(amount, category, has_asset, spans, start, end, UNITS, carrier_id=9)
    assert sum(p.amount for p in pieces) == amount
    for piece in pieces:
        assert piece.rule in tuple(rules.Rule)
        if piece.rule == rules.Rule.SUSPENSE:
            assert piece.unit_id is None and piece.reason
        elif category.is_switchboard:
            assert piece.unit_id == 9 or UNITS[piece.unit_id].fee_funded
        else:
            assert piece.rule == rules.Rule.DIRECT and piece.unit_id in UNITS


@given(amount=st.integers(-10**7, 10**7),
       lines=st.lists(st.tuples(st.integers(-10**6, 10**6), st.sampled_from(["S", "E", None])), min_size=1,
                      max_size=30),
       vat=st.sampled_from(["S", "E", "Z", None]))
def test_document_allowances_spread_exactly(amount: int, lines: list[tuple[int, str | None]], vat: str | None) -> None:
    facts = [(index, a, v) for index, (a, v) in enumerate(lines)]
    shares = rules.spread_over_lines(amount, vat, facts)
    assert sum(shares.values()) == amount
    if any(v == vat for _, _, v in facts):
        assert all(facts[i][2] == vat for i in shares)


@given(share=st.integers(-10**6, 10**6), amounts=st.lists(st.integers(-10**5, 10**5), min_size=1, max_size=5))
def test_a_lines_share_follows_its_pieces_exactly(share: int, amounts: list[int]) -> None:
    pieces = [rules.Piece(i, a, rules.Rule.DIRECT, i) for i, a in enumerate(amounts)]
    assert sum(p.amount for p in rules.follow_line(share, pieces)) == share


# Through the engine and the database: fewer examples, each a whole small ledger.

@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(st.tuples(st.integers(0, 3), st.integers(1, 89), st.sampled_from(["forskola", "skola", "va"])),
                      max_size=6),
       amounts=st.lists(st.integers(-50_000, 500_000), min_size=1, max_size=8),
       late_move=st.integers(1, 80))
def test_invariants_hold_after_allocation_and_reallocation(app, moves, amounts, late_move) -> None:
    from decimal import Decimal

    import sqlalchemy as sa

    from ledger.allocation.check import check
    from ledger.allocation.engine import allocate
    from ledger.allocation.models import JournalEntry
    from ledger.database import db
    from ledger.inventory.assignments import move
    from ledger.inventory.models import Subscription
    from tests.conftest import empty_all_tables
    from tests.factories import SUPPLIER, import_invoice, make_org, make_subscription, make_supplier, save
    from tests.importers.ubl_builder import Line

    with app.app_context():
        try:
            org = make_org()
            make_supplier("Operatören AB", SUPPLIER)
            numbers = [f"07012345{i:02d}" for i in range(4)]
            subs = [make_subscription(org, n, org.forskola, start=date(2025, 12, 1)) for n in numbers]
            for index, day, unit in sorted(moves, key=lambda m: m[1]):
                sub = db.session.get(Subscription, subs[index].id)
                try:
                    move(None, sub, getattr(org, unit), DAY0 + timedelta(days=day))
                    save()
                except Exception:
                    db.session.rollback()
            lines = [Line(name="Jobbmobil", price=f"{Decimal(a) / 100:.2f}", object_ref=numbers[i % 5] if i % 5 < 4
                          else "0709999999", period=("2026-02-01", "2026-03-31")) for i, a in enumerate(amounts)]
            import_invoice(org, lines, issue_date="2026-03-31", doc_allowances=["1.00"], rounding="0.10")
            allocate(None, org.organisation, "2026-03")
            save()
            assert check() == []
            sub = db.session.get(Subscription, subs[0].id)
            try:
                move(None, sub, org.skola, date(2026, 2, 1) + timedelta(days=late_move % 50))
                save()
            except Exception:
                db.session.rollback()
            allocate(None, org.organisation, "2026-03")
            save()
            assert check() == []
            again = allocate(None, org.organisation, "2026-03")
            assert again.entries == 0 and again.reversals == 0
            total = db.session.scalar(sa.select(sa.func.sum(JournalEntry.amount)))
            assert total == Decimal(sum(amounts)) / 100 - Decimal("1.00") + Decimal("0.10")
        finally:
            db.session.rollback()
            empty_all_tables()
