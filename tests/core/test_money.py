"""Money: Swedish amounts parsed exactly, and splits that never lose or invent an öre."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.core.money import AmountError, parse_amount, split, split_ore, to_ore


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,50", "1234.50"),
        ("1\u00a0234,50", "1234.50"),
        ("1\u202f234,50", "1234.50"),
        ("-12,5", "-12.5"),
        ("\u221212,50", "-12.50"),
        ("12,50-", "-12.50"),
        ("1234.50", "1234.50"),
        ("0,01", "0.01"),
        ("1 234 kr", "1234"),
        ("  7 ", "7"),
    ],
)
def test_parse_swedish_amounts(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "1.234,50", "12,5,", "--1", "1e3"])
def test_parse_refuses_what_is_not_an_amount(text: str) -> None:
    with pytest.raises(AmountError, match="not an amount"):
        parse_amount(text)


def test_to_ore_refuses_fractions_of_an_ore() -> None:
    with pytest.raises(AmountError, match="fraction of an öre"):
        to_ore(Decimal("1.005"))


def test_split_by_days_of_a_31_day_month() -> None:
    # A 100,00 kr subscription moved on the 15th: 14 days at one unit, 17 at the next.
    assert split(Decimal("100.00"), [14, 17]) == [Decimal("45.16"), Decimal("54.84")]


def test_split_gives_leftover_ore_to_largest_remainders_then_earliest() -> None:
    assert split_ore(100, [1, 1, 1]) == [34, 33, 33]
    assert split_ore(2, [1, 1, 1]) == [1, 1, 0]
    assert split_ore(10, [Decimal("0.5"), Decimal("0.25"), Decimal("0.25")]) == [5, 3, 2]


def test_negative_totals_mirror_positive_ones() -> None:
    assert split_ore(-100, [1, 1, 1]) == [-34, -33, -33]


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1]])
def test_split_refuses_meaningless_weights(weights: list[int]) -> None:
    with pytest.raises(ValueError):
        split_ore(100, weights)


weights = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=40).filter(any)


@given(total=st.integers(min_value=-10**12, max_value=10**12), weights=weights)
def test_split_always_sums_to_the_whole(total: int, weights: list[int]) -> None:
    parts = split_ore(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)


@given(total=st.integers(min_value=0, max_value=10**12), weights=weights)
def test_each_part_is_within_one_ore_of_its_exact_share(total: int, weights: list[int]) -> None:
    parts = split_ore(total, weights)
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Decimal(total) * weight / weight_sum
        assert abs(part - exact) < 1
        if weight == 0:
            assert part == 0


@given(
    total=st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2),
    weights=st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
                     min_size=1, max_size=20),
)
def test_decimal_split_sums_exactly_with_decimal_weights(total: Decimal, weights: list[Decimal]) -> None:
    parts = split(total, weights)
    assert sum(parts) == total
    assert all(part == part.quantize(Decimal("0.01")) for part in parts)
