"""The PDF reports as a reader gets them: one language throughout, long names whole, nothing
drawn off the page. No database, no Flask: the renderers on report data made here.

The words are checked against the catalogue itself: every msgid the ``reports/`` code marks is
extracted as ``make translations-update`` extracts it, and a Swedish PDF may hold none of the
English of those that Swedish says otherwise (an English one none of their Swedish). Where a
text is drawn is read from the PDF's own content stream (``drawn_texts``): each string shown,
from its start to its end by the font's metrics.
"""

from __future__ import annotations

import io
import itertools
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import pypdf
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from pypdf.generic import ContentStream
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth

from bench.report_bench import synthetic_report
from reports.allocation_pdf import render_allocation_report
from reports.budget_pdf import BudgetReport, BudgetRow, BudgetSection, render_budget_report
from reports.data import AllocationReport, ComplianceRow, JournalRow, content_hash, summarise
from reports.pdf_common import MARGIN
from reports.text import language, load_translations

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = PROJECT_ROOT / "ledger" / "translations"
SWEDISH = load_translations(TRANSLATIONS, "sv")

SUPPLIER = "Demoprylar Telefoni AB (dotterbolag i Karlsborg, telekommunikation och datanät)."
UNIT = "Förskolor centrala Karlsborg, Västra Åsen, Mölltorp, Undenäs och Forsvik med kök"
ADMINISTRATION = "Barn-, utbildnings-, kultur- och fritidsförvaltningen i Karlsborgs kommun"
INVOICE = "BARS-2026-11-4711-0001-KARLSBORG-FORSKOLA"
REFERENCE = "+46 70 123 45 67 / anknytning 4711 / Karlsborgs fästning"


def test_the_long_names_are_eighty_characters() -> None:
    assert len(SUPPLIER) == len(UNIT) == 80 and len(ADMINISTRATION) > 70


# ---------------------------------------------------------------------------------------------
# Report data with long names, a difference, a reversal, a correction and a finding


def long_names_report() -> AllocationReport:
    base = synthetic_report(400)
    rows = [replace(row, supplier=SUPPLIER, invoice_number=INVOICE, reference=REFERENCE, unit_name=UNIT,
                    administration_name=ADMINISTRATION) if row.unit == "1100" or row.invoice_id == 1 else row
            for row in base.rows]
    first = rows[1]
    rows += [replace(first, entry_id=9001, amount=-first.amount, reverses=first.entry_id, reason=None),
             replace(first, entry_id=9002, is_correction=True, reason="1100 > 3110, 2026-03-20")]
    reconciliation = [replace(r, supplier=SUPPLIER, number=INVOICE) if r.invoice_id == 1 else r
                      for r in base.reconciliation]
    reconciliation[1] = replace(reconciliation[1], allocated=reconciliation[1].allocated - Decimal("0.01"))
    huge = Decimal("-123456789.50")  # wider than its column: set smaller, never into the next one
    reconciliation[2] = replace(reconciliation[2], net_total=huge, allocated=huge, in_period=huge)
    finding = ComplianceRow("off_contract_supplier", "billed usage without a contract", SUPPLIER, Decimal("1234.50"),
                            (f"{INVOICE}/1",), {"supplier": SUPPLIER, "category": "usage", "lines": 1,
                                                "contracted": "Operatören AB"})
    return replace(base, rows=rows, summary=summarise(rows), reconciliation=reconciliation,
                   compliance=[finding, *base.compliance], content_hash=content_hash(rows), status="closed",
                   closed_at=datetime(2026, 4, 5, 9, 0, tzinfo=UTC), generated_by="Rut Revisor (revisor)")


def budget_report() -> BudgetReport:
    big = tuple(Decimal("1234567.00") for _ in range(12))
    small = tuple(Decimal(1000 + month * 10) for month in range(12))
    rows = (BudgetRow("equipment", small, small, Decimal("14000")),
            BudgetRow("subscriptions", big, tuple(v + 1 for v in big), Decimal("14814816")),
            BudgetRow("switchboard", small, small, Decimal("14000")))
    return BudgetReport("Karlsborgs kommun", 2026, f"3110 {UNIT}", 3, datetime(2026, 4, 2, 8, 0, tzinfo=UTC),
                        "Rut Revisor (revisor)", (BudgetSection(f"3110 {UNIT}", rows),
                                                  BudgetSection(ADMINISTRATION, rows)))


def render(kind: str, code: str) -> bytes:
    translations = SWEDISH if code == "sv" else None
    if kind == "allocation":
        return render_allocation_report(long_names_report(), code, translations)
    return render_budget_report(budget_report(), code, translations)


@lru_cache(maxsize=8)
def rendered(kind: str, code: str) -> bytes:
    return render(kind, code)


def words(pdf: bytes) -> str:
    """The PDF's text with every run of white space one space (a wrapped name reads whole)."""
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.replace("\xa0", " ").split())


# ---------------------------------------------------------------------------------------------
# Where each string is drawn, from the content stream

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _times(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def _moved(x: float, y: float, m: Matrix) -> Matrix:
    return _times((1.0, 0.0, 0.0, 1.0, x, y), m)


@dataclass(frozen=True)
class Drawn:
    page: int
    text: str
    x0: float
    x1: float
    y: float


def _decoded(operand: Any) -> str:
    raw = operand.original_bytes if hasattr(operand, "original_bytes") else bytes(operand)
    return raw.decode("cp1252", errors="replace")


class _TextState:
    """The graphics and text state of one page, as far as placing strings needs it."""

    def __init__(self, page: int, fonts: dict[str, str], found: list[Drawn]) -> None:
        self.page, self.fonts, self.found = page, fonts, found
        self.ctm, self.tm, self.tlm = IDENTITY, IDENTITY, IDENTITY
        self.leading, self.font, self.size = 0.0, "Helvetica", 1.0
        #: q saves the graphics state, the text state's font and leading with it; Q restores it
        self.stack: list[tuple[Matrix, float, str, float]] = []

    def show(self, text: str) -> None:
        width = stringWidth(text, self.font, self.size)
        placed = _times(self.tm, self.ctm)
        if text.strip():
            self.found.append(Drawn(self.page, text, placed[4], placed[4] + width * placed[0], placed[5]))
        self.tm = _moved(width, 0.0, self.tm)

    def line(self, x: float, y: float) -> None:
        self.tm = self.tlm = _moved(x, y, self.tlm)

    def run(self, operands: list[Any], op: str) -> None:
        if op == "q":
            self.stack.append((self.ctm, self.leading, self.font, self.size))
        elif op == "Q":
            self.ctm, self.leading, self.font, self.size = self.stack.pop()
        elif op == "cm":
            self.ctm = _times(tuple(float(v) for v in operands), self.ctm)  # type: ignore[arg-type]
        elif op == "BT":
            self.tm = self.tlm = IDENTITY
        elif op == "Tf":
            self.font, self.size = self.fonts[operands[0]], float(operands[1])
        elif op == "TL":
            self.leading = float(operands[0])
        elif op in ("Td", "TD"):
            self.leading = -float(operands[1]) if op == "TD" else self.leading
            self.line(float(operands[0]), float(operands[1]))
        elif op == "Tm":
            self.tm = self.tlm = tuple(float(v) for v in operands)  # type: ignore[assignment]
        elif op in ("T*", "'"):
            self.line(0.0, -self.leading)
            if op == "'":
                self.show(_decoded(operands[0]))
        elif op == "Tj":
            self.show(_decoded(operands[0]))
        elif op == "TJ":
            for part in operands[0]:
                if isinstance(part, int | float) or hasattr(part, "as_numeric"):
                    self.tm = _moved(-float(part) / 1000 * self.size, 0.0, self.tm)
                else:
                    self.show(_decoded(part))


def drawn_texts(pdf: bytes) -> list[Drawn]:
    """Every string the PDF shows, with where it starts and ends on its page (points)."""
    found: list[Drawn] = []
    for number, page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages, start=1):
        fonts = {str(name): str(font.get_object()["/BaseFont"])[1:]
                 for name, font in page["/Resources"]["/Font"].items()}
        state = _TextState(number, fonts, found)
        for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
            state.run(operands, operator.decode())
    return found


# ---------------------------------------------------------------------------------------------
# The catalogue's words


@lru_cache(maxsize=1)
def report_msgids() -> tuple[str, ...]:
    """Every msgid marked in reports/, as the catalogue's extraction finds it."""
    keywords = {**DEFAULT_KEYWORDS, "N_": None, "_l": None, "lazy_gettext": None}
    found = {message for path in sorted((PROJECT_ROOT / "reports").rglob("*.py"))
             for _line, message, _comments, _context in extract_from_file("python", str(path), keywords=keywords)
             if isinstance(message, str)}
    return tuple(sorted(found))


def _fragments(text: str) -> list[str]:
    """The literal parts of a message between its placeholders, those with a word in them (of
    four letters or more: "och" or "of" alone could be a name's)."""
    return [part.strip() for part in re.split(r"%\(\w+\)s", text) if re.search(r"[^\W\d_]{4}", part)]


def _neutral(fragment: str, other_language: list[str]) -> bool:
    """A fragment that the other language says the same (Period, Status, "(SHA-256)")."""
    return any(fragment in text for text in other_language)


def _found(fragment: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", text) is not None


def test_the_catalogue_has_swedish_for_every_report_text() -> None:
    msgids = report_msgids()
    assert len(msgids) > 80 and "Allocation report" in msgids and "Budget report" in msgids
    assert "Generated by" in msgids and "Supplier not on contract" in msgids
    same_in_both = ("Period", "Status", "Budget", "Organisation", "IMEI", "Text")
    untranslated = [m for m in msgids if SWEDISH.gettext(m) == m and m not in same_in_both]
    assert untranslated == []


def english_left(text: str) -> list[str]:
    """The English of the reports' msgids found in ``text`` (where Swedish says otherwise)."""
    swedish = [SWEDISH.gettext(m) for m in report_msgids()]
    text = _without_people(text)
    return [fragment for msgid in report_msgids() for fragment in _fragments(msgid)
            if not _neutral(fragment, swedish) and _found(fragment, text)]


#: "Rut Revisor (revisor)": a person, by name and log-in name. People are data, not text: a
#: user named after a role ("revisor", "auditor-1a2b") is no language left behind.
_PERSON = re.compile(r"[^\s()]+(?: [^\s()]+)? \([\w.@-]+\)")


def _without_people(text: str) -> str:
    return _PERSON.sub(" ", text)


def swedish_left(text: str) -> list[str]:
    """The Swedish of the reports' msgids found in ``text`` (where English says otherwise)."""
    english = list(report_msgids())
    text = _without_people(text)
    return [fragment for msgid in report_msgids() for fragment in _fragments(SWEDISH.gettext(msgid))
            if not _neutral(fragment, english) and _found(fragment, text)]


@pytest.mark.parametrize("kind", ["allocation", "budget"])
def test_a_swedish_pdf_holds_no_english_of_the_catalogue(kind: str) -> None:
    text = words(rendered(kind, "sv"))
    assert english_left(text) == []
    for expected in (("Fördelningsrapport", "Skapad av", "Sida 1 av", "Avstämning mot fakturorna", "rättelse",
                      "återför 2", "Leverantör utan avtal", "Innehållshash", "stängd")
                     if kind == "allocation" else
                     ("Budgetuppföljning 2026", "Telefoner och utrustning", "Abonnemang och trafik", "Växel",
                      "Hittills", "Årsbudget", "Skapad 2 apr. 2026", "av Rut Revisor (revisor)", "Sida 1 av")):
        assert expected in text, expected


@pytest.mark.parametrize("kind", ["allocation", "budget"])
def test_an_english_pdf_holds_its_english_and_none_of_the_swedish(kind: str) -> None:
    text = words(rendered(kind, "en"))
    assert swedish_left(text) == []
    for expected in (("Allocation report 2026-03", "Generated by Rut Revisor (revisor)", "Page 1 of",
                      "Reconciliation with the invoices", "correction", "reverses 2", "Supplier not on contract",
                      "1 of 8 invoices do not reconcile: total difference SEK 0.01.", "SEK 1,234.50")
                     if kind == "allocation" else
                     ("Budget report 2026", "Handsets and equipment", "Subscriptions and usage", "Switchboard",
                      "To date", "Year budget", "Generated 2 Apr 2026", "by Rut Revisor (revisor)", "Page 1 of")):
        assert expected in text, expected


def test_swedish_amounts_and_dates_in_swedish_english_in_english() -> None:
    sv, en = words(rendered("allocation", "sv")), words(rendered("allocation", "en"))
    assert "1 234,50 kr" in sv and "SEK" not in sv.replace("SHA-256", "")
    assert "SEK 1,234.50" in en and " kr" not in en
    assert "1 mars 2026 – 31 mars 2026" in sv and "1 Mar 2026 – 31 Mar 2026" in en


def test_a_report_in_swedish_without_its_catalogue_is_refused() -> None:
    with pytest.raises(ValueError, match="needs that language's translations"):
        render_allocation_report(synthetic_report(5), "sv")
    with pytest.raises(ValueError, match="no compiled 'sv' catalogue"):
        load_translations(PROJECT_ROOT / "no-such-folder", "sv")
    assert language("en").gettext("Allocation report") == "Allocation report"
    said = language("sv", SWEDISH).gettext("All %(count)s invoices reconcile: the difference is %(zero)s.",
                                           count=3, zero="0,00 kr")
    assert said == "Alla 3 fakturor stämmer: differensen är 0,00 kr."


# ---------------------------------------------------------------------------------------------
# Long names wrap; nothing leaves the page


@pytest.mark.parametrize("code", ["sv", "en"])
def test_long_names_appear_whole_in_the_allocation_report(code: str) -> None:
    text = words(rendered("allocation", code))
    for name in (SUPPLIER, UNIT, ADMINISTRATION, REFERENCE):
        assert name in text, name
    assert INVOICE in "".join(text.split())  # a number without spaces is broken after a hyphen
    assert "…" not in text


@pytest.mark.parametrize("code", ["sv", "en"])
def test_long_names_appear_whole_in_the_budget_report(code: str) -> None:
    text = words(rendered("budget", code))
    assert f"3110 {UNIT}" in text and ADMINISTRATION in text
    assert "1 234 567" in text or "1,234,567" in text  # the widest figures are there, set smaller


@pytest.mark.parametrize(("kind", "code"), [("allocation", "sv"), ("allocation", "en"), ("budget", "sv"),
                                            ("budget", "en")])
def test_no_text_is_drawn_beyond_the_margins(kind: str, code: str) -> None:
    width, _ = A4
    drawn = drawn_texts(rendered(kind, code))
    assert len(drawn) > 100
    outside = [d for d in drawn if d.x0 < MARGIN - 0.5 or d.x1 > width - MARGIN + 0.5]
    assert outside == []


@pytest.mark.parametrize("code", ["sv", "en"])
def test_no_two_texts_of_a_table_line_overlap(code: str) -> None:
    """A text wider than its cell would run into its neighbour's."""
    lines: dict[tuple[int, float], list[Drawn]] = {}
    for d in drawn_texts(rendered("allocation", code)):
        lines.setdefault((d.page, round(d.y, 1)), []).append(d)
    overlapping = []
    for texts in lines.values():
        ordered = sorted(texts, key=lambda d: d.x0)
        overlapping += [(a.text, b.text) for a, b in itertools.pairwise(ordered) if a.x1 > b.x0 + 0.5]
    assert overlapping == []


def test_the_drawn_texts_are_read_where_they_are() -> None:
    """The reader of positions can fail: a name set beyond the margin is seen there."""
    pdf = render_allocation_report(replace(synthetic_report(5), organisation="K" * 20), "en")
    header = [d for d in drawn_texts(pdf) if d.text == "K" * 20 and d.page == 1 and d.y > 780]
    assert header and abs(header[0].x1 - (A4[0] - MARGIN)) < 0.5  # right-aligned to the margin


def test_a_journal_row_with_an_eighty_character_unit_is_wrapped_not_cut() -> None:
    row = JournalRow(1, "2026-03", "3110", UNIT, "BUF", ADMINISTRATION, "6810", None, None, Decimal("12.00"),
                     "direct", None, 1, INVOICE, date(2026, 3, 31), SUPPLIER, 1, 1, REFERENCE, False, None)
    report = replace(synthetic_report(1), rows=[row], summary=summarise([row]), content_hash=content_hash([row]))
    text = words(render_allocation_report(report, "sv", SWEDISH))
    assert f"3110 {UNIT}" in text and "…" not in text


# ---------------------------------------------------------------------------------------------
# Compliance findings said in the report's language


FINDINGS = [
    ComplianceRow("price_above_contract", "Operatören AB charged 0.4500 per unit", "Operatören AB", Decimal("12.50"),
                  ("F-1/2",), {"supplier": "Operatören AB", "item_code": "SMS", "day": date(2026, 3, 4),
                               "unit_price": Decimal("0.4500"), "contract": "RA-2024-1",
                               "contract_price": Decimal("0.3925"), "quantity": Decimal("250"),
                               "excess": Decimal("14.38")}),
    ComplianceRow("billed_after_end", "+46701234567 ended", "Operatören AB", Decimal("99.00"), ("F-1/3",),
                  {"number": "070-123 45 67", "end_date": date(2026, 2, 28), "last_billed": date(2026, 3, 31)}),
    ComplianceRow("off_contract_supplier", "Demoprylar billed usage", SUPPLIER, Decimal("10.00"), (),
                  {"supplier": "Demoprylar AB", "category": "usage", "contracted": "", "lines": 2}),
    ComplianceRow("contract_ending", "RA-2024-1 ends", None, None, (),
                  {"contract": "RA-2024-1", "title": "Mobiltelefoni", "event": "end", "date": date(2026, 6, 30)}),
    ComplianceRow("unmatched_reference", "said in English only", "Operatören AB", Decimal("1.00"), (),
                  {"reference": None, "supplier": "Operatören AB", "lines": "many", "quantity": "x"}),
    ComplianceRow("private_use_without_agreement", "+46701234567 was billed", "Operatören AB", Decimal("29.00"),
                  ("F-1/4",), {"number": "070-123 45 67", "day": date(2026, 3, 9), "indicator": "premium",
                               "indicator_kind": "premium_rate", "text": "Samtal 0939-123 45", "amount": "29.00"}),
    ComplianceRow("price_above_contract", "values of another shape: said in English", "Operatören AB",
                  Decimal("1.00"), (), {"unit_price": "not a price"}),
]


def _findings_text(code: str) -> str:
    report = replace(synthetic_report(5), compliance=FINDINGS)
    return words(render_allocation_report(report, code, SWEDISH if code == "sv" else None))


def test_findings_are_said_in_swedish_in_a_swedish_report() -> None:
    text = _findings_text("sv")
    for expected in ("Operatören AB debiterade 0,45 kr per enhet för SMS den 4 mars 2026",
                     "avtalspriset (RA-2024-1) är 0,3925 kr", "= 14,38 kr",
                     "070-123 45 67 avslutades 28 feb. 2026 men faktureras till och med 31 mars 2026",
                     "Demoprylar AB fakturerade trafik på 2 rad(er)", "Inget gällande ramavtal omfattar kategorin.",
                     "RA-2024-1 (Mobiltelefoni) upphör 30 juni 2026",
                     "many rad(er) från Operatören AB anger inget nummer",
                     "070-123 45 67 debiterades för betalnummer den 9 mars 2026 utan avtal om privat användning: "
                     "Samtal 0939-123 45.",
                     "values of another shape: said in English"):
        assert expected in text, expected
    assert "charged" not in text and "ended" not in text


def test_findings_are_said_in_english_in_an_english_report() -> None:
    text = _findings_text("en")
    for expected in ("Operatören AB charged SEK 0.45 per unit for SMS on 4 Mar 2026",
                     "the contract price (RA-2024-1) is SEK 0.3925", "= SEK 14.38 to claim",
                     "070-123 45 67 ended on 28 Feb 2026 but is billed up to 31 Mar 2026",
                     "Demoprylar AB billed usage on 2 line(s)", "RA-2024-1 (Mobiltelefoni) ends on 30 Jun 2026"):
        assert expected in text, expected
