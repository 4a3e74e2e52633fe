"""The end of a document: the document rules, then the totals rules, then the ``ParsedInvoice``.

An invoice is only built when no error was found anywhere; its amounts are then signed by
document (a credit note's are negated here, once).
"""

from __future__ import annotations

from decimal import Decimal

from importers.model import ParsedInvoice
from importers.numbers import ORE_ZERO
from importers.peppol import rules
from importers.peppol.context import Context
from importers.peppol.state import Document, Totals
from importers.peppol.values import negate


def finish(ctx: Context) -> ParsedInvoice | None:
    """Check the read document against the business rules; the invoice if they all hold."""
    problems = ctx.problems
    rules.apply(rules.DOCUMENT_RULES, rules.Review(ctx.document, problems), problems)
    if problems.errors:
        return None
    totals = Totals.of(ctx.document)
    rules.apply(rules.TOTALS_RULES, totals, problems)
    if problems.errors:
        return None
    return _build(ctx.document, totals, problems.filename)


def _build(document: Document, totals: Totals, filename: str) -> ParsedInvoice:
    """The invoice of a document that passed every rule (so every mandatory value is there)."""
    assert document.number is not None and document.issue_date is not None and document.currency is not None
    assert document.supplier is not None
    credit = document.sign < 0

    def signed(value: Decimal) -> Decimal:
        return negate(value) if credit else value

    return ParsedInvoice(
        source=filename,
        format="peppol",
        document_type="credit_note" if credit else "invoice",
        type_code=document.type_code if document.type_code is not None else document.kind.default_type_code,
        number=document.number,
        issue_date=document.issue_date,
        due_date=document.due_date,
        currency=document.currency,
        tax_currency=document.tax_currency,
        supplier=document.supplier,
        buyer_organisation_number=document.buyer_organisation_number,
        buyer_reference=document.buyer_reference,
        accounting_cost=document.accounting_cost,
        period_start=document.period_start,
        period_end=document.period_end,
        billing_references=tuple(document.billing_references),
        document_reference=document.document_reference,
        lines=tuple(document.lines),
        allowances_charges=tuple(document.allowances_charges.records),
        line_total=signed(totals.line_extension),
        allowance_total=signed(totals.allowance_total if totals.allowance_total is not None else ORE_ZERO),
        charge_total=signed(totals.charge_total if totals.charge_total is not None else ORE_ZERO),
        net_total=signed(totals.tax_exclusive),
        vat_total=signed(totals.vat),
        gross_total=signed(totals.tax_inclusive),
        prepaid=signed(totals.prepaid),
        rounding=signed(totals.rounding),
        payable=signed(totals.payable),
        vat_total_tax_currency=None if totals.vat_tax_currency is None else signed(totals.vat_tax_currency),
        customization_id=document.customization_id,
    )
