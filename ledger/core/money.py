"""Money at öre precision: parsing Swedish amounts and splitting without losing an öre.

Every amount in the ledger is a ``Decimal`` with two decimals. Floats never appear: they
cannot represent 0,10 kr exactly, and a ledger that reconciles "almost" does not reconcile.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ORE = Decimal("0.01")
ZERO = Decimal("0.00")

# Spaces Swedish software puts between thousands: space, NBSP, narrow NBSP, thin space.
_GROUPING = re.compile(r"[ \u00a0\u202f\u2009']")
_MINUS = "\u2212"  # the typographic minus some spreadsheets export


class AmountError(ValueError):
    """Text that is not an amount; the message quotes the text."""


def quantize(value: Decimal | int | str) -> Decimal:
    """Round half up to whole öre (the Swedish convention for öresavrundning of parts)."""
    return Decimal(value).quantize(ORE, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``amount`` in whole öre, half up (a VAT amount from its taxable amount)."""
    return quantize(amount * percent / 100)


def is_ore_exact(value: Decimal) -> bool:
    """True when ``value`` has no fraction of an öre."""
    return value == value.quantize(ORE)


def parse_amount(text: str) -> Decimal:
    """Parse an amount as Swedes write it: ``1 234,50``, ``-12,5``, ``1234.50``, ``1 234 kr``.

    A comma is the decimal separator; a point is accepted as one when there is no comma (XML
    and scripts). Thousands separators may be spaces of any kind. The result keeps the
    precision given; callers that store it check ``is_ore_exact``.
    """
    cleaned = _GROUPING.sub("", text.strip()).replace(_MINUS, "-")
    if cleaned.lower().endswith("kr"):
        cleaned = cleaned[:-2]
    if cleaned.endswith("-") and cleaned.count("-") == 1:  # trailing minus: "123,45-"
        cleaned = "-" + cleaned[:-1]
    if "," in cleaned:
        if cleaned.count(",") > 1 or "." in cleaned:
            raise AmountError(f"not an amount: {text!r}")
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", cleaned):
        raise AmountError(f"not an amount: {text!r}")
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the regex above already guards this
        raise AmountError(f"not an amount: {text!r}") from None


def to_ore(value: Decimal) -> int:
    """Whole öre as an integer; refuses fractions of an öre rather than rounding silently."""
    if not is_ore_exact(value):
        raise AmountError(f"{value} has a fraction of an öre")
    return int(value * 100)


def from_ore(ore: int) -> Decimal:
    """The Decimal amount for a number of öre."""
    return (Decimal(ore) / 100).quantize(ORE)


def split_ore(total: int, weights: Sequence[int | Decimal]) -> list[int]:
    """Split ``total`` öre in proportion to ``weights`` by the largest-remainder method.

    Each part first gets the floor of its exact share; the öre left over go, one each, to the
    parts with the largest remainders (ties to the earlier part, so the split is
    deterministic). The parts always sum to ``total``. Negative totals split symmetrically:
    ``split(-x) == [-p for p in split(x)]``, so a credit mirrors its invoice exactly.
    """
    if not weights:
        raise ValueError("nothing to split over")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("weights sum to zero")
    if len(weights) == 1:
        return [total]
    if total < 0:
        return [-part for part in split_ore(-total, weights)]
    scaled = [int(w) for w in weights] if all(type(w) is int for w in weights) else _as_integers(weights)
    scaled_sum = sum(scaled)
    # Integer arithmetic throughout: floor and remainder are exact, whatever the weights.
    parts = [total * weight // scaled_sum for weight in scaled]
    remainders = [total * weight % scaled_sum for weight in scaled]
    left = total - sum(parts)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-remainders[i], i))
    for index in by_remainder[:left]:
        parts[index] += 1
    return parts


def _as_integers(weights: Sequence[int | Decimal]) -> list[int]:
    """Scale Decimal weights by a common power of ten so that they become integers."""
    exponents = [Decimal(w).as_tuple().exponent for w in weights]
    if not all(isinstance(exponent, int) for exponent in exponents):
        raise ValueError("weights must be finite numbers")
    places = max((-int(exponent) for exponent in exponents), default=0)
    factor = 10 ** max(places, 0)
    return [int(Decimal(w) * factor) for w in weights]


def split(total: Decimal, weights: Sequence[int | Decimal]) -> list[Decimal]:
    """``split_ore`` for Decimal amounts: the parts sum exactly to ``total``."""
    return [from_ore(part) for part in split_ore(to_ore(total), weights)]
