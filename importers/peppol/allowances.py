"""cac:AllowanceCharge, at document or line level: a discount (rabatt) or a fee (avgift).

Each is kept twice: the amount as written, summed for BR-CO-11/12, and an ``AllowanceCharge``
record carrying its signed effect on the net (an allowance negative, a credit note flipping
both).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from importers.model import AllowanceCharge
from importers.peppol.context import Context
from importers.peppol.names import (
    T_AC_REASON,
    T_AC_REASON_CODE,
    T_AMOUNT,
    T_CHARGE_INDICATOR,
    T_ID,
    T_PERCENT,
    T_TAX_CATEGORY,
    text_of,
)
from importers.peppol.rules import MISSING
from importers.peppol.state import AllowancesCharges
from importers.peppol.values import negate
from importers.text import Message

if TYPE_CHECKING:
    from lxml.etree import _Element as Element


@dataclass(slots=True)
class _Parts:
    """What one cac:AllowanceCharge states, each value read (``None`` when unreadable)."""

    indicator_seen: bool = False
    amount_seen: bool = False
    is_charge: bool | None = None
    amount: Decimal | None = None
    reason: str | None = None
    reason_code: str | None = None
    category: str | None = None
    rate: Decimal | None = None


def _read_parts(ctx: Context, el: Element, path: str, dec_rule: str) -> _Parts:
    parts = _Parts()
    for child in el:
        tag = child.tag
        if tag == T_CHARGE_INDICATOR:
            parts.indicator_seen = True
            parts.is_charge = ctx.values.charge_indicator(child, f"{path}/cbc:ChargeIndicator")
        elif tag == T_AMOUNT:
            parts.amount_seen = True
            parts.amount = ctx.values.amount(child, path, "/cbc:Amount", dec_rule)
        elif tag == T_AC_REASON:
            parts.reason = text_of(child)
        elif tag == T_AC_REASON_CODE:
            parts.reason_code = text_of(child)
        elif tag == T_TAX_CATEGORY:
            _read_tax_category(ctx, child, path, parts)
    return parts


def _read_tax_category(ctx: Context, el: Element, path: str, parts: _Parts) -> None:
    for child in el:
        if child.tag == T_ID:
            parts.category = text_of(child)
        elif child.tag == T_PERCENT:
            parts.rate = ctx.values.rate(child, path, "/cac:TaxCategory/cbc:Percent")


def read_allowance_charge(ctx: Context, el: Element, path: str, dec_rule: str, into: AllowancesCharges) -> None:
    """Read one cac:AllowanceCharge at ``path`` into ``into``; ``dec_rule`` limits its decimals."""
    parts = _read_parts(ctx, el, path, dec_rule)
    if not parts.indicator_seen:
        missing = Message.of(MISSING)
        ctx.problems.error("cbc:ChargeIndicator", missing, path=f"{path}/cbc:ChargeIndicator", line=el.sourceline)
    if not parts.amount_seen:
        ctx.problems.error("cbc:Amount", Message.of(MISSING), path=f"{path}/cbc:Amount", line=el.sourceline)
    if parts.is_charge is None or parts.amount is None:
        return
    effect = parts.amount if parts.is_charge else negate(parts.amount)
    if ctx.document.sign < 0:
        effect = negate(effect)
    record = AllowanceCharge(
        is_charge=parts.is_charge,
        amount=effect,
        reason=parts.reason,
        reason_code=parts.reason_code,
        vat_category=parts.category,
        vat_rate=parts.rate,
        location=path,
    )
    into.add(parts.is_charge, parts.amount, record)
