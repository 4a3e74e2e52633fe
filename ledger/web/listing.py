"""Long lists on pages: a page at a time, sorted by the column the reader picks, filtered, and
downloaded as CSV or XLSX exactly as shown (the same filter and order, every page of it).

A list is a ``Listing``: its columns, each with what it sorts by (an SQL expression, or for a
list the service builds in Python a key) and what a download writes for a row. ``read`` takes
what the reader asked for from the query string (``?page=&per_page=&sort=&dir=&q=`` and the
list's own filters), held to the listing's columns: a sort by anything else is the default
sort, never SQL from the request. ``page_of`` counts in SQL and reads one page (``LIMIT`` /
``OFFSET``); ``page_of_items`` does the same for a list already in memory. ``download``
answers ``?format=csv`` or ``?format=xlsx`` with every row the filter keeps, in the order
shown, headed in the reader's language; every text cell goes through the spreadsheet formula
guard (``reports.spreadsheet``). A download is bounded (``MAX_DOWNLOAD_ROWS``): a longer one is
refused with a word to filter it, never cut silently.

The macros in ``_list.html`` draw the pager ("1–50 av 816"), the sortable column headings
(links with ``aria-sort``), the filter form and the download links.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import phonenumbers
import sqlalchemy as sa
from flask import Response, request, url_for
from flask_babel import get_locale
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font

from ledger.core.errors import ValidationFailed
from ledger.core.identifiers import DEFAULT_REGION
from ledger.core.paging import Page
from ledger.core.text import N_
from ledger.database import db
from ledger.web import blueprint
from reports.spreadsheet import csv_text, xlsx_value

T = TypeVar("T")

PER_PAGE = 50
#: The page sizes a reader may pick; any other is the nearest smaller one.
PER_PAGE_CHOICES = (25, 50, 100, 200)
#: No list is ten million pages long; a larger page would overflow the database's offset.
MAX_PAGE = 10_000_000
#: The most rows one download writes (a few megabytes either way); more must be filtered first.
MAX_DOWNLOAD_ROWS = 200_000
DOWNLOAD_FORMATS = ("csv", "xlsx")
#: The reader's clock, for points in time in a download (a spreadsheet cell holds no zone).
LOCAL_ZONE = ZoneInfo("Europe/Stockholm")
AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
MOMENT_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Deferred:
    """A sort expression made when a list is read (``make()``): one that depends on the day,
    such as the unit an asset is assigned to today."""

    make: Callable[[], Any]


@dataclass(frozen=True)
class Column:
    """A column of a list: ``key`` names it in ``?sort=``; ``heading`` is shown (translated);
    ``sort`` is the SQL expression it sorts by, ``key_of`` the Python key for a list in memory
    (neither: not sortable); ``value`` gives a row's cell in a download (none: not downloaded);
    ``css`` is the cell's class (``num`` for numbers); a column not ``shown`` is in downloads only."""

    key: str
    heading: Any
    sort: Any = None
    value: Callable[[Any], object] | None = None
    key_of: Callable[[Any], Any] | None = None
    css: str = ""
    shown: bool = True

    @property
    def sortable(self) -> bool:
        return self.sort is not None or self.key_of is not None


@dataclass(frozen=True)
class Listing:
    """A list of a page: its columns, its default order, its own filters (query arguments kept
    in every link of the list) and the name its downloads are given. ``tiebreak`` orders rows
    the sort column leaves equal, so that every page is the same each time it is read."""

    name: str
    columns: tuple[Column, ...]
    default_sort: str
    default_descending: bool = False
    filters: tuple[str, ...] = ()
    tiebreak: tuple[Any, ...] = ()

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key and c.sortable), None)

    @property
    def shown(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.shown)

    @property
    def downloaded(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.value is not None)


@dataclass(frozen=True)
class Asked:
    """What the reader asked of a list: page, page size, sort column and direction, free text,
    the list's own filters, and whether as a download."""

    listing: Listing
    page: int = 1
    per_page: int = PER_PAGE
    sort: str = ""
    descending: bool = False
    q: str | None = None
    filters: Mapping[str, str] = field(default_factory=dict)
    format: str | None = None
    endpoint: str = ""
    view_args: Mapping[str, Any] = field(default_factory=dict)

    def order_by(self) -> list[Any]:
        """``ORDER BY`` of the sort column and the tiebreak, in the asked direction; empty
        cells last either way."""
        chosen = self.listing.column(self.sort)
        expressions = [chosen.sort] if chosen is not None and chosen.sort is not None else []
        expressions = [e.make() if isinstance(e, Deferred) else e for e in expressions + list(self.listing.tiebreak)]
        return [(e.desc() if self.descending else e.asc()).nulls_last() for e in expressions]

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query arguments of this list, with ``changes``; defaults and blanks left out."""
        values: dict[str, Any] = {**self.filters, "q": self.q, "sort": self.sort,
                                  "dir": "desc" if self.descending else "asc", "per_page": self.per_page,
                                  "page": self.page}
        values.update(changes)
        if values.get("sort") == self.listing.default_sort and \
                values.get("dir") == ("desc" if self.listing.default_descending else "asc"):
            values.pop("sort")
            values.pop("dir")
        if values.get("per_page") == PER_PAGE:
            values.pop("per_page")
        if values.get("page") == 1:
            values.pop("page")
        return {k: v for k, v in values.items() if v not in (None, "")}

    def url(self, **changes: Any) -> str:
        return url_for(self.endpoint, **self.view_args, **self.args(**changes))

    def sort_url(self, key: str) -> str:
        """The list sorted by ``key``: the other way round when it is sorted by it already."""
        descending = not self.descending if key == self.sort else False
        return self.url(sort=key, dir="desc" if descending else "asc", page=1)

    def aria_sort(self, key: str) -> str | None:
        if key != self.sort:
            return None
        return "descending" if self.descending else "ascending"

    def download_url(self, fmt: str) -> str:
        return self.url(format=fmt, page=1, per_page=PER_PAGE)

    @property
    def hidden(self) -> dict[str, Any]:
        """What a filter form keeps as hidden fields: the order and the page size."""
        return {k: v for k, v in self.args(page=1).items() if k in ("sort", "dir", "per_page")}


def _number(text: str | None, default: int) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default


def _text(value: str | None) -> str:
    """A text the reader typed, without NUL characters (no column holds one, so none can match)."""
    return (value or "").replace("\x00", "").strip()


def _page_size(text: str | None) -> int:
    asked = _number(text, PER_PAGE)
    fitting = [size for size in PER_PAGE_CHOICES if size <= asked]
    return fitting[-1] if fitting else PER_PAGE_CHOICES[0]


def read(listing: Listing, args: Mapping[str, str] | None = None) -> Asked:
    """What the request asks of ``listing``; anything not understood is the default."""
    args = request.args if args is None else args
    sort = args.get("sort", "")
    if listing.column(sort) is None:
        sort, descending = listing.default_sort, listing.default_descending
    else:
        descending = args.get("dir") == "desc"
    fmt = args.get("format")
    return Asked(
        listing, page=min(max(_number(args.get("page"), 1), 1), MAX_PAGE), per_page=_page_size(args.get("per_page")),
        sort=sort, descending=descending, q=_text(args.get("q")) or None,
        filters={name: _text(args.get(name)) for name in listing.filters if _text(args.get(name))},
        format=fmt if fmt in DOWNLOAD_FORMATS else None,
        endpoint=request.endpoint or "", view_args=dict(request.view_args or {}))


def _last_page(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def count(query: sa.Select[Any]) -> int:
    """How many rows ``query`` gives, counted by the database."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0


def page_of(query: sa.Select[Any], asked: Asked, build: Callable[[list[Any]], list[T]] | None = None,
            scalars: bool = False) -> Page[T]:
    """One page of ``query`` in the asked order (a page past the end is the last one), and how
    many rows there are in all; ``build`` turns the page's rows into what the page shows."""
    total = count(query)
    number = min(asked.page, _last_page(total, asked.per_page))
    paged = query.order_by(*asked.order_by()).limit(asked.per_page).offset((number - 1) * asked.per_page)
    rows: list[Any] = list(db.session.scalars(paged)) if scalars else list(db.session.execute(paged).all())
    return Page(build(rows) if build else rows, total, number, asked.per_page)


def _sort_key(key_of: Callable[[Any], Any]) -> Callable[[Any], tuple[bool, Any]]:
    def key(item: Any) -> tuple[bool, Any]:
        value = key_of(item)
        return (value is None, value.casefold() if isinstance(value, str) else value)

    return key


def sorted_items(items: Iterable[T], asked: Asked) -> list[T]:
    """``items`` in the asked order (for a list built in memory); empty cells last."""
    listed = list(items)
    chosen = asked.listing.column(asked.sort)
    if chosen is None or chosen.key_of is None:
        return listed
    filled = [item for item in listed if chosen.key_of(item) is not None]
    empty = [item for item in listed if chosen.key_of(item) is None]
    return sorted(filled, key=_sort_key(chosen.key_of), reverse=asked.descending) + empty


def page_of_items(items: Sequence[T], asked: Asked) -> Page[T]:
    """One page of a list already in memory and in order."""
    number = min(asked.page, _last_page(len(items), asked.per_page))
    start = (number - 1) * asked.per_page
    return Page(list(items[start:start + asked.per_page]), len(items), number, asked.per_page)


def reader_language() -> str:
    return str(get_locale() or "sv").split("_")[0]


# -- downloads ---------------------------------------------------------------------------------


def _csv_cell(value: object, decimal_sign: str) -> object:
    if isinstance(value, Decimal):
        text = f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
        return text.replace(".", decimal_sign)
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return csv_text(value)


def render_csv(headings: list[str], rows: Iterable[list[object]], language: str) -> bytes:
    """CSV for the reader's spreadsheet: in Swedish ``;`` and a decimal comma, in English ``,``
    and a point; UTF-8 with a byte-order mark (so Excel reads å, ä and ö), CR LF line ends."""
    separator, sign = (";", ",") if language == "sv" else (",", ".")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow([csv_text(h) for h in headings])
    for row in rows:
        writer.writerow([_csv_cell(value, sign) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _formatted(sheet: Any, value: Decimal | date, number_format: str) -> Cell:
    cell = WriteOnlyCell(sheet)
    cell.value = value
    cell.number_format = number_format
    return cell


def _xlsx_cell(sheet: Any, value: object) -> object:
    """Amounts with two decimals, days and points in time (on the reader's clock) as dates."""
    if isinstance(value, Decimal):
        return _formatted(sheet, value, AMOUNT_FORMAT)
    if isinstance(value, datetime):
        return _formatted(sheet, value.astimezone(LOCAL_ZONE).replace(tzinfo=None), MOMENT_FORMAT)
    if isinstance(value, date):
        return _formatted(sheet, value, DATE_FORMAT)
    return xlsx_value(sheet, value)


def render_xlsx(title: str, headings: list[str], rows: Iterable[list[object]]) -> bytes:
    """One sheet (openpyxl's streaming mode): a bold, frozen heading row, numbers and dates as
    such, text through the formula guard."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    header = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def download(asked: Asked, rows: Iterable[Any], total: int) -> Response:
    """Every row of the list (``total`` of them, counted before) as the asked file."""
    if total > MAX_DOWNLOAD_ROWS:
        raise ValidationFailed(N_("The list has %(count)s rows; a download holds at most %(limit)s. Filter it first."),
                               count=total, limit=MAX_DOWNLOAD_ROWS)
    columns = asked.listing.downloaded
    headings = [str(c.heading) for c in columns]
    values = ([c.value(row) for c in columns if c.value is not None] for row in rows)
    stamp = date.today().isoformat()
    if asked.format == "xlsx":
        body = render_xlsx(asked.listing.name, headings, values)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = render_csv(headings, values, reader_language())
        mimetype = "text/csv; charset=utf-8"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{asked.listing.name}-{stamp}.{asked.format or "csv"}"'})


def download_query(query: sa.Select[Any], asked: Asked, scalars: bool = False) -> Response:
    """Every row of ``query`` in the asked order as the asked file, read in batches."""
    total = count(query)  # first: a longer list is refused before any row is read
    ordered = query.order_by(*asked.order_by()).execution_options(yield_per=1000)
    if total > MAX_DOWNLOAD_ROWS:
        return download(asked, [], total)
    rows = db.session.scalars(ordered) if scalars else db.session.execute(ordered)
    return download(asked, rows, total)


# -- what the cells show -----------------------------------------------------------------------


@lru_cache(maxsize=16384)
def shown_reference(reference: str | None) -> str:
    """A reference as the inventory shows it: a phone number in national notation
    (``070-123 45 67``), anything else (an IMEI, an operator's id) as the file has it.

    The same as ``display_phone_number(phone_number(reference))`` with one parse instead of two,
    and remembered: a download of 20,000 lines formats each number once (one number is billed on
    many lines)."""
    if not reference:
        return ""
    text = reference.strip()
    try:
        parsed = phonenumbers.parse("+" + text[2:] if text.startswith("00") else text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return reference
    if not phonenumbers.is_valid_number(parsed):
        return reference
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


blueprint.add_app_template_filter(shown_reference, "reference")
