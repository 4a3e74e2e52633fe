"""Every public PEPPOL sample through the whole import path: imported with the right totals,
line count and sign, or rejected for a stated reason. Skips when the samples are absent."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

import importers
from ledger.invoices.importing import import_file
from ledger.invoices.models import ImportStatus, Invoice, InvoiceLine
from ledger.organisation.models import Supplier
from tests.factories import make_subscription, make_supplier, save

SAMPLES = Path(os.environ.get("LEDGER_SAMPLES_DIR")
               or Path(__file__).resolve().parents[2].parent / "shared" / "samples")
PEPPOL = SAMPLES / "peppol"
FILES = sorted(p.name for p in PEPPOL.glob("*.xml")) if PEPPOL.is_dir() else []

#: file → ("imported", lines, net_total) or ("rejected", reason in the message)
EXPECTED: dict[str, tuple] = {
    "Allowance-example.xml": ("rejected", "only SEK"),
    "BIS_Billing_30-DataIT.xml": ("imported", 3, None),
    "BIS_Billing_30-Elnat.xml": ("imported", 3, None),
    "BIS_Billing_30-InomstatligFakturering.xml": ("imported", 1, None),
    "BIS_Billing_30-Kreditering_(urspr_faktura).xml": ("imported", 2, None),
    "BIS_Billing_30-Kreditering_med_kreditnota.xml": ("imported", 2, None),
    "BIS_Billing_30-Kreditering_med_negativ_faktura.xml": ("imported", 2, None),
    "BIS_Billing_30-OmvandSkattskyldighet.xml": ("imported", 2, None),
    "BIS_Billing_30-Rabatter_och_avgifter.xml": ("imported", 2, None),
    "BIS_Billing_30-Resor_Taxi.xml": ("imported", 3, None),
    "BIS_Billing_30-Telefoni.xml": ("imported", 12, None),
    "BIS_Billing_30-Valutor i faktura.xml": ("rejected", "only SEK"),
    "CreditNote-Max_content.xml": ("imported", 2, None),
    "CreditNote-Min_content_with_VAT.xml": ("imported", 1, None),
    "Invoice-Max_content.xml": ("imported", 2, None),
    "Vat-category-S.xml": ("rejected", "only SEK"),
    "base-creditnote-correction.xml": ("rejected", "only SEK"),
    "base-example.xml": ("rejected", "only SEK"),
    "base-negative-inv-correction.xml": ("rejected", "only SEK"),
    "ubl-tc434-creditnote1.xml": ("rejected", "only SEK"),
    "ubl-tc434-example2.xml": ("rejected", "only SEK"),
    "vat-category-E.xml": ("rejected", "only SEK"),
    "vat-category-Z.xml": ("rejected", "only SEK"),
}

needs_samples = pytest.mark.skipif(not FILES, reason=f"PEPPOL samples not found at {PEPPOL} (set LEDGER_SAMPLES_DIR)")


def _register_suppliers(db) -> None:
    """The samples' sellers, as finance would register them (their dummy numbers fail Luhn:
    ``make_supplier`` stores them as given, without the validating service)."""
    seen: set[str] = set()
    for name in FILES:
        parsed = importers.parse_file((PEPPOL / name).read_bytes(), name)
        for invoice in parsed.invoices:
            number = invoice.supplier.organisation_number
            if number and number not in seen:
                seen.add(number)
                make_supplier(invoice.supplier.name or number, number)


@needs_samples
def test_every_sample_has_an_expectation() -> None:
    assert set(FILES) == set(EXPECTED)


@needs_samples
@pytest.mark.parametrize("name", FILES)
def test_sample_imports_or_is_rejected_for_a_stated_reason(db, org, name: str) -> None:
    _register_suppliers(db)
    data = (PEPPOL / name).read_bytes()
    outcome = import_file(None, org.organisation, data, name)
    expected = EXPECTED[name]
    assert outcome.status.value == expected[0], outcome.errors
    if expected[0] == "rejected":
        assert expected[1] in outcome.message
        return
    save()
    invoice = db.get(Invoice, outcome.invoice_id)
    parsed = importers.parse_file(data, name).invoices[0]
    lines = db.scalars(sa.select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)).all()
    assert len(lines) == expected[1]
    assert invoice.net_total == parsed.net_total
    assert sum(line.net_amount for line in lines) == invoice.line_total
    assert invoice.line_total + invoice.allowance_total + invoice.charge_total == invoice.net_total
    if invoice.document_type.value == "credit_note":
        assert invoice.net_total < 0


@needs_samples
def test_telephony_sample_lines_are_the_phone_number_and_match_the_subscription(db, org) -> None:
    _register_suppliers(db)
    supplier = db.scalars(sa.select(Supplier).where(Supplier.organisation_number == "556677-8899")).one()
    make_subscription(org, "0765123456", supplier=supplier, start=date(2020, 1, 1))
    name = "BIS_Billing_30-Telefoni.xml"
    outcome = import_file(None, org.organisation, (PEPPOL / name).read_bytes(), name)
    assert outcome.status == ImportStatus.IMPORTED and outcome.matched_lines == 12
    references = db.scalars(sa.select(InvoiceLine.reference)).all()
    assert len(references) == 12 and {r.replace(" ", "").replace("-", "") for r in references} == {"0765123456"}
    assert db.get(Invoice, outcome.invoice_id).rounding == Decimal("0.22")


@needs_samples
def test_credit_variants_net_to_zero_against_the_original(db, org) -> None:
    _register_suppliers(db)
    original = "BIS_Billing_30-Kreditering_(urspr_faktura).xml"
    first = import_file(None, org.organisation, (PEPPOL / original).read_bytes(), original)
    save()
    net = db.get(Invoice, first.invoice_id).net_total
    for credit in ("BIS_Billing_30-Kreditering_med_kreditnota.xml",
                   "BIS_Billing_30-Kreditering_med_negativ_faktura.xml"):
        outcome = import_file(None, org.organisation, (PEPPOL / credit).read_bytes(), credit)
        assert outcome.status == ImportStatus.IMPORTED, outcome.errors
        invoice = db.get(Invoice, outcome.invoice_id)
        assert invoice.net_total + net == 0
        assert invoice.credited_invoice_id == first.invoice_id
        db.rollback()  # each credit variant against the original alone
