"""Invoice lines (fakturarader): cac:InvoiceLine / cac:CreditNoteLine into ``ParsedLine``.

This runs once per line of a possibly huge file, and with the XML parser itself it is nearly
all the time a 100,000-line invoice takes, so it is written for that:

- each element of a line is visited once, in one loop per level, and identified by comparing
  its tag with precomputed names; the elements every line has come first, in the order UBL
  gives them, and the rare ones go through a table of readers (``_RARE_CHILDREN``);
- the values come from the value reader's caches (a repeated text costs a look-up), and
  texts, element lines and paths are only turned into messages when there is an error;
- what is read per line is held in one ``LineParts``; the item comes back as a tuple, so
  nothing else is built per line but the ``ParsedLine``.

A line's children are found first, its values read after, in a fixed order that is also the
order of its errors: the period's dates as met, BR-21 and BR-24, the net amount, the
quantity, the item, the price, the allowances and charges, then PEPPOL-EN16931-R120.
"""

from __future__ import annotations

from collections.abc import Callable
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
from importers.peppol.values import ValueReader, negate
from importers.text import N_, Message

if TYPE_CHECKING:
    from lxml.etree import _Element as Element

#: Item property names whose value identifies a handset or SIM card.
REFERENCE_PROPERTY_NAMES = frozenset({"imei", "iccid"})
_SUFFIX_NET = "/cbc:LineExtensionAmount"
_SUFFIX_START = "/cac:InvoicePeriod/cbc:StartDate"
_SUFFIX_END = "/cac:InvoicePeriod/cbc:EndDate"
_SUFFIX_RATE = "/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"
_SUFFIX_PRICE = "/cac:Price/cbc:PriceAmount"
_SUFFIX_BASE_QUANTITY = "/cac:Price/cbc:BaseQuantity"

#: What a line's cac:Item says: name, description, the seller's item code, the VAT category
#: and rate, and the IMEI or ICCID among its properties (a reference of last resort).
Item = tuple[str | None, str | None, str | None, str | None, Decimal | None, str | None]
_NO_ITEM: Item = (None, None, None, None, None, None)


class LineReader:
    """Reads the lines of one document into it (``read``); made once the document element,
    and so the line and quantity element names, are known."""

    __slots__ = (
        "_ctx",
        "_document",
        "_line_path",
        "_problems",
        "_quantity_suffix",
        "_quantity_tag",
        "_seen",
        "_values",
    )

    def __init__(self, ctx: Context) -> None:
        kind = ctx.document.kind
        self._ctx = ctx
        self._document = ctx.document
        self._values: ValueReader = ctx.values
        self._problems = ctx.problems
        self._line_path = kind.line_path
        self._quantity_tag = kind.quantity_tag
        self._quantity_suffix = kind.quantity_suffix
        #: Lines read so far, kept or not: a line's place in the file, as its path names it.
        self._seen = 0

    def read(self, el: Element) -> None:
        """Read one line into the document; a line without a readable net amount is left out."""
        document = self._document
        self._seen += 1
        parts = self._find_parts(el, self._seen)
        rules.apply(rules.LINE_RULES, parts, self._problems)
        path = parts.path
        net_el = parts.net
        net = None if net_el is None else self._values.money(net_el, path, _SUFFIX_NET, rules.DEC_LINE_NET)
        quantity, unit_code = self._quantity(parts.quantity, path)
        name, description, seller_code, category, rate, property_ref = (
            _NO_ITEM if parts.item is None else self._item(parts.item, path)
        )
        unit_price = None if parts.price is None else self._unit_price(parts.price, path)
        acs = None if parts.allowances_charges is None else _allowances_charges(self._ctx, parts)
        if net is None or net_el is None:  # BR-24, or an unreadable amount: reported
            return
        document.line_sum += net
        amounts = LineAmounts(net, quantity, unit_price, acs, path, net_el.sourceline)
        rules.apply(rules.LINE_AMOUNT_RULES, amounts, self._problems)
        if document.sign < 0:
            net, quantity = negate(net), _negate_quantity(quantity)
        reference, source = _reference(parts, document.document_reference, property_ref)
        document.lines.append(
            new_parsed_line(
                parts.position,
                (parts.line_id or "").strip() or str(parts.position),  # BR-21 reported a missing one
                description,
                name,
                seller_code,
                None,  # charge_type: CSV only
                quantity,
                unit_code,
                unit_price,
                net,
                category,
                rate,
                parts.period_start,
                parts.period_end,
                reference,
                source,
                path,
                tuple(acs.records) if acs is not None else (),
            )
        )

    # -- finding the children --------------------------------------------------------------

    def _find_parts(self, el: Element, position: int) -> LineParts:
        parts = LineParts(position, f"{self._line_path}[{position}]", el)
        quantity_tag = self._quantity_tag
        for child in el:
            # The children every line has are kept as they are, or read in place; the others
            # have a reader each.
            tag = child.tag
            if tag == T_ID:
                parts.line_id = child.text
            elif tag == quantity_tag:
                parts.quantity = child
            elif tag == T_LINE_EXTENSION_AMOUNT:
                parts.net = child
            elif tag == T_INVOICE_PERIOD:
                self._period(child, parts)
            elif tag == T_DOCUMENT_REFERENCE:
                if parts.object_ref is None:  # the first reference to the invoiced object counts (BT-128)
                    parts.object_ref = _invoiced_object(child)
            elif tag == T_ITEM:
                parts.item = child
            elif tag == T_PRICE:
                parts.price = child
            else:
                read = _RARE_CHILDREN.get(tag)
                if read is not None:
                    read(parts, child)
        return parts

    def _period(self, el: Element, parts: LineParts) -> None:
        for child in el:
            tag = child.tag
            if tag == T_START_DATE:
                parts.period_start = self._values.date(child, parts.path, _SUFFIX_START)
            elif tag == T_END_DATE:
                parts.period_end = self._values.date(child, parts.path, _SUFFIX_END)

    # -- reading the values ------------------------------------------------------------------

    def _quantity(self, el: Element | None, path: str) -> tuple[Decimal | None, str | None]:
        if el is None:
            return None, None
        quantity = self._values.number(el, path, self._quantity_suffix)
        unit_code = el.get("unitCode")
        if unit_code is not None:
            unit_code = self._values.intern(unit_code.strip() or None)
        return quantity, unit_code

    def _item(self, el: Element, path: str) -> Item:
        values = self._values
        name = description = seller_code = category = property_ref = None
        rate: Decimal | None = None
        for child in el:
            tag = child.tag
            if tag == T_NAME:
                name = values.text(child)
            elif tag == T_SELLERS_ITEM_IDENTIFICATION:
                for ident in child:
                    if ident.tag == T_ID:
                        seller_code = values.text(ident)
            elif tag == T_CLASSIFIED_TAX_CATEGORY:
                for part in child:
                    part_tag = part.tag
                    if part_tag == T_ID:
                        category = values.text(part)
                    elif part_tag == T_PERCENT:
                        rate = values.rate(part, path, _SUFFIX_RATE)
            elif tag == T_DESCRIPTION:
                description = values.text(child)
            elif tag == T_ADDITIONAL_ITEM_PROPERTY and property_ref is None:
                property_ref = _reference_property(child)
        return name, description, seller_code, category, rate, property_ref

    def _unit_price(self, el: Element, path: str) -> Decimal | None:
        """The price of one unit: PriceAmount over its BaseQuantity, which must be positive (R121)."""
        amount = base_quantity = None
        for child in el:
            tag = child.tag
            if tag == T_PRICE_AMOUNT:
                amount = self._values.number(child, path, _SUFFIX_PRICE)
            elif tag == T_BASE_QUANTITY:
                base_quantity = self._values.number(child, path, _SUFFIX_BASE_QUANTITY)
        if base_quantity is None:  # as good as always: the price is for one unit
            return amount
        if base_quantity <= 0:
            self._problems.error(
                "cbc:BaseQuantity",
                Message.of(N_("must be above zero, not %(quantity)s"), quantity=base_quantity),
                path=path + _SUFFIX_BASE_QUANTITY,
                line=el.sourceline,
                rule=rules.BASE_QUANTITY_RULE,
            )
            return amount
        if amount is not None and base_quantity != 1:
            return amount / base_quantity
        return amount


def _negate_quantity(quantity: Decimal | None) -> Decimal | None:
    return None if quantity is None else negate(quantity)


def _invoiced_object(el: Element) -> str | None:
    """The id of a cac:DocumentReference to the invoiced object (type 130), else ``None``."""
    ref, type_code = _child_texts(el, T_ID, T_DOCUMENT_TYPE_CODE)
    return ref if type_code == INVOICED_OBJECT else None


def _child_texts(el: Element, first: str, second: str) -> tuple[str | None, str | None]:
    """The texts of ``el``'s children tagged ``first`` and ``second`` (of the last of each;
    ``None`` where there is none)."""
    first_text = second_text = None
    for child in el:
        tag = child.tag
        if tag == first:
            first_text = text_of(child)
        elif tag == second:
            second_text = text_of(child)
    return first_text, second_text


def _note(parts: LineParts, el: Element) -> None:
    if parts.note is None:  # the first note that says something
        parts.note = text_of(el)


def _accounting_cost(parts: LineParts, el: Element) -> None:
    parts.accounting_cost = text_of(el)


def _allowance_charge(parts: LineParts, el: Element) -> None:
    if parts.allowances_charges is None:
        parts.allowances_charges = []
    parts.allowances_charges.append(el)


#: What the less common children of a line contribute, by tag.
_RARE_CHILDREN: dict[object, Callable[[LineParts, Element], None]] = {
    T_NOTE: _note,
    T_ACCOUNTING_COST: _accounting_cost,
    T_ALLOWANCE_CHARGE: _allowance_charge,
}


def _reference_property(el: Element) -> str | None:
    """The value of an IMEI or ICCID item property, ``None`` for any other property."""
    name, value = _child_texts(el, T_NAME, T_VALUE)
    return value if name is not None and name.lower() in REFERENCE_PROPERTY_NAMES else None


def _allowances_charges(ctx: Context, parts: LineParts) -> AllowancesCharges:
    """The line's allowances and charges (when it has only unreadable ones, their empty sums
    still enter R120's arithmetic)."""
    acs = AllowancesCharges()
    for i, el in enumerate(parts.allowances_charges or (), start=1):
        path = f"{parts.path}/cac:AllowanceCharge[{i}]"
        read_allowance_charge(ctx, el, path, rules.DEC_LINE_ALLOWANCE_CHARGE, acs)
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
