"""The allocation report from a real (small) ledger: reconciliation, totals, hash, both engines."""

from __future__ import annotations

import getpass
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
from reports.budget_pdf import render_budget_report
from reports.data import AllocationReport
from reports.formatting import Formatter
from tests.conftest import journal_sums, journal_total, log_in
from tests.factories import Month, build_month, import_invoice, line, make_user, save
from tests.reports.test_pdf_layout_and_language import english_left, swedish_left

AT = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
SV = Formatter("sv")


@pytest.fixture
def month(db, org) -> Month:
    return build_month(org)


def _report(month: Month, period: str = "2026-03", at: datetime = AT, by: str = "Rut Revisor") -> AllocationReport:
    return report_data.allocation_report(month.org.organisation, period, generated_by=by, generated_at=at)


def render(report: AllocationReport, language: str = "sv") -> bytes:
    return render_allocation_report(report, language, report_data.report_translations(language))


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
    text = _text(render(report, "sv"))
    assert "F-1 Operatören AB 2026-03-31 613,00 kr 0,25 kr 613,25 kr 613,25 kr 0,00 kr" in text
    assert "H-1 Hjo kommun 2026-03-31 1 850,00 kr 0,00 kr 1 850,00 kr 1 850,00 kr 0,00 kr" in text
    assert "Summa 2 463,00 kr 0,25 kr 2 463,25 kr 2 463,25 kr 0,00 kr" in text
    assert "Alla 2 fakturor stämmer: differensen är 0,00 kr." in text


def test_totals_per_unit_in_the_pdf_equal_the_journal(db, month) -> None:
    report = _report(month)
    sums = journal_sums()
    assert {u.unit: u.total for u in report.summary} == sums
    assert report.total == journal_total() == Decimal("2463.25")
    text = _text(render(report, "sv"))
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
    text = " ".join(_text(render(report, "sv")).split())
    hjo = next(row.entry_id for row in report.rows if row.invoice_number == "H-1")
    swedish = report_data.report_translations("sv")
    unmatched = swedish.gettext("no subscription or handset matches the line's reference")
    central = swedish.gettext("no asset: central switchboard cost")
    assert unmatched != "no subscription or handset matches the line's reference"  # the ledger's reasons in Swedish
    for expected in ("Karlsborgs kommun (212000-1629)", "Status öppen", "Skapad av Rut Revisor",
                     f"F-1 Operatören AB 5 0709999999 78,72 kr {unmatched}",
                     f"{hjo} H-1 1 6821 växel, centralt 1 850,00 kr {central}",
                     "Referensen motsvarar", "Fakturarader: F-1/5"):
        assert expected in text, expected
    assert "Sida 1 av " in text
    finding = next(f for f in report.compliance if f.kind == "unmatched_reference" and f.params.get("reference"))
    said = swedish.gettext("%(reference)s on the invoice from %(supplier)s matched no subscription or handset.") % {
        "reference": finding.params["reference"], "supplier": "Operatören AB"}
    assert said in text and "matched no subscription" not in text  # the finding in Swedish too
    english = " ".join(_text(render(report, "en")).split())
    assert "78,72" not in english and "SEK 78.72 no subscription or handset matches the line's reference" in english


def test_same_journal_same_hash_and_a_reallocation_changes_it(db, month) -> None:
    first, second = _report(month), _report(month, at=datetime(2026, 5, 1, tzinfo=UTC), by="Someone else")
    assert first.content_hash == second.content_hash
    strip = re.compile(r"(Skapad av|Skapad)\n[^\n]*\n")
    assert strip.sub("", _text(render(first))) == \
        strip.sub("", _text(render(second)))
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
    text = _text(render(march, "en"))
    assert "Status\nclosed " in text


def test_an_unallocated_invoice_shows_its_difference(db, month) -> None:
    import_invoice(month.org, [line("0701234567", "99.00", period=("2026-03-01", "2026-03-31"))], number="F-2",
                   issue_date="2026-03-30")
    report = _report(month)
    late = next(r for r in report.reconciliation if r.number == "F-2")
    assert (late.allocated, late.difference) == (Decimal("0.00"), Decimal("99.00"))
    text = _text(render(report))
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


# --- the language and the maker of the PDF as a user gets it ------------------------------------


def _words(pdf: bytes) -> str:
    return " ".join(_text(pdf).split())


def test_the_page_download_names_the_ledger_user_who_asked(client, db, month) -> None:
    make_user(month.org, Role.AUDITOR, username="rut.revisor", display_name="Rut Revisor")
    log_in(client, "rut.revisor")
    swedish = _text(client.get("/reports/allocation.pdf?period=2026-03&lang=sv").data)
    assert "Skapad av\nRut Revisor (rut.revisor)" in swedish
    download = client.get("/reports/allocation.pdf?period=2026-03&lang=en").data
    english = _text(download)
    assert "Generated by\nRut Revisor (rut.revisor)" in english
    assert pypdf.PdfReader(io.BytesIO(download)).metadata.author == "Rut Revisor (rut.revisor)"
    assert "flask report" not in swedish + english and f"{getpass.getuser()} (" not in swedish + english


def test_the_page_download_speaks_the_language_asked_for(client, db, month) -> None:
    make_user(month.org, Role.FINANCE, username="ekonomi.karlsborg", display_name="Ekonomi")
    log_in(client, "ekonomi.karlsborg")
    swedish = _words(client.get("/reports/allocation.pdf?period=2026-03&lang=sv").data)
    assert english_left(swedish) == []
    assert "Fördelningsrapport 2026-03" in swedish and "Summa 2 463,00 kr" in swedish
    english = _words(client.get("/reports/allocation.pdf?period=2026-03&lang=en").data)
    assert swedish_left(english) == []
    assert "Allocation report 2026-03" in english and "Total SEK 2,463.00" in english


def test_the_api_gives_the_pdf_in_the_language_asked_for(client, db, month, api_headers) -> None:
    headers = api_headers(Role.AUDITOR)
    swedish = _words(client.get("/api/v1/reports/allocation?period=2026-03&lang=sv", headers=headers).data)
    assert swedish.startswith("Fördelningsrapport 2026-03") and english_left(swedish) == []
    english = _words(client.get("/api/v1/reports/allocation?period=2026-03&lang=en", headers=headers).data)
    assert english.startswith("Allocation report 2026-03") and swedish_left(english) == []


def test_the_command_names_the_organisations_system_user(app, db, month, tmp_path) -> None:
    out = tmp_path / "mars.pdf"
    result = app.test_cli_runner().invoke(args=["report", "allocation", "2026-03", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = _text(out.read_bytes())
    assert "Skapad av\nKarlsborgs kommun (system)" in text  # Swedish, the default language
    assert "flask report" not in text and f"{getpass.getuser()} (" not in text
    assert english_left(" ".join(text.split())) == []


def test_the_command_names_the_configured_author_or_the_one_given(app, db, month, tmp_path,
                                                                   monkeypatch) -> None:
    monkeypatch.setitem(app.config, "LEDGER_REPORT_AUTHOR", "Ekonomienheten, Karlsborgs kommun")
    out, runner = tmp_path / "mars.pdf", app.test_cli_runner()
    assert runner.invoke(args=["report", "allocation", "2026-03", "--out", str(out)]).exit_code == 0
    assert "Skapad av\nEkonomienheten, Karlsborgs kommun" in _text(out.read_bytes())
    result = runner.invoke(args=["report", "allocation", "2026-03", "--out", str(out), "--by", "Rut Revisor",
                                 "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Generated by\nRut Revisor" in _text(out.read_bytes())
    budget = tmp_path / "budget.pdf"
    result = runner.invoke(args=["report", "budget", "2026", "--out", str(budget), "--by", "Rut Revisor"])
    assert result.exit_code == 0, result.output
    assert "av Rut Revisor." in _words(budget.read_bytes())
    sie_file = tmp_path / "mars.si"
    assert runner.invoke(args=["export", "sie", "2026-03", "--out", str(sie_file)]).exit_code == 0
    assert b'"Ekonomienheten, Karlsborgs kommun"' in sie_file.read_bytes()


def test_the_command_writes_the_default_language_of_the_ledger(app, db, month, tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "en")
    out = tmp_path / "mars.pdf"
    assert app.test_cli_runner().invoke(args=["report", "allocation", "2026-03", "--out", str(out)]).exit_code == 0
    text = _words(out.read_bytes())
    assert text.startswith("Allocation report 2026-03") and "Generated by Karlsborgs kommun (system)" in text
    assert swedish_left(text) == []


def test_budget_report_of_the_ledger_in_both_languages(db, month) -> None:
    data = report_data.budget_report(month.org.organisation, 2026, generated_by="Rut Revisor (revisor)")
    swedish = _words(render_budget_report(data, "sv", report_data.report_translations("sv")))
    assert "Budgetuppföljning 2026" in swedish and "av Rut Revisor (revisor)" in swedish
    assert english_left(swedish) == []
    english = _words(render_budget_report(data, "en"))
    assert "Budget report 2026" in english and swedish_left(english) == []
