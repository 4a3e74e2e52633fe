"""The allocation report from a real (small) ledger: reconciliation, totals, hash, both engines."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pypdf
import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.allocation import periods
from ledger.allocation.engine import allocate
from ledger.allocation.models import JournalEntry
from ledger.inventory.assignments import move
from ledger.inventory.models import Subscription
from ledger.reporting import service as report_data
from reports.allocation_pdf import render_allocation_report
from reports.data import AllocationReport
from reports.formatting import Formatter
from tests.conftest import journal_sums, journal_total, log_in
from tests.factories import Month, build_month, import_invoice, line, save

AT = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
SV = Formatter("sv")


@pytest.fixture
def month(db, org) -> Month:
    return build_month(org)


def _report(month: Month, period: str = "2026-03", at: datetime = AT, by: str = "Rut Revisor") -> AllocationReport:
    return report_data.allocation_report(month.org.organisation, period, generated_by=by, generated_at=at)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).replace("\xa0", " ")


def _kr(amount: Decimal) -> str:
    return SV.money(amount).replace("\xa0", " ")


def test_report_reconciles_every_invoice_with_zero_difference(db, month) -> None:
    report = _report(month)
    assert [(r.number, r.net_total, r.rounding, r.allocated, r.difference) for r in report.reconciliation] == [
        ("F-1", Decimal("613.00"), Decimal("0.25"), Decimal("613.25"), Decimal("0.00")),
        ("H-1", Decimal("1850.00"), Decimal("0.00"), Decimal("1850.00"), Decimal("0.00")),
    ]
    text = _text(render_allocation_report(report, "sv"))
    assert "F-1 Operatören AB 2026-03-31 613,00 kr 0,25 kr 613,25 kr 613,25 kr 0,00 kr" in text
    assert "H-1 Hjo kommun 2026-03-31 1 850,00 kr 0,00 kr 1 850,00 kr 1 850,00 kr 0,00 kr" in text
    assert "Totalt 2 463,00 kr 0,25 kr 2 463,25 kr 2 463,25 kr 0,00 kr" in text
    assert "Alla 2 fakturor stämmer: differensen är 0,00 kr." in text


def test_totals_per_unit_in_the_pdf_equal_the_journal(db, month) -> None:
    report = _report(month)
    sums = journal_sums()
    assert {u.unit: u.total for u in report.summary} == sums
    assert report.total == journal_total() == Decimal("2463.25")
    text = _text(render_allocation_report(report, "sv"))
    names = {"1110": "Kanslienheten", "2150": "VA-verksamheten", "3110": "Förskolor centrala Karlsborg",
             "3140": "Ekbackeskolan"}
    for ansvar, name in names.items():
        row = next(line for line in text.splitlines() if line.strip().startswith(f"{ansvar} {name} ") and "kr" in line)
        assert row.endswith(_kr(sums[ansvar])), row
        assert f"Summa {_kr(sums[ansvar])} " in text  # the unit's detail closes with the same total
    assert re.search(r"Utan enhet \(vänteläge, öresavrundning\) .* 0,25 kr 78,72 kr 78,97 kr", text)
    kansli = next(u for u in report.summary if u.unit == "1110")
    assert kansli.by_rule == {"switchboard_central": Decimal("1892.00"), "allowance_spread": Decimal("-0.68")}
    va = next(u for u in report.summary if u.unit == "2150")
    assert va.by_rule["fee_funded_own"] == Decimal("42.00")


def test_cover_suspense_detail_and_findings(db, month) -> None:
    report = _report(month)
    text = _text(render_allocation_report(report, "sv"))
    hjo = next(row.entry_id for row in report.rows if row.invoice_number == "H-1")
    for expected in ("Karlsborgs kommun (212000-1629)", "Status\nöppen", "Skapad av\nRut Revisor",
                     "F-1 Operatören AB 5 0709999999 78,72 kr no subscription or handset matches",
                     f"{hjo} H-1 1 6821 växel, centralt 1 850,00 kr no asset: central switchboard cost",
                     "Referensen motsvarar", "Fakturarader: F-1/5"):
        assert expected in text, expected
    assert "Sida 1 av " in text


def test_same_journal_same_hash_and_a_reallocation_changes_it(db, month) -> None:
    first, second = _report(month), _report(month, at=datetime(2026, 5, 1, tzinfo=UTC), by="Someone else")
    assert first.content_hash == second.content_hash
    strip = re.compile(r"(Skapad av|Skapad)\n[^\n]*\n")
    assert strip.sub("", _text(render_allocation_report(first))) == \
        strip.sub("", _text(render_allocation_report(second)))
    assert allocate(None, month.org.organisation, "2026-03").entries == 0  # nothing changed: nothing written
    save()
    assert _report(month).content_hash == first.content_hash
    sub = db.scalar(sa.select(Subscription).where(Subscription.number == "+46702345678"))
    move(None, sub, month.org.skola, date(2026, 3, 20))
    save()
    result = allocate(None, month.org.organisation, "2026-03")
    save()
    assert result.entries and result.reversals
    after = _report(month)
    assert after.content_hash != first.content_hash
    assert [r.difference for r in after.reconciliation] == [Decimal("0.00"), Decimal("0.00")]
    assert {u.unit: u.total for u in after.summary} == journal_sums()


def test_closed_period_report_and_corrections_in_the_next_month(db, month) -> None:
    periods.close(None, month.org.id, "2026-03")
    save()
    sub = db.scalar(sa.select(Subscription).where(Subscription.number == "+46702345678"))
    move(None, sub, month.org.skola, date(2026, 3, 20))
    save()
    allocate(None, month.org.organisation, "2026-03")
    save()
    march = _report(month)
    assert march.status == "closed" and march.closed_at is not None
    assert [r.difference for r in march.reconciliation] == [Decimal("0.00"), Decimal("0.00")]
    april = _report(month, "2026-04")
    assert [r.number for r in april.reconciliation] == ["F-1"]  # an invoice of March, corrected in April
    corrected = april.reconciliation[0]
    assert corrected.in_period == Decimal("0.00") and corrected.difference == Decimal("0.00")
    assert all(row.is_correction for row in april.rows) and april.rows
    text = _text(render_allocation_report(march, "en"))
    assert "Status\nclosed " in text


def test_an_unallocated_invoice_shows_its_difference(db, month) -> None:
    import_invoice(month.org, [line("0701234567", "99.00", period=("2026-03-01", "2026-03-31"))], number="F-2",
                   issue_date="2026-03-30")
    report = _report(month)
    late = next(r for r in report.reconciliation if r.number == "F-2")
    assert (late.allocated, late.difference) == (Decimal("0.00"), Decimal("99.00"))
    text = _text(render_allocation_report(report))
    assert "1 av 3 fakturor stämmer inte: summa differens 99,00 kr." in text


def test_report_command_writes_a_pdf(app, db, month, tmp_path) -> None:
    out = tmp_path / "mars.pdf"
    result = app.test_cli_runner().invoke(args=["report", "allocation", "2026-03", "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = _text(out.read_bytes())
    assert text.startswith("Allocation report 2026-03") and "All 2 invoices reconcile" in text
    bad = app.test_cli_runner().invoke(args=["report", "allocation", "2026-13", "--out", str(out)])
    assert bad.exit_code == 1 and "YYYY-MM" in bad.output


def test_api_and_page_give_the_pdf(client, db, month, api_headers, make_user) -> None:
    response = client.get("/api/v1/reports/allocation?period=2026-03&lang=en", headers=api_headers(Role.AUDITOR))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "Page 1 of" in _text(response.data)
    assert client.get("/api/v1/reports/allocation?period=2026-3", headers=api_headers(Role.FINANCE)).status_code \
        == 422
    assert client.get("/api/v1/reports/allocation", headers=api_headers(Role.FINANCE)).status_code == 422
    log_in(client, make_user(Role.FINANCE).username)
    page = client.get("/reports?period=2026-03").get_data(as_text=True)
    assert "/reports/allocation.pdf?period=2026-03" in page and "/reports/journal.si?period=2026-03" in page
    pdf = client.get("/reports/allocation.pdf?period=2026-03&lang=sv")
    assert pdf.status_code == 200 and "Alla 2 fakturor stämmer" in _text(pdf.data)
    assert client.get("/reports/allocation.pdf?period=mars").status_code == 400


def test_entries_are_read_with_a_few_queries(db, month, count_queries) -> None:
    with count_queries() as statements:
        _report(month)
    ours = [s for s in statements if "journal_entry" in s]
    assert len(ours) <= 6, ours
    assert db.scalar(sa.select(sa.func.count()).select_from(JournalEntry)) == 14
