"""What is known about the document being read: plain records the readers fill in and the rules check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from importers.model import AllowanceCharge, ParsedLine, SupplierRef
from importers.numbers import ORE_ZERO, ZERO
from importers.peppol.names import (
    T_CREDIT_NOTE,
    T_CREDIT_NOTE_LINE,
    T_CREDITED_QUANTITY,
    T_INVOICE,
    T_INVOICE_LINE,
    T_INVOICED_QUANTITY,
)

if TYPE_CHECKING:
    from lxml.etree import _Element as Element


@dataclass(frozen=True, slots=True)
class DocumentKind:
    """Invoice or CreditNote: the names its elements have in the file and in paths."""

    root_name: str
    line_tag: str
    line_name: str
    quantity_tag: str
    quantity_suffix: str
    #: Whether the root alone makes it a credit (every amount is negated).
    credits: bool
    #: ``/Invoice`` and ``/Invoice/cac:InvoiceLine``: where paths start (fixed once, as they
    #: begin every line's path).
    root_path: str = field(init=False)
    line_path: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "root_path", f"/{self.root_name}")
        object.__setattr__(self, "line_path", f"/{self.root_name}/cac:{self.line_name}")

    @property
    def default_type_code(self) -> str:
        """The UNTDID 1001 code assumed when the document states none (BR-04)."""
        return "381" if self.credits else "380"


INVOICE = DocumentKind("Invoice", T_INVOICE_LINE, "InvoiceLine", T_INVOICED_QUANTITY, "/cbc:InvoicedQuantity", False)
CREDIT_NOTE = DocumentKind(
    "CreditNote", T_CREDIT_NOTE_LINE, "CreditNoteLine", T_CREDITED_QUANTITY, "/cbc:CreditedQuantity", True
)
KINDS = {T_INVOICE: INVOICE, T_CREDIT_NOTE: CREDIT_NOTE}


@dataclass(slots=True)
class AllowancesCharges:
    """The allowances and charges of one level (the document or a line).

    The sums are of the amounts as written (positive), as BR-CO-11/12 compare them; each
    record carries its signed effect on the net instead.
    """

    records: list[AllowanceCharge] = field(default_factory=list)
    allowances: Decimal = ZERO
    charges: Decimal = ZERO

    def add(self, is_charge: bool, amount: Decimal, record: AllowanceCharge) -> None:
        self.records.append(record)
        if is_charge:
            self.charges += amount
        else:
            self.allowances += amount


@dataclass(slots=True)
class Document:
    """The document-level values read so far, and what the lines add up to."""

    kind: DocumentKind = INVOICE
    #: -1 for a credit (a CreditNote, or an Invoice with a credit type code), else 1.
    sign: int = 1
    number: str | None = None
    issue_date: date | None = None
    due_date: date | None = None
    type_code: str | None = None
    currency: str | None = None
    tax_currency: str | None = None
    accounting_cost: str | None = None
    buyer_reference: str | None = None
    customization_id: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    billing_references: list[str] = field(default_factory=list)
    document_reference: str | None = None
    supplier: SupplierRef | None = None
    supplier_seen: bool = False
    buyer_organisation_number: str | None = None
    allowances_charges: AllowancesCharges = field(default_factory=AllowancesCharges)
    #: (currencyID, TaxAmount) of each cac:TaxTotal.
    tax_totals: list[tuple[str | None, Decimal | None]] = field(default_factory=list)
    #: LegalMonetaryTotal members by local name, and the line in the file of each.
    totals: dict[str, Decimal] = field(default_factory=dict)
    total_lines: dict[str, int | None] = field(default_factory=dict)
    totals_seen: bool = False
    lines: list[ParsedLine] = field(default_factory=list)
    line_sum: Decimal = ZERO


@dataclass(slots=True)
class LineParts:
    """The children of one invoice line, found in one pass; most values are read after."""

    position: int
    path: str
    element: Element
    line_id: str | None = None  # the raw text
    net: Element | None = None
    quantity: Element | None = None
    item: Element | None = None
    price: Element | None = None
    note: str | None = None
    accounting_cost: str | None = None
    object_ref: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    allowances_charges: list[Element] | None = None

    @property
    def sourceline(self) -> int | None:
        """The line in the file where the line element starts (asked only to report an error)."""
        return self.element.sourceline


@dataclass(slots=True)  # not frozen: one per line, and a frozen one is slower to build
class LineAmounts:
    """A line's net beside what its quantity, price, allowances and charges make."""

    net: Decimal
    quantity: Decimal | None
    unit_price: Decimal | None
    allowances_charges: AllowancesCharges | None
    path: str
    net_line: int | None


@dataclass(frozen=True, slots=True)
class TaxTotal:
    """One cac:TaxTotal: its amount and the sum of its subtotals, where they could be read."""

    amount: Decimal | None
    subtotal_sum: Decimal | None
    path: str
    line: int | None


@dataclass(frozen=True, slots=True)
class Totals:
    """The LegalMonetaryTotal as stated, beside what the document's parts add up to."""

    line_extension: Decimal
    allowance_total: Decimal | None
    charge_total: Decimal | None
    tax_exclusive: Decimal
    tax_inclusive: Decimal
    prepaid: Decimal
    rounding: Decimal
    payable: Decimal
    #: TaxTotal/TaxAmount in the document currency, and in the tax currency (BT-111) if any.
    vat: Decimal
    vat_tax_currency: Decimal | None
    line_sum: Decimal
    allowance_sum: Decimal
    charge_sum: Decimal
    #: The LegalMonetaryTotal's path, and the line in the file of each member.
    path: str
    source_lines: Mapping[str, int | None]

    @classmethod
    def of(cls, document: Document) -> Totals:
        """The totals of a document that has every mandatory LegalMonetaryTotal member."""
        t = document.totals
        vat, vat_tax_currency = _vat(document)
        acs = document.allowances_charges
        return cls(
            line_extension=t["LineExtensionAmount"],
            allowance_total=t.get("AllowanceTotalAmount"),
            charge_total=t.get("ChargeTotalAmount"),
            tax_exclusive=t["TaxExclusiveAmount"],
            tax_inclusive=t["TaxInclusiveAmount"],
            prepaid=t.get("PrepaidAmount", ORE_ZERO),
            rounding=t.get("PayableRoundingAmount", ORE_ZERO),
            payable=t["PayableAmount"],
            vat=vat,
            vat_tax_currency=vat_tax_currency,
            line_sum=document.line_sum,
            allowance_sum=acs.allowances,
            charge_sum=acs.charges,
            path=f"{document.kind.root_path}/cac:LegalMonetaryTotal[1]",
            source_lines=document.total_lines,
        )


def _vat(document: Document) -> tuple[Decimal, Decimal | None]:
    """The VAT total in the document currency (the first such TaxTotal), and in the tax currency."""
    vat: Decimal | None = None
    vat_tax_currency: Decimal | None = None
    for currency, amount in document.tax_totals:
        if amount is None:
            continue
        if currency == document.currency and vat is None:
            vat = amount
        elif document.tax_currency is not None and currency == document.tax_currency:
            vat_tax_currency = amount
    return (vat if vat is not None else ORE_ZERO), vat_tax_currency
