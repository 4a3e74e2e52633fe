"""The auditors' allocation report: one period's journal as a PDF that reconciles to the invoices.

``render_allocation_report(report, language, translations)`` turns an ``AllocationReport``
(built by ``ledger.reporting.service``) into PDF bytes. Its words are the message catalogue's
(English msgids, ``reports.text``), translated by the ``translations`` the caller hands in;
amounts and dates are formatted through Babel in ``language``. It runs no queries.

What it shows, in order:

1. Cover: organisation, period and its status, when and by whom the report was made, and the
   content hash of the journal entries shown (``reports.data.content_hash``).
2. Summary per administration and unit, split by rule (direct, switchboard central,
   fee-funded own, allowance spread, rounding, suspense), and a bar chart of the cost per
   administration.
3. Reconciliation: every invoice's net total plus rounding against the sum of its entries,
   with the difference (zero when all is well; a difference is printed in red).
4. Compliance findings of the period, 5. the suspense lines, 6. every entry per unit.

Names, invoice numbers, references and reasons wrap in their cells (``PagedTable``); nothing
is cut but the page header's note. The same report data gives the same bytes (``invariant``
PDF); two reports of the same journal differ only in the "generated" lines of the cover.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date
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
    Said,
    UnitSummary,
    summary_order,
)
from reports.findings import finding_reason
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
from reports.text import N_, Language, Translations, language

__all__ = ["FINDINGS", "RULE_HEADINGS", "RULE_NAMES", "render_allocation_report", "render_allocation_report_to"]

WIDTH = 180 * mm
#: Invoice lines named under one compliance finding; the rest are counted.
MAX_LINES_LISTED = 24
#: Characters of a finding's reason printed (they are one sentence; this keeps a cell on a page).
MAX_REASON = 600

#: Each rule's name in the detail's "rule" column (the labels the pages use).
RULE_NAMES = {
    "direct": N_("direct"),
    "switchboard_central": N_("switchboard, central"),
    "fee_funded_own": N_("fee-funded, own"),
    "allowance_spread": N_("allowance spread"),
    "rounding": N_("rounding"),
    "suspense": N_("suspense"),
}
#: Each rule's column heading in the summary: short, the columns are narrow (a soft hyphen in a
#: translation says where a word may break).
RULE_HEADINGS = {
    "direct": N_("Direct"),
    "switchboard_central": N_("Switchboard, central"),
    "fee_funded_own": N_("Fee-funded, own"),
    "allowance_spread": N_("Allowance spread"),
    "rounding": N_("Öre rounding"),
    "suspense": N_("Suspense"),
}
#: The compliance findings' kinds (the labels the compliance page uses).
FINDINGS = {
    "off_contract_supplier": N_("Supplier not on contract"),
    "price_above_contract": N_("Price above contract"),
    "billed_after_end": N_("Billed after the subscription ended"),
    "no_assignment": N_("Billed without a unit assigned"),
    "unmatched_reference": N_("Reference matched nothing"),
    "hardware_off_contract": N_("Hardware bought off contract"),
    "credit_without_invoice": N_("Credit note for an invoice not imported"),
    "contract_ending": N_("Contracts ending or due for notice"),
}
_STATUS = {"open": N_("open"), "closed": N_("closed")}


def render_allocation_report(report: AllocationReport, language: str = "sv",
                             translations: Translations | None = None) -> bytes:
    """The report as PDF bytes, in ``language`` ("sv" or "en") with ``translations`` (its
    catalogue; English needs none)."""
    out = io.BytesIO()
    render_allocation_report_to(report, out, language, translations)
    return out.getvalue()


def render_allocation_report_to(report: AllocationReport, out: IO[bytes], language_code: str = "sv",
                                translations: Translations | None = None) -> int:
    """Write the report to a file object; returns the number of pages."""
    lang = language(language_code, translations)
    _ = lang.gettext
    title = " ".join((_("Allocation report"), report.period))
    decor = PageDecor(
        title=title,
        note=report.organisation,
        footer=f"{report.organisation} · {report.period} · SHA-256 {report.content_hash[:16]}",
        page_of=_("Page %(page)s of %(pages)s"),
    )
    builder = _Builder(report, lang)
    return build_document(builder.story(), out, decor, title=title, author=report.generated_by,
                          subject=_("Telephony costs allocated to budget units, excluding VAT"))


#: A line of the summary: an administration's subtotal or a unit.
_SummaryItem = AdministrationTotal | UnitSummary
#: The key the detail groups entries by: (administration code, unit ansvar).
_UnitKey = tuple[str | None, str | None]


class _Builder:
    def __init__(self, report: AllocationReport, lang: Language) -> None:
        self.report = report
        self.lang = lang
        self.fmt = lang.fmt
        self._ = lang.gettext
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

    def said(self, said: Said | None, english: str | None) -> str:
        """A reason the ledger stored, in the report's language: its catalogue text translated
        with its days formatted; the English text where the ledger gave none (or the translation
        does not take the values)."""
        if said is None:
            return english or ""
        text, values = said
        shown = {name: self.fmt.day(value) if isinstance(value, date) else str(value) for name, value in values.items()}
        try:
            return self._(text, **shown) if shown else self._(text)
        except (KeyError, ValueError, TypeError):
            return english or text

    def _heading(self, title: str, note: str | None = None) -> list[Flowable]:
        """A numbered section's heading, and its note in small type with a little space after."""
        heading: list[Flowable] = [self.para(title, "h1")]
        if note is not None:
            heading += [self.para(note, "small"), Spacer(1, 3 * mm)]
        return heading

    # 1. cover -------------------------------------------------------------------------------

    def cover(self) -> list[Flowable]:
        r, _ = self.report, self._
        contents = [self._summary_title(), self._reconciliation_title(), _("Compliance findings"), _("Suspense"),
                    self._detail_title()]
        return [
            Spacer(1, 18 * mm),
            self.para(_("Allocation report"), "title"),
            self.para(f"{r.organisation} · {r.period}", "subtitle"),
            self.para(_("Telephony costs allocated to budget units, excluding VAT")),
            Spacer(1, 8 * mm),
            self._facts_table(self._cover_facts()),
            Spacer(1, 4 * mm),
            self.para(_("The content hash is SHA-256 over the period's journal entries in this report (entry, "
                        "period, unit, administration, account, counterparty, activity, rule, amount in öre, "
                        "invoice, invoice line, reversed entry, correction). The same journal gives the same hash; "
                        "a re-allocation that writes entries gives another."), "small"),
            Spacer(1, 8 * mm),
            self.para(_("Contents"), "h2"),
            *[self.para(f"{number}. {title}") for number, title in enumerate(contents, start=1)],
        ]

    def _summary_title(self) -> str:
        return self._("Summary per administration and unit")

    def _reconciliation_title(self) -> str:
        return self._("Reconciliation with the invoices")

    def _detail_title(self) -> str:
        return self._("Journal entries per unit")

    def _cover_facts(self) -> list[tuple[str, str, bool]]:
        """The cover's (label, value, in Courier) lines: who, which period and its status, what
        it holds."""
        r, _, fmt = self.report, self._, self.fmt
        status = _(_STATUS.get(r.status, r.status))
        if r.status == "closed" and r.closed_at is not None:
            status = _("closed %(when)s", when=fmt.moment(r.closed_at))
        return [
            (_("Organisation"), f"{r.organisation} ({r.organisation_number})", False),
            (_("Period"), f"{r.period} ({fmt.day(r.first_day)} – {fmt.day(r.last_day)})", False),
            (_("Status"), status, False),
            (_("Invoices"), str(len(r.reconciliation)), False),
            (_("Journal entries"), str(len(r.rows)), False),
            (_("Allocated in the period"), fmt.money(r.total), False),
            (_("Content hash (SHA-256)"), r.content_hash, True),
            (_("Generated"), fmt.moment(r.generated_at), False),
            (_("Generated by"), r.generated_by, False),
        ]

    def _facts_table(self, facts: list[tuple[str, str, bool]]) -> Table:
        """Labels in small type on the left, values on the right (wrapping); the hash in Courier."""
        cell = self.s["body"]
        data = [[Paragraph(_escape(key), self.s["small"]),
                 Paragraph(f'<font face="Courier" size="8">{_escape(value)}</font>', cell) if courier
                 else Paragraph(_escape(value), cell)] for key, value, courier in facts]
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
            if administration is None:
                return self._("No unit (suspense, rounding)")
            return self._("No unit (%(administration)s)", administration=administration)
        return f"{unit} {unit_name or ''}".strip()

    def summary(self) -> list[Flowable]:
        _ = self._
        story = self._heading(f"1. {self._summary_title()}", _(
            "The period's journal entries per unit and allocation rule. The administration is the one the unit "
            "belonged to when the entry was booked."))
        administrations = self.report.administrations
        story.append(self._summary_table(administrations))
        chart_items = [(f"{a.administration} {a.administration_name or ''}".strip(), a.total)
                       for a in administrations if a.administration is not None]
        if chart_items:
            story += [Spacer(1, 8 * mm), CondPageBreak(30 * mm + 7 * mm * len(chart_items)),
                      self.para(_("Cost per administration"), "h2"), cost_bar_chart(chart_items, self.fmt, width=WIDTH)]
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
        r, _, fmt = self.report, self._, self.fmt
        totals = {rule: sum((u.by_rule.get(rule, Decimal(0)) for u in r.summary), Decimal("0.00")) for rule in RULES}
        header = [_("Administration / unit"), *(_(RULE_HEADINGS[rule]) for rule in RULES), _("Total")]
        widths = [54 * mm] + [17 * mm] * 6 + [24 * mm]
        total_row = [_("Total"), *(fmt.money(totals[rule]) for rule in RULES), fmt.money(r.total)]
        return PagedTable(header, self._summary_items(administrations), self._summary_cells, widths,
                          right=range(1, 8), emphasis=_subtotal_look, total=total_row, font_size=6.5)

    # 3. reconciliation ----------------------------------------------------------------------

    def reconciliation(self) -> list[Flowable]:
        _, fmt = self._, self.fmt
        story = self._heading(f"2. {self._reconciliation_title()}", _(
            "Each invoice's net total (excluding VAT) plus rounding against the sum of its journal entries up to "
            "and including the period. The difference must be zero."))
        invoices = list(self.report.reconciliation)
        if not invoices:
            return [*story, self.para(_("No invoices in the period.")), Spacer(1, 6 * mm)]
        zero = Decimal("0.00")
        sums = [sum((getattr(row, name) for row in invoices), zero)
                for name in ("net_total", "rounding", "allocated", "in_period", "difference")]
        story.append(self._reconciliation_table(invoices, sums))
        wrong = [row for row in invoices if row.difference]
        if wrong:
            text = _("%(count)s of %(total)s invoices do not reconcile: total difference %(difference)s.",
                     count=len(wrong), total=len(invoices), difference=fmt.money(sums[4]))
            story += [Spacer(1, 2 * mm), Paragraph(f'<font color="#{BAD.hexval()[2:]}"><b>{_escape(text)}</b></font>',
                                                   self.s["body"])]
        else:
            story += [Spacer(1, 2 * mm), self.para(_("All %(count)s invoices reconcile: the difference is %(zero)s.",
                                                     count=len(invoices), zero=fmt.money(zero)))]
        story += self._clearing()
        story.append(Spacer(1, 6 * mm))
        return story

    def _clearing(self) -> list[Flowable]:
        c, fmt = self.report.clearing, self.fmt
        if c is None:
            return []
        return [Spacer(1, 2 * mm), self.para(self._(
            "Clearing account %(account)s (ansvar %(ansvar)s): the period's invoices %(booked)s, handed over to the "
            "units %(handed_over)s, remaining %(remainder)s = the amount in suspense.",
            account=c.account, ansvar=c.ansvar or "-", booked=fmt.money(c.booked),
            handed_over=fmt.money(c.handed_over), remainder=fmt.money(c.remainder)))]

    def vat(self) -> list[Flowable]:
        _, fmt = self._, self.fmt
        story: list[Flowable] = [CondPageBreak(40 * mm), *self._heading(_("VAT per VAT category"), _(
            "The period's invoices per VAT category and rate, for reconciliation with the financial system's VAT "
            "accounts. The allocation excludes VAT. Reverse charge (AE): the VAT the municipality must account for "
            "itself, 25 %."))]
        rows = list(self.report.vat)
        if not rows:
            return [*story, self.para(_("No invoices dated in the period.")), Spacer(1, 6 * mm)]
        header = [_("Category"), _("VAT rate"), _("Invoices"), _("Taxable amount"), _("VAT"), _("Self-assessed")]
        total = [_("Total"), "", str(sum(r.invoices for r in rows)),
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
        _ = self._
        header = [_("Invoice"), _("Supplier"), _("Invoice date"), _("Net"), _("Öre rounding"), _("Allocated"),
                  _("Of which in the period"), _("Difference")]
        widths = [26 * mm, 36 * mm, 16 * mm, 22 * mm, 16 * mm, 22 * mm, 21 * mm, 21 * mm]
        total_row = [_("Total"), "", "", *(self.fmt.money(value) for value in sums)]
        return PagedTable(header, invoices, self._reconciliation_cells, widths, right=range(3, 8),
                          emphasis=_difference_look, total=total_row)

    # 4. compliance --------------------------------------------------------------------------

    def compliance(self) -> list[Flowable]:
        r, _ = self.report, self._
        story: list[Flowable] = [CondPageBreak(40 * mm), self.para("3. " + _("Compliance findings"), "h1")]
        if r.compliance_note:
            story.append(self.para(_("Compliance findings could not be read: %(error)s", error=r.compliance_note),
                                   "small"))
        if not r.compliance:
            return [*story, self.para(_("No findings for the period.")), Spacer(1, 6 * mm)]
        cell = self.s["cell"]
        data: list[list[Paragraph]] = [[Paragraph(f"<b>{_escape(h)}</b>", cell)
                                        for h in (_("Finding"), _("Supplier"), _("Amount"), _("Reason"))]]
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
        kind = self._(FINDINGS[finding.kind]) if finding.kind in FINDINGS else finding.kind
        return [Paragraph(_escape(kind), cell), Paragraph(_escape(finding.supplier or ""), cell),
                Paragraph(_escape(self.fmt.money(finding.amount)), self._right_cell()),
                Paragraph(self._finding_reason(finding), cell)]

    def _finding_reason(self, finding: ComplianceRow) -> str:
        """The reason in the report's language (shortened), and the invoice lines behind it: a
        finding can name thousands of lines, and a cell must fit on a page, so only the first
        are named."""
        said = finding_reason(finding.kind, finding.params, self.lang) or finding.reason
        reason = _escape(_shorten(said, MAX_REASON))
        if finding.lines:
            shown = list(finding.lines[:MAX_LINES_LISTED])
            if len(finding.lines) > MAX_LINES_LISTED:
                shown.append(self._("and %(count)s more", count=len(finding.lines) - MAX_LINES_LISTED))
            lines = _escape(", ".join(shown))
            label = _escape(self._("Invoice lines"))
            reason += f"<br/><font color='#5a5a5a'>{label}: {lines}</font>"
        return reason

    def _right_cell(self) -> ParagraphStyle:
        return ParagraphStyle("cell_right", parent=self.s["cell"], alignment=TA_RIGHT)

    # 5. suspense ----------------------------------------------------------------------------

    def suspense(self) -> list[Flowable]:
        r, _, fmt = self.report, self._, self.fmt
        story: list[Flowable] = [CondPageBreak(40 * mm), *self._heading("4. " + _("Suspense"), _(
            "Invoice lines whose amount in the period's journal is in suspense (net of reversals), and why. A "
            "negative amount is a line released from suspense."))]
        if not r.suspense:
            return [*story, self.para(_("No lines in suspense."))]
        header = [_("Invoice"), _("Supplier"), _("Line"), _("Reference"), _("Amount"), _("Reason")]
        widths = [24 * mm, 32 * mm, 9 * mm, 28 * mm, 22 * mm, 65 * mm]
        total = sum((row.amount for row in r.suspense), Decimal("0.00"))
        story.append(PagedTable(
            header, list(r.suspense),
            lambda row: [row.invoice_number, row.supplier, _text(row.line_position), row.reference or "",
                         fmt.money(row.amount), self.said(row.reason_said, row.reason) or row.description or ""],
            widths, right=(2, 4), total=[_("Total"), "", "", "", fmt.money(total), ""]))
        return story

    # 6. detail ------------------------------------------------------------------------------

    def detail(self) -> list[Flowable]:
        r, _ = self.report, self._
        story: list[Flowable] = [self.para(f"5. {self._detail_title()}", "h1")]
        if not r.rows:
            return [*story, self.para(_("No journal entries in the period."))]
        units = {(u.administration, u.unit): u for u in r.summary}
        cells = self._entry_cells()
        for key, rows in _group_rows(r.rows):
            story += self._unit_entries(key, rows, units.get(key), cells)
        return story

    def _entry_cells(self) -> Callable[[JournalRow], tuple[str, ...]]:
        """The texts of an entry's row; the note says what it reverses and if it is a correction."""
        correction = self._("correction")
        reverses = self._("reverses %(id)s", id="\0")  # filled per row, translated once
        rule_names = {rule: self._(name) for rule, name in RULE_NAMES.items()}
        money = self.fmt.money

        def cells(row: JournalRow) -> tuple[str, ...]:
            note = self.said(row.reason_said, row.reason)
            if row.reverses is not None:
                note = reverses.replace("\0", str(row.reverses))
            if row.is_correction:
                note = f"{correction}; {note}" if note else correction
            return (str(row.entry_id), row.invoice_number, "" if row.line_position is None else str(row.line_position),
                    row.reference or "", row.account, rule_names.get(row.rule, row.rule), money(row.amount), note)

        return cells

    def _unit_entries(self, key: _UnitKey, rows: list[JournalRow], unit: UnitSummary | None,
                      cells: Callable[[JournalRow], tuple[str, ...]]) -> list[Flowable]:
        """One unit's heading and its entries, closed by their sum and count."""
        _ = self._
        administration, code = key
        first = rows[0]
        title = self._unit_label(administration, code, first.unit_name)
        if administration is not None:
            title += f" · {administration} {first.administration_name or ''}".rstrip()
        subtotal = unit.total if unit is not None else sum((row.amount for row in rows), Decimal("0.00"))
        header = [_("Entry"), _("Invoice"), _("Line"), _("Reference"), _("Account"), _("Rule"), _("Amount"),
                  _("Note")]
        widths = [13 * mm, 26 * mm, 9 * mm, 28 * mm, 12 * mm, 26 * mm, 24 * mm, 42 * mm]
        total = [_("Total"), "", "", "", "", "", self.fmt.money(subtotal),
                 _("%(count)s journal entries", count=len(rows))]
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
