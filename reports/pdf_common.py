"""What every PDF report shares: page, fonts, styles, header and footer, and a table that pages.

* **Fonts.** reportlab's built-in Helvetica (WinAnsi, so å ä ö, é, the en dash and the
  no-break space Babel puts in amounts are all there); nothing is downloaded or embedded.
* **"Sida N av M".** ``NumberedCanvas`` keeps each finished page until the document is done
  and only then writes the footers, when it knows how many pages there are: one layout pass,
  not two. The page header (report title) is drawn as each page starts.
* **Long tables.** ``PagedTable`` lays out any number of rows in linear time: each row is laid
  out once, when its page is reached, its texts wrapped to their columns (a long name takes a
  second line, a word too long for its column is broken after a hyphen or where the width
  ends; a cell is at most a dozen lines, so no cell grows into a page that does not fit), and
  on each page it builds a ``LongTable`` of just the rows that fit there, with the header
  repeated. reportlab's own splitting rebuilds a table of every remaining row at each page
  break, which makes a 50,000-row table take minutes (see ``bench/report_bench.py``); a
  ``Paragraph`` per cell would cost as much again, so cells are wrapped here, by the same
  font metrics.
* **Deterministic.** Documents are written with ``invariant=True`` (no creation time or random
  id in the file), so the same data gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import IO, Any, Generic, Protocol, TypeVar, cast

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, LongTable, PageTemplate, TableStyle
from reportlab.platypus.tables import CellStyle

__all__ = [
    "BODY_FONT",
    "BOLD_FONT",
    "PAGE_SIZE",
    "NumberedCanvas",
    "PageDecor",
    "PagedTable",
    "build_document",
    "document_bytes",
    "fit_text",
    "set_points",
    "styles",
    "text_width",
    "wrap_text",
]

PAGE_SIZE = A4
MARGIN = 15 * mm
HEADER_SPACE = 14 * mm
FOOTER_SPACE = 12 * mm
BODY_FONT = "Helvetica"
BOLD_FONT = "Helvetica-Bold"
INK = colors.HexColor("#1b1b1b")
MUTED = colors.HexColor("#5a5a5a")
RULE = colors.HexColor("#9a9a9a")
HEADER_FILL = colors.HexColor("#dfe6ec")
STRIPE = colors.HexColor("#f3f5f7")
SUBTOTAL_FILL = colors.HexColor("#e9edf1")
BAD = colors.HexColor("#b00020")
ELLIPSIS = "\u2026"
SOFT_HYPHEN = "\u00ad"

#: A table command as ``TableStyle`` takes it: ("BACKGROUND", (0, 0), (-1, 0), colour), …
TableCommand = tuple[Any, ...]


def styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles of the reports (Helvetica, dark ink)."""
    base = ParagraphStyle("body", fontName=BODY_FONT, fontSize=9, leading=12, textColor=INK)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7, leading=8.5),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD_FONT, fontSize=20, leading=25, spaceAfter=4 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=12, leading=16, textColor=MUTED,
                                   spaceAfter=8 * mm),
        "h1": ParagraphStyle("h1", parent=base, fontName=BOLD_FONT, fontSize=14, leading=18, spaceBefore=2 * mm,
                             spaceAfter=3 * mm),
        "h2": ParagraphStyle("h2", parent=base, fontName=BOLD_FONT, fontSize=10.5, leading=14, spaceBefore=4 * mm,
                             spaceAfter=2 * mm),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "left": ParagraphStyle("left", parent=base, alignment=TA_LEFT),
    }


def set_points(shape: object, **values: float) -> None:
    """Set coordinates and sizes (in points) on a reportlab drawing object: ``x=…, width=…``.

    reportlab takes any number there; its type stubs declare many of these attributes ``int``,
    so a plain assignment of a length in millimetres would not type-check.
    """
    for name, value in values.items():
        setattr(shape, name, value)


# ---------------------------------------------------------------------------------------------
# What is used of reportlab beyond its public API (its stubs leave these private names out)


class _CanvasInternals(Protocol):
    def _startPage(self) -> None: ...  # noqa: N802 - reportlab's name


class _TextInternals(Protocol):
    _code: list[str]  #: the text object's PDF operators so far

    def _textOut(self, text: str) -> None: ...  # noqa: N802 - reportlab's name


class _TableInternals(Protocol):
    def _drawCell(self, cellval: Any, cellstyle: CellStyle,  # noqa: N802 - reportlab's name
                  pos: tuple[float, float], size: tuple[float, float]) -> None: ...


# ---------------------------------------------------------------------------------------------
# Page furniture


@dataclass(frozen=True)
class PageDecor:
    """What the header and footer say: a title, a right-hand note, and the footer's words.

    ``page_of`` is a format string with ``%(page)s`` and ``%(pages)s``: "Sida %(page)s av
    %(pages)s". The right-hand note and the footer's words are cut to the room the other text
    leaves them on the line (the cover says them whole).
    """

    title: str
    note: str
    footer: str
    page_of: str

    def draw_header(self, canvas: Canvas, _doc: object = None) -> None:
        width, height = PAGE_SIZE
        canvas.saveState()
        y = height - MARGIN + 1 * mm
        canvas.setFillColor(INK)
        canvas.setFont(BOLD_FONT, 9)
        title = fit_text(self.title, (width - 2 * MARGIN) * 0.6, BOLD_FONT, 9)
        canvas.drawString(MARGIN, y, title)
        room = width - 2 * MARGIN - text_width(title, BOLD_FONT, 9) - 6 * mm
        canvas.setFont(BODY_FONT, 8)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(width - MARGIN, y, fit_text(self.note, room, BODY_FONT, 8))
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, y - 2 * mm, width - MARGIN, y - 2 * mm)
        canvas.restoreState()

    def draw_footer(self, canvas: Canvas, page: int, pages: int) -> None:
        width, _ = PAGE_SIZE
        canvas.saveState()
        y = MARGIN - 6 * mm
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, y + 4 * mm, width - MARGIN, y + 4 * mm)
        canvas.setFont(BODY_FONT, 7.5)
        canvas.setFillColor(MUTED)
        page_of = self.page_of % {"page": page, "pages": pages}
        room = width - 2 * MARGIN - text_width(page_of, BODY_FONT, 7.5) - 6 * mm
        canvas.drawString(MARGIN, y, fit_text(self.footer, room, BODY_FONT, 7.5))
        canvas.drawRightString(width - MARGIN, y, page_of)
        canvas.restoreState()


class NumberedCanvas(Canvas):
    """A canvas that holds its pages back until ``save`` and then writes every footer with the
    page count ("Sida N av M"). Pass it to ``build`` through ``partial(NumberedCanvas, decor=…)``.
    """

    def __init__(self, *args: Any, decor: PageDecor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decor = decor
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        cast(_CanvasInternals, self)._startPage()

    def save(self) -> None:
        total = len(self._pages)
        pages, self._pages = self._pages, []
        for number, state in enumerate(pages, start=1):
            self.__dict__.update(state)
            self._decor.draw_footer(self, number, total)
            Canvas.showPage(self)
            state.clear()  # let the page's drawing go as soon as it is written
        Canvas.save(self)


def build_document(story: list[Flowable], out: IO[bytes], decor: PageDecor, *, title: str, author: str,
                   subject: str = "") -> int:
    """Lay out ``story`` on A4 pages with the header and footer; write the PDF to ``out``
    (a file object). Returns the number of pages."""
    doc = BaseDocTemplate(out, pagesize=PAGE_SIZE, leftMargin=MARGIN, rightMargin=MARGIN,
                          topMargin=MARGIN + HEADER_SPACE - 6 * mm, bottomMargin=MARGIN + FOOTER_SPACE - 8 * mm,
                          title=title, author=author, subject=subject, creator="Telefoniekonomi",
                          invariant=True)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=decor.draw_header)])
    doc.build(story, canvasmaker=partial(NumberedCanvas, decor=decor))
    return int(doc.page)


def document_bytes(story: list[Flowable], *, title: str, note: str, footer: str, page_of: str, author: str,
                   subject: str) -> bytes:
    """``story`` as the bytes of a PDF whose pages are headed ``title`` and ``note`` and end in
    ``footer`` and ``page_of`` (the page and the count, ``%(page)s`` and ``%(pages)s``)."""
    out = io.BytesIO()
    build_document(story, out, PageDecor(title=title, note=note, footer=footer, page_of=page_of), title=title,
                   author=author, subject=subject)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Text that fits its cell

@lru_cache(maxsize=8)
def _glyph_widths(font: str) -> dict[str, float]:
    """Width of each Latin-1 character at size 1, so that most strings are measured by a sum."""
    return {chr(code): stringWidth(chr(code), font, 1) for code in range(32, 256) if code not in range(127, 160)}


def text_width(text: str, font: str = BODY_FONT, size: float = 7) -> float:
    """``stringWidth`` for one-line text, fast for Latin-1 (as the PDF's standard fonts are)."""
    widths = _glyph_widths(font)
    try:
        return sum(map(widths.__getitem__, text)) * size
    except KeyError:
        return stringWidth(text, font, size)


def _one_line(text: str) -> str:
    return " ".join(text.split()) if ("\n" in text or "\r" in text or "\t" in text) else text


def fit_text(text: str, width: float, font: str = BODY_FONT, size: float = 7) -> str:
    """``text`` on one line, cut with "…" to ``width`` points if it is wider (for page furniture,
    where a second line has no room; table cells wrap instead: ``wrap_text``)."""
    text = _one_line(text)
    if text_width(text, font, size) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if text_width(text[:middle] + ELLIPSIS, font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS


def _break_word(word: str, width: float, font: str, size: float) -> list[str]:
    """A word wider than ``width`` in pieces that fit: after a hyphen, slash or similar where
    there is one ("BARS-2026-11-" / "4711"), else wherever the width ends."""
    pieces: list[str] = []
    while text_width(word, font, size) > width and len(word) > 1:
        cut = 1
        while cut < len(word) and text_width(word[:cut + 1], font, size) <= width:
            cut += 1
        soft = max(word.rfind(mark, 0, cut) for mark in "-/_.,:;)")
        if soft > 0:
            cut = soft + 1
        pieces.append(word[:cut])
        word = word[cut:]
    return [*pieces, word]


def _soft_break(word: str, width: float, font: str, size: float) -> list[str]:
    """A word with soft hyphens (U+00AD, "Faktura\u00addatum") broken at the last one that
    leaves a first part fitting ``width`` with its hyphen shown; the rest as it comes."""
    parts = word.split(SOFT_HYPHEN)
    for cut in range(len(parts) - 1, 0, -1):
        head = "".join(parts[:cut]) + "-"
        if text_width(head, font, size) <= width:
            return [head, *_soft_break(SOFT_HYPHEN.join(parts[cut:]), width, font, size)]
    return [word.replace(SOFT_HYPHEN, "")]


def _pieces(word: str, width: float, font: str, size: float) -> list[str]:
    """A word too wide for its line in pieces that fit, at its soft hyphens where it has them."""
    if SOFT_HYPHEN not in word:
        return _break_word(word, width, font, size)
    pieces = _soft_break(word, width, font, size)
    return [*pieces[:-1], *_break_word(pieces[-1], width, font, size)]


def wrap_text(text: str, width: float, font: str = BODY_FONT, size: float = 7, max_lines: int = 12) -> list[str]:
    """``text`` broken into lines no wider than ``width`` points, at spaces where it can be and
    inside a too-long word where it must (at a soft hyphen, else after a hyphen or slash; "\\n"
    in the text starts a new line). A text of more than ``max_lines`` lines (a cell must fit on
    a page) ends its last line with "…"."""
    if SOFT_HYPHEN not in text and "\n" not in text and text_width(text, font, size) <= width:
        return [text]
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            plain = word.replace(SOFT_HYPHEN, "")
            candidate = f"{line} {plain}" if line else plain
            if text_width(candidate, font, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            *whole, line = _pieces(word, width, font, size)
            lines += whole
        lines.append(line)
    if len(lines) > max_lines:
        lines = [*lines[:max_lines - 1], fit_text(" ".join(lines[max_lines - 1:]), width, font, size)]
    return lines


# ---------------------------------------------------------------------------------------------
# A table that pages itself in linear time

Row = TypeVar("Row")
Cells = Callable[[Row], Sequence[str]]
#: A row's emphasis: None, "subtotal", "total" or "bad" (a red row, e.g. a difference).
Emphasis = Callable[[Row], str | None]


@dataclass
class _LaidRow:
    """One row as laid out: its cells' lines joined by "\\n", its look and its height."""

    texts: list[str]
    look: str | None
    height: float


class _Layout(Generic[Row]):
    """The rows of a ``PagedTable`` laid out once each, as the pages reach them; shared by the
    table and the remainders it splits into, and forgotten once their page's table is built."""

    def __init__(self, table: PagedTable[Row]) -> None:
        self.table = table
        self.rows: dict[int, _LaidRow] = {}
        self.header = table.laid_cells(table.header, BOLD_FONT, "header")
        self.total = table.laid_cells(table.total, BOLD_FONT, "total") if table.total is not None else None

    def row(self, index: int) -> _LaidRow:
        laid = self.rows.get(index)
        if laid is None:
            table, row = self.table, self.table.rows[index]
            look = table.emphasis(row) if table.emphasis else None
            laid = self.rows[index] = table.laid_cells(table.cells(row), BODY_FONT if look is None else BOLD_FONT,
                                                       look)
        return laid

    def forget_before(self, index: int) -> None:
        for done in [key for key in self.rows if key < index]:
            del self.rows[done]


class PagedTable(Flowable, Generic[Row]):
    """Rows under a header, split page by page without rebuilding the remainder.

    ``rows`` can be anything; ``cells(row)`` gives the row's texts (called only when the page
    it lands on is laid out), ``emphasis(row)`` its look. ``right`` names the columns aligned
    right (amounts): they stay on one line, set smaller if too wide. Every other text wraps in
    its column (a long supplier name, invoice number or reason takes more lines; the row grows),
    up to ``max_lines`` lines a cell. A ``total`` row, if given, closes the table and is kept
    with at least one row above it.
    """

    def __init__(self, header: Sequence[str], rows: Sequence[Row], cells: Cells[Row], col_widths: Sequence[float],
                 *, right: Sequence[int] = (), emphasis: Emphasis[Row] | None = None,
                 total: Sequence[str] | None = None, font_size: float = 7, row_height: float | None = None,
                 max_lines: int = 12, start: int = 0, layout: _Layout[Row] | None = None) -> None:
        super().__init__()
        self.header = list(header)
        self.rows = rows
        self.cells = cells
        self.col_widths = list(col_widths)
        self.right = tuple(right)
        self.emphasis = emphasis
        self.total = list(total) if total is not None else None
        self.font_size = font_size
        self.row_height = row_height or round(font_size * 1.45, 2)
        self.leading = round(font_size * 1.2, 2)
        self.max_lines = max_lines
        self.start = start
        self.padding = 2.5
        self._style_rows: dict[str | None, list[CellStyle]] | None = None
        #: cells are top-aligned; this padding centres the capitals of a one-line row in it
        self.top_padding = round((self.row_height + font_size * 0.72) / 2 - font_size, 2)
        self._layout = layout or _Layout(self)

    def laid_cells(self, texts: Sequence[object], font: str, look: str | None) -> _LaidRow:
        """Texts wrapped to their columns (amounts kept whole, but not their headings), and the
        row's height."""
        room, size = [width - 2 * self.padding for width in self.col_widths], self.font_size
        laid, lines = [], 1
        for column, text in enumerate(texts):
            value = str(text)
            if column in self.right and look != "header":  # an amount stays whole; a heading wraps
                laid.append(_one_line(value))
                continue
            wrapped = wrap_text(value, room[column], font, size, self.max_lines)
            lines = max(lines, len(wrapped))
            laid.append("\n".join(wrapped))
        return _LaidRow(laid, look, self.row_height + (lines - 1) * self.leading)

    def _remaining(self) -> int:
        return len(self.rows) - self.start

    @property
    def header_height(self) -> float:
        """The header row: as many lines as its tallest cell."""
        return self._layout.header.height

    def _total_height(self) -> float:
        return self._layout.total.height if self._layout.total is not None else 0.0

    def _rows_within(self, height: float) -> tuple[int, float]:
        """How many rows from ``start`` fit in ``height`` (laying out only those, and one more),
        and their height."""
        used, count = 0.0, 0
        for index in range(self.start, len(self.rows)):
            row_height = self._layout.row(index).height
            if used + row_height > height + 0.01:
                break
            used += row_height
            count += 1
        return count, used

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """The whole remainder's height when it fits in ``avail_height``; else a height just
        above it, which is all the frame needs to know to split it (the rest is laid out only
        when its page comes)."""
        fixed = self.header_height + self._total_height()
        count, used = self._rows_within(max(avail_height - fixed, 0.0))
        self.width = sum(self.col_widths)
        self.height = fixed + used if count == self._remaining() else max(avail_height, fixed + used) + 1.0
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        fit, used = self._rows_within(avail_height - self.header_height)
        remaining = self._remaining()
        if fit >= remaining and used + self.header_height + self._total_height() <= avail_height + 0.01:
            return [self]
        if fit >= remaining:  # all the rows, but not the total: carry the last row over with it
            fit = remaining - 1
        if fit < 1:
            return []
        end = self.start + fit
        page = self._table(self.start, end, with_total=False)
        self._layout.forget_before(end)
        return [page, self._rest_from(end)]

    def _rest_from(self, start: int) -> PagedTable[Row]:
        """The same table from row ``start`` on, for the next page."""
        return PagedTable(self.header, self.rows, self.cells, self.col_widths, right=self.right,
                          emphasis=self.emphasis, total=self.total, font_size=self.font_size,
                          row_height=self.row_height, max_lines=self.max_lines, start=start, layout=self._layout)

    def draw(self) -> None:
        table = self._table(self.start, len(self.rows), with_total=True)
        table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)

    def _cell_style(self, font: str, color: Color, column: int) -> CellStyle:
        cell = CellStyle(f"paged-{font}-{column}")
        cell.fontname, cell.fontsize, cell.leading = font, self.font_size, self.leading
        cell.leftPadding = cell.rightPadding = self.padding
        cell.topPadding, cell.bottomPadding = self.top_padding, 0
        cell.alignment = "RIGHT" if column in self.right else "LEFT"
        cell.valign = "TOP"
        cell.color = color
        return cell

    def _styles(self) -> dict[str | None, list[CellStyle]]:
        """Shared cell styles per look and column: a page's table gets references, not copies
        (reportlab otherwise makes a style per cell and applies every command to each)."""
        if self._style_rows is None:
            columns = range(len(self.col_widths))
            body = [self._cell_style(BODY_FONT, INK, c) for c in columns]
            bold = [self._cell_style(BOLD_FONT, INK, c) for c in columns]
            self._style_rows = {None: body, "header": bold, "subtotal": bold, "total": bold,
                                "bad": [self._cell_style(BOLD_FONT, BAD, c) for c in columns]}
        return self._style_rows

    def _page_rows(self, start: int, end: int, *, with_total: bool) -> list[_LaidRow]:
        """One page's rows as laid out: the header, rows ``start:end``, perhaps the total."""
        layout = self._layout
        laid = [layout.header, *(layout.row(index) for index in range(start, end))]
        if with_total and layout.total is not None:
            laid.append(layout.total)
        return laid

    def _table(self, start: int, end: int, *, with_total: bool) -> LongTable:
        laid = self._page_rows(start, end, with_total=with_total)
        styles, looks = self._styles(), [row.look for row in laid]
        table = _PageTable([row.texts for row in laid], colWidths=self.col_widths,
                           rowHeights=[row.height for row in laid], repeatRows=1,
                           cellStyles=[styles[look] for look in looks])
        table.setStyle(TableStyle(_page_commands(looks)))
        return table


def _page_commands(looks: Sequence[str | None]) -> list[TableCommand]:
    """Background and rule commands for a page's rows by their looks: only these, as they do
    not touch the shared cell styles."""
    commands: list[TableCommand] = [("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                                    ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE)]
    if len(looks) > 2:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, len(looks) - 1), [colors.white, STRIPE]))
    for index, look in enumerate(looks):
        if look == "subtotal":
            commands.append(("BACKGROUND", (0, index), (-1, index), SUBTOTAL_FILL))
        elif look == "total":
            commands.append(("LINEABOVE", (0, index), (-1, index), 0.8, INK))
    return commands


# PDF string literals: the backslash and parentheses escaped, bytes outside printable ASCII as
# octal (as reportlab's own escapePDF writes them).
_PDF_ESCAPES = {code: f"\\{code:03o}" for code in [*range(0, 32), *range(127, 256)]}
_PDF_ESCAPES.update({ord("\\"): "\\\\", ord("("): "\\(", ord(")"): "\\)"})


class _PageTable(LongTable):
    """One page's rows of a ``PagedTable``: a LongTable that sets all its text in one PDF text
    object (backgrounds and rules are drawn by LongTable as usual).

    reportlab draws each cell as a text object of its own (``drawString``), which is most of
    the time a big table takes; here each line of a cell costs a text-matrix move and its
    string. Only string cells come this way, top-aligned, their lines split at "\n" (as
    ``PagedTable`` makes them). Text in a WinAnsi-encoded standard font is encoded here (cp1252
    is WinAnsi for every character it has); anything else goes through reportlab's own text path.
    """

    def draw(self) -> None:
        self._texts: list[tuple[str, CellStyle, float, float, float]] = []
        super().draw()
        if not self._texts:
            return
        text = _CellText(self.canv)
        for value, style, x0, top, width in self._texts:
            text.add(value, style, x0, top, width)
        self.canv.drawText(text.text)

    def _drawCell(self, cellval: Any, cellstyle: CellStyle, pos: tuple[float, float],  # noqa: N802 - reportlab's name
                  size: tuple[float, float]) -> None:
        if not self._is_plain(cellval, cellstyle):
            cast(_TableInternals, super())._drawCell(cellval, cellstyle, pos, size)
        elif cellval:
            self._texts.append((cellval, cellstyle, pos[0], pos[1] + size[1], size[0]))

    def _is_plain(self, cellval: Any, cellstyle: CellStyle) -> bool:
        """A string, left or right, top-aligned, with no link, direction or shaping."""
        return (isinstance(cellval, str) and cellstyle.alignment in ("LEFT", "RIGHT")
                and not cellstyle.href and not cellstyle.destination and not cellstyle.direction
                and not cellstyle.shaping and cellstyle.valign == "TOP" and bool(self.canv.bottomup))


class _CellText:
    """The one text object of a page's cells: each line moves the text matrix and shows its
    string; the font and colour are set only when they change."""

    def __init__(self, canvas: Canvas) -> None:
        self.text = canvas.beginText()
        self._internals = cast(_TextInternals, self.text)
        self._code = self._internals._code
        self._font: tuple[str, float] | None = None
        self._winansi = False
        self._color: object = None

    def add(self, value: str, style: CellStyle, x0: float, top: float, width: float) -> None:
        """The cell's lines from its top down, one ``leading`` apart (as reportlab sets a
        top-aligned cell)."""
        y = top - style.topPadding - style.fontsize
        for line in value.split("\n"):
            if line:
                size, wide = _fitted_size(line, style, width)
                self._use(style, size)
                x = x0 + width - style.rightPadding - wide if style.alignment == "RIGHT" else x0 + style.leftPadding
                self._code.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm")
                self._show(line)
            y -= style.leading

    def _use(self, style: CellStyle, size: float) -> None:
        """Switch to the cell's font at ``size`` and to its colour, where they differ."""
        if self._font != (style.fontname, size):
            self._font = (style.fontname, size)
            self.text.setFont(style.fontname, size, style.leading)
            self._winansi = _is_winansi(style.fontname)
        if self._color is not style.color:
            self._color = style.color
            self.text.setFillColor(cast(Color, style.color))  # PagedTable's cell styles have a Color

    def _show(self, value: str) -> None:
        encoded = _winansi_text(value) if self._winansi else None
        if encoded is None:
            self._internals._textOut(value)
        else:
            self._code.append(f"({encoded.translate(_PDF_ESCAPES)}) Tj")


def _fitted_size(value: str, style: CellStyle, width: float) -> tuple[float, float]:
    """The font size for ``value`` in a cell ``width`` wide, and the text's width at it: only
    right-aligned texts (amounts) come here uncut, and one too wide is set smaller."""
    size = style.fontsize
    room = width - style.leftPadding - style.rightPadding
    wide = text_width(value, style.fontname, size)
    if wide > room:
        return size * room / wide, room
    return size, wide


def _winansi_text(value: str) -> str | None:
    """``value`` as WinAnsi bytes (one character a byte), or None where it has a character
    cp1252 lacks; a plain space for Babel's no-break space: same width, and text extraction
    reads it."""
    try:
        return value.replace("\xa0", " ").encode("cp1252").decode("latin-1")
    except UnicodeEncodeError:
        return None


@lru_cache(maxsize=16)
def _is_winansi(font: str) -> bool:
    found = getFont(font)
    return not getattr(found, "_dynamicFont", False) and getattr(found, "encName", "") == "WinAnsiEncoding"
