"""Charts for the PDF reports (reportlab.graphics): drawings that flow like any paragraph."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from reports.formatting import Formatter
from reports.pdf_common import BODY_FONT, fit_text

__all__ = ["cost_bar_chart"]

BAR = colors.HexColor("#1f5f8b")
NEGATIVE = colors.HexColor("#b00020")


def cost_bar_chart(items: Sequence[tuple[str, Decimal]], formatter: Formatter, *, width: float = 180 * mm,
                   title: str = "") -> Drawing:
    """A horizontal bar per item (label, amount), the amount written at the bar's end.

    The height grows with the number of bars; labels are cut to fit the space on the left.
    """
    bar_space = 7 * mm
    label_width = 62 * mm
    value_space = 28 * mm
    top = 8 * mm if title else 2 * mm
    axis_space = 8 * mm
    count = max(len(items), 1)
    height = top + axis_space + count * bar_space
    drawing = Drawing(width, height)
    if title:
        drawing.add(String(0, height - 5 * mm, title, fontName=BODY_FONT, fontSize=9))
    chart = HorizontalBarChart()
    chart.x = label_width
    chart.y = axis_space
    chart.width = width - label_width - value_space
    chart.height = count * bar_space
    # top to bottom in the given order: reportlab draws the first category at the bottom
    ordered = list(reversed(items))
    values = [float(amount) for _, amount in ordered] or [0.0]
    chart.data = [values]
    chart.categoryAxis.categoryNames = [fit_text(label, label_width - 3 * mm, BODY_FONT, 7.5)
                                        for label, _ in ordered] or [""]
    chart.categoryAxis.labels.fontName = BODY_FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -2
    chart.categoryAxis.strokeColor = colors.grey
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
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    for index, (_, amount) in enumerate(ordered):
        if amount < 0:
            chart.bars[(0, index)].fillColor = NEGATIVE
    chart.barWidth = bar_space * 0.6
    chart.groupSpacing = bar_space * 0.4
    chart.barLabelFormat = lambda value: formatter.money(Decimal(str(round(value, 2))).quantize(Decimal("0.01")))
    chart.barLabels.fontName = BODY_FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing
