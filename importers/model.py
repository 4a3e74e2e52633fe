"""What an importer hands to the ledger: immutable records with exact amounts.

Every amount is a ``Decimal`` and is *signed by document*: a credit note (kreditnota) is
turned into negative amounts here, once, so the ledger never needs to know which kind of
document a line came from. A negative invoice (a correction sent as an Invoice with negative
amounts) keeps its own signs; nothing is negated twice.

Every record keeps where it came from (``location``: an XML path or a CSV line), so an
auditor can trace each öre back to the file.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, make_dataclass
from dataclasses import field as dataclass_field
from datetime import date
from decimal import Decimal
from typing import Any, Literal, TypeVar

from importers.text import Message

__all__ = [
    "AllowanceCharge",
    "DocumentType",
    "ParseError",
    "ParseResult",
    "ParsedInvoice",
    "ParsedLine",
    "ReferenceSource",
    "SourceFormat",
    "SupplierRef",
    "fast_constructor",
    "gc_paused",
    "new_parsed_line",
]

SourceFormat = Literal["peppol", "csv"]
DocumentType = Literal["invoice", "credit_note"]
#: Where a line's reference (phone number, subscription id, IMEI ...) was found:
#: ``BT-128`` the line's invoiced object (cac:DocumentReference, type 130), ``BT-18`` the
#: document's invoiced object (cac:AdditionalDocumentReference, type 130), ``note`` the line's
#: cbc:Note, ``accounting_cost`` the line's cbc:AccountingCost, ``item_property`` an IMEI or
#: ICCID item property, ``csv`` the CSV column ``Nummer``.
ReferenceSource = Literal["BT-128", "BT-18", "note", "accounting_cost", "item_property", "csv"]


@dataclass(frozen=True, slots=True)
class SupplierRef:
    """The seller (leverantör) as the document identifies it.

    ``organisation_number`` is the Swedish organisationsnummer as ``NNNNNN-NNNN``, taken from
    the PEPPOL endpoint (scheme 0007), else the legal entity's company id, else a Swedish VAT
    number (``SE`` + ten digits + ``01``); ``None`` for a foreign supplier.
    """

    organisation_number: str | None
    endpoint_id: str | None = None
    endpoint_scheme: str | None = None
    name: str | None = None
    vat_id: str | None = None


@dataclass(frozen=True, slots=True)
class AllowanceCharge:
    """A discount (rabatt, ``is_charge=False``) or fee (avgift, ``is_charge=True``).

    ``amount`` is signed as it affects the net amount, after the document sign: an allowance
    on an invoice is negative, a charge positive, and a credit note flips both.
    """

    is_charge: bool
    amount: Decimal
    reason: str | None
    reason_code: str | None
    vat_category: str | None
    vat_rate: Decimal | None
    location: str


@dataclass(frozen=True, slots=True)
class ParsedLine:
    """One invoice line (fakturarad), the unit the ledger allocates.

    ``net_amount`` is the line's net amount excluding VAT (LineExtensionAmount), signed by
    document; ``quantity`` is signed the same way, while ``unit_price`` (the price of one unit,
    i.e. PriceAmount divided by its base quantity) is never negated, so
    ``quantity * unit_price`` has the sign of ``net_amount``. ``reference`` is the raw text of
    what the line is about (phone number, subscription id, IMEI, extension); the ledger
    normalises and matches it. ``allowances_charges`` are informational: their effect is
    already inside ``net_amount``.
    """

    position: int
    line_id: str
    description: str | None
    item_name: str | None
    seller_item_code: str | None
    charge_type: str | None
    quantity: Decimal | None
    unit_code: str | None
    unit_price: Decimal | None
    net_amount: Decimal
    vat_category: str | None
    vat_rate: Decimal | None
    period_start: date | None
    period_end: date | None
    reference: str | None
    reference_source: ReferenceSource | None
    location: str
    allowances_charges: tuple[AllowanceCharge, ...] = ()


_T = TypeVar("_T")


def fast_constructor(cls: type[_T]) -> Callable[..., _T]:
    """A positional constructor for a frozen slots dataclass, about six times faster.

    A frozen dataclass's ``__init__`` sets every field through ``object.__setattr__`` (to get
    past its own read-only ``__setattr__``), which costs about 4 µs for ``ParsedLine``: 4 s on
    a million-line specification. This builds the object as an identical but mutable twin
    (same slots, same order) and then sets its class, which CPython allows because the
    layouts are the same. The result is an ordinary frozen instance; a test checks it equals
    the one ``cls(*values)`` builds. All fields must be given, positionally, in order.
    """
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    twin: Any = make_dataclass(f"_{cls.__name__}Twin", names, slots=True)
    if tuple(twin.__slots__) != tuple(getattr(cls, "__slots__", ())):  # pragma: no cover - safety net
        return cls

    def build(*values: Any) -> _T:
        obj = twin(*values)
        obj.__class__ = cls
        return obj  # type: ignore[no-any-return]

    return build


@dataclass(frozen=True, slots=True)
class ParsedInvoice:
    """One invoice or credit note, with totals that have been checked to add up.

    Totals are signed by document. They relate as::

        net_total   = line_total - allowance_total + charge_total   (TaxExclusiveAmount)
        gross_total = net_total + vat_total                          (TaxInclusiveAmount)
        payable     = gross_total - prepaid + rounding               (PayableAmount)

    ``allowance_total`` and ``charge_total`` are the document-level sums as the standard
    states them (BT-107, BT-108: positive on an ordinary invoice); the individual
    ``allowances_charges`` carry their effect on the net instead (an allowance negative), so
    also ``net_total == line_total + sum(ac.amount for ac in allowances_charges)``.
    ``rounding`` (öresavrundning, PayableRoundingAmount) is kept apart: it is not a cost.
    """

    source: str
    format: SourceFormat
    document_type: DocumentType
    type_code: str
    number: str
    issue_date: date
    due_date: date | None
    currency: str
    tax_currency: str | None
    supplier: SupplierRef
    buyer_organisation_number: str | None
    buyer_reference: str | None
    accounting_cost: str | None
    period_start: date | None
    period_end: date | None
    billing_references: tuple[str, ...]
    document_reference: str | None
    lines: tuple[ParsedLine, ...]
    allowances_charges: tuple[AllowanceCharge, ...]
    line_total: Decimal
    allowance_total: Decimal
    charge_total: Decimal
    net_total: Decimal
    vat_total: Decimal
    gross_total: Decimal
    prepaid: Decimal
    rounding: Decimal
    payable: Decimal
    #: VAT in the tax currency (BT-111) when the invoice states one, e.g. SEK on a USD invoice.
    vat_total_tax_currency: Decimal | None = None
    #: The specification the document claims (cbc:CustomizationID), for the record.
    customization_id: str | None = None

    @property
    def sign(self) -> int:
        """-1 for a credit note, else 1: the factor already applied to every amount."""
        return -1 if self.document_type == "credit_note" else 1


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large file is turned into records.

    A million-line file creates a million tracked objects, and the collector would walk all
    of them again and again as they accumulate (a third of the parse time, measured). The
    records hold no reference cycles, so nothing is lost; the collector is restored after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


#: Build a ``ParsedLine`` from all 18 fields in order, fast (the importers' hot loops use it).
new_parsed_line: Callable[..., ParsedLine] = fast_constructor(ParsedLine)


@dataclass(frozen=True, slots=True)
class ParseError:
    """One problem found in a file, pointing at where it is.

    ``line`` is the physical line in the file (CSV: the header is line 1; XML: the line the
    element starts on), ``path`` the XML path (``/Invoice/cac:InvoiceLine[3]/cbc:ID``),
    ``field`` the column or element concerned, ``rule`` the EN 16931 / PEPPOL rule id when
    one applies (``BR-CO-10``).

    ``message`` is the problem in English, as the command line and the API show it;
    ``template`` and ``params`` are the same sentence as a catalogue text (marked with ``N_``)
    and its values, for a page to show in the reader's language (``gettext(template, **params)``
    is ``message`` in English). They are not compared: an error is what it says, where.
    """

    file: str
    line: int | None
    path: str | None
    field: str
    message: str
    rule: str | None = None
    template: str | None = dataclass_field(default=None, compare=False)
    params: dict[str, str] = dataclass_field(default_factory=dict, compare=False)

    @classmethod
    def of(
        cls, file: str, line: int | None, path: str | None, field: str, said: Message, rule: str | None = None
    ) -> ParseError:
        """The error that says ``said`` (in English in ``message``, translatable by its template)."""
        return cls(file, line, path, field, str(said), rule, said.template, said.params)

    @property
    def said(self) -> Message:
        """What the error says, as a catalogue text and its values (the English message itself
        for an error made without a template)."""
        if self.template is None:
            return Message("%(message)s", {"message": self.message})
        return Message(self.template, self.params)

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where = f"{where}:{self.line}"
        if self.path:
            where = f"{where}: {self.path}"
        return f"{where}: {self.field}: {self.message}"


@dataclass(slots=True)
class ParseResult:
    """Errors as values: the invoices of a file, or why there are none.

    A file with any error yields no invoices at all; a file is imported whole or not at all.
    ``warnings`` do not stop the import (e.g. a line whose quantity times price differs from
    its net amount, which PEPPOL itself only warns about). ``encoding`` is the text encoding
    a CSV file was read with (``utf-8``, ``utf-8-sig``, ``cp1252`` ...).
    """

    invoices: list[ParsedInvoice] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    warnings: list[ParseError] = field(default_factory=list)
    encoding: str | None = None

    @property
    def ok(self) -> bool:
        """True when the file parsed without errors (warnings allowed)."""
        return not self.errors
