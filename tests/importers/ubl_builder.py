"""Write small, consistent UBL invoices for tests (and large ones for speed checks).

``build_invoice`` computes every total the way EN 16931 does, so a test states only what it
is about (a credit note, an SBDH envelope, a total off by one öre ...) and the rest adds up.
The output is our own synthetic data: no public sample is copied into the project.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS_SBDH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
PEPPOL_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"


@dataclass
class Line:
    """One line; ``net`` defaults to quantity × price + charges − allowances."""

    quantity: str = "1"
    price: str = "100.00"
    net: str | None = None
    name: str = "Mobilabonnemang"
    line_id: str | None = None
    note: str | None = None
    accounting_cost: str | None = None
    object_ref: str | None = None  # BT-128
    period: tuple[str, str] | None = None
    allowances: Sequence[str] = ()
    charges: Sequence[str] = ()
    properties: Mapping[str, str] = field(default_factory=dict)
    vat_rate: str = "25"
    seller_item_code: str | None = None
    currency: str | None = None  # override the line amount's currencyID
    unit_code: str = "EA"

    def net_amount(self) -> Decimal:
        if self.net is not None:
            return Decimal(self.net)
        return (
            Decimal(self.quantity) * Decimal(self.price)
            + sum((Decimal(c) for c in self.charges), Decimal(0))
            - sum((Decimal(a) for a in self.allowances), Decimal(0))
        ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_invoice(
    lines: Iterable[Line] | None = None,
    *,
    credit_note: bool = False,
    number: str = "INV-2026-001",
    issue_date: str = "2026-02-01",
    due_date: str | None = "2026-03-03",
    currency: str = "SEK",
    tax_currency: str | None = None,
    type_code: str | None = None,
    document_ref: str | None = None,  # BT-18
    billing_refs: Sequence[str] = (),
    doc_allowances: Sequence[str] = (),
    doc_charges: Sequence[str] = (),
    prepaid: str | None = None,
    rounding: str | None = None,
    period: tuple[str, str] | None = None,
    supplier_orgnr: str | None = "5566778899",
    supplier_name: str = "Operatören AB",
    with_supplier: bool = True,
    totals: Mapping[str, str] | None = None,
    tax_amount: str | None = None,
    subtotal_tax_amount: str | None = None,
    cac: str = "cac",
    cbc: str = "cbc",
    root_prefix: str | None = None,
    sbdh: bool = False,
    customization: str = PEPPOL_CUSTOMIZATION,
    omit: Sequence[str] = (),
    prolog: str = '<?xml version="1.0" encoding="UTF-8"?>\n',
) -> bytes:
    """A UBL Invoice (or CreditNote) whose totals add up unless ``totals`` overrides one.

    ``totals`` maps LegalMonetaryTotal element names to the text to write instead of the
    computed value; ``tax_amount`` / ``subtotal_tax_amount`` do the same for the VAT.
    ``cac`` / ``cbc`` / ``root_prefix`` choose the namespace prefixes; ``omit`` drops header
    elements by local name (``ID``, ``IssueDate``, ``DocumentCurrencyCode``,
    ``AccountingSupplierParty``).
    """
    line_list = list(lines) if lines is not None else [Line()]
    kind = "CreditNote" if credit_note else "Invoice"
    ns = NS_CREDIT_NOTE if credit_note else NS_INVOICE
    qty_tag = "CreditedQuantity" if credit_note else "InvoicedQuantity"
    a, b = cac, cbc
    root = f"{root_prefix}:{kind}" if root_prefix else kind
    root_ns = f'xmlns:{root_prefix}="{ns}"' if root_prefix else f'xmlns="{ns}"'
    cur = currency

    def amt(tag: str, value: Decimal | str, currency_id: str | None = None) -> str:
        return f'<{b}:{tag} currencyID="{currency_id or cur}">{value}</{b}:{tag}>'

    out: list[str] = []
    w = out.append
    if sbdh:
        w(f'<sh:StandardBusinessDocument xmlns:sh="{NS_SBDH}"><sh:StandardBusinessDocumentHeader>')
        w("<sh:HeaderVersion>1.0</sh:HeaderVersion>")
        w('<sh:Sender><sh:Identifier Authority="iso6523-actorid-upis">0007:5566778899</sh:Identifier>')
        w("</sh:Sender></sh:StandardBusinessDocumentHeader>")
    w(f'<{root} {root_ns} xmlns:{a}="{NS_CAC}" xmlns:{b}="{NS_CBC}">')
    w(f"<{b}:CustomizationID>{customization}</{b}:CustomizationID>")
    w(f"<{b}:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</{b}:ProfileID>")
    if "ID" not in omit:
        w(f"<{b}:ID>{_esc(number)}</{b}:ID>")
    if "IssueDate" not in omit:
        w(f"<{b}:IssueDate>{issue_date}</{b}:IssueDate>")
    if due_date and not credit_note:
        w(f"<{b}:DueDate>{due_date}</{b}:DueDate>")
    code = type_code or ("381" if credit_note else "380")
    w(f"<{b}:{kind}TypeCode>{code}</{b}:{kind}TypeCode>")
    if "DocumentCurrencyCode" not in omit:
        w(f"<{b}:DocumentCurrencyCode>{currency}</{b}:DocumentCurrencyCode>")
    if tax_currency:
        w(f"<{b}:TaxCurrencyCode>{tax_currency}</{b}:TaxCurrencyCode>")
    w(f"<{b}:BuyerReference>KS-1</{b}:BuyerReference>")
    if period:
        w(f"<{a}:InvoicePeriod><{b}:StartDate>{period[0]}</{b}:StartDate>")
        w(f"<{b}:EndDate>{period[1]}</{b}:EndDate></{a}:InvoicePeriod>")
    for ref in billing_refs:
        w(f"<{a}:BillingReference><{a}:InvoiceDocumentReference><{b}:ID>{_esc(ref)}</{b}:ID>")
        w(f"</{a}:InvoiceDocumentReference></{a}:BillingReference>")
    if document_ref:
        w(f"<{a}:AdditionalDocumentReference><{b}:ID>{_esc(document_ref)}</{b}:ID>")
        w(f"<{b}:DocumentTypeCode>130</{b}:DocumentTypeCode></{a}:AdditionalDocumentReference>")
    if with_supplier and "AccountingSupplierParty" not in omit:
        w(f"<{a}:AccountingSupplierParty><{a}:Party>")
        if supplier_orgnr:
            w(f'<{b}:EndpointID schemeID="0007">{supplier_orgnr}</{b}:EndpointID>')
        w(f"<{a}:PartyName><{b}:Name>{_esc(supplier_name)}</{b}:Name></{a}:PartyName>")
        w(f"<{a}:PostalAddress><{a}:Country><{b}:IdentificationCode>SE</{b}:IdentificationCode>")
        w(f"</{a}:Country></{a}:PostalAddress>")
        if supplier_orgnr:
            w(f"<{a}:PartyTaxScheme><{b}:CompanyID>SE{supplier_orgnr}01</{b}:CompanyID>")
            w(f"<{a}:TaxScheme><{b}:ID>VAT</{b}:ID></{a}:TaxScheme></{a}:PartyTaxScheme>")
        w(f"<{a}:PartyLegalEntity><{b}:RegistrationName>{_esc(supplier_name)}</{b}:RegistrationName>")
        w(f"</{a}:PartyLegalEntity></{a}:Party></{a}:AccountingSupplierParty>")
    w(f'<{a}:AccountingCustomerParty><{a}:Party><{b}:EndpointID schemeID="0007">2120001637</{b}:EndpointID>')
    w(f"<{a}:PartyLegalEntity><{b}:RegistrationName>Karlsborgs kommun</{b}:RegistrationName>")
    w(f"</{a}:PartyLegalEntity></{a}:Party></{a}:AccountingCustomerParty>")

    def ac(is_charge: bool, amount: str, reason: str, doc_level: bool) -> str:
        tax = (
            f"<{a}:TaxCategory><{b}:ID>S</{b}:ID><{b}:Percent>25</{b}:Percent>"
            f"<{a}:TaxScheme><{b}:ID>VAT</{b}:ID></{a}:TaxScheme></{a}:TaxCategory>"
            if doc_level
            else ""
        )
        return (
            f"<{a}:AllowanceCharge><{b}:ChargeIndicator>{'true' if is_charge else 'false'}</{b}:ChargeIndicator>"
            f"<{b}:AllowanceChargeReason>{reason}</{b}:AllowanceChargeReason>{amt('Amount', amount)}{tax}"
            f"</{a}:AllowanceCharge>"
        )

    for amount in doc_allowances:
        w(ac(False, amount, "Rabatt", True))
    for amount in doc_charges:
        w(ac(True, amount, "Fakturaavgift", True))

    # VAT per rate over the taxable base (lines plus document allowances/charges at 25 %).
    bases: dict[str, Decimal] = {}
    for line in line_list:
        bases[line.vat_rate] = bases.get(line.vat_rate, Decimal(0)) + line.net_amount()
    doc_net = sum((Decimal(c) for c in doc_charges), Decimal(0)) - sum((Decimal(x) for x in doc_allowances), Decimal(0))
    if doc_net:
        bases["25"] = bases.get("25", Decimal(0)) + doc_net
    vat_parts = {
        rate: (base * Decimal(rate) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        for rate, base in bases.items()
    }
    vat = sum(vat_parts.values(), Decimal("0.00"))
    w(f"<{a}:TaxTotal>{amt('TaxAmount', tax_amount or vat)}")
    for rate, base in bases.items():
        part = subtotal_tax_amount if subtotal_tax_amount is not None and len(bases) == 1 else vat_parts[rate]
        w(f"<{a}:TaxSubtotal>{amt('TaxableAmount', base)}{amt('TaxAmount', part)}")
        w(f"<{a}:TaxCategory><{b}:ID>S</{b}:ID><{b}:Percent>{rate}</{b}:Percent>")
        w(f"<{a}:TaxScheme><{b}:ID>VAT</{b}:ID></{a}:TaxScheme></{a}:TaxCategory></{a}:TaxSubtotal>")
    w(f"</{a}:TaxTotal>")
    if tax_currency:
        w(f"<{a}:TaxTotal>{amt('TaxAmount', vat * 10, tax_currency)}</{a}:TaxTotal>")

    line_total = sum((line.net_amount() for line in line_list), Decimal("0.00"))
    allowance_total = sum((Decimal(x) for x in doc_allowances), Decimal("0.00"))
    charge_total = sum((Decimal(x) for x in doc_charges), Decimal("0.00"))
    tax_exclusive = line_total - allowance_total + charge_total
    tax_inclusive = tax_exclusive + vat
    payable = tax_inclusive - Decimal(prepaid or 0) + Decimal(rounding or 0)
    computed: dict[str, Decimal | str | None] = {
        "LineExtensionAmount": line_total,
        "TaxExclusiveAmount": tax_exclusive,
        "TaxInclusiveAmount": tax_inclusive,
        "AllowanceTotalAmount": allowance_total if doc_allowances else None,
        "ChargeTotalAmount": charge_total if doc_charges else None,
        "PrepaidAmount": prepaid,
        "PayableRoundingAmount": rounding,
        "PayableAmount": payable,
    }
    computed.update(totals or {})
    w(f"<{a}:LegalMonetaryTotal>")
    for name, value in computed.items():
        if value is not None:
            w(amt(name, value))
    w(f"</{a}:LegalMonetaryTotal>")

    line_kind = f"{kind}Line"
    for i, line in enumerate(line_list, start=1):
        w(f"<{a}:{line_kind}><{b}:ID>{line.line_id or i}</{b}:ID>")
        if line.note is not None:
            w(f"<{b}:Note>{_esc(line.note)}</{b}:Note>")
        w(f'<{b}:{qty_tag} unitCode="{line.unit_code}">{line.quantity}</{b}:{qty_tag}>')
        w(amt("LineExtensionAmount", line.net_amount(), line.currency))
        if line.accounting_cost is not None:
            w(f"<{b}:AccountingCost>{_esc(line.accounting_cost)}</{b}:AccountingCost>")
        if line.period:
            w(f"<{a}:InvoicePeriod><{b}:StartDate>{line.period[0]}</{b}:StartDate>")
            w(f"<{b}:EndDate>{line.period[1]}</{b}:EndDate></{a}:InvoicePeriod>")
        if line.object_ref is not None:
            w(f'<{a}:DocumentReference><{b}:ID schemeID="ABZ">{_esc(line.object_ref)}</{b}:ID>')
            w(f"<{b}:DocumentTypeCode>130</{b}:DocumentTypeCode></{a}:DocumentReference>")
        for amount in line.allowances:
            w(ac(False, amount, "Rabatt", False))
        for amount in line.charges:
            w(ac(True, amount, "Avgift", False))
        w(f"<{a}:Item><{b}:Name>{_esc(line.name)}</{b}:Name>")
        if line.seller_item_code:
            w(f"<{a}:SellersItemIdentification><{b}:ID>{line.seller_item_code}</{b}:ID>")
            w(f"</{a}:SellersItemIdentification>")
        w(f"<{a}:ClassifiedTaxCategory><{b}:ID>S</{b}:ID><{b}:Percent>{line.vat_rate}</{b}:Percent>")
        w(f"<{a}:TaxScheme><{b}:ID>VAT</{b}:ID></{a}:TaxScheme></{a}:ClassifiedTaxCategory>")
        for prop_name, value in line.properties.items():
            w(f"<{a}:AdditionalItemProperty><{b}:Name>{_esc(prop_name)}</{b}:Name>")
            w(f"<{b}:Value>{_esc(value)}</{b}:Value></{a}:AdditionalItemProperty>")
        w(f"</{a}:Item><{a}:Price>{amt('PriceAmount', line.price)}</{a}:Price></{a}:{line_kind}>")
    w(f"</{root}>")
    if sbdh:
        w("</sh:StandardBusinessDocument>")
    return (prolog + "\n".join(out)).encode("utf-8")


def telephony_lines(count: int) -> list[Line]:
    """``count`` realistic telephony lines (subscriptions and traffic), for speed checks."""
    kinds = (
        ("Jobbmobil Bas, månadsavgift", "1", "149.00"),
        ("Samtal inom Sverige", "37.5", "0.49"),
        ("Mobildata", "12.25", "8.00"),
        ("Växelanknytning", "1", "59.00"),
    )
    lines = []
    for i in range(count):
        name, quantity, price = kinds[i % len(kinds)]
        number = f"070{(1000000 + i * 7) % 10000000:07d}"
        lines.append(
            Line(
                quantity=quantity,
                price=price,
                name=name,
                object_ref=number,
                period=("2026-01-01", "2026-01-31"),
                seller_item_code=f"P{i % len(kinds)}",
            )
        )
    return lines
