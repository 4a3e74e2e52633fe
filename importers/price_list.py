"""A framework contract's price list as a supplier sends it: CSV bytes in, price rows (or errors) out.

The layout (one header row, ``;`` separated, decimal comma, UTF-8 with or without BOM, or
Windows-1252 when the bytes are not UTF-8)::

    Artikelnummer;Benämning;Kategori;Pris;Enhet
    MOB-BAS;Mobilabonnemang Bas;Abonnemang;89,00;månad

Column names are matched without regard to case or surrounding blanks; the order is free and
extra columns are ignored. ``Kategori`` takes the ledger's category code (``subscription``) or
its Swedish or English name (``Abonnemang``, ``usage``…). ``Pris`` is the unit price excluding
VAT in kronor, at most two decimals (öre), never negative.

Like the invoice importers this module knows the format and nothing else (no Flask, no
database): errors are values, each naming the line and the field, so a whole file is reported
at once rather than stopping at the first problem.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import TYPE_CHECKING

from importers.numbers import ORE, AmountError, normalise_amount
from importers.text import N_, Message

if TYPE_CHECKING:
    from _csv import Reader as Records

__all__ = ["CATEGORY_NAMES", "COLUMNS", "PriceListError", "PriceListParse", "PriceRow", "decode", "parse_price_list"]

#: Column in the file → field of ``PriceRow``.
COLUMNS = {
    "artikelnummer": "item_code",
    "benämning": "description",
    "kategori": "category",
    "pris": "unit_price",
    "enhet": "unit",
}

#: Names a supplier's file may use for a category → the ledger's category code.
CATEGORY_NAMES = {
    **{
        code: code
        for code in (
            "subscription",
            "usage",
            "equipment",
            "switchboard_extension",
            "operator_service",
            "one_off",
            "other",
        )
    },
    "abonnemang": "subscription",
    "abonnemangsavgift": "subscription",
    "trafik": "usage",
    "förbrukning": "usage",
    "utrustning": "equipment",
    "hårdvara": "equipment",
    "mobiltelefoner": "equipment",
    "växelanknytning": "switchboard_extension",
    "växel": "switchboard_extension",
    "telefonisttjänst": "operator_service",
    "telefonist": "operator_service",
    "engångsavgift": "one_off",
    "övrigt": "other",
    "switchboard extension": "switchboard_extension",
    "operator service": "operator_service",
    "one-off": "one_off",
    "one off": "one_off",
}

UNREADABLE = N_("%(file)s: %(reason)s")
#: Lengths of the columns the ledger stores them in.
MAX_LENGTHS = {"item_code": 40, "description": 200, "unit": 16}


@dataclass(frozen=True, slots=True)
class PriceRow:
    """One item of the price list, with the file line it came from."""

    line: int
    item_code: str
    description: str
    category: str
    unit_price: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class PriceListError:
    """What is wrong, where: ``line`` is the 1-based line of the file (None for the file).

    ``message`` is in English; ``template`` and ``params`` say the same for a page to translate
    (``gettext(template, **params)``), and are not compared.
    """

    line: int | None
    field: str | None
    message: str
    item_code: str | None = None
    template: str | None = dataclass_field(default=None, compare=False)
    params: dict[str, str] = dataclass_field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, line: int | None, column: str | None, said: Message, item_code: str | None = None) -> PriceListError:
        return cls(line, column, str(said), item_code, said.template, said.params)

    @property
    def column(self) -> str | None:
        """The file's column the error is about, as the header names it (``Pris``); ``None`` for
        the file or its header as a whole."""
        key = self.field
        return _column(key) if key is not None and key in COLUMNS.values() else None


@dataclass(frozen=True, slots=True)
class PriceListParse:
    """The rows of a file, or the errors that explain why some rows are unusable."""

    rows: tuple[PriceRow, ...] = ()
    errors: tuple[PriceListError, ...] = ()
    encoding: str | None = None


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with: UTF-8 (a BOM allowed), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


def parse_price_list(data: bytes, filename: str = "price list") -> PriceListParse:
    """Parse the CSV bytes of a price list; every problem of the file is reported at once."""
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError:
        undecodable = Message.of(N_("%(file)s: neither UTF-8 nor Windows-1252"), file=filename)
        return PriceListParse(errors=(PriceListError.of(None, "file", undecodable),))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    try:
        header = next(reader, None)
    except csv.Error as error:
        unreadable = Message.of(UNREADABLE, file=filename, reason=error)
        return PriceListParse(errors=(PriceListError.of(1, "file", unreadable),), encoding=encoding)
    if header is None:
        empty = Message.of(N_("%(file)s is empty"), file=filename)
        return PriceListParse(errors=(PriceListError.of(None, "file", empty),), encoding=encoding)
    positions = _positions(header)
    missing = [column for column, key in COLUMNS.items() if key not in positions]
    if missing:
        names = ", ".join(column.capitalize() for column in missing)
        template = N_("%(file)s: missing column(s) %(columns)s; expected Artikelnummer;Benämning;Kategori;Pris;Enhet")
        missing_columns = Message.of(template, file=filename, columns=names)
        return PriceListParse(errors=(PriceListError.of(1, "header", missing_columns),), encoding=encoding)
    rows, errors = _rows(reader, positions, filename)
    if not rows and not errors:
        no_items = Message.of(N_("%(file)s has a header but no items"), file=filename)
        errors.append(PriceListError.of(None, "file", no_items))
    return PriceListParse(rows=tuple(rows), errors=tuple(errors), encoding=encoding)


def _positions(header: list[str]) -> dict[str, int]:
    """Field → index of the first column of the header that names it."""
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        key = COLUMNS.get(name.strip().lower())
        if key is not None and key not in positions:
            positions[key] = index
    return positions


def _rows(reader: Records, positions: dict[str, int], filename: str) -> tuple[list[PriceRow], list[PriceListError]]:
    """The valid rows after the header, and the errors of the others; an item code is listed once."""
    rows: list[PriceRow] = []
    errors: list[PriceListError] = []
    seen: dict[str, int] = {}  # item code -> line it is on
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            row, row_errors = _row(record, positions, line)
            if row is not None and row.item_code in seen:
                twice = Message.of(N_("item %(item)s appears twice (first on line %(first)s)"), item=row.item_code,
                                   first=seen[row.item_code])
                row_errors.append(PriceListError.of(line, "item_code", twice, row.item_code))
                row = None
            if row is not None:
                seen[row.item_code] = line
                rows.append(row)
            errors.extend(row_errors)
    except csv.Error as error:
        errors.append(PriceListError.of(reader.line_num, "file", Message.of(UNREADABLE, file=filename, reason=error)))
    return rows, errors


def _row(record: list[str], positions: dict[str, int], line: int) -> tuple[PriceRow | None, list[PriceListError]]:
    """One item, or the errors that keep it out."""

    def cell(key: str) -> str:
        index = positions[key]
        return record[index].strip() if index < len(record) else ""

    item_code = cell("item_code")
    errors: list[PriceListError] = []

    def error(key: str, said: Message) -> None:
        errors.append(PriceListError.of(line, key, said, item_code or None))

    texts = {key: _text(cell(key), key, error) for key in ("item_code", "description", "unit")}
    category_text = cell("category")
    category = CATEGORY_NAMES.get(" ".join(category_text.lower().split()))
    if category is None:
        error("category", Message.of(N_("unknown category %(category)s"), category=repr(category_text)))
    price = _price(cell("unit_price"), error)
    if errors or category is None or price is None:
        return None, errors
    return PriceRow(line, texts["item_code"], texts["description"], category, price, texts["unit"]), []


def _text(value: str, key: str, error: Callable[[str, Message], None]) -> str:
    """A text cell, which must be given and fit its column in the ledger."""
    if not value:
        error(key, Message.of(N_("%(column)s is empty"), column=_column(key)))
    elif len(value) > MAX_LENGTHS[key]:
        too_long = N_("%(column)s is longer than %(limit)s characters")
        error(key, Message.of(too_long, column=_column(key), limit=MAX_LENGTHS[key]))
    return value


def _price(text: str, error: Callable[[str, Message], None]) -> Decimal | None:
    """The unit price: an amount in kronor, never negative, at most two decimals (öre)."""
    try:
        price = normalise_amount(text)
    except (AmountError, ValueError):
        error("unit_price", Message.of(N_("not a price: %(text)s"), text=repr(text)))
        return None
    if price < 0:
        error("unit_price", Message.of(N_("negative price %(text)s"), text=repr(text)))
    elif price != price.quantize(ORE):
        error("unit_price", Message.of(N_("price %(text)s has more than two decimals (öre)"), text=repr(text)))
    return price.quantize(ORE)


def _column(key: str) -> str:
    return next(column.capitalize() for column, name in COLUMNS.items() if name == key)
