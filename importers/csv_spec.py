"""Operator invoice specifications (fakturaspecifikation) in CSV into ``ParsedInvoice``.

The columns are not in code: a *mapping* (``importers/mappings/<name>.toml``) binds the
headers of one operator's layout to the fields the importer knows, so supporting a new
operator is a new data file. ``generic.toml`` is the layout of INTERFACE.md.

Swedish conventions are the default: ``;`` between fields (``,`` or tab only when the header
has no ``;``), decimal comma, spaces or no-break spaces between thousands, UTF-8 with or
without BOM, or Windows-1252 from older Excel exports (detected, or given as ``encoding``).

Each distinct Fakturanummer becomes one invoice. A CSV file states no totals of its own, so
the net total is the sum of the lines and the VAT is computed per line (net × Momssats / 100,
rounded half up to whole öre) and summed. Any error means no invoices for the file; all row
errors are collected (up to ``MAX_ERRORS``) with the physical line number (the header is
line 1) and the column name, so the whole file can be corrected in one go.

Rows are streamed: a million-line file holds only the parsed lines, never the raw text as
a list, and repeated values (dates, numbers, texts) share one object.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from importers.model import (
    ParsedInvoice,
    ParsedLine,
    ParseError,
    ParseResult,
    SupplierRef,
    new_parsed_line,
)
from importers.numbers import (
    AmountError,
    decimals_of,
    normalise_amount,
    normalise_organisation_number,
    parse_iso_date,
)

__all__ = [
    "DEFAULT_MAPPING",
    "FIELDS",
    "MAPPINGS_DIR",
    "MAX_ERRORS",
    "ColumnSpec",
    "CsvMapping",
    "CsvReader",
    "CsvRow",
    "MappingError",
    "detect_encoding",
    "iter_rows",
    "load_mapping",
    "load_mapping_file",
    "parse_csv",
]

DEFAULT_MAPPING = "generic"
MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
MAX_ERRORS = 100
#: Amounts have at most this many digits before the decimal comma.
MAX_AMOUNT_DIGITS = 15
ORE = Decimal("0.01")
ORE_ZERO = Decimal("0.00")
#: Earliest date accepted anywhere in a specification; earlier is a typo or a wrong column.
EARLIEST_DATE = date(2000, 1, 1)

#: The fields a mapping may bind, and what each means.
FIELDS: dict[str, str] = {
    "supplier": "the supplier's organisationsnummer",
    "invoice_number": "the invoice number (fakturanummer); each distinct value is one invoice",
    "invoice_date": "the invoice date (fakturadatum)",
    "reference": "what the line is about: phone number, subscription id, extension or IMEI",
    "charge_type": "the operator's charge type (avgiftstyp)",
    "text": "the line text",
    "period_start": "service period start, inclusive (från)",
    "period_end": "service period end, inclusive (till)",
    "quantity": "number of units (antal)",
    "net_amount": "amount excluding VAT (belopp exkl. moms)",
    "vat_rate": "VAT percent (momssats)",
    "currency": "ISO 4217 currency code",
    "item_code": "the operator's price-list code",
    "unit_price": "price per unit",
    "unit_code": "unit of measure",
}
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file and the problem."""


def _normalise_header(text: str) -> str:
    """Header cells compare without case, surrounding blanks or doubled/no-break spaces."""
    return " ".join(text.replace("\ufeff", "").replace("\u00a0", " ").split()).casefold()


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One field's column: its canonical header (used in messages) and accepted aliases."""

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True, slots=True)
class CsvMapping:
    """A column layout, loaded from a TOML data file (see ``mappings/generic.toml``)."""

    name: str
    description: str
    delimiter: str
    columns: tuple[ColumnSpec, ...]
    date_formats: tuple[str, ...] = ("iso",)
    default_vat_rate: Decimal = Decimal(25)
    default_currency: str = "SEK"
    encoding: str | None = None

    def column(self, field: str) -> ColumnSpec | None:
        """The column bound to ``field``, if the mapping has one."""
        for spec in self.columns:
            if spec.field == field:
                return spec
        return None

    def header_for(self, field: str) -> str:
        """The column name to show a user for ``field``."""
        spec = self.column(field)
        return spec.header if spec else field

    def lookup(self) -> dict[str, ColumnSpec]:
        """Normalised header or alias → column."""
        table: dict[str, ColumnSpec] = {}
        for spec in self.columns:
            for name in (spec.header, *spec.aliases):
                table[_normalise_header(name)] = spec
        return table


def _mapping_from_dict(raw: dict[str, Any], origin: str) -> CsvMapping:
    """Validate a parsed TOML mapping; every mistake names the file."""
    columns_raw = raw.get("columns")
    if not isinstance(columns_raw, dict) or not columns_raw:
        raise MappingError(f"{origin}: no [columns.*] tables")
    columns: list[ColumnSpec] = []
    seen: dict[str, str] = {}
    for field, spec in columns_raw.items():
        if field not in FIELDS:
            raise MappingError(f"{origin}: unknown field {field!r}; known fields: {', '.join(FIELDS)}")
        if not isinstance(spec, dict) or not isinstance(spec.get("header"), str):
            raise MappingError(f'{origin}: [columns.{field}] needs header = "..."')
        aliases = spec.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise MappingError(f"{origin}: [columns.{field}] aliases must be a list of strings")
        column = ColumnSpec(field, spec["header"], tuple(aliases), bool(spec.get("required", False)))
        for name in (column.header, *column.aliases):
            key = _normalise_header(name)
            if key in seen and seen[key] != field:
                raise MappingError(f"{origin}: header {name!r} is bound to both {seen[key]} and {field}")
            seen[key] = field
        columns.append(column)
    for needed in ("invoice_number", "invoice_date", "net_amount"):
        if needed not in columns_raw:
            raise MappingError(f"{origin}: the mapping must bind {needed}")
    delimiter = raw.get("delimiter", ";")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise MappingError(f"{origin}: delimiter must be one character")
    date_formats = raw.get("date_formats", ["iso"])
    if not isinstance(date_formats, list) or not date_formats:
        raise MappingError(f"{origin}: date_formats must be a non-empty list")
    try:
        default_vat_rate = Decimal(str(raw.get("default_vat_rate", "25")))
    except InvalidOperation:
        raise MappingError(f"{origin}: default_vat_rate is not a number") from None
    encoding = raw.get("encoding")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise MappingError(f"{origin}: unknown encoding {encoding!r}") from None
    return CsvMapping(
        name=str(raw.get("name", origin)),
        description=str(raw.get("description", "")),
        delimiter=delimiter,
        columns=tuple(columns),
        date_formats=tuple(str(f) for f in date_formats),
        default_vat_rate=default_vat_rate,
        default_currency=str(raw.get("default_currency", "SEK")),
        encoding=encoding,
    )


def load_mapping_file(path: str | Path) -> CsvMapping:
    """Load a mapping from a TOML file anywhere (for tests and local experiments)."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(f"{path.name}: {exc}") from None
    return _mapping_from_dict(raw, path.name)


@lru_cache(maxsize=32)
def load_mapping(name: str = DEFAULT_MAPPING) -> CsvMapping:
    """Load a mapping shipped in ``importers/mappings/`` by name (``generic``, ...).

    Only plain names are accepted, never paths, so a name from a web form cannot read other
    files.
    """
    if not _NAME_RE.fullmatch(name):
        raise MappingError(f"{name!r} is not a mapping name")
    path = MAPPINGS_DIR / f"{name}.toml"
    if not path.is_file():
        known = sorted(p.stem for p in MAPPINGS_DIR.glob("*.toml"))
        raise MappingError(f"no mapping called {name!r}; known: {', '.join(known)}")
    return load_mapping_file(path)


# -- text decoding ---------------------------------------------------------------------------

_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


def _is_utf8(data: bytes) -> bool:
    """Strict UTF-8 check in chunks, so a large file is not decoded into one big string."""
    if data.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    view = memoryview(data)
    try:
        for start in range(0, len(data), 1 << 20):
            decoder.decode(view[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(data: bytes, encoding: str | None = None) -> str:
    """Which encoding to read ``data`` with: the given one, else detected.

    Order: a byte-order mark (UTF-8 or UTF-16, as Excel's "Unicode text" export writes),
    then strict UTF-8, then Windows-1252 (the Swedish Excel default), or ISO-8859-1 when the
    bytes use positions Windows-1252 leaves undefined.
    """
    if encoding:
        name = codecs.lookup(encoding).name
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        return name
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _is_utf8(data):
        return "utf-8"
    if _CP1252_UNDEFINED.search(data):
        return "iso8859-1"
    return "cp1252"


# -- rows ------------------------------------------------------------------------------------


class CsvRow(NamedTuple):
    """One valid row of a specification, with typed values (the bulk fast path)."""

    line: int
    invoice_number: str
    invoice_date: date
    supplier: str | None
    reference: str | None
    charge_type: str | None
    text: str | None
    period_start: date | None
    period_end: date | None
    quantity: Decimal | None
    net_amount: Decimal
    vat_rate: Decimal
    currency: str
    item_code: str | None
    unit_price: Decimal | None
    unit_code: str | None


class _TooManyErrorsError(Exception):
    """Raised inside the reader once ``MAX_ERRORS`` errors are collected."""


_PERCENT_SUFFIX = re.compile(r"\s*%$")
_CURRENCY = re.compile(r"[A-Z]{3}")


def _add_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


class CsvReader:
    """Stream the valid rows of one specification file; errors collect in ``errors``.

    Iterate once. ``encoding`` tells which encoding was used; ``data_rows`` counts the
    non-blank rows seen. Rows with an error are not yielded.
    """

    def __init__(
        self,
        data: bytes,
        filename: str,
        *,
        mapping: str | CsvMapping = DEFAULT_MAPPING,
        supplier: str | None = None,
        encoding: str | None = None,
        today: date | None = None,
    ) -> None:
        self.data = data
        self.filename = filename
        self.errors: list[ParseError] = []
        self.data_rows = 0
        self.encoding: str | None = None
        self.mapping: CsvMapping | None = None
        self._mapping_arg = mapping
        self._supplier_arg = supplier
        self._encoding_arg = encoding
        self.today = today or date.today()
        self.latest_date = _add_year(self.today)

    # errors -----------------------------------------------------------------------------

    def error(self, line: int | None, field: str, message: str) -> None:
        """Record one error; past ``MAX_ERRORS`` stop reading (the file is clearly wrong)."""
        if len(self.errors) >= MAX_ERRORS - 1:
            self.errors.append(
                ParseError(self.filename, None, None, "file", f"more than {MAX_ERRORS - 1} errors; stopped reading")
            )
            raise _TooManyErrorsError
        self.errors.append(ParseError(self.filename, line, None, field, message))

    # iteration --------------------------------------------------------------------------

    def __iter__(self) -> Iterator[CsvRow]:
        make = CsvRow._make
        for values in self.tuples():
            yield make(values)

    def tuples(self) -> Iterator[tuple[Any, ...]]:
        """The valid rows as plain tuples in ``CsvRow`` field order (the fastest form)."""
        try:
            yield from self._rows()
        except _TooManyErrorsError:
            return

    def _rows(self) -> Iterator[tuple[Any, ...]]:
        if isinstance(self._mapping_arg, CsvMapping):
            mapping = self._mapping_arg
        else:
            try:
                mapping = load_mapping(self._mapping_arg)
            except MappingError as exc:
                self.error(None, "mapping", str(exc))
                return
        self.mapping = mapping

        supplier_arg: str | None = None
        if self._supplier_arg:
            supplier_arg = normalise_organisation_number(self._supplier_arg)
            if supplier_arg is None:
                self.error(None, "supplier", f"{self._supplier_arg!r} is not an organisationsnummer (NNNNNN-NNNN)")
                return

        body = self.data
        if not body.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
            self.error(1, "file", "the file is empty")
            return
        try:
            self.encoding = detect_encoding(body, self._encoding_arg or mapping.encoding)
        except LookupError:
            self.error(None, "encoding", f"unknown encoding {self._encoding_arg!r}")
            return

        stream = io.TextIOWrapper(io.BytesIO(body), encoding=self.encoding, newline="")
        try:
            first = stream.readline()
        except UnicodeDecodeError as exc:
            self.error(1, "file", f"the header is not valid {self.encoding}: {exc.reason}")
            return
        delimiter = mapping.delimiter
        if delimiter not in first:
            with contextlib.suppress(csv.Error):  # one column only: the header check will say
                delimiter = csv.Sniffer().sniff(first, delimiters=",\t;|").delimiter
        reader = csv.reader(itertools.chain([first], stream), delimiter=delimiter, strict=False)

        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            self.error(1, "file", "the first line (the header row) is empty")
            return
        index = self._match_header(header, mapping, supplier_arg is not None)
        if index is None:
            return

        yield from self._data_rows(reader, index, mapping, supplier_arg)

    def _match_header(self, header: list[str], mapping: CsvMapping, have_supplier: bool) -> dict[str, int] | None:
        """Field → column index, or ``None`` after reporting missing or repeated columns."""
        lookup = mapping.lookup()
        index: dict[str, int] = {}
        ok = True
        for i, cell in enumerate(header):
            spec = lookup.get(_normalise_header(cell))
            if spec is None:
                continue
            if spec.field in index:
                self.error(
                    1,
                    spec.header,
                    f"two columns mean {spec.header}: {header[index[spec.field]]!r} and {cell!r}",
                )
                ok = False
            index[spec.field] = i
        for spec in mapping.columns:
            if spec.field in index:
                continue
            if spec.required:
                self.error(1, spec.header, f"the required column {spec.header!r} is missing")
                ok = False
            elif spec.field == "supplier" and not have_supplier:
                self.error(
                    1,
                    spec.header,
                    f"the column {spec.header!r} is missing; it is needed unless the "
                    "supplier's organisationsnummer is given (--supplier)",
                )
                ok = False
        if "supplier" not in index and not have_supplier and mapping.column("supplier") is None:
            self.error(1, "supplier", "the mapping has no supplier column: give --supplier")
            ok = False
        return index if ok else None

    def _data_rows(
        self,
        reader: Any,
        index: dict[str, int],
        mapping: CsvMapping,
        supplier_arg: str | None,
    ) -> Iterator[tuple[Any, ...]]:
        """The hot loop: one pass over the rows, each cell parsed once per distinct text.

        Every column has a cache from the raw cell text to its parsed value (or an
        ``_Invalid`` carrying the error message), because specification files repeat the
        same dates, numbers, texts and amounts on most rows.
        """
        h = mapping.header_for
        error = self.error
        errors = self.errors
        width = max(index.values()) + 1
        default_rate = mapping.default_vat_rate
        default_currency = mapping.default_currency
        date_parser = self._date_cell

        def column(field: str) -> int:
            return index.get(field, -1)

        col_number, col_date, col_net = index["invoice_number"], index["invoice_date"], index["net_amount"]
        col_supplier, col_ref, col_type, col_text = (
            column("supplier"),
            column("reference"),
            column("charge_type"),
            column("text"),
        )
        col_from, col_to, col_qty, col_rate = (
            column("period_start"),
            column("period_end"),
            column("quantity"),
            column("vat_rate"),
        )
        col_cur, col_code, col_price, col_unit = (
            column("currency"),
            column("item_code"),
            column("unit_price"),
            column("unit_code"),
        )
        name_number, name_date, name_net = h("invoice_number"), h("invoice_date"), h("net_amount")
        name_supplier, name_from, name_to = h("supplier"), h("period_start"), h("period_end")
        name_qty, name_rate, name_price, name_cur = h("quantity"), h("vat_rate"), h("unit_price"), h("currency")

        texts: dict[str, str | None] = {}
        dates: dict[str, Any] = {}
        numbers: dict[str, Any] = {}
        rates: dict[str, Any] = {}
        amounts: dict[str, Any] = {}
        suppliers: dict[str, Any] = {}
        currencies: dict[str, Any] = {}
        invoice_dates: dict[str, date] = {}
        invoice_suppliers: dict[str, str | None] = {}
        missing = _MISSING
        invalid = _Invalid
        limit = _CACHE_LIMIT

        def text(cell: str) -> str | None:
            value = cell.strip() or None
            if len(texts) < limit:
                texts[cell] = value
            return value

        def parse(cache: dict[str, Any], cell: str, parser: Any, line: int, field: str) -> Any:
            """The slow path of a cached cell: parse it, remember it, report it if invalid."""
            value = cache.get(cell, missing)
            if value is missing:
                value = parser(cell)
                if len(cache) < limit:
                    cache[cell] = value
            if value.__class__ is invalid:
                error(line, field, value.message)
                return None
            return value

        line_end = reader.line_num
        try:
            for row in reader:
                line = line_end + 1
                line_end = reader.line_num
                if len(row) < width:
                    if not any(cell.strip() for cell in row):
                        continue
                    row = row + [""] * (width - len(row))
                elif not row[col_number] and not any(cell.strip() for cell in row):
                    continue
                self.data_rows += 1
                bad = len(errors)

                # The common case of each cell is one dictionary lookup; ``parse`` does the rest.
                cell = row[col_number]
                number = texts.get(cell, missing)
                if number is missing:
                    number = text(cell)
                if number is None:
                    error(line, name_number, "missing: every row needs the invoice number")
                cell = row[col_date]
                invoice_date = dates.get(cell)
                if invoice_date.__class__ is not date:
                    invoice_date = parse(dates, cell, date_parser, line, name_date)
                    if invoice_date is None and len(errors) == bad:
                        error(line, name_date, "missing")
                cell = row[col_net]
                net = amounts.get(cell)
                if net is None or net.__class__ is invalid:
                    net = parse(amounts, cell, _amount_cell, line, name_net)
                    if net is None and len(errors) == bad:
                        error(line, name_net, "missing")

                supplier = supplier_arg
                if col_supplier >= 0:
                    cell = row[col_supplier]
                    found = suppliers.get(cell)
                    if found is None or found.__class__ is invalid:
                        found = parse(suppliers, cell, _supplier_cell, line, name_supplier)
                    if found is not None:
                        if supplier_arg is not None and found != supplier_arg:
                            error(line, name_supplier, f"{found} differs from the supplier given ({supplier_arg})")
                        supplier = found
                    elif supplier_arg is None and not cell.strip():
                        error(line, name_supplier, "missing")

                period_start = period_end = None
                if col_from >= 0:
                    cell = row[col_from]
                    period_start = dates.get(cell)
                    if period_start.__class__ is not date:
                        period_start = parse(dates, cell, date_parser, line, name_from)
                if col_to >= 0:
                    cell = row[col_to]
                    period_end = dates.get(cell)
                    if period_end.__class__ is not date:
                        period_end = parse(dates, cell, date_parser, line, name_to)
                if period_start is not None and period_end is not None and period_start > period_end:
                    error(line, name_from, f"{name_from} {period_start} is after {name_to} {period_end}")

                quantity = None
                if col_qty >= 0:
                    cell = row[col_qty]
                    quantity = numbers.get(cell)
                    if quantity is None or quantity.__class__ is invalid:
                        quantity = parse(numbers, cell, _number_cell, line, name_qty)
                rate = default_rate
                if col_rate >= 0:
                    cell = row[col_rate]
                    rate = rates.get(cell)
                    if rate is None or rate.__class__ is invalid:
                        rate = parse(rates, cell, _rate_cell, line, name_rate)
                        if rate is None:
                            rate = default_rate
                unit_price = None
                if col_price >= 0:
                    cell = row[col_price]
                    unit_price = numbers.get(cell)
                    if unit_price is None or unit_price.__class__ is invalid:
                        unit_price = parse(numbers, cell, _number_cell, line, name_price)
                currency = default_currency
                if col_cur >= 0:
                    currency = parse(currencies, row[col_cur], _currency_cell, line, name_cur) or default_currency

                if number is not None and invoice_date is not None:
                    first_date = invoice_dates.setdefault(number, invoice_date)
                    if first_date != invoice_date:
                        error(line, name_date, f"invoice {number} has two dates: {first_date} and {invoice_date}")
                    first_supplier = invoice_suppliers.setdefault(number, supplier)
                    if first_supplier != supplier:
                        error(
                            line,
                            name_supplier,
                            f"invoice {number} has two suppliers: {first_supplier} and {supplier}",
                        )

                if len(errors) != bad:
                    continue
                reference = charge_type = line_text = item_code = unit_code = None
                if col_ref >= 0:
                    cell = row[col_ref]
                    reference = texts.get(cell, missing)
                    if reference is missing:
                        reference = text(cell)
                if col_type >= 0:
                    cell = row[col_type]
                    charge_type = texts.get(cell, missing)
                    if charge_type is missing:
                        charge_type = text(cell)
                if col_text >= 0:
                    cell = row[col_text]
                    line_text = texts.get(cell, missing)
                    if line_text is missing:
                        line_text = text(cell)
                if col_code >= 0:
                    item_code = text(row[col_code])
                if col_unit >= 0:
                    unit_code = text(row[col_unit])
                yield (
                    line,
                    number,
                    invoice_date,
                    supplier,
                    reference,
                    charge_type,
                    line_text,
                    period_start,
                    period_end,
                    quantity,
                    net,
                    rate,
                    currency,
                    item_code,
                    unit_price,
                    unit_code,
                )
        except UnicodeDecodeError as exc:
            error(
                line_end + 1, "file", f"the text is not valid {self.encoding} ({exc.reason}); give the file's encoding"
            )
        except csv.Error as exc:
            error(reader.line_num, "file", f"not readable as CSV: {exc}")

    def _date_cell(self, cell: str) -> date | _Invalid | None:
        """A date cell: ``None`` when blank, else a date within the sane range, else why not."""
        value = cell.strip()
        if not value:
            return None
        mapping = self.mapping
        assert mapping is not None
        parsed: date | None = None
        for fmt in mapping.date_formats:
            try:
                parsed = parse_iso_date(value) if fmt == "iso" else datetime.strptime(value, fmt).date()
                break
            except ValueError:
                continue
        if parsed is None:
            formats = ", ".join("YYYY-MM-DD" if f == "iso" else f for f in mapping.date_formats)
            return _Invalid(f"not a valid date: {value!r} (expected {formats})")
        if parsed < EARLIEST_DATE:
            return _Invalid(f"{parsed} is before {EARLIEST_DATE}: a typo or a wrong column?")
        if parsed > self.latest_date:
            return _Invalid(f"{parsed} is more than a year in the future")
        return parsed


class _Invalid:
    """A cell that failed to parse, with the message to report (cached like a value)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


_MISSING = object()
_CACHE_LIMIT = 200_000
_SIMPLE_AMOUNT = re.compile(r"-?[0-9]{1,13}(?:,[0-9][0-9])?")


def _amount_cell(cell: str) -> Decimal | _Invalid | None:
    """An amount in öre precision (``1 234,50``, ``-12,5``): at most two decimals."""
    if _SIMPLE_AMOUNT.fullmatch(cell):  # the common case, "149,00" / "-12"
        value = Decimal(cell.replace(",", "."))
        if not value:
            return ORE_ZERO  # also turns "-0,00" into a plain zero
        return value if "," in cell else value.quantize(ORE)
    text = cell.strip()
    if not text:
        return None
    try:
        value = normalise_amount(text)
    except AmountError:
        return _Invalid(f"not an amount: {text!r}")
    if decimals_of(value) > 2:
        return _Invalid(f"{text!r} has more than two decimals (öre)")
    if value.adjusted() >= MAX_AMOUNT_DIGITS:
        return _Invalid(f"{text!r} is too large to be an amount")
    return value.quantize(ORE) if value else ORE_ZERO


def _number_cell(cell: str) -> Decimal | _Invalid | None:
    """A quantity or unit price, any precision."""
    text = cell.strip()
    if not text:
        return None
    try:
        return normalise_amount(text)
    except AmountError:
        return _Invalid(f"not a number: {text!r}")


def _rate_cell(cell: str) -> Decimal | _Invalid | None:
    """A VAT percentage: ``25``, ``25,0``, ``25 %``."""
    text = _PERCENT_SUFFIX.sub("", cell.strip())
    if not text:
        return None
    try:
        value = normalise_amount(text)
    except AmountError:
        return _Invalid(f"not a VAT percentage: {cell.strip()!r}")
    if not 0 <= value <= 100:
        return _Invalid(f"{cell.strip()!r} is not a VAT percentage")
    return value


def _supplier_cell(cell: str) -> str | _Invalid | None:
    """The supplier's organisationsnummer, normalised to ``NNNNNN-NNNN``."""
    text = cell.strip()
    if not text:
        return None
    return normalise_organisation_number(text) or _Invalid(f"not an organisationsnummer: {text!r}")


def _currency_cell(cell: str) -> str | _Invalid | None:
    """An ISO 4217 currency code."""
    text = cell.strip().upper()
    if not text:
        return None
    return text if _CURRENCY.fullmatch(text) else _Invalid(f"not a currency code: {text!r}")


def iter_rows(
    data: bytes,
    filename: str,
    *,
    mapping: str | CsvMapping = DEFAULT_MAPPING,
    supplier: str | None = None,
    encoding: str | None = None,
    today: date | None = None,
) -> CsvReader:
    """The bulk fast path: typed ``CsvRow`` tuples, without building ``ParsedInvoice``.

    Iterate the returned reader; afterwards ``reader.errors`` lists every problem (rows with
    errors are skipped) and ``reader.encoding`` the encoding used.
    """
    return CsvReader(data, filename, mapping=mapping, supplier=supplier, encoding=encoding, today=today)


@dataclass(slots=True)
class _Invoice:
    """An invoice being collected from rows."""

    number: str
    issue_date: date
    supplier: str | None
    currency: str
    lines: list[ParsedLine]
    net: Decimal
    vat: Decimal
    period_start: date | None = None
    period_end: date | None = None


def parse_csv(
    data: bytes,
    filename: str,
    *,
    mapping: str | CsvMapping = DEFAULT_MAPPING,
    supplier: str | None = None,
    encoding: str | None = None,
    today: date | None = None,
) -> ParseResult:
    """Parse an operator's invoice specification: one ``ParsedInvoice`` per Fakturanummer."""
    reader = CsvReader(data, filename, mapping=mapping, supplier=supplier, encoding=encoding, today=today)
    invoices: dict[str, _Invoice] = {}
    currency_errors: list[ParseError] = []
    zero = Decimal(0)
    vat_factors: dict[Decimal, Decimal] = {}
    line_ids: list[str] = [""]  # str(position), shared by every invoice of the file
    errors = reader.errors
    for (
        line,
        number,
        invoice_date,
        supplier_org,
        reference,
        charge_type,
        text,
        period_start,
        period_end,
        quantity,
        net,
        rate,
        currency,
        item_code,
        unit_price,
        unit_code,
    ) in reader.tuples():
        if errors:
            continue  # the file will be refused; only keep collecting errors
        inv = invoices.get(number)
        if inv is None:
            inv = invoices[number] = _Invoice(number, invoice_date, supplier_org, currency, [], zero, zero)
        elif inv.currency != currency:
            currency_errors.append(
                ParseError(
                    filename,
                    line,
                    None,
                    "currency",
                    f"invoice {inv.number} mixes currencies {inv.currency} and {currency}",
                )
            )
        lines = inv.lines
        position = len(lines) + 1
        if position == len(line_ids):
            line_ids.append(str(position))
        lines.append(
            new_parsed_line(
                position,
                line_ids[position],
                text,  # description
                text,  # item_name: a CSV line has one text
                item_code,
                charge_type,
                quantity,
                unit_code,
                unit_price,
                net,
                None,  # vat_category: not in the layout
                rate,
                period_start,
                period_end,
                reference,
                "csv" if reference is not None else None,
                f"line {line}",
                (),
            )
        )
        inv.net += net
        if rate:
            factor = vat_factors.get(rate)
            if factor is None:
                factor = vat_factors[rate] = rate / 100
            inv.vat += (net * factor).quantize(ORE, rounding=ROUND_HALF_UP)
        if period_start is not None and (inv.period_start is None or period_start < inv.period_start):
            inv.period_start = period_start
        if period_end is not None and (inv.period_end is None or period_end > inv.period_end):
            inv.period_end = period_end

    errors = reader.errors + currency_errors
    if not errors and reader.mapping is not None and reader.data_rows == 0:
        errors.append(ParseError(filename, 2, None, "file", "the file has a header but no rows"))
    if errors:
        return ParseResult(errors=errors[:MAX_ERRORS], encoding=reader.encoding)
    return ParseResult(invoices=[_build(inv, filename) for inv in invoices.values()], encoding=reader.encoding)


def _build(inv: _Invoice, filename: str) -> ParsedInvoice:
    """A collected invoice as a ``ParsedInvoice``: totals are the sums of its lines."""
    zero = Decimal("0.00")
    gross = inv.net + inv.vat
    return ParsedInvoice(
        source=filename,
        format="csv",
        document_type="invoice",
        type_code="380",
        number=inv.number,
        issue_date=inv.issue_date,
        due_date=None,
        currency=inv.currency,
        tax_currency=None,
        supplier=SupplierRef(organisation_number=inv.supplier),
        buyer_organisation_number=None,
        buyer_reference=None,
        accounting_cost=None,
        period_start=inv.period_start,
        period_end=inv.period_end,
        billing_references=(),
        document_reference=None,
        lines=tuple(inv.lines),
        allowances_charges=(),
        line_total=inv.net,
        allowance_total=zero,
        charge_total=zero,
        net_total=inv.net,
        vat_total=inv.vat,
        gross_total=gross,
        prepaid=zero,
        rounding=zero,
        payable=gross,
    )
