"""Budget against actual per month as an accessible SVG bar chart, rendered on the server.

Pure: labels and amounts in, SVG text out. The chart carries a <title> and a <desc> that say
in words what it shows; pages put the same figures in a table beneath it, so nothing depends
on seeing the picture or on JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 10, 20, 40


def _nice_ceiling(value: Decimal) -> Decimal:
    """A round upper bound for the axis: 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def budget_actual_chart(labels: Sequence[str], budget: Sequence[Decimal], actual: Sequence[Decimal], *,
                        title: str, description: str, budget_label: str, actual_label: str,
                        format_amount: Callable[[Decimal], str], link: Callable[[int], str | None] | None = None,
                        current: int | None = None) -> str:
    """Paired bars per month (budget, actual); bars for months after ``current`` are drawn lighter.

    ``link(index)`` may give a URL for a month's actual bar (the drill-down).
    """
    plot = _Plot(_nice_ceiling(max([*budget, *actual, Decimal(0)])), len(labels))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
           f'aria-labelledby="chart-title chart-desc" class="chart">',
           f'<title id="chart-title">{escape(title)}</title>', f'<desc id="chart-desc">{escape(description)}</desc>']
    out += _grid(plot, format_amount)
    for index, label in enumerate(labels):
        x = LEFT + index * plot.slot + plot.slot * 0.12
        css = " future" if current is not None and index + 1 > current else ""
        out.append(plot.bar(x, budget[index], f"budget{css}",
                            f"{escape(label)}: {escape(budget_label)} {escape(format_amount(budget[index]))}"))
        rect = plot.bar(x + plot.bar_width, actual[index], f"actual{css}",
                        f"{escape(label)}: {escape(actual_label)} {escape(format_amount(actual[index]))}")
        url = link(index) if link else None
        out.append(f'<a href="{escape(url)}">{rect}</a>' if url else rect)
        out.append(f'<text x="{x + plot.bar_width:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" class="axis">'
                   f"{escape(label)}</text>")
    out.append(_legend(budget_label, actual_label))
    out.append("</svg>")
    return "\n".join(out)


class _Plot:
    """Where things go: ``top`` is the axis' upper bound, ``count`` the number of months."""

    def __init__(self, top: Decimal, count: int) -> None:
        self.top = top
        self.width, self.height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        self.slot = self.width / max(count, 1)
        self.bar_width = self.slot * 0.36

    def y(self, value: Decimal) -> float:
        return TOP + self.height - float(max(value, Decimal(0)) / self.top) * self.height

    def bar(self, x: float, value: Decimal, css: str, title: str) -> str:
        """A bar from the axis up to ``value``, with its figures as a tooltip (``title``, escaped)."""
        return (f'<rect x="{x:.1f}" y="{self.y(value):.1f}" width="{self.bar_width:.1f}" '
                f'height="{TOP + self.height - self.y(value):.1f}" class="{css}">'
                f"<title>{title}</title></rect>")


def _grid(plot: _Plot, format_amount: Callable[[Decimal], str]) -> list[str]:
    """Five grid lines from zero to the top, each with its amount."""
    out = []
    for step in range(5):
        value = plot.top * step / 4
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{plot.y(value):.1f}" y2="{plot.y(value):.1f}" '
                   'class="grid"/>')
        out.append(f'<text x="{LEFT - 6}" y="{plot.y(value) + 4:.1f}" text-anchor="end" class="axis">'
                   f"{escape(format_amount(value))}</text>")
    return out


def _legend(budget_label: str, actual_label: str) -> str:
    legend_y = HEIGHT - 8
    return (f'<rect x="{LEFT}" y="{legend_y - 9}" width="10" height="10" class="budget"/>'
            f'<text x="{LEFT + 14}" y="{legend_y}" class="axis">{escape(budget_label)}</text>'
            f'<rect x="{LEFT + 110}" y="{legend_y - 9}" width="10" height="10" class="actual"/>'
            f'<text x="{LEFT + 124}" y="{legend_y}" class="axis">{escape(actual_label)}</text>')
