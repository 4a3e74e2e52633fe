"""The UBL element names the parser reads, and how elements appear in paths and messages.

Tags are in Clark notation (``{namespace}local``), so matching never depends on the prefix a
file happens to use. Paths in errors use the conventional ``cac:``/``cbc:`` prefixes instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml.etree import _Element as Element

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS_SBDH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"


def cac(name: str) -> str:
    """An aggregate component's tag."""
    return f"{{{NS_CAC}}}{name}"


def cbc(name: str) -> str:
    """A basic component's tag."""
    return f"{{{NS_CBC}}}{name}"


T_INVOICE = f"{{{NS_INVOICE}}}Invoice"
T_CREDIT_NOTE = f"{{{NS_CREDIT_NOTE}}}CreditNote"
T_INVOICE_LINE = cac("InvoiceLine")
T_CREDIT_NOTE_LINE = cac("CreditNoteLine")

# Basic components (cbc)
T_ID = cbc("ID")
T_NOTE = cbc("Note")
T_NAME = cbc("Name")
T_VALUE = cbc("Value")
T_DESCRIPTION = cbc("Description")
T_PERCENT = cbc("Percent")
T_AMOUNT = cbc("Amount")
T_ISSUE_DATE = cbc("IssueDate")
T_DUE_DATE = cbc("DueDate")
T_PAYMENT_DUE_DATE = cbc("PaymentDueDate")
T_INVOICE_TYPE_CODE = cbc("InvoiceTypeCode")
T_CREDIT_NOTE_TYPE_CODE = cbc("CreditNoteTypeCode")
T_DOCUMENT_CURRENCY = cbc("DocumentCurrencyCode")
T_TAX_CURRENCY = cbc("TaxCurrencyCode")
T_ACCOUNTING_COST = cbc("AccountingCost")
T_BUYER_REFERENCE = cbc("BuyerReference")
T_CUSTOMIZATION_ID = cbc("CustomizationID")
T_START_DATE = cbc("StartDate")
T_END_DATE = cbc("EndDate")
T_DOCUMENT_TYPE_CODE = cbc("DocumentTypeCode")
T_ENDPOINT_ID = cbc("EndpointID")
T_COMPANY_ID = cbc("CompanyID")
T_REGISTRATION_NAME = cbc("RegistrationName")
T_IDENTIFICATION_CODE = cbc("IdentificationCode")
T_CHARGE_INDICATOR = cbc("ChargeIndicator")
T_AC_REASON = cbc("AllowanceChargeReason")
T_AC_REASON_CODE = cbc("AllowanceChargeReasonCode")
T_TAX_AMOUNT = cbc("TaxAmount")
T_TAXABLE_AMOUNT = cbc("TaxableAmount")
T_LINE_EXTENSION_AMOUNT = cbc("LineExtensionAmount")
T_INVOICED_QUANTITY = cbc("InvoicedQuantity")
T_CREDITED_QUANTITY = cbc("CreditedQuantity")
T_PRICE_AMOUNT = cbc("PriceAmount")
T_BASE_QUANTITY = cbc("BaseQuantity")

# Aggregate components (cac)
T_INVOICE_PERIOD = cac("InvoicePeriod")
T_BILLING_REFERENCE = cac("BillingReference")
T_INVOICE_DOCUMENT_REFERENCE = cac("InvoiceDocumentReference")
T_CREDIT_NOTE_DOCUMENT_REFERENCE = cac("CreditNoteDocumentReference")
T_ADDITIONAL_DOCUMENT_REFERENCE = cac("AdditionalDocumentReference")
T_DOCUMENT_REFERENCE = cac("DocumentReference")
T_SUPPLIER_PARTY = cac("AccountingSupplierParty")
T_CUSTOMER_PARTY = cac("AccountingCustomerParty")
T_PARTY = cac("Party")
T_PARTY_NAME = cac("PartyName")
T_PARTY_IDENTIFICATION = cac("PartyIdentification")
T_PARTY_TAX_SCHEME = cac("PartyTaxScheme")
T_PARTY_LEGAL_ENTITY = cac("PartyLegalEntity")
T_TAX_SCHEME = cac("TaxScheme")
T_POSTAL_ADDRESS = cac("PostalAddress")
T_COUNTRY = cac("Country")
T_PAYMENT_MEANS = cac("PaymentMeans")
T_ALLOWANCE_CHARGE = cac("AllowanceCharge")
T_TAX_CATEGORY = cac("TaxCategory")
T_TAX_TOTAL = cac("TaxTotal")
T_TAX_SUBTOTAL = cac("TaxSubtotal")
T_LEGAL_MONETARY_TOTAL = cac("LegalMonetaryTotal")
T_ITEM = cac("Item")
T_SELLERS_ITEM_IDENTIFICATION = cac("SellersItemIdentification")
T_CLASSIFIED_TAX_CATEGORY = cac("ClassifiedTaxCategory")
T_ADDITIONAL_ITEM_PROPERTY = cac("AdditionalItemProperty")
T_PRICE = cac("Price")

ROOT_TAGS = {T_INVOICE: "Invoice", T_CREDIT_NOTE: "CreditNote"}
LINE_TAGS = {T_INVOICE_LINE: "InvoiceLine", T_CREDIT_NOTE_LINE: "CreditNoteLine"}


def text_of(el: Element | None) -> str | None:
    """The stripped text of an element, ``None`` when absent or blank."""
    if el is None:
        return None
    t = el.text
    if t is None:
        return None
    t = t.strip()
    return t or None


def scheme_of(el: Element) -> str | None:
    """The stripped ``schemeID`` attribute of an identifier, ``None`` when absent or blank."""
    return (el.get("schemeID") or "").strip() or None


def local_name(tag: object) -> str:
    """A Clark-notation tag without its namespace."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else str(tag)


def shown(name: str | None) -> str:
    """An element name from an untrusted file, safe to put in a message."""
    text = name or "?"
    return f"<{text}>" if text.isprintable() and len(text) <= 80 else repr(text[:80])


def prefixed(tag: object) -> str:
    """A Clark-notation tag as the conventional prefixed name used in paths."""
    tag = str(tag)
    ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    prefix = {NS_CAC: "cac:", NS_CBC: "cbc:"}.get(ns, "")
    return f"{prefix}{local}"
