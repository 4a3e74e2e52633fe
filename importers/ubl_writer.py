"""Writing PEPPOL BIS Billing 3.0 invoices and generic CSV specifications.

The demo data and the benchmarks produce their invoices with this module, so that they go
through the same import path as a supplier's real files. Totals are computed the way EN 16931
defines them (BR-CO-10..16), so every file written here passes the importer's checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from importers.numbers import round_ore

CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS = {
    "Invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "CreditNote": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


@dataclass(frozen=True, slots=True)
class DraftLine:
    """One line; ``net`` is quantity × price rounded to öre unless given."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    unit_code: str = "EA"
    item_code: str | None = None
    reference: str | None = None  # BT-128: the subscription (phone number) or extension
    imei: str | None = None  # as an AdditionalItemProperty
    period: tuple[date, date] | None = None
    vat_rate: Decimal = Decimal(25)
    net: Decimal | None = None

    @property
    def amount(self) -> Decimal:
        return self.net if self.net is not None else round_ore(self.quantity * self.unit_price)


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    organisation_number: str  # NNNNNN-NNNN

    @property
    def digits(self) -> str:
        return self.organisation_number.replace("-", "")


@dataclass(frozen=True)
class DraftInvoice:
    number: str
    issue_date: date
    supplier: Party
    buyer: Party
    lines: Sequence[DraftLine]
    due_date: date | None = None
    period: tuple[date, date] | None = None
    credit_note: bool = False
    billing_reference: str | None = None
    buyer_reference: str = "Ekonomienheten"
    allowances: Sequence[tuple[Decimal, str]] = field(default_factory=tuple)  # (amount, reason), positive
    round_to_krona: bool = True


@dataclass(frozen=True, slots=True)
class _Totals:
    """A draft's totals, computed the way EN 16931 defines them (BR-CO-10..16)."""

    line_total: Decimal
    allowance_total: Decimal
    #: Taxable amount and VAT by rate; document allowances carry the standard rate.
    taxable_by_rate: dict[Decimal, Decimal]
    vat_by_rate: dict[Decimal, Decimal]
    vat_total: Decimal
    tax_exclusive: Decimal
    tax_inclusive: Decimal
    rounding: Decimal
    payable: Decimal


def _totals(draft: DraftInvoice) -> _Totals:
    line_total = sum((line.amount for line in draft.lines), Decimal(0))
    allowance_total = sum((amount for amount, _ in draft.allowances), Decimal(0))
    by_rate: dict[Decimal, Decimal] = {}
    for line in draft.lines:
        by_rate[line.vat_rate] = by_rate.get(line.vat_rate, Decimal(0)) + line.amount
    if draft.allowances:
        by_rate[Decimal(25)] = by_rate.get(Decimal(25), Decimal(0)) - allowance_total
    tax_exclusive = line_total - allowance_total
    vat_by_rate = {rate: round_ore(base * rate / 100) for rate, base in by_rate.items()}
    vat_total = sum(vat_by_rate.values(), Decimal(0))
    tax_inclusive = tax_exclusive + vat_total
    rounding = (tax_inclusive.quantize(Decimal(1), rounding=ROUND_HALF_UP) - tax_inclusive
                if draft.round_to_krona else Decimal(0))
    return _Totals(line_total, allowance_total, by_rate, vat_by_rate, vat_total, tax_exclusive, tax_inclusive,
                   rounding, tax_inclusive + rounding)


def write_invoice(draft: DraftInvoice) -> bytes:
    """A UBL Invoice or CreditNote for ``draft`` whose totals add up exactly."""
    kind = "CreditNote" if draft.credit_note else "Invoice"
    totals = _totals(draft)
    out = _header(draft, kind)
    out.append(_party("AccountingSupplierParty", draft.supplier))
    out.append(_party("AccountingCustomerParty", draft.buyer))
    out.extend(_allowance(amount, reason) for amount, reason in draft.allowances)
    out.extend(_tax_total(totals))
    out.append(_monetary_total(totals, bool(draft.allowances)))
    line_tag = "CreditNoteLine" if draft.credit_note else "InvoiceLine"
    qty_tag = "CreditedQuantity" if draft.credit_note else "InvoicedQuantity"
    for position, line in enumerate(draft.lines, start=1):
        out.append(_line(line_tag, qty_tag, position, line))
    out.append(f"</{kind}>")
    return "\n".join(out).encode("utf-8")


def _header(draft: DraftInvoice, kind: str) -> list[str]:
    """The declaration, the root's start tag and the document-level elements before the parties."""
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>',
                      f'<{kind} xmlns="{NS[kind]}" xmlns:cac="{CAC}" xmlns:cbc="{CBC}">',
                      f"<cbc:CustomizationID>{CUSTOMIZATION}</cbc:CustomizationID>",
                      f"<cbc:ProfileID>{PROFILE}</cbc:ProfileID>",
                      f"<cbc:ID>{escape(draft.number)}</cbc:ID>",
                      f"<cbc:IssueDate>{draft.issue_date.isoformat()}</cbc:IssueDate>"]
    if draft.due_date and not draft.credit_note:
        out.append(f"<cbc:DueDate>{draft.due_date.isoformat()}</cbc:DueDate>")
    out.append(f"<cbc:{kind}TypeCode>{'381' if draft.credit_note else '380'}</cbc:{kind}TypeCode>")
    out.append("<cbc:DocumentCurrencyCode>SEK</cbc:DocumentCurrencyCode>")
    out.append(f"<cbc:BuyerReference>{escape(draft.buyer_reference)}</cbc:BuyerReference>")
    if draft.period:
        out.append(_period(draft.period))
    if draft.billing_reference:
        out.append(f"<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>{escape(draft.billing_reference)}"
                   "</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>")
    return out


def _allowance(amount: Decimal, reason: str) -> str:
    return ("<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator>"
            f"<cbc:AllowanceChargeReason>{escape(reason)}</cbc:AllowanceChargeReason>"
            f'<cbc:Amount currencyID="SEK">{amount:.2f}</cbc:Amount>'
            "<cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent>"
            "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:AllowanceCharge>")


def _tax_total(totals: _Totals) -> list[str]:
    out = [f'<cac:TaxTotal><cbc:TaxAmount currencyID="SEK">{totals.vat_total:.2f}</cbc:TaxAmount>']
    for rate in sorted(totals.taxable_by_rate):
        out.append(f'<cac:TaxSubtotal><cbc:TaxableAmount currencyID="SEK">{totals.taxable_by_rate[rate]:.2f}'
                   "</cbc:TaxableAmount>"
                   f'<cbc:TaxAmount currencyID="SEK">{totals.vat_by_rate[rate]:.2f}</cbc:TaxAmount>'
                   f"<cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>{rate.normalize()}</cbc:Percent>"
                   "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal>")
    out.append("</cac:TaxTotal>")
    return out


def _monetary_total(totals: _Totals, with_allowances: bool) -> str:
    return ("<cac:LegalMonetaryTotal>"
            f'<cbc:LineExtensionAmount currencyID="SEK">{totals.line_total:.2f}</cbc:LineExtensionAmount>'
            f'<cbc:TaxExclusiveAmount currencyID="SEK">{totals.tax_exclusive:.2f}</cbc:TaxExclusiveAmount>'
            f'<cbc:TaxInclusiveAmount currencyID="SEK">{totals.tax_inclusive:.2f}</cbc:TaxInclusiveAmount>'
            + (f'<cbc:AllowanceTotalAmount currencyID="SEK">{totals.allowance_total:.2f}</cbc:AllowanceTotalAmount>'
               if with_allowances else "")
            + (f'<cbc:PayableRoundingAmount currencyID="SEK">{totals.rounding:.2f}</cbc:PayableRoundingAmount>'
               if totals.rounding else "")
            + f'<cbc:PayableAmount currencyID="SEK">{totals.payable:.2f}</cbc:PayableAmount></cac:LegalMonetaryTotal>')


def _period(period: tuple[date, date]) -> str:
    return (f"<cac:InvoicePeriod><cbc:StartDate>{period[0].isoformat()}</cbc:StartDate>"
            f"<cbc:EndDate>{period[1].isoformat()}</cbc:EndDate></cac:InvoicePeriod>")


def _party(tag: str, party: Party) -> str:
    return (f'<cac:{tag}><cac:Party><cbc:EndpointID schemeID="0007">{party.digits}</cbc:EndpointID>'
            f"<cac:PartyName><cbc:Name>{escape(party.name)}</cbc:Name></cac:PartyName>"
            "<cac:PostalAddress><cac:Country><cbc:IdentificationCode>SE</cbc:IdentificationCode></cac:Country>"
            "</cac:PostalAddress>"
            f"<cac:PartyTaxScheme><cbc:CompanyID>SE{party.digits}01</cbc:CompanyID>"
            "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>"
            f"<cac:PartyLegalEntity><cbc:RegistrationName>{escape(party.name)}</cbc:RegistrationName>"
            f"<cbc:CompanyID>{party.digits}</cbc:CompanyID></cac:PartyLegalEntity></cac:Party></cac:{tag}>")


def _line(line_tag: str, qty_tag: str, position: int, line: DraftLine) -> str:
    parts = [f"<cac:{line_tag}><cbc:ID>{position}</cbc:ID>",
             f'<cbc:{qty_tag} unitCode="{line.unit_code}">{line.quantity}</cbc:{qty_tag}>',
             f'<cbc:LineExtensionAmount currencyID="SEK">{line.amount:.2f}</cbc:LineExtensionAmount>']
    if line.period:
        parts.append(_period(line.period))
    if line.reference:
        parts.append(f"<cac:DocumentReference><cbc:ID>{escape(line.reference)}</cbc:ID>"
                     "<cbc:DocumentTypeCode>130</cbc:DocumentTypeCode></cac:DocumentReference>")
    parts.append(f"<cac:Item><cbc:Name>{escape(line.description)}</cbc:Name>")
    if line.item_code:
        parts.append(f"<cac:SellersItemIdentification><cbc:ID>{escape(line.item_code)}</cbc:ID>"
                     "</cac:SellersItemIdentification>")
    if line.imei:
        parts.append(f"<cac:AdditionalItemProperty><cbc:Name>IMEI</cbc:Name><cbc:Value>{line.imei}</cbc:Value>"
                     "</cac:AdditionalItemProperty>")
    parts.append(f"<cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>{line.vat_rate.normalize()}</cbc:Percent>"
                 "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>")
    parts.append(f'<cac:Price><cbc:PriceAmount currencyID="SEK">{line.unit_price}</cbc:PriceAmount></cac:Price>')
    parts.append(f"</cac:{line_tag}>")
    return "".join(parts)


CSV_COLUMNS = ("Organisationsnummer", "Fakturanummer", "Fakturadatum", "Nummer", "Artikelnummer", "Text", "Från",
               "Till", "Antal", "À-pris", "Belopp exkl. moms", "Momssats")


def _comma(value: Decimal) -> str:
    return str(value).replace(".", ",")


def csv_specification(rows: Iterable[tuple[str, str, date, str, str, str, date, date, Decimal, Decimal, Decimal]]
                      ) -> bytes:
    """The generic CSV layout (INTERFACE.md): ``;``, decimal comma, UTF-8 with BOM. Each row:
    supplier, invoice number, invoice date, reference, item code, text, from, to, quantity,
    unit price, net amount."""
    out = ["\ufeff" + ";".join(CSV_COLUMNS)]
    for orgnr, number, issued, reference, item_code, text, start, end, quantity, price, amount in rows:
        out.append(";".join((orgnr, number, issued.isoformat(), reference, item_code, text.replace(";", ","),
                             start.isoformat(), end.isoformat(), _comma(quantity), _comma(price),
                             f"{amount:.2f}".replace(".", ","), "25")))
    return ("\r\n".join(out) + "\r\n").encode("utf-8")
