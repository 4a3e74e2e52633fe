"""PEPPOL BIS Billing 3.0 (UBL 2.1 Invoice and CreditNote) into ``ParsedInvoice``.

The file is streamed with ``lxml.etree.iterparse``: each invoice line (fakturarad) is read
when its end tag arrives and then removed from the tree, so a 100,000-line invoice keeps only
one line in memory besides the parsed results. Element names are matched by namespace, not by
prefix, so ``cbc:``, ``ns2:`` or a default namespace all work, and a Standard Business
Document Header (SBDH) envelope around the invoice is accepted.

Safety: a file with a DOCTYPE is refused before parsing (see ``xmlsafe``), and the parser
never resolves entities, loads a DTD or touches the network.

Every total is checked the way EN 16931 states it (BR-CO-10 to BR-CO-16), exactly, in
``Decimal``. A file that does not add up yields no invoice, only errors that name the rule
and the two amounts.

Paths in locations and errors use the conventional ``cac:``/``cbc:`` prefixes whatever the
file uses, and start at the Invoice or CreditNote element (also inside an SBDH envelope):
``/Invoice/cac:InvoiceLine[3]`` is the third line. Each ``ParseError`` also carries the
line in the file where the element starts.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

from importers.model import (
    AllowanceCharge,
    ParsedInvoice,
    ParsedLine,
    ParseError,
    ParseResult,
    ReferenceSource,
    SupplierRef,
    new_parsed_line,
)
from importers.numbers import (
    AmountError,
    decimals_of,
    normalise_organisation_number,
    parse_iso_date,
    parse_xml_decimal,
)
from importers.xmlsafe import sniff_xml

__all__ = [
    "CREDIT_NOTE_TYPE_CODES",
    "DEFAULT_MAX_BYTES",
    "MAX_ERRORS",
    "NS_CAC",
    "NS_CBC",
    "NS_CREDIT_NOTE",
    "NS_INVOICE",
    "NS_SBDH",
    "parse_peppol",
]

DEFAULT_MAX_BYTES = 50 * 2**20
#: A file reports at most this many errors; past that it is clearly the wrong file.
MAX_ERRORS = 100
#: Slack PEPPOL allows between a line's net and quantity × price ± allowances/charges.
LINE_SLACK = Decimal("0.02")
_MINUS_SLACK = -LINE_SLACK
#: Amounts have at most this many digits before the decimal point (far above any invoice,
#: far below where ``Decimal`` arithmetic would start rounding).
MAX_AMOUNT_DIGITS = 15
ORE = Decimal("0.01")
ORE_ZERO = Decimal("0.00")

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS_SBDH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"

#: UNTDID 1001 document types that credit (kreditera): their amounts are negated.
CREDIT_NOTE_TYPE_CODES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"})
PEPPOL_CUSTOMIZATION = "urn:fdc:peppol.eu:2017:poacc:billing:3.0"
EN16931_CUSTOMIZATION = "urn:cen.eu:en16931:2017"
#: Item property names whose value identifies a handset or SIM card.
REFERENCE_PROPERTY_NAMES = frozenset({"imei", "iccid"})


def _cac(name: str) -> str:
    return f"{{{NS_CAC}}}{name}"


def _cbc(name: str) -> str:
    return f"{{{NS_CBC}}}{name}"


T_INVOICE = f"{{{NS_INVOICE}}}Invoice"
T_CREDIT_NOTE = f"{{{NS_CREDIT_NOTE}}}CreditNote"
T_INVOICE_LINE = _cac("InvoiceLine")
T_CREDIT_NOTE_LINE = _cac("CreditNoteLine")

# Basic components (cbc)
T_ID = _cbc("ID")
T_NOTE = _cbc("Note")
T_NAME = _cbc("Name")
T_VALUE = _cbc("Value")
T_DESCRIPTION = _cbc("Description")
T_PERCENT = _cbc("Percent")
T_AMOUNT = _cbc("Amount")
T_ISSUE_DATE = _cbc("IssueDate")
T_DUE_DATE = _cbc("DueDate")
T_PAYMENT_DUE_DATE = _cbc("PaymentDueDate")
T_INVOICE_TYPE_CODE = _cbc("InvoiceTypeCode")
T_CREDIT_NOTE_TYPE_CODE = _cbc("CreditNoteTypeCode")
T_DOCUMENT_CURRENCY = _cbc("DocumentCurrencyCode")
T_TAX_CURRENCY = _cbc("TaxCurrencyCode")
T_ACCOUNTING_COST = _cbc("AccountingCost")
T_BUYER_REFERENCE = _cbc("BuyerReference")
T_CUSTOMIZATION_ID = _cbc("CustomizationID")
T_START_DATE = _cbc("StartDate")
T_END_DATE = _cbc("EndDate")
T_DOCUMENT_TYPE_CODE = _cbc("DocumentTypeCode")
T_ENDPOINT_ID = _cbc("EndpointID")
T_COMPANY_ID = _cbc("CompanyID")
T_REGISTRATION_NAME = _cbc("RegistrationName")
T_IDENTIFICATION_CODE = _cbc("IdentificationCode")
T_CHARGE_INDICATOR = _cbc("ChargeIndicator")
T_AC_REASON = _cbc("AllowanceChargeReason")
T_AC_REASON_CODE = _cbc("AllowanceChargeReasonCode")
T_TAX_AMOUNT = _cbc("TaxAmount")
T_TAXABLE_AMOUNT = _cbc("TaxableAmount")
T_LINE_EXTENSION_AMOUNT = _cbc("LineExtensionAmount")
T_INVOICED_QUANTITY = _cbc("InvoicedQuantity")
T_CREDITED_QUANTITY = _cbc("CreditedQuantity")
T_PRICE_AMOUNT = _cbc("PriceAmount")
T_BASE_QUANTITY = _cbc("BaseQuantity")

# Aggregate components (cac)
T_INVOICE_PERIOD = _cac("InvoicePeriod")
T_BILLING_REFERENCE = _cac("BillingReference")
T_INVOICE_DOCUMENT_REFERENCE = _cac("InvoiceDocumentReference")
T_CREDIT_NOTE_DOCUMENT_REFERENCE = _cac("CreditNoteDocumentReference")
T_ADDITIONAL_DOCUMENT_REFERENCE = _cac("AdditionalDocumentReference")
T_DOCUMENT_REFERENCE = _cac("DocumentReference")
T_SUPPLIER_PARTY = _cac("AccountingSupplierParty")
T_CUSTOMER_PARTY = _cac("AccountingCustomerParty")
T_PARTY = _cac("Party")
T_PARTY_NAME = _cac("PartyName")
T_PARTY_IDENTIFICATION = _cac("PartyIdentification")
T_PARTY_TAX_SCHEME = _cac("PartyTaxScheme")
T_PARTY_LEGAL_ENTITY = _cac("PartyLegalEntity")
T_TAX_SCHEME = _cac("TaxScheme")
T_POSTAL_ADDRESS = _cac("PostalAddress")
T_COUNTRY = _cac("Country")
T_PAYMENT_MEANS = _cac("PaymentMeans")
T_ALLOWANCE_CHARGE = _cac("AllowanceCharge")
T_TAX_CATEGORY = _cac("TaxCategory")
T_TAX_TOTAL = _cac("TaxTotal")
T_TAX_SUBTOTAL = _cac("TaxSubtotal")
T_LEGAL_MONETARY_TOTAL = _cac("LegalMonetaryTotal")
T_ITEM = _cac("Item")
T_SELLERS_ITEM_IDENTIFICATION = _cac("SellersItemIdentification")
T_CLASSIFIED_TAX_CATEGORY = _cac("ClassifiedTaxCategory")
T_ADDITIONAL_ITEM_PROPERTY = _cac("AdditionalItemProperty")
T_PRICE = _cac("Price")

_ROOT_TAGS = {T_INVOICE: "Invoice", T_CREDIT_NOTE: "CreditNote"}
_LINE_TAGS = {T_INVOICE_LINE: "InvoiceLine", T_CREDIT_NOTE_LINE: "CreditNoteLine"}

# LegalMonetaryTotal members: local name -> BR-DEC rule limiting it to two decimals.
_TOTALS = {
    "LineExtensionAmount": "BR-DEC-09",
    "AllowanceTotalAmount": "BR-DEC-10",
    "ChargeTotalAmount": "BR-DEC-11",
    "TaxExclusiveAmount": "BR-DEC-12",
    "TaxInclusiveAmount": "BR-DEC-14",
    "PrepaidAmount": "BR-DEC-16",
    "PayableRoundingAmount": "BR-DEC-17",
    "PayableAmount": "BR-DEC-18",
}
_MANDATORY_TOTALS = ("LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "PayableAmount")
_ZERO = Decimal(0)
#: Bound on each per-file cache of repeated texts (dates, amounts, names).
_CACHE_LIMIT = 100_000
#: Emptied lines are removed from the tree in batches of this many (cheaper than one by one).
_CLEANUP_EVERY = 256
_SUFFIX_START = "/cac:InvoicePeriod/cbc:StartDate"
_SUFFIX_END = "/cac:InvoicePeriod/cbc:EndDate"
_SUFFIX_RATE = "/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"


class _TooManyErrorsError(Exception):
    """Raised inside the parser once ``MAX_ERRORS`` errors are collected."""


def _text(el: Any) -> str | None:
    """The stripped text of an element, ``None`` when absent or blank."""
    if el is None:
        return None
    t = el.text
    if t is None:
        return None
    t = t.strip()
    return t or None


def _neg(value: Decimal) -> Decimal:
    """``-value`` without producing ``-0`` (which would print as a negative zero)."""
    return -value if value else value


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else str(tag)


def _shown(name: str | None) -> str:
    """An element name from an untrusted file, safe to put in a message."""
    text = name or "?"
    return f"<{text}>" if text.isprintable() and len(text) <= 80 else repr(text[:80])


def _prefixed(tag: str) -> str:
    """A Clark-notation tag as the conventional prefixed name used in paths."""
    ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    prefix = {NS_CAC: "cac:", NS_CBC: "cbc:"}.get(ns, "")
    return f"{prefix}{local}"


class _PeppolParser:
    """State of one file's parse. Use ``parse_peppol``; this class is its implementation."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.errors: list[ParseError] = []
        self.warnings: list[ParseError] = []
        self.root_name = "Invoice"
        self.line_tag = T_INVOICE_LINE
        self.line_name = "InvoiceLine"
        self.quantity_tag = T_INVOICED_QUANTITY
        # Header values
        self.number: str | None = None
        self.issue_date: date | None = None
        self.due_date: date | None = None
        self.type_code: str | None = None
        self.currency: str | None = None
        self.tax_currency: str | None = None
        self.accounting_cost: str | None = None
        self.buyer_reference: str | None = None
        self.customization_id: str | None = None
        self.period_start: date | None = None
        self.period_end: date | None = None
        self.billing_references: list[str] = []
        self.document_reference: str | None = None
        self.supplier: SupplierRef | None = None
        self.supplier_seen = False
        self.buyer_organisation_number: str | None = None
        self.sign = 1
        # Document allowances and charges, raw (as written) sums for BR-CO-11/12.
        self.doc_ac: list[AllowanceCharge] = []
        self.doc_allowance_sum = _ZERO
        self.doc_charge_sum = _ZERO
        self.tax_totals: list[tuple[str | None, Decimal | None]] = []  # (currencyID, TaxAmount)
        self.totals: dict[str, Decimal] = {}
        self.total_lines: dict[str, int] = {}  # where each total stands in the file
        self.totals_seen = False
        # Lines
        self.lines: list[ParsedLine] = []
        self.line_sum = _ZERO
        # Small caches: repeated values (dates, VAT rates, unit codes) share one object.
        self._dates: dict[str, date] = {}
        self._rates: dict[str, Decimal] = {}
        self._strings: dict[str, str] = {}
        self._numbers: dict[str | None, Decimal] = {}
        self._amounts: dict[str | None, Decimal] = {}
        self.line_path = "/Invoice/cac:InvoiceLine"
        self.quantity_suffix = "/cbc:InvoicedQuantity"

    # -- errors --------------------------------------------------------------------------

    def error(
        self,
        field: str,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        rule: str | None = None,
    ) -> None:
        """Record an error; stop the parse once there are too many to be useful."""
        if len(self.errors) >= MAX_ERRORS - 1:
            self.errors.append(
                ParseError(self.filename, None, None, "file", f"more than {MAX_ERRORS - 1} errors; stopped reading")
            )
            raise _TooManyErrorsError
        self.errors.append(ParseError(self.filename, line, path, field, message, rule))

    def warn(
        self,
        field: str,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        rule: str | None = None,
    ) -> None:
        """Record a warning: worth showing, not a reason to refuse the file."""
        if len(self.warnings) < MAX_ERRORS:
            self.warnings.append(ParseError(self.filename, line, path, field, message, rule))

    # -- small readers -------------------------------------------------------------------

    def _intern(self, s: str | None) -> str | None:
        """One shared object per distinct text (item names, unit codes repeat per line)."""
        if s is None:
            return None
        cache = self._strings
        got = cache.get(s)
        if got is not None:
            return got
        if len(cache) < _CACHE_LIMIT:
            cache[s] = s
        return s

    def _date(self, el: Any, path: str, suffix: str = "") -> date | None:
        """A date; ``path + suffix`` is only built when there is an error to report."""
        raw = el.text
        text = _text(el)
        if text is None:
            self.error(_prefixed(el.tag), "empty date", path=path + suffix, line=el.sourceline)
            return None
        got = self._dates.get(text)
        if got is not None:
            return got
        try:
            got = parse_iso_date(text)
        except ValueError as exc:
            self.error(_prefixed(el.tag), str(exc), path=path + suffix, line=el.sourceline)
            return None
        if len(self._dates) < _CACHE_LIMIT:
            self._dates[text] = self._dates[raw] = got
        return got

    def _rate(self, el: Any, path: str, suffix: str = "") -> Decimal | None:
        text = _text(el)
        if text is None:
            return None
        got = self._rates.get(text)
        if got is not None:
            return got
        try:
            got = parse_xml_decimal(text)
        except AmountError as exc:
            self.error(_prefixed(el.tag), str(exc), path=path + suffix, line=el.sourceline)
            return None
        if len(self._rates) < _CACHE_LIMIT:
            self._rates[text] = self._rates[el.text] = got
        return got

    def _decimal(self, el: Any, path: str, suffix: str = "") -> Decimal | None:
        """A quantity or price (any precision)."""
        try:
            return parse_xml_decimal(el.text)
        except AmountError as exc:
            self.error(_prefixed(el.tag), str(exc), path=path + suffix, line=el.sourceline)
            return None

    def _amount(
        self, el: Any, path: str, suffix: str, dec_rule: str | None, currency: str | None = None
    ) -> Decimal | None:
        """A monetary amount: a decimal in the document currency with at most two decimals.

        ``currency`` overrides the expected currency (the VAT total in the tax currency).
        """
        try:
            value = parse_xml_decimal(el.text)
        except AmountError as exc:
            self.error(_prefixed(el.tag), str(exc), path=path + suffix, line=el.sourceline)
            return None
        expected = currency or self.currency
        got = el.get("currencyID")
        if got is None:
            self.error(_prefixed(el.tag), "the amount has no currencyID", path=path + suffix, line=el.sourceline)
        elif expected is not None and got.strip() != expected:
            self.error(
                _prefixed(el.tag),
                f"currency {got.strip()} differs from the document currency {expected}",
                path=path + suffix,
                line=el.sourceline,
                rule="PEPPOL-EN16931-R051",
            )
        if dec_rule is not None and decimals_of(value) > 2:
            self.error(
                _prefixed(el.tag),
                f"{el.text.strip()} has more than two decimals",
                path=path + suffix,
                line=el.sourceline,
                rule=dec_rule,
            )
            return None
        if value.adjusted() >= MAX_AMOUNT_DIGITS:
            self.error(
                _prefixed(el.tag),
                f"{value} is too large to be an amount",
                path=path + suffix,
                line=el.sourceline,
            )
            return None
        # Two decimals everywhere (53.9 -> 53.90): exact, since more is an error above.
        return value.quantize(ORE) if value else ORE_ZERO

    def _charge_indicator(self, el: Any, path: str) -> bool | None:
        text = (_text(el) or "").lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        self.error("cbc:ChargeIndicator", f"must be true or false, not {el.text!r}", path=path, line=el.sourceline)
        return None

    def _allowance_charge(self, el: Any, path: str, dec_rule: str) -> tuple[bool, Decimal, AllowanceCharge] | None:
        """A cac:AllowanceCharge: (is_charge, amount as written, signed record)."""
        is_charge: bool | None = None
        amount: Decimal | None = None
        reason = reason_code = category = None
        rate: Decimal | None = None
        indicator_seen = amount_seen = False
        for c in el:
            t = c.tag
            if t == T_CHARGE_INDICATOR:
                indicator_seen = True
                is_charge = self._charge_indicator(c, f"{path}/cbc:ChargeIndicator")
            elif t == T_AMOUNT:
                amount_seen = True
                amount = self._amount(c, path, "/cbc:Amount", dec_rule)
            elif t == T_AC_REASON:
                reason = _text(c)
            elif t == T_AC_REASON_CODE:
                reason_code = _text(c)
            elif t == T_TAX_CATEGORY:
                for d in c:
                    if d.tag == T_ID:
                        category = _text(d)
                    elif d.tag == T_PERCENT:
                        rate = self._rate(d, path, "/cac:TaxCategory/cbc:Percent")
        if not indicator_seen:
            self.error("cbc:ChargeIndicator", "missing", path=f"{path}/cbc:ChargeIndicator", line=el.sourceline)
        if not amount_seen:
            self.error("cbc:Amount", "missing", path=f"{path}/cbc:Amount", line=el.sourceline)
        if is_charge is None or amount is None:
            return None
        effect = amount if is_charge else _neg(amount)
        if self.sign < 0:
            effect = _neg(effect)
        record = AllowanceCharge(
            is_charge=is_charge,
            amount=effect,
            reason=reason,
            reason_code=reason_code,
            vat_category=category,
            vat_rate=rate,
            location=path,
        )
        return is_charge, amount, record

    # -- document ------------------------------------------------------------------------

    def start_document(self, root: Any) -> None:
        """The Invoice or CreditNote element is known: fix the sign and the names used in paths."""
        self.root_name = _ROOT_TAGS[root.tag]
        if root.tag == T_CREDIT_NOTE:
            self.line_tag = T_CREDIT_NOTE_LINE
            self.line_name = "CreditNoteLine"
            self.quantity_tag = T_CREDITED_QUANTITY
            self.quantity_suffix = "/cbc:CreditedQuantity"
            self.sign = -1
        self.line_path = f"/{self.root_name}/cac:{self.line_name}"

    def header(self, elements: Iterable[Any]) -> None:
        """Read the document-level elements (everything that is not a line)."""
        elements = [el for el in elements if isinstance(el.tag, str) and el.tag not in _LINE_TAGS]
        # The currency first: every amount is checked against it, whatever the order.
        for el in elements:
            if el.tag == T_DOCUMENT_CURRENCY:
                self.currency = _text(el)
            elif el.tag in (T_INVOICE_TYPE_CODE, T_CREDIT_NOTE_TYPE_CODE):
                self.type_code = _text(el)
                if self.type_code in CREDIT_NOTE_TYPE_CODES:
                    self.sign = -1
        counters: dict[str, int] = {}
        root = f"/{self.root_name}"
        for el in elements:
            tag = el.tag
            name = _prefixed(tag)
            counters[name] = index = counters.get(name, 0) + 1
            path = f"{root}/{name}" if name.startswith("cbc:") else f"{root}/{name}[{index}]"
            if tag == T_ID:
                self.number = _text(el)
            elif tag == T_ISSUE_DATE:
                self.issue_date = self._date(el, path)
            elif tag == T_DUE_DATE:
                self.due_date = self._date(el, path)
            elif tag == T_TAX_CURRENCY:
                self.tax_currency = _text(el)
            elif tag == T_ACCOUNTING_COST:
                self.accounting_cost = _text(el)
            elif tag == T_BUYER_REFERENCE:
                self.buyer_reference = _text(el)
            elif tag == T_CUSTOMIZATION_ID:
                self.customization_id = _text(el)
            elif tag == T_INVOICE_PERIOD:
                for d in el:
                    if d.tag == T_START_DATE:
                        self.period_start = self._date(d, f"{path}/cbc:StartDate")
                    elif d.tag == T_END_DATE:
                        self.period_end = self._date(d, f"{path}/cbc:EndDate")
            elif tag == T_BILLING_REFERENCE:
                for d in el:
                    if d.tag in (T_INVOICE_DOCUMENT_REFERENCE, T_CREDIT_NOTE_DOCUMENT_REFERENCE):
                        ref = _text(d.find(T_ID))
                        if ref is not None:
                            self.billing_references.append(ref)
            elif tag == T_ADDITIONAL_DOCUMENT_REFERENCE:
                if _text(el.find(T_DOCUMENT_TYPE_CODE)) == "130" and self.document_reference is None:
                    self.document_reference = _text(el.find(T_ID))
            elif tag == T_SUPPLIER_PARTY:
                self.supplier_seen = True
                party = el.find(T_PARTY)
                if party is None:
                    self.error(
                        "cac:Party",
                        "the supplier has no cac:Party",
                        path=f"{path}/cac:Party",
                        line=el.sourceline,
                    )
                else:
                    self.supplier = self._party(party, f"{path}/cac:Party")
            elif tag == T_CUSTOMER_PARTY:
                party = el.find(T_PARTY)
                if party is not None:
                    self.buyer_organisation_number = self._party(party, f"{path}/cac:Party").organisation_number
            elif tag == T_PAYMENT_MEANS:
                due = el.find(T_PAYMENT_DUE_DATE)
                if due is not None and self.due_date is None:
                    self.due_date = self._date(due, f"{path}/cbc:PaymentDueDate")
            elif tag == T_ALLOWANCE_CHARGE:
                got = self._allowance_charge(el, path, "BR-DEC-01")
                if got is not None:
                    is_charge, amount, record = got
                    self.doc_ac.append(record)
                    if is_charge:
                        self.doc_charge_sum += amount
                    else:
                        self.doc_allowance_sum += amount
            elif tag == T_TAX_TOTAL:
                self._tax_total(el, path)
            elif tag == T_LEGAL_MONETARY_TOTAL:
                self.totals_seen = True
                for d in el:
                    local = _local(d.tag)
                    rule = _TOTALS.get(local)
                    if rule is not None and d.tag == _cbc(local):
                        value = self._amount(d, path, f"/cbc:{local}", rule)
                        if value is not None:
                            self.totals[local] = value
                            self.total_lines[local] = d.sourceline

    def _tax_total(self, el: Any, path: str) -> None:
        """One cac:TaxTotal: its amount, its currency, and BR-CO-14 over its subtotals."""
        amount_el = el.find(T_TAX_AMOUNT)
        if amount_el is None:
            self.error("cbc:TaxAmount", "missing", path=f"{path}/cbc:TaxAmount", line=el.sourceline)
            return
        currency = (amount_el.get("currencyID") or "").strip() or None
        in_document_currency = currency == self.currency
        amount = self._amount(
            amount_el,
            path,
            "/cbc:TaxAmount",
            "BR-DEC-13" if in_document_currency else "BR-DEC-15",
            currency=None if in_document_currency or self.tax_currency is None else self.tax_currency,
        )
        subtotal_sum: Decimal | None = None
        for i, sub in enumerate(el.iterfind(T_TAX_SUBTOTAL), start=1):
            sub_path = f"{path}/cac:TaxSubtotal[{i}]"
            sub_amount = sub.find(T_TAX_AMOUNT)
            if sub_amount is None:
                self.error("cbc:TaxAmount", "missing", path=f"{sub_path}/cbc:TaxAmount", line=sub.sourceline)
                continue
            value = self._amount(sub_amount, sub_path, "/cbc:TaxAmount", "BR-DEC-20")
            taxable = sub.find(T_TAXABLE_AMOUNT)
            if taxable is not None:
                self._amount(taxable, sub_path, "/cbc:TaxableAmount", "BR-DEC-19")
            if value is not None:
                subtotal_sum = (subtotal_sum or _ZERO) + value
        if amount is not None and subtotal_sum is not None and amount != subtotal_sum:
            self.error(
                "cbc:TaxAmount",
                f"BR-CO-14: TaxTotal/TaxAmount {amount} does not equal the sum of the "
                f"TaxSubtotal amounts {subtotal_sum}",
                path=f"{path}/cbc:TaxAmount",
                line=amount_el.sourceline,
                rule="BR-CO-14",
            )
        self.tax_totals.append((currency, amount))

    def _party(self, party: Any, path: str) -> SupplierRef:
        """A cac:Party as a ``SupplierRef`` (used for the buyer too, for its org. number)."""
        endpoint_id = endpoint_scheme = name = legal_name = vat_id = None
        company_id = company_scheme = country = None
        identifications: list[tuple[str | None, str | None]] = []
        for c in party:
            t = c.tag
            if t == T_ENDPOINT_ID:
                endpoint_id = _text(c)
                endpoint_scheme = (c.get("schemeID") or "").strip() or None
            elif t == T_PARTY_NAME:
                name = name or _text(c.find(T_NAME))
            elif t == T_PARTY_IDENTIFICATION:
                ident = c.find(T_ID)
                if ident is not None:
                    identifications.append((_text(ident), (ident.get("schemeID") or "").strip() or None))
            elif t == T_POSTAL_ADDRESS:
                country = _text(c.find(f"{T_COUNTRY}/{T_IDENTIFICATION_CODE}"))
            elif t == T_PARTY_TAX_SCHEME:
                if _text(c.find(f"{T_TAX_SCHEME}/{T_ID}")) == "VAT":
                    vat_id = vat_id or _text(c.find(T_COMPANY_ID))
            elif t == T_PARTY_LEGAL_ENTITY:
                legal_name = _text(c.find(T_REGISTRATION_NAME))
                company = c.find(T_COMPANY_ID)
                if company is not None:
                    company_id = _text(company)
                    company_scheme = (company.get("schemeID") or "").strip() or None
        looks_swedish = (country or "").upper() == "SE" or (vat_id or "").upper().startswith("SE")
        organisation_number = None
        if endpoint_scheme == "0007":
            organisation_number = normalise_organisation_number(endpoint_id)
        if (
            organisation_number is None
            and company_id is not None
            and (company_scheme == "0007" or (company_scheme is None and looks_swedish))
        ):
            organisation_number = normalise_organisation_number(company_id)
        if organisation_number is None:
            for value, scheme in identifications:
                if scheme == "0007":
                    organisation_number = normalise_organisation_number(value)
                    if organisation_number:
                        break
        if organisation_number is None and endpoint_scheme == "9955":  # Swedish VAT number
            organisation_number = normalise_organisation_number(endpoint_id)
        if organisation_number is None and vat_id is not None and vat_id.upper().startswith("SE"):
            organisation_number = normalise_organisation_number(vat_id)
        if not (endpoint_id or name or legal_name or vat_id or company_id or identifications):
            self.error(
                "cac:Party",
                "the party has neither a name nor an identifier",
                path=path,
                line=party.sourceline,
            )
        return SupplierRef(
            organisation_number=organisation_number,
            endpoint_id=endpoint_id,
            endpoint_scheme=endpoint_scheme,
            name=name or legal_name,
            vat_id=vat_id,
        )

    # -- lines ---------------------------------------------------------------------------

    def _number(self, el: Any, path: str, suffix: str) -> Decimal | None:
        """A quantity or price from a cache of texts seen before (they repeat a lot)."""
        text = el.text
        got = self._numbers.get(text)
        if got is None:
            got = self._decimal(el, path, suffix)
            if got is not None and len(self._numbers) < _CACHE_LIMIT:
                self._numbers[text] = got
        return got

    def _money(self, el: Any, path: str, suffix: str, dec_rule: str) -> Decimal | None:
        """``_amount`` with a cache of texts seen before; the currency is still checked each time."""
        text = el.text
        got = self._amounts.get(text)
        if got is None:
            got = self._amount(el, path, suffix, dec_rule)
            if got is not None and len(self._amounts) < _CACHE_LIMIT:
                self._amounts[text] = got
            return got
        currency = el.get("currencyID")
        if currency != self.currency and (currency is None or currency.strip() != self.currency):
            return self._amount(el, path, suffix, dec_rule)  # reports the currency error
        return got

    def line(self, el: Any) -> None:
        """Read one cac:InvoiceLine / cac:CreditNoteLine into a ``ParsedLine``.

        This runs once per line of a possibly huge file, so it visits each child once,
        compares tags against precomputed names and keeps repeated values in caches.
        """
        position = len(self.lines) + 1
        path = f"{self.line_path}[{position}]"
        line_id = note = accounting_cost = object_ref = None
        net_el = quantity_el = item = price = None
        period_start = period_end = None
        ac_elements: list[Any] | None = None
        quantity_tag = self.quantity_tag
        dates = self._dates
        for c in el:
            t = c.tag
            if t == T_ID:
                line_id = c.text
            elif t == T_LINE_EXTENSION_AMOUNT:
                net_el = c
            elif t == quantity_tag:
                quantity_el = c
            elif t == T_ITEM:
                item = c
            elif t == T_PRICE:
                price = c
            elif t == T_INVOICE_PERIOD:
                for d in c:
                    dt = d.tag
                    if dt == T_START_DATE:
                        period_start = dates.get(d.text) or self._date(d, path, _SUFFIX_START)
                    elif dt == T_END_DATE:
                        period_end = dates.get(d.text) or self._date(d, path, _SUFFIX_END)
            elif t == T_NOTE:
                if note is None:
                    note = _text(c)
            elif t == T_ACCOUNTING_COST:
                accounting_cost = _text(c)
            elif t == T_ALLOWANCE_CHARGE:
                if ac_elements is None:
                    ac_elements = []
                ac_elements.append(c)
            elif t == T_DOCUMENT_REFERENCE and object_ref is None:
                ref = type_code = None
                for d in c:
                    dt = d.tag
                    if dt == T_ID:
                        ref = _text(d)
                    elif dt == T_DOCUMENT_TYPE_CODE:
                        type_code = _text(d)
                if type_code == "130":
                    object_ref = ref

        if line_id is not None:
            line_id = line_id.strip()
        if not line_id:
            self.error(
                "cbc:ID",
                "the line has no identifier",
                path=f"{path}/cbc:ID",
                line=el.sourceline,
                rule="BR-21",
            )
            line_id = str(position)

        net: Decimal | None = None
        if net_el is None:
            self.error(
                "cbc:LineExtensionAmount",
                "the line has no net amount",
                path=f"{path}/cbc:LineExtensionAmount",
                line=el.sourceline,
                rule="BR-24",
            )
        else:
            net = self._money(net_el, path, "/cbc:LineExtensionAmount", "BR-DEC-23")

        quantity = unit_code = None
        if quantity_el is not None:
            quantity = self._number(quantity_el, path, self.quantity_suffix)
            unit_code = quantity_el.get("unitCode")
            if unit_code is not None:
                unit_code = self._intern(unit_code.strip() or None)

        item_name = description = seller_code = category = None
        rate: Decimal | None = None
        property_ref: str | None = None
        strings = self._strings
        if item is not None:
            for c in item:
                t = c.tag
                if t == T_NAME:
                    text = _text(c)
                    item_name = strings.get(text) or self._intern(text) if text else None
                elif t == T_CLASSIFIED_TAX_CATEGORY:
                    for d in c:
                        dt = d.tag
                        if dt == T_ID:
                            text = _text(d)
                            category = strings.get(text) or self._intern(text) if text else None
                        elif dt == T_PERCENT:
                            rate = self._rates.get(d.text) or self._rate(d, path, _SUFFIX_RATE)
                elif t == T_DESCRIPTION:
                    description = self._intern(_text(c))
                elif t == T_SELLERS_ITEM_IDENTIFICATION:
                    for d in c:
                        if d.tag == T_ID:
                            seller_code = self._intern(_text(d))
                elif t == T_ADDITIONAL_ITEM_PROPERTY and property_ref is None:
                    prop_name = prop_value = None
                    for d in c:
                        dt = d.tag
                        if dt == T_NAME:
                            prop_name = _text(d)
                        elif dt == T_VALUE:
                            prop_value = _text(d)
                    if prop_name is not None and prop_name.lower() in REFERENCE_PROPERTY_NAMES:
                        property_ref = prop_value

        price_amount = base_quantity = None
        if price is not None:
            for c in price:
                t = c.tag
                if t == T_PRICE_AMOUNT:
                    price_amount = self._number(c, path, "/cac:Price/cbc:PriceAmount")
                elif t == T_BASE_QUANTITY:
                    base_quantity = self._number(c, path, "/cac:Price/cbc:BaseQuantity")
            if base_quantity is not None and base_quantity <= 0:
                self.error(
                    "cbc:BaseQuantity",
                    f"must be above zero, not {base_quantity}",
                    path=f"{path}/cac:Price/cbc:BaseQuantity",
                    line=price.sourceline,
                    rule="PEPPOL-EN16931-R121",
                )
                base_quantity = None

        line_acs: tuple[AllowanceCharge, ...] = ()
        allowances = charges = _ZERO
        if ac_elements is not None:
            records = []
            for i, c in enumerate(ac_elements, start=1):
                got = self._allowance_charge(c, f"{path}/cac:AllowanceCharge[{i}]", "BR-DEC-24")
                if got is not None:
                    is_charge, amount, record = got
                    records.append(record)
                    if is_charge:
                        charges += amount
                    else:
                        allowances += amount
            line_acs = tuple(records)

        reference: str | None
        source: ReferenceSource | None
        if object_ref is not None:
            reference, source = object_ref, "BT-128"
        elif self.document_reference is not None:
            reference, source = self.document_reference, "BT-18"
        elif note is not None:
            reference, source = note, "note"
        elif accounting_cost is not None:
            reference, source = accounting_cost, "accounting_cost"
        elif property_ref is not None:
            reference, source = property_ref, "item_property"
        else:
            reference, source = None, None

        if net is None:
            return
        self.line_sum += net

        unit_price = price_amount
        if price_amount is not None and base_quantity is not None and base_quantity != 1:
            unit_price = price_amount / base_quantity
        if quantity is not None and unit_price is not None:
            expected = quantity * unit_price
            if ac_elements is not None:
                expected = expected + charges - allowances
            if not _MINUS_SLACK <= net - expected <= LINE_SLACK:
                self.warn(
                    "cbc:LineExtensionAmount",
                    f"PEPPOL-EN16931-R120: net amount {net} differs from quantity {quantity} × "
                    f"price {unit_price} + charges {charges} − allowances {allowances} = {expected}",
                    path=f"{path}/cbc:LineExtensionAmount",
                    line=net_el.sourceline if net_el is not None else None,
                    rule="PEPPOL-EN16931-R120",
                )

        if self.sign < 0:
            net = _neg(net)
            if quantity is not None:
                quantity = _neg(quantity)

        self.lines.append(
            new_parsed_line(
                position,
                line_id,
                description,
                item_name,
                seller_code,
                None,  # charge_type: CSV only
                quantity,
                unit_code,
                unit_price,
                net,
                category,
                rate,
                period_start,
                period_end,
                reference,
                source,
                path,
                line_acs,
            )
        )

    # -- the end -------------------------------------------------------------------------

    def finish(self) -> ParsedInvoice | None:
        """Check mandatory fields and the EN 16931 totals; build the invoice if all hold."""
        root = f"/{self.root_name}"
        if self.customization_id is None:
            self.warn(
                "cbc:CustomizationID",
                "missing: the document does not say which specification it follows",
                path=f"{root}/cbc:CustomizationID",
            )
        elif PEPPOL_CUSTOMIZATION not in self.customization_id:
            self.warn(
                "cbc:CustomizationID",
                f"{self.customization_id!r} is not PEPPOL BIS Billing 3.0; read as EN 16931 UBL",
                path=f"{root}/cbc:CustomizationID",
                rule="PEPPOL-EN16931-R004",
            )
        for value, field, rule in (
            (self.number, "cbc:ID", "BR-02"),
            (self.issue_date, "cbc:IssueDate", "BR-03"),
            (self.currency, "cbc:DocumentCurrencyCode", "BR-05"),
        ):
            if value is None and not any(e.field == field for e in self.errors):
                self.error(field, "missing", path=f"{root}/{field}", rule=rule)
        if self.type_code is None:
            self.type_code = "381" if self.root_name == "CreditNote" else "380"
            self.warn(
                f"cbc:{self.root_name}TypeCode",
                f"missing; taken as {self.type_code}",
                path=f"{root}/cbc:{self.root_name}TypeCode",
                rule="BR-04",
            )
        if not self.supplier_seen:
            self.error(
                "cac:AccountingSupplierParty",
                "the supplier (seller) is missing",
                path=f"{root}/cac:AccountingSupplierParty",
                rule="BR-06",
            )
        if not self.lines and not self.errors:
            self.error(
                f"cac:{self.line_name}",
                "the document has no lines",
                path=f"{root}/cac:{self.line_name}",
                rule="BR-16",
            )
        if not self.totals_seen:
            self.error("cac:LegalMonetaryTotal", "missing", path=f"{root}/cac:LegalMonetaryTotal")
        else:
            for name in _MANDATORY_TOTALS:
                if name not in self.totals and not any(e.field == f"cbc:{name}" for e in self.errors):
                    self.error(f"cbc:{name}", "missing", path=f"{root}/cac:LegalMonetaryTotal[1]/cbc:{name}")
        if self.errors:
            return None

        t = self.totals
        lmt = f"{root}/cac:LegalMonetaryTotal[1]"
        line_extension = t["LineExtensionAmount"]
        allowance_total = t.get("AllowanceTotalAmount")
        charge_total = t.get("ChargeTotalAmount")
        tax_exclusive = t["TaxExclusiveAmount"]
        tax_inclusive = t["TaxInclusiveAmount"]
        prepaid = t.get("PrepaidAmount", ORE_ZERO)
        rounding = t.get("PayableRoundingAmount", ORE_ZERO)
        payable = t["PayableAmount"]

        vat: Decimal | None = None
        vat_tax_currency: Decimal | None = None
        for currency, amount in self.tax_totals:
            if amount is None:
                continue
            if currency == self.currency and vat is None:
                vat = amount
            elif self.tax_currency is not None and currency == self.tax_currency:
                vat_tax_currency = amount
        vat = vat if vat is not None else ORE_ZERO

        def check(rule: str, field: str, stated: Decimal | None, computed: Decimal, what: str) -> None:
            """One EN 16931 rule, compared exactly; the message names both amounts."""
            if stated is None:
                if computed == 0:
                    return
                message = f"{rule}: {field} is missing but {what} is {computed}"
            elif stated != computed:
                message = f"{rule}: {field} is {stated} but {what} is {computed}"
            else:
                return
            self.error(f"cbc:{field}", message, path=f"{lmt}/cbc:{field}", line=self.total_lines.get(field), rule=rule)

        check(
            "BR-CO-10",
            "LineExtensionAmount",
            line_extension,
            self.line_sum,
            "the sum of the line net amounts",
        )
        check(
            "BR-CO-11",
            "AllowanceTotalAmount",
            allowance_total,
            self.doc_allowance_sum,
            "the sum of the document-level allowances",
        )
        check(
            "BR-CO-12",
            "ChargeTotalAmount",
            charge_total,
            self.doc_charge_sum,
            "the sum of the document-level charges",
        )
        check(
            "BR-CO-13",
            "TaxExclusiveAmount",
            tax_exclusive,
            line_extension - (allowance_total or _ZERO) + (charge_total or _ZERO),
            "LineExtensionAmount − AllowanceTotalAmount + ChargeTotalAmount",
        )
        check(
            "BR-CO-15",
            "TaxInclusiveAmount",
            tax_inclusive,
            tax_exclusive + vat,
            "TaxExclusiveAmount + TaxTotal/TaxAmount",
        )
        check(
            "BR-CO-16",
            "PayableAmount",
            payable,
            tax_inclusive - prepaid + rounding,
            "TaxInclusiveAmount − PrepaidAmount + PayableRoundingAmount",
        )
        if self.errors:
            return None

        assert self.number is not None and self.issue_date is not None and self.currency is not None
        assert self.supplier is not None
        s = self.sign

        def signed(value: Decimal) -> Decimal:
            return _neg(value) if s < 0 else value

        return ParsedInvoice(
            source=self.filename,
            format="peppol",
            document_type="credit_note" if s < 0 else "invoice",
            type_code=self.type_code,
            number=self.number,
            issue_date=self.issue_date,
            due_date=self.due_date,
            currency=self.currency,
            tax_currency=self.tax_currency,
            supplier=self.supplier,
            buyer_organisation_number=self.buyer_organisation_number,
            buyer_reference=self.buyer_reference,
            accounting_cost=self.accounting_cost,
            period_start=self.period_start,
            period_end=self.period_end,
            billing_references=tuple(self.billing_references),
            document_reference=self.document_reference,
            lines=tuple(self.lines),
            allowances_charges=tuple(self.doc_ac),
            line_total=signed(line_extension),
            allowance_total=signed(allowance_total if allowance_total is not None else ORE_ZERO),
            charge_total=signed(charge_total if charge_total is not None else ORE_ZERO),
            net_total=signed(tax_exclusive),
            vat_total=signed(vat),
            gross_total=signed(tax_inclusive),
            prepaid=signed(prepaid),
            rounding=signed(rounding),
            payable=signed(payable),
            vat_total_tax_currency=None if vat_tax_currency is None else signed(vat_tax_currency),
            customization_id=self.customization_id,
        )


def _document_problem(document: Any) -> str | None:
    """Why ``document`` is not an acceptable Invoice/CreditNote element, or ``None``.

    It must be the root, or the one child of a Standard Business Document envelope; and the
    file must have no DOCTYPE (checked again here, after the prolog scan).
    """
    if document is None or document.tag not in _ROOT_TAGS:
        return "an invoice line outside an Invoice or CreditNote element"
    if document.getroottree().docinfo.doctype:
        return "the file declares a DOCTYPE: refused"
    parent = document.getparent()
    if parent is not None and (_local(parent.tag) != "StandardBusinessDocument" or parent.getparent() is not None):
        return f"<{_local(document.tag)}> found inside <{_local(parent.tag)}>, not at the root or in an SBDH"
    return None


def parse_peppol(data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParseResult:
    """Parse one PEPPOL BIS Billing 3.0 invoice or credit note (kreditnota).

    Returns the invoice, or errors that name the file, the XML line and path, the field and,
    where one applies, the EN 16931 / PEPPOL rule. Never raises for bad input.
    """

    def refuse(field: str, message: str, line: int | None = None, rule: str | None = None) -> ParseResult:
        return ParseResult(errors=[ParseError(filename, line, None, field, message, rule)])

    if len(data) > max_bytes:
        return refuse("file", f"the file is {len(data):,} bytes, over the limit of {max_bytes:,} bytes")
    if not data.strip():
        return refuse("file", "the file is empty")
    prolog = sniff_xml(data)
    if not prolog.is_xml:
        return refuse("xml", "not an XML document (the first character is not '<')", line=1)
    if prolog.problem is not None:
        return refuse("xml", prolog.problem, line=prolog.line)
    local = prolog.root_local_name
    if local not in ("Invoice", "CreditNote", "StandardBusinessDocument"):
        hint = " (UN/CEFACT CII is not supported, only UBL)" if local == "CrossIndustryInvoice" else ""
        return refuse(
            "xml",
            f"the root element is {_shown(prolog.root_qname)}, not a UBL Invoice or CreditNote{hint}",
            line=prolog.line,
        )

    parser = _PeppolParser(filename)
    invoice: ParsedInvoice | None = None
    context = etree.iterparse(
        io.BytesIO(data),
        events=("end",),
        tag=(T_INVOICE, T_CREDIT_NOTE, T_INVOICE_LINE, T_CREDIT_NOTE_LINE),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        remove_blank_text=True,
    )
    root: Any = None
    line_tag = ""
    since_cleanup = 0
    lines_seen = False
    try:
        for _event, el in context:
            tag = el.tag
            if tag == line_tag:
                if el.getparent() is not root:
                    parser.error(_prefixed(tag), "a line outside the invoice element", line=el.sourceline)
                    continue
                lines_seen = True
                parser.line(el)
                # Forget the line; every so often drop the emptied lines before it too, so
                # memory stays flat however long the invoice is.
                el.clear(keep_tail=False)
                since_cleanup += 1
                if since_cleanup >= _CLEANUP_EVERY:
                    since_cleanup = 0
                    del root[: root.index(el)]
                continue
            if root is None:
                # The first event: a line's end (its parent is the document) or, for an
                # invoice without lines, the document's own end.
                document = el.getparent() if tag in _LINE_TAGS else el
                problem = _document_problem(document)
                if problem is not None:
                    return refuse("xml", problem, line=el.sourceline)
                root = document
                parser.start_document(root)
                line_tag = parser.line_tag
                parser.header(root.iterchildren())
                if tag == line_tag:
                    lines_seen = True
                    parser.line(el)
                    el.clear(keep_tail=False)
                    del root[: root.index(el)]
                    continue
            if tag in _LINE_TAGS:
                parser.error(_prefixed(tag), f"a {_local(tag)} inside a {parser.root_name}", line=el.sourceline)
            elif el is root:
                if lines_seen:
                    parser.header(root.iterchildren())  # anything after the lines (off-schema)
                invoice = parser.finish()
            else:
                return refuse("xml", f"a second <{_local(tag)}> in the file", line=el.sourceline)
    except _TooManyErrorsError:
        pass
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else getattr(exc, "lineno", None)
        message = (exc.msg or str(exc)).strip()
        if "XML_PARSE_HUGE" in message or "limit exceeded" in message.lower():
            explanation = (
                "a single element holds more than 10 MB of text (an embedded attachment?), "
                f"more than the importer reads: {message}"
            )
        else:
            explanation = f"the XML is not well-formed (damaged or truncated): {message}"
        parser.errors.append(ParseError(filename, line, None, "xml", explanation))
        return ParseResult(errors=parser.errors, warnings=parser.warnings)
    if root is None and not parser.errors:
        found = getattr(context, "root", None)
        name = found.tag if found is not None else "?"
        return refuse(
            "xml",
            f"the root element is {name}, not a UBL 2.1 Invoice or CreditNote "
            f"(namespace {NS_INVOICE} or {NS_CREDIT_NOTE})",
        )
    if parser.errors or invoice is None:
        return ParseResult(errors=parser.errors, warnings=parser.warnings)
    return ParseResult(invoices=[invoice], warnings=parser.warnings)
