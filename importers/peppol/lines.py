"""Invoice lines (fakturarader): cac:InvoiceLine / cac:CreditNoteLine into ``ParsedLine``.

This runs once per line of a possibly huge file, so each child is visited once, tags are
compared against precomputed names, and repeated values come from the value reader's caches.
A line's children are found first (``LineParts``), its values read after, in a fixed order
that is also the order of its errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from importers.model import ReferenceSource, new_parsed_line
from importers.peppol import rules
from importers.peppol.allowances import read_allowance_charge
from importers.peppol.context import Context
from importers.peppol.header import INVOICED_OBJECT
from importers.peppol.names import (
    T_ACCOUNTING_COST,
    T_ADDITIONAL_ITEM_PROPERTY,
    T_ALLOWANCE_CHARGE,
    T_BASE_QUANTITY,
    T_CLASSIFIED_TAX_CATEGORY,
    T_DESCRIPTION,
    T_DOCUMENT_REFERENCE,
    T_DOCUMENT_TYPE_CODE,
    T_END_DATE,
    T_ID,
    T_INVOICE_PERIOD,
    T_ITEM,
    T_LINE_EXTENSION_AMOUNT,
    T_NAME,
    T_NOTE,
    T_PERCENT,
    T_PRICE,
    T_PRICE_AMOUNT,
    T_SELLERS_ITEM_IDENTIFICATION,
    T_START_DATE,
    T_VALUE,
    text_of,
)
from importers.peppol.state import AllowancesCharges, LineAmounts, LineParts
from importers.peppol.values import negate

if TYPE_CHECKING:
    from lxml.etree import _Element as Element

#: Item property names whose value identifies a handset or SIM card.
REFERENCE_PROPERTY_NAMES = frozenset({"imei", "iccid"})
_SUFFIX_NET = "/cbc:LineExtensionAmount"
_SUFFIX_START = "/cac:InvoicePeriod/cbc:StartDate"
_SUFFIX_END = "/cac:InvoicePeriod/cbc:EndDate"
_SUFFIX_RATE = "/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"


def read_line(ctx: Context, el: Element) -> None:
    """Read one line into the document; a line without a readable net amount is left out."""
    document = ctx.document
    parts = _find_parts(ctx, el, len(document.lines) + 1)
    rules.apply(rules.LINE_RULES, parts, ctx.problems)
    net = None if parts.net is None else ctx.values.money(parts.net, parts.path, _SUFFIX_NET, rules.DEC_LINE_NET)
    quantity, unit_code = _quantity(ctx, parts)
    item = _read_item(ctx, parts.item, parts.path)
    unit_price = _unit_price(ctx, parts.price, parts.path)
    acs = _allowances_charges(ctx, parts.allowances_charges, parts.path)
    if net is None:  # BR-24, or an unreadable amount: reported
        return
    document.line_sum += net
    net_line = parts.net.sourceline if parts.net is not None else None
    amounts = LineAmounts(net, quantity, unit_price, acs, parts.path, net_line)
    rules.apply(rules.LINE_AMOUNT_RULES, amounts, ctx.problems)
    if document.sign < 0:
        net, quantity = negate(net), _negate_quantity(quantity)
    reference, source = _reference(parts, document.document_reference, item.property_ref)
    document.lines.append(
        new_parsed_line(
            parts.position,
            (parts.line_id or "").strip() or str(parts.position),  # BR-21 reported a missing one
            item.description,
            item.name,
            item.seller_code,
            None,  # charge_type: CSV only
            quantity,
            unit_code,
            unit_price,
            net,
            item.category,
            item.rate,
            parts.period_start,
            parts.period_end,
            reference,
            source,
            parts.path,
            tuple(acs.records) if acs is not None else (),
        )
    )


def _negate_quantity(quantity: Decimal | None) -> Decimal | None:
    return None if quantity is None else negate(quantity)


# -- finding the children ------------------------------------------------------------------


def _find_parts(ctx: Context, el: Element, position: int) -> LineParts:
    parts = LineParts(position, f"{ctx.document.kind.line_path}[{position}]", el.sourceline)
    quantity_tag = ctx.document.kind.quantity_tag
    others = _OTHER_CHILDREN
    for child in el:
        # The children every line has are kept as they are, here; the others have a reader.
        tag = child.tag
        if tag == T_ID:
            parts.line_id = child.text
        elif tag == T_LINE_EXTENSION_AMOUNT:
            parts.net = child
        elif tag == quantity_tag:
            parts.quantity = child
        elif tag == T_ITEM:
            parts.item = child
        elif tag == T_PRICE:
            parts.price = child
        else:
            read = others.get(tag)
            if read is not None:
                read(ctx, parts, child)
    return parts


def _period(ctx: Context, parts: LineParts, el: Element) -> None:
    for child in el:
        tag = child.tag
        if tag == T_START_DATE:
            parts.period_start = ctx.values.date(child, parts.path, _SUFFIX_START)
        elif tag == T_END_DATE:
            parts.period_end = ctx.values.date(child, parts.path, _SUFFIX_END)


def _note(ctx: Context, parts: LineParts, el: Element) -> None:
    if parts.note is None:  # the first note that says something
        parts.note = text_of(el)


def _accounting_cost(ctx: Context, parts: LineParts, el: Element) -> None:
    parts.accounting_cost = text_of(el)


def _allowance_charge(ctx: Context, parts: LineParts, el: Element) -> None:
    if parts.allowances_charges is None:
        parts.allowances_charges = []
    parts.allowances_charges.append(el)


def _document_reference(ctx: Context, parts: LineParts, el: Element) -> None:
    if parts.object_ref is not None:  # the first reference to the invoiced object counts (BT-128)
        return
    ref, type_code = _child_texts(el, T_ID, T_DOCUMENT_TYPE_CODE)
    if type_code == INVOICED_OBJECT:
        parts.object_ref = ref


def _child_texts(el: Element, first: str, second: str) -> tuple[str | None, str | None]:
    """The texts of ``el``'s children tagged ``first`` and ``second`` (of the last of each;
    ``None`` where there is none)."""
    first_text = second_text = None
    for child in el:
        if child.tag == first:
            first_text = text_of(child)
        elif child.tag == second:
            second_text = text_of(child)
    return first_text, second_text


#: What the other children of a line contribute, by tag.
_OTHER_CHILDREN: dict[object, Callable[[Context, LineParts, Element], None]] = {
    T_INVOICE_PERIOD: _period,
    T_NOTE: _note,
    T_ACCOUNTING_COST: _accounting_cost,
    T_ALLOWANCE_CHARGE: _allowance_charge,
    T_DOCUMENT_REFERENCE: _document_reference,
}


# -- reading the values ----------------------------------------------------------------------


def _quantity(ctx: Context, parts: LineParts) -> tuple[Decimal | None, str | None]:
    el = parts.quantity
    if el is None:
        return None, None
    quantity = ctx.values.number(el, parts.path, ctx.document.kind.quantity_suffix)
    unit_code = el.get("unitCode")
    if unit_code is not None:
        unit_code = ctx.values.intern(unit_code.strip() or None)
    return quantity, unit_code


@dataclass(slots=True)
class _Item:
    """What a line's cac:Item says."""

    name: str | None = None
    description: str | None = None
    seller_code: str | None = None
    category: str | None = None
    rate: Decimal | None = None
    #: The IMEI or ICCID among the item's properties, a reference of last resort.
    property_ref: str | None = None


def _read_item(ctx: Context, el: Element | None, path: str) -> _Item:
    item = _Item()
    if el is None:
        return item
    intern = ctx.values.intern
    for child in el:
        tag = child.tag
        if tag == T_NAME:
            item.name = intern(text_of(child))
        elif tag == T_CLASSIFIED_TAX_CATEGORY:
            _tax_category(ctx, child, path, item)
        elif tag == T_DESCRIPTION:
            item.description = intern(text_of(child))
        elif tag == T_SELLERS_ITEM_IDENTIFICATION:
            for ident in child.iterchildren(T_ID):
                item.seller_code = intern(text_of(ident))
        elif tag == T_ADDITIONAL_ITEM_PROPERTY and item.property_ref is None:
            item.property_ref = _reference_property(child)
    return item


def _tax_category(ctx: Context, el: Element, path: str, item: _Item) -> None:
    for child in el:
        tag = child.tag
        if tag == T_ID:
            item.category = ctx.values.intern(text_of(child))
        elif tag == T_PERCENT:
            item.rate = ctx.values.rate(child, path, _SUFFIX_RATE)


def _reference_property(el: Element) -> str | None:
    """The value of an IMEI or ICCID item property, ``None`` for any other property."""
    name, value = _child_texts(el, T_NAME, T_VALUE)
    return value if name is not None and name.lower() in REFERENCE_PROPERTY_NAMES else None


def _unit_price(ctx: Context, el: Element | None, path: str) -> Decimal | None:
    """The price of one unit: PriceAmount over its BaseQuantity, which must be positive (R121)."""
    if el is None:
        return None
    amount = base_quantity = None
    for child in el:
        if child.tag == T_PRICE_AMOUNT:
            amount = ctx.values.number(child, path, "/cac:Price/cbc:PriceAmount")
        elif child.tag == T_BASE_QUANTITY:
            base_quantity = ctx.values.number(child, path, "/cac:Price/cbc:BaseQuantity")
    if base_quantity is not None and base_quantity <= 0:
        ctx.problems.error(
            "cbc:BaseQuantity",
            f"must be above zero, not {base_quantity}",
            path=f"{path}/cac:Price/cbc:BaseQuantity",
            line=el.sourceline,
            rule=rules.BASE_QUANTITY_RULE,
        )
        base_quantity = None
    if amount is not None and base_quantity is not None and base_quantity != 1:
        return amount / base_quantity
    return amount


def _allowances_charges(ctx: Context, elements: list[Element] | None, path: str) -> AllowancesCharges | None:
    """The line's allowances and charges; ``None`` when it has none at all (when it has only
    unreadable ones, their empty sums still enter R120's arithmetic)."""
    if elements is None:
        return None
    acs = AllowancesCharges()
    for i, el in enumerate(elements, start=1):
        read_allowance_charge(ctx, el, f"{path}/cac:AllowanceCharge[{i}]", rules.DEC_LINE_ALLOWANCE_CHARGE, acs)
    return acs


def _reference(
    parts: LineParts, document_reference: str | None, property_ref: str | None
) -> tuple[str | None, ReferenceSource | None]:
    """What the line is about, from the most specific place that says (see ``ReferenceSource``)."""
    if parts.object_ref is not None:
        return parts.object_ref, "BT-128"
    if document_reference is not None:
        return document_reference, "BT-18"
    if parts.note is not None:
        return parts.note, "note"
    if parts.accounting_cost is not None:
        return parts.accounting_cost, "accounting_cost"
    if property_ref is not None:
        return property_ref, "item_property"
    return None, None
