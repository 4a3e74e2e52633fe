"""Benchmark: the allocation report PDF with N detail rows, beside the same document laid out
with bare, chunked reportlab tables.

    .venv/bin/python bench/report_bench.py [--lines 50000] [--no-baseline]

The report data is synthetic (no database): N journal entries over 40 units in 6
administrations, one invoice per 50 entries, a few in suspense, every invoice reconciled. The
same run then lays out the same document bare: every section's rows (the summary per
administration and unit, the reconciliation per invoice, the compliance findings, the suspense
lines, and the entries per unit under a heading, closed by their sum) in plain
``reportlab.platypus.Table``s of 100 rows each, header repeated, the same columns and fonts —
what the report would be without ``reports.pdf_common.PagedTable``, its chart and its page
decoration.

The last line printed is one JSON object: ``name``, ``engine`` ("none": no database),
``lines``, ``seconds`` (the report), ``baseline_seconds`` (the bare tables), ``ratio``
(seconds / baseline_seconds), ``peak_rss_mib`` (``getrusage`` max RSS, taken right after the
report is built and before the baseline runs, so it is the report's peak), plus ``pages``,
``baseline_pages`` and ``baseline_peak_rss_mib``.

The tables are chunked because reportlab re-creates a table of all remaining rows at every
page break: one table of N rows grows with the square of N (about four minutes at 50,000
rows), a baseline no layout would choose.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reports.allocation_pdf import render_allocation_report_to
from reports.data import (
    RULES,
    AllocationReport,
    ComplianceRow,
    JournalRow,
    Reconciliation,
    SuspenseRow,
    UnitSummary,
    content_hash,
    summarise,
    summary_order,
)
from reports.text import load_translations

#: The compiled catalogue the report is written with (``make translations``).
TRANSLATIONS = Path(__file__).resolve().parents[1] / "ledger" / "translations"
ADMINISTRATIONS = [
    ("KS", "Kommunstyrelseförvaltningen"),
    ("SBF", "Samhällsbyggnadsförvaltningen"),
    ("BUF", "Barn- och utbildningsförvaltningen"),
    ("SOC", "Socialförvaltningen"),
    ("KFF", "Kultur- och fritidsförvaltningen"),
    ("MBF", "Miljö- och byggförvaltningen"),
]
RULE_CYCLE = ("direct",) * 8 + ("switchboard_central", "allowance_spread")


Unit = tuple[tuple[str, str], str, str]  #: ((administration, its name), ansvar, unit name)


def _row(n: int, units: list[Unit]) -> JournalRow:
    """The ``n``-th entry (from 0): one invoice per 50, one in 97 in suspense."""
    invoice = n // 50 + 1
    amount = Decimal(((n * 7919) % 90000) + 100) / 100
    unit_facts: Unit | None
    if n % 97 == 0:
        rule, unit_facts, account = "suspense", None, "6999"
    else:
        rule = RULE_CYCLE[n % len(RULE_CYCLE)]
        unit_facts, account = units[(n * 31) % len(units)], "6810" if n % 3 else "6811"
    (admin, admin_name), ansvar, unit_name = unit_facts if unit_facts else ((None, None), None, None)
    return JournalRow(
        entry_id=n + 1, period="2026-03", unit=ansvar, unit_name=unit_name, administration=admin,
        administration_name=admin_name, account=account, counterparty="90", activity=None, amount=amount,
        rule=rule, reason="no subscription or handset matches the line's reference" if rule == "suspense" else
        (f"{n % 31 + 1} of 31 days" if n % 5 == 0 else None),
        invoice_id=invoice, invoice_number=f"F-2026-{invoice:06d}", invoice_date=date(2026, 3, 31),
        supplier="Telia Sverige AB" if invoice % 2 else "Tele2 Sverige AB", line_id=n + 1,
        line_position=n % 50 + 1, reference=f"+4670{n:07d}", is_correction=False, reverses=None)


def synthetic_report(lines: int, *, generated_at: datetime | None = None) -> AllocationReport:
    """An allocation report of ``lines`` journal entries that reconciles, built without a database."""
    units = [(ADMINISTRATIONS[i % len(ADMINISTRATIONS)], f"{1100 + i * 10}", f"Enhet {i + 1} – Västra Åsen")
             for i in range(40)]
    rows: list[JournalRow] = []
    invoices: dict[int, list[Decimal]] = {}
    for n in range(lines):
        row = _row(n, units)
        rows.append(row)
        invoices.setdefault(row.invoice_id, []).append(row.amount)
    reconciliation = [
        Reconciliation(number, f"F-2026-{number:06d}", "Telia Sverige AB" if number % 2 else "Tele2 Sverige AB",
                       date(2026, 3, 31), sum(amounts, Decimal("0.00")), Decimal("0.00"),
                       sum(amounts, Decimal("0.00")), sum(amounts, Decimal("0.00")))
        for number, amounts in invoices.items()
    ]
    suspense = [SuspenseRow(row.invoice_number, row.supplier, row.line_position, row.reference, "Jobbmobil",
                            row.amount, row.reason) for row in rows if row.rule == "suspense"]
    compliance = [ComplianceRow("unmatched_reference", "The line's reference matched no subscription or handset",
                                "Telia Sverige AB", row.amount, (f"{row.invoice_number}/{row.line_position}",))
                  for row in rows if row.rule == "suspense"][:20]
    return AllocationReport(
        organisation="Karlsborgs kommun", organisation_number="212000-1629", period="2026-03",
        first_day=date(2026, 3, 1), last_day=date(2026, 3, 31), status="open", closed_at=None,
        generated_at=generated_at or datetime(2026, 4, 2, 8, 0, tzinfo=UTC), generated_by="benchmark",
        content_hash=content_hash(rows), summary=summarise(rows), reconciliation=reconciliation, suspense=suspense,
        rows=rows, compliance=compliance)


#: Rows per plain table in the baseline. Reportlab re-creates the rest of a table at every page
#: break, so one table of all N rows costs the square of N; tables of a few pages each keep
#: the baseline linear, as the report's paging table is.
CHUNK = 100
#: the report's rows: 7 pt type, 1.45 em high (fixed heights spare reportlab measuring each row)
ROW_HEIGHT = 7 * 1.45
BASE_STYLE = [("FONT", (0, 0), (-1, -1), "Helvetica", 7), ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7),
              ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]
DETAIL_WIDTHS = (14, 24, 9, 28, 12, 27, 24, 42)


def _chunked(header: list[str], rows: list[list[str]], widths: tuple[int, ...], right: tuple[int, ...]) -> list[Any]:
    """``rows`` under ``header`` as plain reportlab tables of ``CHUNK`` rows, header repeated."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    commands: list[Any] = [*BASE_STYLE, *(("ALIGN", (c, 0), (c, -1), "RIGHT") for c in right)]
    style = TableStyle(commands)
    tables = []
    for first in range(0, max(len(rows), 1), CHUNK):
        table = Table([header, *rows[first:first + CHUNK]], colWidths=[w * mm for w in widths],
                      rowHeights=ROW_HEIGHT, repeatRows=1)
        table.setStyle(style)
        tables.append(table)
    return tables


def _summary_rows(report: AllocationReport, money: Callable[[Decimal], str]) -> list[list[str]]:
    rows: list[list[str]] = []
    for admin in report.administrations:
        if admin.administration is not None:
            rows.append([f"{admin.administration} {admin.administration_name or ''}".strip(),
                         *(money(admin.by_rule.get(rule, Decimal(0))) for rule in RULES), money(admin.total)])
        rows += [[f"   {unit.unit or ''} {unit.unit_name or ''}".rstrip(),
                  *(money(unit.by_rule.get(rule, Decimal(0))) for rule in RULES), money(unit.total)]
                 for unit in report.summary if unit.administration == admin.administration]
    return rows


def _front_sections(report: AllocationReport, texts: dict[str, str], money: Callable[[Decimal], str]) -> list[Any]:
    """Summary, reconciliation, compliance and suspense: the same rows as the report's, as plain tables."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph

    heading = getSampleStyleSheet()["Heading2"]
    t = texts.get
    story: list[Any] = [Paragraph(f"{t('title', 'title')} {report.period}", heading), PageBreak(),
                        Paragraph(t("summary", "summary"), heading)]
    story += _chunked([t("unit", "unit"), *(t(f"h_{rule}", rule) for rule in RULES), t("sum", "sum")],
                      _summary_rows(report, money), (54, 17, 17, 17, 17, 17, 17, 24), tuple(range(1, 8)))
    story += [PageBreak(), Paragraph(t("reconciliation", "reconciliation"), heading)]
    story += _chunked([t(k, k) for k in ("invoice", "supplier", "date", "net", "rounding_short", "allocated",
                                         "in_period", "difference")],
                      [[r.number, r.supplier, r.issue_date.isoformat(), money(r.net_total), money(r.rounding),
                        money(r.allocated), money(r.in_period), money(r.difference)] for r in report.reconciliation],
                      (24, 34, 17, 23, 15, 23, 22, 22), tuple(range(3, 8)))
    story.append(Paragraph(t("compliance", "compliance"), heading))
    story += _chunked([t(k, k) for k in ("kind", "supplier", "amount", "reason")],
                      [[t(f.kind, f.kind), f.supplier or "", money(f.amount or Decimal(0)), f.reason[:90]]
                       for f in report.compliance], (38, 32, 22, 88), (2,))
    story.append(Paragraph(t("suspense", "suspense"), heading))
    story += _chunked([t(k, k) for k in ("invoice", "supplier", "line", "reference", "amount", "reason")],
                      [[r.invoice_number, r.supplier, str(r.line_position or ""), r.reference or "", money(r.amount),
                        r.reason or r.description or ""] for r in report.suspense], (22, 30, 9, 28, 22, 69), (2, 4))
    return story


def _detail(report: AllocationReport, texts: dict[str, str], money: Callable[[Decimal], str]) -> list[Any]:
    """The entries per unit, in the summary's order, each unit under its heading and closed by its sum."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph

    heading = getSampleStyleSheet()["Heading3"]
    groups: dict[tuple[str | None, str | None], list[JournalRow]] = {}
    for row in report.rows:
        groups.setdefault((row.administration, row.unit), []).append(row)
    header = [texts.get(k, k) for k in ("entry", "invoice", "line", "reference", "account", "rule", "amount", "note")]
    story: list[Any] = [PageBreak()]
    for (admin, unit), rows in sorted(groups.items(), key=lambda g: summary_order(
            UnitSummary(g[0][0], None, g[0][1], None, {}))):
        cells = [[str(r.entry_id), r.invoice_number, str(r.line_position or ""), r.reference or "", r.account, r.rule,
                  money(r.amount), r.reason or ""] for r in sorted(rows, key=lambda r: r.entry_id)]
        cells.append([texts.get("sum", "sum"), "", "", "", "", "", money(sum((r.amount for r in rows), Decimal(0))),
                      str(len(rows))])
        story += [Paragraph(f"{unit or ''} {rows[0].unit_name or ''} · {admin or ''}", heading),
                  *_chunked(header, cells, DETAIL_WIDTHS, (0, 2, 6))]
    return story


def bare_tables(report: AllocationReport, out: io.BytesIO) -> int:
    """The same document laid out bare: every section's rows (summary, reconciliation,
    compliance, suspense, and the entries per unit with their sums) in plain reportlab tables
    of ``CHUNK`` rows, the same columns and fonts, no paging table, chart or page decoration."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    from reports.formatting import formatter

    fmt = formatter("sv")
    texts: dict[str, str] = {}  # the column names as their keys: the same work, other words
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=23 * mm,
                            bottomMargin=19 * mm, invariant=True)
    doc.build(_front_sections(report, texts, fmt.money) + _detail(report, texts, fmt.money))
    return int(doc.page)


def _rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=50_000, help="detail rows (journal entries)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare tables (ratio is null)")
    args = parser.parse_args(argv)

    report = synthetic_report(args.lines)
    started = time.perf_counter()
    out = io.BytesIO()
    pages = render_allocation_report_to(report, out, "sv", load_translations(TRANSLATIONS, "sv"))
    seconds = time.perf_counter() - started
    peak = _rss_mib()
    print(f"report: {args.lines} rows, {pages} pages, {len(out.getvalue()) / 1e6:.1f} MB in {seconds:.2f} s, "
          f"peak RSS {peak} MiB", file=sys.stderr)
    del out

    baseline_seconds = baseline_pages = None
    if not args.no_baseline:
        started = time.perf_counter()
        baseline_pages = bare_tables(report, io.BytesIO())
        baseline_seconds = time.perf_counter() - started
        print(f"bare tables: {baseline_pages} pages in {baseline_seconds:.2f} s", file=sys.stderr)
    result: dict[str, object] = {
        "name": "allocation_report_pdf", "engine": "none", "lines": args.lines, "seconds": round(seconds, 3),
        "baseline_seconds": None if baseline_seconds is None else round(baseline_seconds, 3),
        "ratio": None if not baseline_seconds else round(seconds / baseline_seconds, 3),
        "peak_rss_mib": peak, "pages": pages, "baseline_pages": baseline_pages,
        "baseline_peak_rss_mib": None if baseline_seconds is None else _rss_mib(),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
