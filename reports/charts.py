"""Charts for the PDF reports (reportlab.graphics): drawings that flow like any paragraph."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from reports.formatting import Formatter
from reports.pdf_common import BODY_FONT, set_points, wrap_text

__all__ = ["cost_bar_chart"]

BAR = colors.HexColor("#1f5f8b")
NEGATIVE = colors.HexColor("#b00020")
BAR_SPACE = 7 * mm
LABEL_WIDTH = 62 * mm
VALUE_SPACE = 28 * mm
AXIS_SPACE = 8 * mm


def cost_bar_chart(items: Sequence[tuple[str, Decimal]], formatter: Formatter, *, width: float = 180 * mm,
                   title: str = "") -> Drawing:
    """A horizontal bar per item (label, amount), the amount written at the bar's end.

    The height grows with the number of bars; a label too long for the space on the left takes
    a second line (and is cut with "…" only beyond that).
    """
    top = 8 * mm if title else 2 * mm
    count = max(len(items), 1)
    height = top + AXIS_SPACE + count * BAR_SPACE
    drawing = Drawing(width, height)
    if title:
        drawing.add(String(0, height - 5 * mm, title, fontName=BODY_FONT, fontSize=9))
    chart = HorizontalBarChart()
    set_points(chart, x=LABEL_WIDTH, y=AXIS_SPACE, width=width - LABEL_WIDTH - VALUE_SPACE, height=count * BAR_SPACE)
    # top to bottom in the given order: reportlab draws the first category at the bottom
    ordered = list(reversed(items))
    values = [float(amount) for _, amount in ordered] or [0.0]
    chart.data = [values]
    _label_categories(chart, [label for label, _ in ordered])
    _scale_values(chart, values, formatter)
    _style_bars(chart, [amount for _, amount in ordered], formatter)
    drawing.add(chart)
    return drawing


def _label_categories(chart: HorizontalBarChart, labels: Sequence[str]) -> None:
    """The labels on the left, in at most two lines of their space (a bar's slot holds two)."""
    chart.categoryAxis.categoryNames = ["\n".join(wrap_text(label, LABEL_WIDTH - 3 * mm, BODY_FONT, 7.5, max_lines=2))
                                        for label in labels] or [""]
    chart.categoryAxis.labels.fontName = BODY_FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.leading = 8.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -2
    chart.categoryAxis.strokeColor = colors.grey


def _scale_values(chart: HorizontalBarChart, values: Sequence[float], formatter: Formatter) -> None:
    """The value axis: from zero (or a little below the lowest value) to a little above the
    highest, in whole kronor, with a light grid."""
    low, high = min([*values, 0.0]), max([*values, 0.0])
    if low == high:
        high = low + 1.0
    chart.valueAxis.valueMin = low * 1.05 if low < 0 else 0
    chart.valueAxis.valueMax = high * 1.05 if high > 0 else 0
    chart.valueAxis.labels.fontName = BODY_FONT
    chart.valueAxis.labels.fontSize = 6.5
    chart.valueAxis.labelTextFormat = formatter.kronor
    chart.valueAxis.strokeColor = colors.grey
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.valueAxis.gridStrokeWidth = 0.4


def _style_bars(chart: HorizontalBarChart, amounts: Sequence[Decimal], formatter: Formatter) -> None:
    """Bars in the report's blue, negative ones in red, each labelled with its amount."""
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    for index, amount in enumerate(amounts):
        if amount < 0:
            chart.bars[(0, index)].fillColor = NEGATIVE
    set_points(chart, barWidth=BAR_SPACE * 0.6, groupSpacing=BAR_SPACE * 0.4)
    chart.barLabelFormat = lambda value: formatter.money(Decimal(str(round(value, 2))).quantize(Decimal("0.01")))
    chart.barLabels.fontName = BODY_FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
