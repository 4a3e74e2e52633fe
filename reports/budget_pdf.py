"""The budget report (PDF): budget, actual, variance and forecast per category and month, for
one unit or for the organisation and each administration, with a chart of budget against
actual per month. Renders the data it is given; no queries.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table, TableStyle

from reports.formatting import Formatter, formatter
from reports.pdf_common import (
    BAD,
    BODY_FONT,
    HEADER_FILL,
    INK,
    RULE,
    PageDecor,
    TableCommand,
    build_document,
    set_points,
    styles,
)

__all__ = ["BudgetReport", "BudgetRow", "BudgetSection", "render_budget_report"]

ZERO = Decimal("0.00")
BUDGET_FILL = colors.HexColor("#b7c9d9")
ACTUAL_FILL = colors.HexColor("#1f5f8b")
#: Category, row kind, twelve months, to date, forecast, year budget.
TABLE_WIDTHS = [22 * mm, 13 * mm] + [9.3 * mm] * 12 + [12 * mm, 12 * mm, 12 * mm]

TEXTS = {
    "sv": {"title": "Budgetuppföljning", "subtitle": "Telefonikostnader: budget mot utfall, exklusive moms",
           "budget": "Budget", "actual": "Utfall", "variance": "Avvikelse", "forecast": "Prognos",
           "ytd": "Hittills", "year_budget": "Årsbudget", "category": "Kategori", "total": "Summa",
           "generated": "Skapad", "by": "av", "page_of": "Sida {page} av {pages}", "through": "Utfall till och med",
           "equipment": "Telefoner och utrustning", "subscriptions": "Abonnemang och trafik", "switchboard": "Växel",
           "summary": "Sammanfattning", "forecast_note": "Prognos: utfall hittills plus genomsnittet av de tre "
           "senaste månaderna (utan engångsavgifter) för varje återstående månad."},
    "en": {"title": "Budget report", "subtitle": "Telephony costs: budget against actual, excluding VAT",
           "budget": "Budget", "actual": "Actual", "variance": "Variance", "forecast": "Forecast",
           "ytd": "To date", "year_budget": "Year budget", "category": "Category", "total": "Total",
           "generated": "Generated", "by": "by", "page_of": "Page {page} of {pages}", "through": "Actual through",
           "equipment": "Handsets and equipment", "subscriptions": "Subscriptions and usage",
           "switchboard": "Switchboard", "summary": "Summary", "forecast_note": "Forecast: actual so far plus the "
           "average of the last three months (one-off fees excluded) for each month left."},
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
    """What the report is written with: the formatter, its texts, its month names and styles."""

    fmt: Formatter
    words: dict[str, str]
    months: list[str]
    style: dict[str, ParagraphStyle]


def render_budget_report(report: BudgetReport, language: str = "sv") -> bytes:
    fmt = formatter(language)
    words = TEXTS[fmt.language]
    months = [fmt.day(date(report.year, m, 1), "MMM") for m in range(1, 13)]
    ctx = _Context(fmt, words, months, styles())
    story = _opening(report, ctx)
    for index, section in enumerate(report.sections):
        story += _section(section, ctx, report.current_month, with_chart=index == 0 or len(report.sections) <= 3)
    decor = PageDecor(title=f"{words['title']} {report.year}", note=report.organisation,
                      footer=f"{report.organisation} · {report.scope} · {report.year}", page_of=words["page_of"])
    out = io.BytesIO()
    build_document(story, out, decor, title=f"{words['title']} {report.year}", author=report.organisation,
                   subject=words["subtitle"])
    return out.getvalue()


def _opening(report: BudgetReport, ctx: _Context) -> list[Flowable]:
    """Title, scope, when and by whom, the last month with actuals, and how the forecast is made."""
    fmt, words, months, style = ctx.fmt, ctx.words, ctx.months, ctx.style
    through = months[report.current_month - 1] if report.current_month else "–"
    return [
        Paragraph(f"{words['title']} {report.year}", style["title"]),
        Paragraph(f"{report.organisation} · {report.scope}", style["subtitle"]),
        Paragraph(f"{words['generated']} {fmt.moment(report.generated_at)} {words['by']} {report.generated_by}. "
                  f"{words['through']} {through}.",
                  style["small"]),
        Paragraph(words["forecast_note"], style["small"]),
        Spacer(1, 4 * mm),
    ]


def _section(section: BudgetSection, ctx: _Context, current: int, *, with_chart: bool) -> list[Flowable]:
    """A section's heading, its chart (if ``with_chart``) and its table."""
    story: list[Flowable] = [CondPageBreak(120 * mm), Paragraph(section.title, ctx.style["h1"])]
    if with_chart:
        story.append(_chart(section, ctx.months, ctx.words, ctx.fmt))
    return [*story, _table(section, ctx.months, ctx.words, ctx.fmt, current), Spacer(1, 5 * mm)]


def _month_totals(section: BudgetSection, field: str) -> list[Decimal]:
    return [sum((getattr(row, field)[m] for row in section.rows), ZERO) for m in range(12)]


def _chart(section: BudgetSection, months: list[str], words: dict[str, str], fmt: Formatter) -> Drawing:
    drawing = Drawing(180 * mm, 62 * mm)
    chart = VerticalBarChart()
    set_points(chart, x=28 * mm, y=12 * mm, width=148 * mm, height=44 * mm)
    chart.data = [[float(v) for v in _month_totals(section, "budget")],
                  [float(v) for v in _month_totals(section, "actual")]]
    chart.bars[0].fillColor, chart.bars[1].fillColor = BUDGET_FILL, ACTUAL_FILL
    chart.bars.strokeColor = None
    chart.categoryAxis.categoryNames = months
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
    legend.colorNamePairs = [(BUDGET_FILL, words["budget"]), (ACTUAL_FILL, words["actual"])]
    drawing.add(legend)
    return drawing


def _whole(fmt: Formatter, value: Decimal) -> str:
    """Whole kronor without the unit: the columns are narrow and the header says kronor."""
    return fmt.number(Decimal(round(value)))


def _table(section: BudgetSection, months: list[str], words: dict[str, str], fmt: Formatter,
           current: int) -> Table:
    header = [words["category"], "kr", *months, words["ytd"], words["forecast"], words["year_budget"]]
    rows: list[list[str]] = [header]
    over: list[tuple[int, int]] = []
    for row in section.rows:
        rows += _category_rows(row, words, fmt, current)
        over += _over_budget(row, len(rows) - 1)
    rows.append(_total_row(section, words, fmt, current))
    table = Table(rows, colWidths=TABLE_WIDTHS, repeatRows=1)
    table.setStyle(TableStyle(_table_commands(over)))
    return table


def _variance(row: BudgetRow) -> list[Decimal]:
    """Budget less actual, per month: negative where the month went over budget."""
    return [b - a for b, a in zip(row.budget, row.actual, strict=True)]


def _category_rows(row: BudgetRow, words: dict[str, str], fmt: Formatter, current: int) -> list[list[str]]:
    """A category's three rows: budget, actual and variance, by month and to date, with the
    forecast and the year's budget."""
    ytd_budget, ytd_actual = sum(row.budget[:current], ZERO), sum(row.actual[:current], ZERO)
    variance = _variance(row)
    return [
        [words.get(row.category, row.category), words["budget"], *[_whole(fmt, v) for v in row.budget],
         _whole(fmt, ytd_budget), "", _whole(fmt, sum(row.budget, ZERO))],
        ["", words["actual"], *[_whole(fmt, v) for v in row.actual], _whole(fmt, ytd_actual),
         _whole(fmt, row.forecast), ""],
        ["", words["variance"], *[_whole(fmt, v) for v in variance], _whole(fmt, ytd_budget - ytd_actual),
         _whole(fmt, sum(row.budget, ZERO) - row.forecast), ""],
    ]


def _over_budget(row: BudgetRow, variance_row: int) -> list[tuple[int, int]]:
    """The (column, row) cells of the months over budget, in the table's variance row."""
    return [(col, variance_row) for col, value in enumerate(_variance(row), start=2) if value < 0]


def _total_row(section: BudgetSection, words: dict[str, str], fmt: Formatter, current: int) -> list[str]:
    """The section's actual per month and to date, its forecast and its year's budget."""
    totals_actual = _month_totals(section, "actual")
    forecast = sum((r.forecast for r in section.rows), ZERO)
    year_budget = sum((sum(r.budget, ZERO) for r in section.rows), ZERO)
    return [words["total"], words["actual"], *[_whole(fmt, v) for v in totals_actual],
            _whole(fmt, sum(totals_actual[:current], ZERO)), _whole(fmt, forecast), _whole(fmt, year_budget)]


def _table_commands(over: list[tuple[int, int]]) -> list[TableCommand]:
    """Small type, right-aligned figures, a rule under each row, months over budget in red."""
    commands: list[TableCommand] = [
        ("FONT", (0, 0), (-1, -1), BODY_FONT, 5.6), ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL), ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 1.5), ("RIGHTPADDING", (0, 0), (-1, -1), 1.5),
    ]
    return commands + [("TEXTCOLOR", cell, cell, BAD) for cell in over]
