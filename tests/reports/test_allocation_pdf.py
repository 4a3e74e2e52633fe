"""The allocation report renderer on synthetic report data: no database, no Flask.

The text is read back with pypdf. Babel's no-break spaces ("1 234,50 kr") are read as plain
spaces here, as a person copying from the PDF would want them. Swedish reports are written
with the compiled Swedish catalogue, as the pages and commands write them.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.report_bench import synthetic_report
from reports.allocation_pdf import render_allocation_report, render_allocation_report_to
from reports.data import AllocationReport, ComplianceRow, JournalRow, content_hash, summarise
from reports.formatting import Formatter
from reports.pdf_common import fit_text, text_width, wrap_text
from reports.text import load_translations

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SWEDISH = load_translations(PROJECT_ROOT / "ledger" / "translations", "sv")


def render(report: AllocationReport, language: str = "sv") -> bytes:
    return render_allocation_report(report, language, SWEDISH if language == "sv" else None)


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text().replace("\xa0", " ") for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def without_generated_line(text: str) -> str:
    return re.sub(r"(Skapad|Generated)\n[^\n]*\n", r"\1\n…\n", text)


def test_cover_header_footer_and_sections_in_swedish() -> None:
    report = synthetic_report(300)
    pages = pages_text(render(report, "sv"))
    cover = pages[0]
    for text in ("Fördelningsrapport", "Karlsborgs kommun (212000-1629)", "2026-03 (1 mars 2026 – 31 mars 2026)",
                 "öppen", report.content_hash, "2 apr. 2026 10:00 CEST", "benchmark"):
        assert text in cover, text
    for number, page in enumerate(pages, start=1):
        assert page.startswith("Fördelningsrapport 2026-03"), page[:60]
        assert f"Sida {number} av {len(pages)}" in page
    everything = "\n".join(pages)
    for heading in ("1. Sammanställning per förvaltning och enhet", "Kostnad per förvaltning",
                    "2. Avstämning mot fakturorna", "3. Avvikelser mot avtal", "4. Vänteläge",
                    "5. Journalposter per enhet"):
        assert heading in everything


def test_english_report_says_page_n_of_m_and_formats_in_english() -> None:
    pages = pages_text(render(synthetic_report(120), "en"))
    assert pages[0].startswith("Allocation report 2026-03")
    assert f"Page 1 of {len(pages)}" in pages[0] and "1 Mar 2026 – 31 Mar 2026" in pages[0]
    assert "All 3 invoices reconcile: the difference is SEK 0.00." in "\n".join(pages)


def test_summary_totals_per_unit_equal_the_rows() -> None:
    report = synthetic_report(2000)
    text = "\n".join(pages_text(render(report, "sv")))
    fmt = Formatter("sv")
    for unit in report.summary:
        if unit.unit is None:
            continue
        expected = sum((row.amount for row in report.rows if row.unit == unit.unit), Decimal("0.00"))
        line = next(line for line in text.splitlines() if line.strip().startswith(f"{unit.unit} {unit.unit_name}")
                    and "kr" in line)
        assert line.endswith(fmt.money(expected).replace("\xa0", " ")), (line, expected)
        assert f"Summa {fmt.money(expected)}".replace("\xa0", " ") in text


def test_reconciliation_shows_each_invoice_with_zero_difference() -> None:
    report = synthetic_report(500)
    text = "\n".join(pages_text(render(report, "sv")))
    for invoice in report.reconciliation:
        line = next(line for line in text.splitlines() if line.startswith(f"{invoice.number} "))
        assert line.endswith(" 0,00 kr"), line
    assert f"Alla {len(report.reconciliation)} fakturor stämmer: differensen är 0,00 kr." in text


def test_a_difference_is_printed_and_counted() -> None:
    report = synthetic_report(100)
    first = report.reconciliation[0]
    broken = replace(report, reconciliation=[replace(first, allocated=first.allocated - Decimal("0.01")),
                                             *report.reconciliation[1:]])
    text = "\n".join(pages_text(render(broken, "sv")))
    assert "1 av 2 fakturor stämmer inte: summa differens 0,01 kr." in text
    line = next(line for line in text.splitlines() if line.startswith(f"{first.number} "))
    assert line.endswith(" 0,01 kr")


def test_same_data_gives_the_same_bytes_and_only_the_generated_line_differs() -> None:
    report = synthetic_report(200)
    assert render(report) == render(report)
    later = replace(report, generated_at=datetime(2026, 5, 1, 12, 30, tzinfo=UTC), generated_by="benchmark")
    first, second = pages_text(render(report)), pages_text(render(later))
    assert first != second
    assert [without_generated_line(page) for page in first] == [without_generated_line(page) for page in second]


def test_content_hash_depends_on_entries_not_their_order() -> None:
    rows = list(synthetic_report(50).rows)
    assert content_hash(rows) == content_hash(reversed(rows))
    changed = [replace(rows[0], amount=rows[0].amount + Decimal("0.01")), *rows[1:]]
    assert content_hash(changed) != content_hash(rows)
    assert content_hash([*rows, replace(rows[0], entry_id=999, amount=-rows[0].amount, reverses=1)]) != \
        content_hash(rows)
    assert re.fullmatch(r"[0-9a-f]{64}", content_hash(rows))


def test_fifty_thousand_detail_rows_build_across_pages() -> None:
    report = synthetic_report(50_000)
    started = time.perf_counter()
    out = io.BytesIO()
    pages = render_allocation_report_to(report, out, "sv", SWEDISH)
    seconds = time.perf_counter() - started
    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == pages and pages > 600
    last = reader.pages[-1].extract_text().replace("\xa0", " ")
    assert f"Sida {pages} av {pages}" in last
    assert "Summa" in last and "journalposter" in last
    middle = reader.pages[pages // 2].extract_text()
    assert "Post Faktura Rad Referens Konto Regel Belopp Anteckning" in middle  # the header repeats
    assert seconds < 120, seconds


def test_long_texts_wrap_in_their_column_and_none_is_cut() -> None:
    report = synthetic_report(30)
    long_reason = "en mycket lång förklaring " * 6
    reference = "+46 70 123 45 67 / extra / text / som inte får plats"
    rows = [replace(row, reason=long_reason.strip(), reference=reference) for row in report.rows]
    text = "\n".join(pages_text(render(replace(report, rows=rows))))
    assert " ".join(long_reason.split()) in " ".join(text.split())
    assert reference in " ".join(text.split())
    assert "…" not in text


def test_cut_text_fits_and_short_text_is_kept() -> None:
    assert fit_text("kort", 100) == "kort"
    cut = fit_text("Förskolor centrala Karlsborg och Västra Åsen", 60)
    assert cut.endswith("…") and text_width(cut) <= 60
    assert fit_text("rad\nbrytning", 200) == "rad brytning"


def test_wrapped_lines_fit_and_keep_every_character() -> None:
    name = "Demoprylar Telefoni AB (dotterbolag i Karlsborg med ett mycket långt namn)"
    lines = wrap_text(name, 60)
    assert len(lines) > 1 and all(text_width(line) <= 60 for line in lines)
    assert " ".join(lines) == name
    number = wrap_text("BARS-2026-11-4711-0001", 40)
    assert number[0] == "BARS-2026-" and "".join(number) == "BARS-2026-11-4711-0001"
    assert wrap_text("Faktura\u00addatum", 40, "Helvetica-Bold") == ["Faktura-", "datum"]
    assert wrap_text("Faktura\u00addatum", 200) == ["Fakturadatum"]
    many = wrap_text("ord " * 400, 60, max_lines=5)
    assert len(many) == 5 and many[-1].endswith("…")


def test_an_empty_period_still_renders() -> None:
    report = replace(synthetic_report(1), rows=[], summary=[], reconciliation=[], suspense=[], compliance=[],
                     content_hash=content_hash([]))
    text = "\n".join(pages_text(render(report)))
    assert "Inga journalposter i perioden." in text and "Inga fakturor i perioden." in text
    assert "Inga rader i vänteläge." in text and "Inga avvikelser för perioden." in text


def test_compliance_note_is_printed_when_findings_could_not_be_read() -> None:
    report = replace(synthetic_report(10), compliance=[], compliance_note="TypeError: check() got no today")
    text = " ".join("\n".join(pages_text(render(report))).split())
    assert "Avvikelserna mot avtal kunde inte läsas: TypeError: check() got no today" in text


def test_a_finding_with_thousands_of_lines_fits_its_cell() -> None:
    finding = ComplianceRow("off_contract_supplier", "Operatören AB billed usage without a contract " * 40,
                            "Operatören AB", Decimal("123456.00"), tuple(f"F-1/{n}" for n in range(1, 5001)))
    report = replace(synthetic_report(10), compliance=[finding])
    text = "\n".join(pages_text(render(report)))
    assert "F-1/24, och 4976 till" in text.replace("\n", " ")
    assert "F-1/25," not in text


def test_summarise_adds_up_per_unit_and_rule() -> None:
    rows = synthetic_report(400).rows
    summary = summarise(rows)
    assert sum((unit.total for unit in summary), Decimal(0)) == sum((row.amount for row in rows), Decimal(0))
    assert summary[-1].unit is None  # suspense and rounding last


# --- formatting ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=Decimal("-99999999999.99"), max_value=Decimal("99999999999.99"), places=2))
def test_fast_money_is_what_babel_says(amount: Decimal) -> None:
    for language in ("sv", "en"):
        fmt = Formatter(language)
        assert fmt.money(amount) == fmt._babel_money(amount)


def test_money_and_dates_in_both_languages() -> None:
    sv, en = Formatter("sv"), Formatter("en_GB")
    assert sv.money(Decimal("1234.5")) == "1\xa0234,50\xa0kr"
    assert sv.money(Decimal("-0.05")) == "-0,05\xa0kr"
    assert en.money(Decimal("1234.5")) == "SEK\xa01,234.50"
    assert sv.day(date(2026, 11, 28)) == "28 nov. 2026" and en.day(date(2026, 11, 28)) == "28 Nov 2026"
    assert sv.kronor(12345.4) == "12\xa0345\xa0kr"
    with pytest.raises(ValueError, match="not one of"):
        Formatter("de")


def test_reports_package_imports_no_flask_sqlalchemy_or_ledger() -> None:
    code = ("import sys, reports.allocation_pdf, reports.journal_csv, reports.journal_xlsx, reports.charts, "
            "reports.formatting, reports.data, reports.pdf_common, reports.sie\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'ledger', "
            "'flask_babel'))\nprint(bad)")
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_journal_row_is_small() -> None:
    assert not hasattr(JournalRow(1, "2026-03", None, None, None, None, "6810", None, None, Decimal(1), "direct",
                                  None, 1, "F", date(2026, 3, 1), "S", None, None, None, False, None), "__dict__")
