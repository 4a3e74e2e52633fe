"""The auditors' allocation report: one period's journal as a PDF that reconciles to the invoices.

``render_allocation_report(report, language)`` turns an ``AllocationReport`` (built by
``ledger.reporting.service``) into PDF bytes. It formats through Babel in the language it
is given (``sv`` by default) and runs no queries.

What it shows, in order:

1. Cover: organisation, period and its status, when and by whom the report was made, and the
   content hash of the journal entries shown (``reports.data.content_hash``).
2. Summary per administration and unit, split by rule (direct, switchboard central,
   fee-funded own, allowance spread, rounding, suspense), and a bar chart of the cost per
   administration.
3. Reconciliation: every invoice's net total plus rounding against the sum of its entries,
   with the difference (zero when all is well; a difference is printed in red).
4. Compliance findings of the period, 5. the suspense lines, 6. every entry per unit.

The same report data gives the same bytes (``invariant`` PDF); two reports of the same journal
differ only in the "generated" line of the cover.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import IO

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, LongTable, PageBreak, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from reports.charts import cost_bar_chart
from reports.data import (
    RULES,
    AdministrationTotal,
    AllocationReport,
    ComplianceRow,
    JournalRow,
    Reconciliation,
    UnitSummary,
    summary_order,
)
from reports.formatting import Formatter, formatter
from reports.pdf_common import (
    BAD,
    HEADER_FILL,
    INK,
    RULE,
    PageDecor,
    PagedTable,
    build_document,
    styles,
)

__all__ = ["TEXTS", "render_allocation_report"]

WIDTH = 180 * mm
#: Invoice lines named under one compliance finding; the rest are counted.
MAX_LINES_LISTED = 24
#: Characters of a finding's reason printed (they are one sentence; this keeps a cell on a page).
MAX_REASON = 600

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Fördelningsrapport",
        "subtitle": "Telefonikostnader fördelade på ansvar, exklusive moms",
        "organisation": "Organisation",
        "period": "Period",
        "status": "Status",
        "open": "öppen",
        "closed": "stängd",
        "closed_at": "stängd {when}",
        "generated": "Skapad",
        "generated_by": "Skapad av",
        "hash": "Innehållshash (SHA-256)",
        "entries": "Journalposter",
        "invoices": "Fakturor",
        "total": "Fördelat i perioden",
        "hash_note": "Innehållshashen är SHA-256 över periodens journalposter i den här rapporten (post, period, "
                     "ansvar, förvaltning, konto, motpart, verksamhet, regel, belopp i öre, faktura, fakturarad, "
                     "återförd post, rättelse). Samma journal ger samma hash; en ny fördelning som skriver poster "
                     "ger en annan.",
        "contents": "Innehåll",
        "summary": "Sammanställning per förvaltning och enhet",
        "summary_note": "Periodens journalposter per enhet och fördelningsregel. Förvaltningen är den enheten "
                        "tillhörde när posten bokfördes.",
        "unit": "Förvaltning / enhet",
        "no_unit": "Utan enhet",
        "no_unit_long": "Utan enhet (vänteläge, öresavrundning)",
        "sum": "Summa",
        "grand_total": "Totalt",
        "chart": "Kostnad per förvaltning",
        "reconciliation": "Avstämning mot fakturorna",
        "reconciliation_note": "Varje fakturas nettobelopp (exklusive moms) plus öresavrundning mot summan av dess "
                               "journalposter till och med perioden. Differensen ska vara noll.",
        "invoice": "Faktura",
        "supplier": "Leverantör",
        "date": "Faktura-\ndatum",
        "net": "Netto",
        "rounding_short": "Öres-\navrundning",
        "allocated": "Fördelat",
        "in_period": "Varav i\nperioden",
        "difference": "Differens",
        "reconciled": "Alla {count} fakturor stämmer: differensen är {zero}.",
        "not_reconciled": "{count} av {total} fakturor stämmer inte: summa differens {difference}.",
        "no_invoices": "Inga fakturor i perioden.",
        "clearing": "Avräkningskonto {account} (ansvar {ansvar}): periodens fakturor {booked}, fördelat till "
                    "enheterna {handed_over}, kvar {remainder} = beloppet i vänteläge.",
        "vat": "Moms per momskategori",
        "vat_note": "Periodens fakturor per momskategori och momssats, för avstämning mot ekonomisystemets "
                    "momskonton. Fördelningen är exklusive moms. Omvänd skattskyldighet (AE): momsen kommunen "
                    "själv ska redovisa, 25 %.",
        "vat_category": "Kategori",
        "vat_rate": "Momssats",
        "taxable": "Underlag",
        "vat_amount": "Moms",
        "self_assessed": "Egen redovisning",
        "no_vat": "Inga fakturor daterade i perioden.",
        "compliance": "Avvikelser mot avtal",
        "no_findings": "Inga avvikelser för perioden.",
        "kind": "Avvikelse",
        "amount": "Belopp",
        "reason": "Beskrivning",
        "lines": "Fakturarader",
        "and_more": "och {count} till",
        "suspense": "Vänteläge",
        "suspense_note": "Fakturarader vars belopp i periodens journal står i vänteläge (netto efter återföringar), "
                         "och varför. Ett negativt belopp är en rad som lösts ut ur vänteläget.",
        "no_suspense": "Inga rader i vänteläge.",
        "line": "Rad",
        "reference": "Referens",
        "detail": "Journalposter per enhet",
        "no_entries": "Inga journalposter i perioden.",
        "entry": "Post",
        "account": "Konto",
        "rule": "Regel",
        "note": "Anmärkning",
        "reverses": "återför {id}",
        "correction": "rättelse",
        "page_of": "Sida {page} av {pages}",
        "direct": "direkt",
        "switchboard_central": "växel, centralt",
        "fee_funded_own": "intäktsfinansierad, egen",
        "allowance_spread": "rabatt/avgift fördelad",
        "rounding": "öresavrundning",
        "suspense_rule": "vänteläge",
        "h_direct": "Direkt",
        "h_switchboard_central": "Växel,\ncentralt",
        "h_fee_funded_own": "Intäktsfin.,\negen",
        "h_allowance_spread": "Rabatt/\navgift",
        "h_rounding": "Öres-\navrundning",
        "h_suspense": "Vänteläge",
        "off_contract_supplier": "Leverantör utan avtal",
        "price_above_contract": "Pris över avtalspris",
        "billed_after_end": "Fakturerat efter att abonnemanget avslutats",
        "no_assignment": "Fakturerat utan tillhörande enhet",
        "unmatched_reference": "Referensen motsvarar ingenting",
        "hardware_off_contract": "Utrustning köpt utanför avtal",
        "credit_without_invoice": "Kreditnota för en faktura som inte är importerad",
        "contract_ending": "Avtal som löper ut eller ska sägas upp eller förlängas",
    },
    "en": {
        "title": "Allocation report",
        "subtitle": "Telephony costs allocated to budget units, excluding VAT",
        "organisation": "Organisation",
        "period": "Period",
        "status": "Status",
        "open": "open",
        "closed": "closed",
        "closed_at": "closed {when}",
        "generated": "Generated",
        "generated_by": "Generated by",
        "hash": "Content hash (SHA-256)",
        "entries": "Journal entries",
        "invoices": "Invoices",
        "total": "Allocated in the period",
        "hash_note": "The content hash is SHA-256 over the period's journal entries in this report (entry, period, "
                     "unit, administration, account, counterparty, activity, rule, amount in öre, invoice, invoice "
                     "line, reversed entry, correction). The same journal gives the same hash; a re-allocation "
                     "that writes entries gives another.",
        "contents": "Contents",
        "summary": "Summary per administration and unit",
        "summary_note": "The period's journal entries per unit and allocation rule. The administration is the one "
                        "the unit belonged to when the entry was booked.",
        "unit": "Administration / unit",
        "no_unit": "No unit",
        "no_unit_long": "No unit (suspense, rounding)",
        "sum": "Total",
        "grand_total": "Total",
        "chart": "Cost per administration",
        "reconciliation": "Reconciliation with the invoices",
        "reconciliation_note": "Each invoice's net total (excluding VAT) plus rounding against the sum of its journal "
                               "entries up to and including the period. The difference must be zero.",
        "invoice": "Invoice",
        "supplier": "Supplier",
        "date": "Invoice\ndate",
        "net": "Net",
        "rounding_short": "Rounding",
        "allocated": "Allocated",
        "in_period": "Of which in\nthe period",
        "difference": "Difference",
        "reconciled": "All {count} invoices reconcile: the difference is {zero}.",
        "not_reconciled": "{count} of {total} invoices do not reconcile: total difference {difference}.",
        "no_invoices": "No invoices in the period.",
        "clearing": "Clearing account {account} (ansvar {ansvar}): the period's invoices {booked}, handed over to "
                    "the units {handed_over}, remaining {remainder} = the amount in suspense.",
        "vat": "VAT per VAT category",
        "vat_note": "The period's invoices per VAT category and rate, for reconciliation with the financial "
                    "system's VAT accounts. The allocation excludes VAT. Reverse charge (AE): the VAT the "
                    "municipality must account for itself, 25 %.",
        "vat_category": "Category",
        "vat_rate": "Rate",
        "taxable": "Taxable",
        "vat_amount": "VAT",
        "self_assessed": "Self-assessed",
        "no_vat": "No invoices dated in the period.",
        "compliance": "Compliance findings",
        "no_findings": "No findings for the period.",
        "kind": "Finding",
        "amount": "Amount",
        "reason": "Description",
        "lines": "Invoice lines",
        "and_more": "and {count} more",
        "suspense": "Suspense",
        "suspense_note": "Invoice lines whose amount in the period's journal is in suspense (net of reversals), and "
                         "why. A negative amount is a line released from suspense.",
        "no_suspense": "No lines in suspense.",
        "line": "Line",
        "reference": "Reference",
        "detail": "Journal entries per unit",
        "no_entries": "No journal entries in the period.",
        "entry": "Entry",
        "account": "Account",
        "rule": "Rule",
        "note": "Note",
        "reverses": "reverses {id}",
        "correction": "correction",
        "page_of": "Page {page} of {pages}",
        "direct": "direct",
        "switchboard_central": "switchboard, central",
        "fee_funded_own": "fee-funded, own",
        "allowance_spread": "allowance spread",
        "rounding": "rounding",
        "suspense_rule": "suspense",
        "h_direct": "Direct",
        "h_switchboard_central": "Switchboard,\ncentral",
        "h_fee_funded_own": "Fee-funded,\nown",
        "h_allowance_spread": "Allowance\nspread",
        "h_rounding": "Rounding",
        "h_suspense": "Suspense",
        "off_contract_supplier": "Supplier not on contract",
        "price_above_contract": "Price above contract",
        "billed_after_end": "Billed after the subscription ended",
        "no_assignment": "Billed without a unit assigned",
        "unmatched_reference": "Reference matched nothing",
        "hardware_off_contract": "Hardware bought off contract",
        "credit_without_invoice": "Credit note for an invoice not imported",
        "contract_ending": "Contracts ending or due for notice",
    },
}


class _Texts:
    def __init__(self, language: str) -> None:
        self.words = TEXTS[language]

    def __getitem__(self, key: str) -> str:
        return self.words.get(key, key)

    def rule(self, rule: str) -> str:
        return self.words.get("suspense_rule" if rule == "suspense" else rule, rule)


def render_allocation_report(report: AllocationReport, language: str = "sv") -> bytes:
    """The report as PDF bytes, in ``language`` ("sv" or "en")."""
    out = io.BytesIO()
    render_allocation_report_to(report, out, language)
    return out.getvalue()


def render_allocation_report_to(report: AllocationReport, out: IO[bytes], language: str = "sv") -> int:
    """Write the report to a file object; returns the number of pages."""
    fmt = formatter(language)
    texts = _Texts(fmt.language)
    builder = _Builder(report, fmt, texts)
    decor = PageDecor(
        title=f"{texts['title']} {report.period}",
        note=report.organisation,
        footer=f"{report.organisation} · {report.period} · SHA-256 {report.content_hash[:16]}",
        page_of=texts["page_of"],
    )
    return build_document(builder.story(), out, decor, title=f"{texts['title']} {report.period}",
                          author=report.organisation, subject=texts["subtitle"])


#: A line of the summary: an administration's subtotal or a unit.
_SummaryItem = AdministrationTotal | UnitSummary
#: The key the detail groups entries by: (administration code, unit ansvar).
_UnitKey = tuple[str | None, str | None]


class _Builder:
    def __init__(self, report: AllocationReport, fmt: Formatter, texts: _Texts) -> None:
        self.report = report
        self.fmt = fmt
        self.t = texts
        self.s = styles()

    def story(self) -> list[Flowable]:
        story: list[Flowable] = []
        story += self.cover()
        story.append(PageBreak())
        story += self.summary()
        story.append(PageBreak())
        story += self.reconciliation()
        story += self.vat()
        story += self.compliance()
        story += self.suspense()
        story.append(PageBreak())
        story += self.detail()
        return story

    def para(self, text: str, style: str = "body") -> Paragraph:
        return Paragraph(_escape(text), self.s[style])

    def _heading(self, title: str, note: str | None = None) -> list[Flowable]:
        """A numbered section's heading, and its note in small type with a little space after."""
        heading: list[Flowable] = [self.para(title, "h1")]
        if note is not None:
            heading += [self.para(note, "small"), Spacer(1, 3 * mm)]
        return heading

    # 1. cover -------------------------------------------------------------------------------

    def cover(self) -> list[Flowable]:
        r, t = self.report, self.t
        contents = [t["summary"], t["reconciliation"], t["compliance"], t["suspense"], t["detail"]]
        return [
            Spacer(1, 18 * mm),
            self.para(t["title"], "title"),
            self.para(f"{r.organisation} · {r.period}", "subtitle"),
            self.para(t["subtitle"]),
            Spacer(1, 8 * mm),
            self._facts_table(self._cover_facts()),
            Spacer(1, 4 * mm),
            self.para(t["hash_note"], "small"),
            Spacer(1, 8 * mm),
            self.para(t["contents"], "h2"),
            *[self.para(f"{number}. {title}") for number, title in enumerate(contents, start=1)],
        ]

    def _cover_facts(self) -> list[tuple[str, str]]:
        """The cover's (label, value) lines: who, which period and its status, what it holds."""
        r, t, fmt = self.report, self.t, self.fmt
        status = t[r.status]
        if r.status == "closed" and r.closed_at is not None:
            status = t["closed_at"].format(when=fmt.moment(r.closed_at))
        return [
            (t["organisation"], f"{r.organisation} ({r.organisation_number})"),
            (t["period"], f"{r.period} ({fmt.day(r.first_day)} – {fmt.day(r.last_day)})"),
            (t["status"], status),
            (t["invoices"], str(len(r.reconciliation))),
            (t["entries"], str(len(r.rows))),
            (t["total"], fmt.money(r.total)),
            (t["hash"], r.content_hash),
            (t["generated"], fmt.moment(r.generated_at)),
            (t["generated_by"], r.generated_by),
        ]

    def _facts_table(self, facts: list[tuple[str, str]]) -> Table:
        """Labels in small type on the left, values on the right; the hash in Courier."""
        cell = self.s["body"]
        data = [[Paragraph(_escape(key), self.s["small"]),
                 Paragraph(f'<font face="Courier" size="8">{value}</font>', cell) if key == self.t["hash"]
                 else Paragraph(_escape(value), cell)] for key, value in facts]
        table = Table(data, colWidths=[45 * mm, WIDTH - 45 * mm])
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]))
        return table

    # 2. summary -----------------------------------------------------------------------------

    def _unit_label(self, administration: str | None, unit: str | None, unit_name: str | None) -> str:
        if unit is None:
            return self.t["no_unit_long"] if administration is None else f"{self.t['no_unit']} ({administration})"
        return f"{unit} {unit_name or ''}".strip()

    def summary(self) -> list[Flowable]:
        story = self._heading(f"1. {self.t['summary']}", self.t["summary_note"])
        administrations = self.report.administrations
        story.append(self._summary_table(administrations))
        chart_items = [(f"{a.administration} {a.administration_name or ''}".strip(), a.total)
                       for a in administrations if a.administration is not None]
        if chart_items:
            story += [Spacer(1, 8 * mm), CondPageBreak(30 * mm + 7 * mm * len(chart_items)),
                      self.para(self.t["chart"], "h2"), cost_bar_chart(chart_items, self.fmt, width=WIDTH)]
        return story

    def _summary_items(self, administrations: list[AdministrationTotal]) -> list[_SummaryItem]:
        """Each administration's subtotal followed by its units; units on no administration
        (suspense, rounding) without a subtotal."""
        items: list[_SummaryItem] = []
        for admin in administrations:
            if admin.administration is not None:
                items.append(admin)
            items += [u for u in self.report.summary if u.administration == admin.administration]
        return items

    def _summary_cells(self, item: _SummaryItem) -> list[str]:
        fmt = self.fmt
        if isinstance(item, AdministrationTotal):
            label = f"{item.administration} {item.administration_name or ''}".strip()
        else:
            label = ("   " if item.administration is not None else "") + self._unit_label(
                item.administration, item.unit, item.unit_name)
        return [label, *(fmt.money(item.by_rule.get(rule, Decimal(0))) for rule in RULES), fmt.money(item.total)]

    def _summary_table(self, administrations: list[AdministrationTotal]) -> PagedTable[_SummaryItem]:
        r, t, fmt = self.report, self.t, self.fmt
        totals = {rule: sum((u.by_rule.get(rule, Decimal(0)) for u in r.summary), Decimal("0.00")) for rule in RULES}
        header = [t["unit"], *(t[f"h_{rule}"] for rule in RULES), t["sum"]]
        widths = [54 * mm] + [17 * mm] * 6 + [24 * mm]
        total_row = [t["grand_total"], *(fmt.money(totals[rule]) for rule in RULES), fmt.money(r.total)]
        return PagedTable(header, self._summary_items(administrations), self._summary_cells, widths,
                          right=range(1, 8), emphasis=_subtotal_look, total=total_row, font_size=6.5)

    # 3. reconciliation ----------------------------------------------------------------------

    def reconciliation(self) -> list[Flowable]:
        t, fmt = self.t, self.fmt
        story = self._heading(f"2. {t['reconciliation']}", t["reconciliation_note"])
        invoices = list(self.report.reconciliation)
        if not invoices:
            return [*story, self.para(t["no_invoices"]), Spacer(1, 6 * mm)]
        zero = Decimal("0.00")
        sums = [sum((getattr(row, name) for row in invoices), zero)
                for name in ("net_total", "rounding", "allocated", "in_period", "difference")]
        story.append(self._reconciliation_table(invoices, sums))
        wrong = [row for row in invoices if row.difference]
        if wrong:
            text = t["not_reconciled"].format(count=len(wrong), total=len(invoices), difference=fmt.money(sums[4]))
            story += [Spacer(1, 2 * mm), Paragraph(f'<font color="#{BAD.hexval()[2:]}"><b>{_escape(text)}</b></font>',
                                                   self.s["body"])]
        else:
            story += [Spacer(1, 2 * mm), self.para(t["reconciled"].format(count=len(invoices), zero=fmt.money(zero)))]
        story += self._clearing()
        story.append(Spacer(1, 6 * mm))
        return story

    def _clearing(self) -> list[Flowable]:
        c, fmt = self.report.clearing, self.fmt
        if c is None:
            return []
        return [Spacer(1, 2 * mm), self.para(self.t["clearing"].format(
            account=c.account, ansvar=c.ansvar or "-", booked=fmt.money(c.booked),
            handed_over=fmt.money(c.handed_over), remainder=fmt.money(c.remainder)))]

    def vat(self) -> list[Flowable]:
        t, fmt = self.t, self.fmt
        story: list[Flowable] = [CondPageBreak(40 * mm), *self._heading(t["vat"], t["vat_note"])]
        rows = list(self.report.vat)
        if not rows:
            return [*story, self.para(t["no_vat"]), Spacer(1, 6 * mm)]
        header = [t["vat_category"], t["vat_rate"], t["invoices"], t["taxable"], t["vat_amount"], t["self_assessed"]]
        total = [t["sum"], "", str(sum(r.invoices for r in rows)),
                 *(fmt.money(sum((getattr(r, name) for r in rows), Decimal("0.00")))
                   for name in ("taxable", "vat", "self_assessed"))]
        story.append(PagedTable(
            header, rows, lambda r: [r.category, f"{fmt.number(r.rate)} %", str(r.invoices), fmt.money(r.taxable),
                                     fmt.money(r.vat), fmt.money(r.self_assessed) if r.category == "AE" else ""],
            [22 * mm, 22 * mm, 20 * mm, 34 * mm, 34 * mm, 34 * mm], right=range(1, 6), total=total))
        return [*story, Spacer(1, 6 * mm)]

    def _reconciliation_cells(self, row: Reconciliation) -> list[str]:
        fmt = self.fmt
        return [row.number, row.supplier, fmt.day(row.issue_date, "short"), fmt.money(row.net_total),
                fmt.money(row.rounding), fmt.money(row.allocated), fmt.money(row.in_period),
                fmt.money(row.difference)]

    def _reconciliation_table(self, invoices: list[Reconciliation],
                              sums: list[Decimal]) -> PagedTable[Reconciliation]:
        t = self.t
        header = [t["invoice"], t["supplier"], t["date"], t["net"], t["rounding_short"], t["allocated"],
                  t["in_period"], t["difference"]]
        widths = [24 * mm, 34 * mm, 17 * mm, 23 * mm, 15 * mm, 23 * mm, 22 * mm, 22 * mm]
        total_row = [t["grand_total"], "", "", *(self.fmt.money(value) for value in sums)]
        return PagedTable(header, invoices, self._reconciliation_cells, widths, right=range(3, 8),
                          emphasis=_difference_look, total=total_row)

    # 4. compliance --------------------------------------------------------------------------

    def compliance(self) -> list[Flowable]:
        r, t = self.report, self.t
        story: list[Flowable] = [CondPageBreak(40 * mm), self.para(f"3. {t['compliance']}", "h1")]
        if r.compliance_note:
            story.append(self.para(r.compliance_note, "small"))
        if not r.compliance:
            return [*story, self.para(t["no_findings"]), Spacer(1, 6 * mm)]
        cell = self.s["cell"]
        data: list[list[Paragraph]] = [[Paragraph(f"<b>{_escape(h)}</b>", cell)
                                        for h in (t["kind"], t["supplier"], t["amount"], t["reason"])]]
        data += [self._finding_cells(finding) for finding in r.compliance]
        table = LongTable(data, colWidths=[38 * mm, 32 * mm, 22 * mm, 88 * mm], repeatRows=1)
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ]))
        return [*story, table, Spacer(1, 6 * mm)]

    def _finding_cells(self, finding: ComplianceRow) -> list[Paragraph]:
        cell = self.s["cell"]
        return [Paragraph(_escape(self.t[finding.kind]), cell), Paragraph(_escape(finding.supplier or ""), cell),
                Paragraph(_escape(self.fmt.money(finding.amount)), self._right_cell()),
                Paragraph(self._finding_reason(finding), cell)]

    def _finding_reason(self, finding: ComplianceRow) -> str:
        """The reason (shortened), and the invoice lines behind it: a finding can name thousands
        of lines, and a cell must fit on a page, so only the first are named."""
        reason = _escape(_shorten(finding.reason, MAX_REASON))
        if finding.lines:
            shown = list(finding.lines[:MAX_LINES_LISTED])
            if len(finding.lines) > MAX_LINES_LISTED:
                shown.append(self.t["and_more"].format(count=len(finding.lines) - MAX_LINES_LISTED))
            lines = _escape(", ".join(shown))
            reason += f"<br/><font color='#5a5a5a'>{_escape(self.t['lines'])}: {lines}</font>"
        return reason

    def _right_cell(self) -> ParagraphStyle:
        return ParagraphStyle("cell_right", parent=self.s["cell"], alignment=TA_RIGHT)

    # 5. suspense ----------------------------------------------------------------------------

    def suspense(self) -> list[Flowable]:
        r, t, fmt = self.report, self.t, self.fmt
        story: list[Flowable] = [CondPageBreak(40 * mm), *self._heading(f"4. {t['suspense']}", t["suspense_note"])]
        if not r.suspense:
            return [*story, self.para(t["no_suspense"])]
        header = [t["invoice"], t["supplier"], t["line"], t["reference"], t["amount"], t["reason"]]
        widths = [22 * mm, 30 * mm, 9 * mm, 28 * mm, 22 * mm, 69 * mm]
        total = sum((row.amount for row in r.suspense), Decimal("0.00"))
        story.append(PagedTable(
            header, list(r.suspense),
            lambda row: [row.invoice_number, row.supplier, _text(row.line_position), row.reference or "",
                         fmt.money(row.amount), row.reason or row.description or ""],
            widths, right=(2, 4), total=[t["sum"], "", "", "", fmt.money(total), ""]))
        return story

    # 6. detail ------------------------------------------------------------------------------

    def detail(self) -> list[Flowable]:
        r, t = self.report, self.t
        story: list[Flowable] = [self.para(f"5. {t['detail']}", "h1")]
        if not r.rows:
            return [*story, self.para(t["no_entries"])]
        units = {(u.administration, u.unit): u for u in r.summary}
        cells = self._entry_cells()
        for key, rows in _group_rows(r.rows):
            story += self._unit_entries(key, rows, units.get(key), cells)
        return story

    def _entry_cells(self) -> Callable[[JournalRow], tuple[str, ...]]:
        """The texts of an entry's row; the note says what it reverses and if it is a correction."""
        reverses, correction = self.t["reverses"], self.t["correction"]
        rule_names = {rule: self.t.rule(rule) for rule in RULES}
        money = self.fmt.money

        def cells(row: JournalRow) -> tuple[str, ...]:
            note = row.reason or ""
            if row.reverses is not None:
                note = reverses.format(id=row.reverses)
            if row.is_correction:
                note = f"{correction}; {note}" if note else correction
            return (str(row.entry_id), row.invoice_number, "" if row.line_position is None else str(row.line_position),
                    row.reference or "", row.account, rule_names.get(row.rule, row.rule), money(row.amount), note)

        return cells

    def _unit_entries(self, key: _UnitKey, rows: list[JournalRow], unit: UnitSummary | None,
                      cells: Callable[[JournalRow], tuple[str, ...]]) -> list[Flowable]:
        """One unit's heading and its entries, closed by their sum and count."""
        t = self.t
        administration, code = key
        first = rows[0]
        title = self._unit_label(administration, code, first.unit_name)
        if administration is not None:
            title += f" · {administration} {first.administration_name or ''}".rstrip()
        subtotal = unit.total if unit is not None else sum((row.amount for row in rows), Decimal("0.00"))
        header = [t["entry"], t["invoice"], t["line"], t["reference"], t["account"], t["rule"], t["amount"], t["note"]]
        widths = [14 * mm, 24 * mm, 9 * mm, 28 * mm, 12 * mm, 27 * mm, 24 * mm, 42 * mm]
        total = [t["sum"], "", "", "", "", "", self.fmt.money(subtotal), f"{len(rows)} {t['entries'].lower()}"]
        return [
            CondPageBreak(30 * mm),
            KeepTogether([self.para(title, "h2")]),
            PagedTable(header, rows, cells, widths, right=(0, 2, 6), total=total),
        ]


def _subtotal_look(item: _SummaryItem) -> str | None:
    return "subtotal" if isinstance(item, AdministrationTotal) else None


def _difference_look(row: Reconciliation) -> str | None:
    return "bad" if row.difference else None


def _group_rows(rows: Sequence[JournalRow]) -> list[tuple[_UnitKey, list[JournalRow]]]:
    """Rows per (administration, unit), in the summary's order, each group by entry id."""
    groups: dict[_UnitKey, list[JournalRow]] = {}
    for row in rows:
        groups.setdefault((row.administration, row.unit), []).append(row)
    for members in groups.values():
        members.sort(key=lambda row: row.entry_id)

    def order(item: tuple[_UnitKey, list[JournalRow]]) -> tuple[int, str, int, str]:
        (administration, unit), _ = item
        return summary_order(UnitSummary(administration, None, unit, None, {}))

    return sorted(groups.items(), key=order)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
