"""The document-level elements: everything in an Invoice or CreditNote that is not a line.

Each element the importer knows has one small reader in ``_HEADER_READERS``; anything else
is ignored, as UBL allows. The currency and the type code are read first, whatever their
place, because every amount is checked against the one and signed by the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from importers.peppol import rules
from importers.peppol.allowances import read_allowance_charge
from importers.peppol.context import Context
from importers.peppol.names import (
    LINE_TAGS,
    T_ACCOUNTING_COST,
    T_ADDITIONAL_DOCUMENT_REFERENCE,
    T_ALLOWANCE_CHARGE,
    T_BILLING_REFERENCE,
    T_BUYER_REFERENCE,
    T_CREDIT_NOTE_DOCUMENT_REFERENCE,
    T_CREDIT_NOTE_TYPE_CODE,
    T_CUSTOMER_PARTY,
    T_CUSTOMIZATION_ID,
    T_DOCUMENT_CURRENCY,
    T_DOCUMENT_TYPE_CODE,
    T_DUE_DATE,
    T_END_DATE,
    T_ID,
    T_INVOICE_DOCUMENT_REFERENCE,
    T_INVOICE_PERIOD,
    T_INVOICE_TYPE_CODE,
    T_ISSUE_DATE,
    T_LEGAL_MONETARY_TOTAL,
    T_PARTY,
    T_PAYMENT_DUE_DATE,
    T_PAYMENT_MEANS,
    T_START_DATE,
    T_SUPPLIER_PARTY,
    T_TAX_CURRENCY,
    T_TAX_TOTAL,
    prefixed,
    text_of,
)
from importers.peppol.parties import read_party
from importers.peppol.totals import read_monetary_total, read_tax_total
from importers.text import N_, Message

if TYPE_CHECKING:
    from lxml.etree import _Element as Element

#: UNTDID 1001 document types that credit (kreditera): their amounts are negated.
CREDIT_NOTE_TYPE_CODES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"})
#: DocumentTypeCode of a reference to the invoiced object (BT-18, BT-128).
INVOICED_OBJECT = "130"


def read_header(ctx: Context, elements: Iterable[Element]) -> None:
    """Read the document-level elements among ``elements`` (lines are skipped)."""
    header = [el for el in elements if isinstance(el.tag, str) and el.tag not in LINE_TAGS]
    _read_currency_and_type(ctx, header)
    for el, path in _with_paths(header, ctx.document.kind.root_path):
        read = _HEADER_READERS.get(el.tag)
        if read is not None:
            read(ctx, el, path)


def _read_currency_and_type(ctx: Context, elements: list[Element]) -> None:
    document = ctx.document
    for el in elements:
        if el.tag == T_DOCUMENT_CURRENCY:
            document.currency = text_of(el)
        elif el.tag in (T_INVOICE_TYPE_CODE, T_CREDIT_NOTE_TYPE_CODE):
            document.type_code = text_of(el)
            if document.type_code in CREDIT_NOTE_TYPE_CODES:
                document.sign = -1


def _with_paths(elements: list[Element], root: str) -> Iterator[tuple[Element, str]]:
    """Each element with its path: ``/Invoice/cbc:ID``, ``/Invoice/cac:TaxTotal[2]``."""
    counters: dict[str, int] = {}
    for el in elements:
        name = prefixed(el.tag)
        counters[name] = index = counters.get(name, 0) + 1
        yield el, f"{root}/{name}" if name.startswith("cbc:") else f"{root}/{name}[{index}]"


def _number(ctx: Context, el: Element, path: str) -> None:
    ctx.document.number = text_of(el)


def _issue_date(ctx: Context, el: Element, path: str) -> None:
    ctx.document.issue_date = ctx.values.date(el, path)


def _due_date(ctx: Context, el: Element, path: str) -> None:
    ctx.document.due_date = ctx.values.date(el, path)


def _tax_currency(ctx: Context, el: Element, path: str) -> None:
    ctx.document.tax_currency = text_of(el)


def _accounting_cost(ctx: Context, el: Element, path: str) -> None:
    ctx.document.accounting_cost = text_of(el)


def _buyer_reference(ctx: Context, el: Element, path: str) -> None:
    ctx.document.buyer_reference = text_of(el)


def _customization_id(ctx: Context, el: Element, path: str) -> None:
    ctx.document.customization_id = text_of(el)


def _invoice_period(ctx: Context, el: Element, path: str) -> None:
    for child in el:
        if child.tag == T_START_DATE:
            ctx.document.period_start = ctx.values.date(child, f"{path}/cbc:StartDate")
        elif child.tag == T_END_DATE:
            ctx.document.period_end = ctx.values.date(child, f"{path}/cbc:EndDate")


def _billing_reference(ctx: Context, el: Element, path: str) -> None:
    for child in el:
        if child.tag in (T_INVOICE_DOCUMENT_REFERENCE, T_CREDIT_NOTE_DOCUMENT_REFERENCE):
            ref = text_of(child.find(T_ID))
            if ref is not None:
                ctx.document.billing_references.append(ref)


def _additional_document_reference(ctx: Context, el: Element, path: str) -> None:
    # Only the first reference to the invoiced object counts (BT-18).
    if text_of(el.find(T_DOCUMENT_TYPE_CODE)) == INVOICED_OBJECT and ctx.document.document_reference is None:
        ctx.document.document_reference = text_of(el.find(T_ID))


def _supplier_party(ctx: Context, el: Element, path: str) -> None:
    ctx.document.supplier_seen = True
    party = el.find(T_PARTY)
    if party is None:
        said = Message.of(N_("the supplier has no cac:Party"))
        ctx.problems.error("cac:Party", said, path=f"{path}/cac:Party", line=el.sourceline)
    else:
        ctx.document.supplier = read_party(party, f"{path}/cac:Party", ctx.problems)


def _customer_party(ctx: Context, el: Element, path: str) -> None:
    party = el.find(T_PARTY)
    if party is not None:
        buyer = read_party(party, f"{path}/cac:Party", ctx.problems)
        ctx.document.buyer_organisation_number = buyer.organisation_number


def _payment_means(ctx: Context, el: Element, path: str) -> None:
    # The document's own DueDate wins; PaymentMeans only fills in when there is none.
    due = el.find(T_PAYMENT_DUE_DATE)
    if due is not None and ctx.document.due_date is None:
        ctx.document.due_date = ctx.values.date(due, f"{path}/cbc:PaymentDueDate")


def _allowance_charge(ctx: Context, el: Element, path: str) -> None:
    into = ctx.document.allowances_charges
    read_allowance_charge(ctx, el, path, rules.DEC_DOCUMENT_ALLOWANCE_CHARGE, into)


#: The reader of each document-level element the importer knows, by tag.
_HEADER_READERS: dict[object, Callable[[Context, Element, str], None]] = {
    T_ID: _number,
    T_ISSUE_DATE: _issue_date,
    T_DUE_DATE: _due_date,
    T_TAX_CURRENCY: _tax_currency,
    T_ACCOUNTING_COST: _accounting_cost,
    T_BUYER_REFERENCE: _buyer_reference,
    T_CUSTOMIZATION_ID: _customization_id,
    T_INVOICE_PERIOD: _invoice_period,
    T_BILLING_REFERENCE: _billing_reference,
    T_ADDITIONAL_DOCUMENT_REFERENCE: _additional_document_reference,
    T_SUPPLIER_PARTY: _supplier_party,
    T_CUSTOMER_PARTY: _customer_party,
    T_PAYMENT_MEANS: _payment_means,
    T_ALLOWANCE_CHARGE: _allowance_charge,
    T_TAX_TOTAL: read_tax_total,
    T_LEGAL_MONETARY_TOTAL: read_monetary_total,
}
