"""The budget report (PDF): budget, actual, variance and forecast per category and month, for
one unit or for the organisation and each administration, with a chart of budget against
actual per month. Renders the data it is given; no queries.

Its words are the message catalogue's (``reports.text``), translated by the translations the
caller hands in; amounts and month names are formatted in the report's language. Category
and section names wrap in their cells; the month columns' figures are set as small as the
widest of them needs to fit its column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table, TableStyle

from reports.formatting import Formatter
from reports.pdf_common import (
    BAD,
    BODY_FONT,
    HEADER_FILL,
    INK,
    RULE,
    TableCommand,
    document_bytes,
    set_points,
    styles,
    text_width,
)
from reports.text import N_, Language, Translations, language

__all__ = ["CATEGORIES", "BudgetReport", "BudgetRow", "BudgetSection", "render_budget_report"]

ZERO = Decimal("0.00")
BUDGET_FILL = colors.HexColor("#b7c9d9")
ACTUAL_FILL = colors.HexColor("#1f5f8b")
#: Category, row kind, twelve months, to date, forecast, year budget: 180 mm, the frame's width.
TABLE_WIDTHS = [23 * mm, 13 * mm] + [9 * mm] * 12 + [12 * mm, 12 * mm, 12 * mm]
FONT_SIZE = 5.6
CELL_PADDING = 1.5

#: The budget categories' names (``BudgetRow.category``).
CATEGORIES = {
    "equipment": N_("Handsets and equipment"),
    "subscriptions": N_("Subscriptions and usage"),
    "switchboard": N_("Switchboard"),
}


@dataclass(frozen=True)
class BudgetRow:
    """One budget category: twelve months of budget and actual, and the year's forecast."""

    category: str  # equipment, subscriptions, switchboard
    budget: tuple[Decimal, ...]
    actual: tuple[Decimal, ...]
    forecast: Decimal


@dataclass(frozen=True)
class BudgetSection:
    """A unit, an administration or the organisation."""

    title: str
    rows: tuple[BudgetRow, ...]


@dataclass(frozen=True)
class BudgetReport:
    organisation: str
    year: int
    scope: str
    current_month: int  # months after it are the future
    generated_at: datetime
    generated_by: str
    sections: tuple[BudgetSection, ...]


@dataclass(frozen=True)
class _Context:
    """What the report is written with: its language, its month names and styles."""

    lang: Language
    months: list[str]
    style: dict[str, ParagraphStyle]

    @property
    def fmt(self) -> Formatter:
        return self.lang.fmt


def render_budget_report(report: BudgetReport, language_code: str = "sv",
                         translations: Translations | None = None) -> bytes:
    """The report as PDF bytes, in ``language_code`` ("sv" or "en") with ``translations`` (its
    catalogue; English needs none)."""
    lang = language(language_code, translations)
    _ = lang.gettext
    months = [lang.fmt.day(date(report.year, m, 1), "MMM") for m in range(1, 13)]
    ctx = _Context(lang, months, styles())
    story = _opening(report, ctx)
    for index, section in enumerate(report.sections):
        story += _section(section, ctx, report.current_month, with_chart=index == 0 or len(report.sections) <= 3)
    title = _("Budget report") + f" {report.year}"
    return document_bytes(story, title=title, note=report.organisation,
                          footer=f"{report.organisation} · {report.scope} · {report.year}",
                          page_of=_("Page %(page)s of %(pages)s"), author=report.generated_by,
                          subject=_("Telephony costs: budget against actual, excluding VAT"))


def _opening(report: BudgetReport, ctx: _Context) -> list[Flowable]:
    """Title, scope, when and by whom, the last month with actuals, and how the forecast is made."""
    _, style = ctx.lang.gettext, ctx.style
    through = ctx.months[report.current_month - 1] if report.current_month else "–"
    return [
        Paragraph(_escape(_("Budget report") + f" {report.year}"), style["title"]),
        Paragraph(_escape(f"{report.organisation} · {report.scope}"), style["subtitle"]),
        Paragraph(_escape(_("Generated %(when)s by %(by)s. Actual through %(month)s.",
                            when=ctx.fmt.moment(report.generated_at), by=report.generated_by, month=through)),
                  style["small"]),
        Paragraph(_escape(_("Forecast: actual so far plus the average of the last three months (one-off fees "
                            "excluded) for each month left.")), style["small"]),
        Spacer(1, 4 * mm),
    ]


def _section(section: BudgetSection, ctx: _Context, current: int, *, with_chart: bool) -> list[Flowable]:
    """A section's heading, its chart (if ``with_chart``) and its table."""
    story: list[Flowable] = [CondPageBreak(120 * mm), Paragraph(_escape(section.title), ctx.style["h1"])]
    if with_chart:
        story.append(_chart(section, ctx))
    return [*story, _table(section, ctx, current), Spacer(1, 5 * mm)]


def _month_totals(section: BudgetSection, field: str) -> list[Decimal]:
    return [sum((getattr(row, field)[m] for row in section.rows), ZERO) for m in range(12)]


def _chart(section: BudgetSection, ctx: _Context) -> Drawing:
    fmt, _ = ctx.fmt, ctx.lang.gettext
    drawing = Drawing(180 * mm, 62 * mm)
    chart = VerticalBarChart()
    set_points(chart, x=28 * mm, y=12 * mm, width=148 * mm, height=44 * mm)
    chart.data = [[float(v) for v in _month_totals(section, "budget")],
                  [float(v) for v in _month_totals(section, "actual")]]
    chart.bars[0].fillColor, chart.bars[1].fillColor = BUDGET_FILL, ACTUAL_FILL
    chart.bars.strokeColor = None
    chart.categoryAxis.categoryNames = ctx.months
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = BODY_FONT
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = lambda value: fmt.kronor(value)
    drawing.add(chart)
    legend = Legend()
    set_points(legend, x=24 * mm, y=4 * mm)
    legend.fontName, legend.fontSize = BODY_FONT, 7
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.colorNamePairs = [(BUDGET_FILL, _("Budget")), (ACTUAL_FILL, _("Actual"))]
    drawing.add(legend)
    return drawing


def _whole(fmt: Formatter, value: Decimal) -> str:
    """Whole kronor without the unit: the columns are narrow and the header says kronor."""
    return fmt.number(Decimal(round(value)))


def _table(section: BudgetSection, ctx: _Context, current: int) -> Table:
    _ = ctx.lang.gettext
    header = [_("Category"), _("SEK"), *ctx.months, _("To date"), _("Forecast"), _("Year budget")]
    rows: list[list[str]] = [header]
    over: list[tuple[int, int]] = []
    for row in section.rows:
        rows += _category_rows(row, ctx, current)
        over += _over_budget(row, len(rows) - 1)
    rows.append(_total_row(section, ctx, current))
    size = _figure_size(rows)
    table = Table(_wrapped(rows), colWidths=TABLE_WIDTHS, repeatRows=1)
    table.setStyle(TableStyle(_table_commands(over, size)))
    return table


def _figure_size(rows: list[list[str]]) -> float:
    """The font size of the figures: ``FONT_SIZE``, or smaller when the widest of them (a whole
    organisation's year, say) would not fit its column."""
    size = FONT_SIZE
    for row in rows[1:]:
        for text, width in zip(row[2:], TABLE_WIDTHS[2:], strict=True):
            wide = text_width(text, BODY_FONT, FONT_SIZE)
            room = width - 2 * CELL_PADDING
            if wide > room:
                size = min(size, FONT_SIZE * room / wide)
    return round(size, 2)


def _wrapped(rows: list[list[str]]) -> list[list[object]]:
    """The first two columns' texts (category, row kind, the headings) as paragraphs that wrap
    in their cells; the header's month and column names too."""
    label = ParagraphStyle("budget-cell", fontName=BODY_FONT, fontSize=FONT_SIZE, leading=FONT_SIZE * 1.2,
                           textColor=INK)
    heading = ParagraphStyle("budget-heading", parent=label, alignment=TA_RIGHT)
    header: list[object] = [Paragraph(_escape(text), label if column < 2 else heading)
                            for column, text in enumerate(rows[0])]
    body: list[list[object]] = [[Paragraph(_escape(row[0]), label), Paragraph(_escape(row[1]), label), *row[2:]]
                                for row in rows[1:]]
    return [header, *body]


def _variance(row: BudgetRow) -> list[Decimal]:
    """Budget less actual, per month: negative where the month went over budget."""
    return [b - a for b, a in zip(row.budget, row.actual, strict=True)]


def _category_rows(row: BudgetRow, ctx: _Context, current: int) -> list[list[str]]:
    """A category's three rows: budget, actual and variance, by month and to date, with the
    forecast and the year's budget."""
    _, fmt = ctx.lang.gettext, ctx.fmt
    ytd_budget, ytd_actual = sum(row.budget[:current], ZERO), sum(row.actual[:current], ZERO)
    variance = _variance(row)
    name = _(CATEGORIES[row.category]) if row.category in CATEGORIES else row.category
    return [
        [name, _("Budget"), *[_whole(fmt, v) for v in row.budget],
         _whole(fmt, ytd_budget), "", _whole(fmt, sum(row.budget, ZERO))],
        ["", _("Actual"), *[_whole(fmt, v) for v in row.actual], _whole(fmt, ytd_actual),
         _whole(fmt, row.forecast), ""],
        ["", _("Variance"), *[_whole(fmt, v) for v in variance], _whole(fmt, ytd_budget - ytd_actual),
         _whole(fmt, sum(row.budget, ZERO) - row.forecast), ""],
    ]


def _over_budget(row: BudgetRow, variance_row: int) -> list[tuple[int, int]]:
    """The (column, row) cells of the months over budget, in the table's variance row."""
    return [(col, variance_row) for col, value in enumerate(_variance(row), start=2) if value < 0]


def _total_row(section: BudgetSection, ctx: _Context, current: int) -> list[str]:
    """The section's actual per month and to date, its forecast and its year's budget."""
    _, fmt = ctx.lang.gettext, ctx.fmt
    totals_actual = _month_totals(section, "actual")
    forecast = sum((r.forecast for r in section.rows), ZERO)
    year_budget = sum((sum(r.budget, ZERO) for r in section.rows), ZERO)
    return [_("Total"), _("Actual"), *[_whole(fmt, v) for v in totals_actual],
            _whole(fmt, sum(totals_actual[:current], ZERO)), _whole(fmt, forecast), _whole(fmt, year_budget)]


def _table_commands(over: list[tuple[int, int]], size: float) -> list[TableCommand]:
    """Small type, right-aligned figures, a rule under each row, months over budget in red."""
    commands: list[TableCommand] = [
        ("FONT", (0, 0), (-1, -1), BODY_FONT, size), ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL), ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING), ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    return commands + [("TEXTCOLOR", cell, cell, BAD) for cell in over]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
