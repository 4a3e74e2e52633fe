"""The allocation report's VAT summary per category and its clearing-account line."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pypdf
import sqlalchemy as sa

from ledger.invoices.models import Invoice
from ledger.reporting import service as report_data
from reports.allocation_pdf import render_allocation_report
from reports.data import VatRow
from tests.factories import L, build_month, make_invoice, make_supplier, save

AT = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)


def test_the_vat_per_category_matches_the_invoices_vat(db, org) -> None:
    build_month(org)
    report = report_data.allocation_report(org.organisation, "2026-03", generated_by="Revisor", generated_at=AT)
    # F-1: 623.00 of lines less a 10.00 allowance; H-1: 1 850.00; both at 25 %
    assert list(report.vat) == [VatRow("S", Decimal("25.00"), 2, Decimal("2463.00"), Decimal("615.75"),
                                       Decimal("0.00"))]
    invoiced = sum(db.scalars(sa.select(Invoice.vat_total)), Decimal("0.00"))
    assert sum(row.vat for row in report.vat) == invoiced


def test_reverse_charge_shows_the_vat_to_self_assess(db, org) -> None:
    foreign = make_supplier("Roaming Partner AB")
    _invoice, lines = make_invoice(org, foreign, [L(net="400.00"), L(net="100.00")], issue_date=date(2026, 3, 9))
    for row in lines:
        row.vat_category, row.vat_rate = "AE", Decimal("0")
    save()
    [row] = report_data.vat_summary(org.id, "2026-03")
    assert (row.category, row.invoices, row.taxable, row.vat, row.self_assessed) == (
        "AE", 1, Decimal("500.00"), Decimal("0.00"), Decimal("125.00"))


def test_the_clearing_account_keeps_exactly_the_suspense(db, org) -> None:
    build_month(org)
    report = report_data.allocation_report(org.organisation, "2026-03", generated_by="Revisor", generated_at=AT)
    suspense = sum((row.amount for row in report.suspense), Decimal("0.00"))
    assert report.clearing is not None and report.clearing.account == "6819" and report.clearing.ansvar == "1110"
    assert report.clearing.remainder == suspense == Decimal("78.72")
    assert report.clearing.booked == report.total
    text = " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(
        render_allocation_report(report, "sv", report_data.report_translations("sv")))).pages).replace(
        "\xa0", " ").split())
    assert "Avräkningskonto 6819 (ansvar 1110)" in text and "kvar 78,72 kr = beloppet i vänteläge" in text
    assert "Moms per momskategori" in text and "615,75 kr" in text
