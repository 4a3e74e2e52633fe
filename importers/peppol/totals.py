"""The totals a document states: cac:TaxTotal (VAT) and cac:LegalMonetaryTotal.

They are only read here; whether they add up is for the rules (BR-CO-14 per TaxTotal as it
is read, BR-CO-10 to 16 once the whole document is).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from importers.numbers import ZERO
from importers.peppol import rules
from importers.peppol.context import Context
from importers.peppol.names import T_TAX_AMOUNT, T_TAX_SUBTOTAL, T_TAXABLE_AMOUNT, cbc, local_name
from importers.peppol.state import TaxTotal
from importers.text import Message

if TYPE_CHECKING:
    from lxml.etree import _Element as Element


def read_tax_total(ctx: Context, el: Element, path: str) -> None:
    """One cac:TaxTotal: its amount in the document or the tax currency, and its subtotals."""
    amount_el = el.find(T_TAX_AMOUNT)
    if amount_el is None:
        ctx.problems.error("cbc:TaxAmount", Message.of(rules.MISSING), path=f"{path}/cbc:TaxAmount", line=el.sourceline)
        return
    document = ctx.document
    currency = (amount_el.get("currencyID") or "").strip() or None
    in_document_currency = currency == document.currency
    amount = ctx.values.amount(
        amount_el,
        path,
        "/cbc:TaxAmount",
        rules.DEC_TAX_AMOUNT if in_document_currency else rules.DEC_TAX_AMOUNT_IN_TAX_CURRENCY,
        currency=None if in_document_currency or document.tax_currency is None else document.tax_currency,
    )
    subtotal_sum = _subtotal_sum(ctx, el, path)
    rules.apply(rules.TAX_TOTAL_RULES, TaxTotal(amount, subtotal_sum, path, amount_el.sourceline), ctx.problems)
    document.tax_totals.append((currency, amount))


def _subtotal_sum(ctx: Context, el: Element, path: str) -> Decimal | None:
    """The sum of the readable cac:TaxSubtotal amounts, ``None`` when there is none."""
    subtotal_sum: Decimal | None = None
    for i, sub in enumerate(el.iterfind(T_TAX_SUBTOTAL), start=1):
        sub_path = f"{path}/cac:TaxSubtotal[{i}]"
        sub_amount = sub.find(T_TAX_AMOUNT)
        if sub_amount is None:
            missing = Message.of(rules.MISSING)
            ctx.problems.error("cbc:TaxAmount", missing, path=f"{sub_path}/cbc:TaxAmount", line=sub.sourceline)
            continue
        value = ctx.values.amount(sub_amount, sub_path, "/cbc:TaxAmount", rules.DEC_SUBTOTAL_TAX_AMOUNT)
        taxable = sub.find(T_TAXABLE_AMOUNT)
        if taxable is not None:
            ctx.values.amount(taxable, sub_path, "/cbc:TaxableAmount", rules.DEC_TAXABLE_AMOUNT)
        if value is not None:
            subtotal_sum = (subtotal_sum or ZERO) + value
    return subtotal_sum


def read_monetary_total(ctx: Context, el: Element, path: str) -> None:
    """The cac:LegalMonetaryTotal members the rules know, with the line each stands on."""
    document = ctx.document
    document.totals_seen = True
    for child in el:
        local = local_name(child.tag)
        dec_rule = rules.DEC_MONETARY_TOTALS.get(local)
        if dec_rule is not None and child.tag == cbc(local):
            value = ctx.values.amount(child, path, f"/cbc:{local}", dec_rule)
            if value is not None:
                document.totals[local] = value
                document.total_lines[local] = child.sourceline
