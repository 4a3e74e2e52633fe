"""Streaming the rows of one specification file: ``CsvReader`` and ``iter_rows``.

This is the one reading path: ``parse_csv`` collects the same stream into invoices. Rows are
streamed, so a million-line file holds only the parsed rows, never the raw text as a list.
Before the first row, the file must pass, in order: its mapping loads, the supplier given
is an organisationsnummer, it is not empty, its encoding is known and its header decodes,
and the header has the mapping's columns. The first of these that fails stops the reading.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple, TypedDict, Unpack

from importers.csv_spec.cells import date_cell_parser
from importers.csv_spec.encoding import detect_encoding
from importers.csv_spec.mapping import DEFAULT_MAPPING, CsvMapping, MappingError, load_mapping, normalise_header
from importers.csv_spec.rows import RowParser, RowValues
from importers.model import ParseError
from importers.numbers import normalise_organisation_number
from importers.problems import Problems, TooManyErrorsError
from importers.text import N_, Message

if TYPE_CHECKING:
    from _csv import Reader as Records

#: Bytes that may stand in a file that is empty all the same (blanks, NULs, byte-order marks).
_EMPTY_BYTES = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"


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


class ReadOptions(TypedDict, total=False):
    """How to read a file, as ``CsvReader`` takes them; each left out has its default there."""

    mapping: str | CsvMapping
    supplier: str | None
    encoding: str | None
    today: date | None


class _StopReadingError(Exception):
    """Raised after reporting why the file cannot be read at all (no row is read)."""


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
        self.problems = Problems(filename)
        self.data_rows = 0
        self.encoding: str | None = None
        self.mapping: CsvMapping | None = None
        self._mapping_arg = mapping
        self._supplier_arg = supplier
        self._encoding_arg = encoding
        self.today = today or date.today()
        self.latest_date = _add_year(self.today)

    # errors -----------------------------------------------------------------------------

    @property
    def errors(self) -> list[ParseError]:
        """Every problem found so far (a file with any is refused)."""
        return self.problems.errors

    def error(self, line: int | None, field: str, said: Message) -> None:
        """Record one error; past ``MAX_ERRORS`` stop reading (the file is clearly wrong)."""
        self.problems.error(field, said, line=line)

    def _refuse(self, line: int | None, field: str, said: Message) -> _StopReadingError:
        """Record why the file cannot be read; raise what this returns."""
        self.error(line, field, said)
        return _StopReadingError()

    # iteration --------------------------------------------------------------------------

    def __iter__(self) -> Iterator[CsvRow]:
        make = CsvRow._make
        for values in self.tuples():
            yield make(values)

    def tuples(self) -> Iterator[RowValues]:
        """The valid rows as plain tuples in ``CsvRow`` field order (the fastest form)."""
        try:
            yield from self._rows()
        except (TooManyErrorsError, _StopReadingError):
            return

    def _rows(self) -> Iterator[RowValues]:
        mapping = self._load_mapping()
        supplier = self._given_supplier()
        text = self._decoded(mapping)
        first = self._header_line(text)
        reader = csv.reader(itertools.chain([first], text), delimiter=_delimiter(first, mapping), strict=False)
        index = self._match_header(self._header(reader), mapping, supplier is not None)
        parser = RowParser(
            mapping, index, supplier, date_cell_parser(mapping.date_formats, self.latest_date), self.error, self.errors
        )
        yield from self._data_rows(reader, parser)

    # before the first row ---------------------------------------------------------------

    def _load_mapping(self) -> CsvMapping:
        if isinstance(self._mapping_arg, CsvMapping):
            self.mapping = self._mapping_arg
            return self.mapping
        try:
            self.mapping = load_mapping(self._mapping_arg)
        except MappingError as exc:
            raise self._refuse(None, "mapping", exc.said) from None
        return self.mapping

    def _given_supplier(self) -> str | None:
        """The supplier given for the whole file, normalised; ``None`` when none is given."""
        if not self._supplier_arg:
            return None
        supplier = normalise_organisation_number(self._supplier_arg)
        if supplier is None:
            template = N_("%(supplier)s is not an organisationsnummer (NNNNNN-NNNN)")
            raise self._refuse(None, "supplier", Message.of(template, supplier=repr(self._supplier_arg)))
        return supplier

    def _decoded(self, mapping: CsvMapping) -> io.TextIOWrapper:
        """The file as text, in the encoding given or detected."""
        if not self.data.strip(_EMPTY_BYTES):
            raise self._refuse(1, "file", Message.of(N_("the file is empty")))
        try:
            self.encoding = detect_encoding(self.data, self._encoding_arg or mapping.encoding)
        except LookupError:
            unknown = Message.of(N_("unknown encoding %(encoding)s"), encoding=repr(self._encoding_arg))
            raise self._refuse(None, "encoding", unknown) from None
        return io.TextIOWrapper(io.BytesIO(self.data), encoding=self.encoding, newline="")

    def _header_line(self, text: io.TextIOWrapper) -> str:
        try:
            return text.readline()
        except UnicodeDecodeError as exc:
            template = N_("the header is not valid %(encoding)s: %(reason)s")
            raise self._refuse(1, "file", Message.of(template, encoding=self.encoding, reason=exc.reason)) from None

    def _header(self, reader: Records) -> list[str]:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise self._refuse(1, "file", Message.of(N_("the first line (the header row) is empty")))
        return header

    def _match_header(self, header: list[str], mapping: CsvMapping, have_supplier: bool) -> dict[str, int]:
        """Field → column index; stops the reading after reporting missing or repeated columns."""
        index, repeated = self._columns_found(header, mapping)
        missing = self._columns_missing(index, mapping, have_supplier)
        if repeated or missing:
            raise _StopReadingError
        return index

    def _columns_found(self, header: list[str], mapping: CsvMapping) -> tuple[dict[str, int], bool]:
        """Where each field's column is, and whether a field has two (reported)."""
        lookup = mapping.lookup()
        index: dict[str, int] = {}
        repeated = False
        for i, cell in enumerate(header):
            spec = lookup.get(normalise_header(cell))
            if spec is None:
                continue
            if spec.field in index:
                said = Message.of(N_("two columns mean %(column)s: %(first)s and %(second)s"), column=spec.header,
                                  first=repr(header[index[spec.field]]), second=repr(cell))
                self.error(1, spec.header, said)
                repeated = True
            index[spec.field] = i
        return index, repeated

    def _columns_missing(self, index: dict[str, int], mapping: CsvMapping, have_supplier: bool) -> bool:
        """Whether a column the file needs is missing (each reported)."""
        missing = False
        for spec in mapping.columns:
            if spec.field in index:
                continue
            if spec.required:
                said = Message.of(N_("the required column %(column)s is missing"), column=repr(spec.header))
                self.error(1, spec.header, said)
                missing = True
            elif spec.field == "supplier" and not have_supplier:
                # Said in the product's terms: a page gives the supplier in a field, the command
                # line with an option; both call it the supplier's organisationsnummer.
                template = N_("the column %(column)s is missing; it is needed unless the supplier's "
                              "organisationsnummer is given for the whole file")
                self.error(1, spec.header, Message.of(template, column=repr(spec.header)))
                missing = True
        if "supplier" not in index and not have_supplier and mapping.column("supplier") is None:
            template = N_(
                "the layout has no supplier column: give the supplier's organisationsnummer for the whole file"
            )
            self.error(1, "supplier", Message.of(template))
            missing = True
        return missing

    # the rows ---------------------------------------------------------------------------

    def _data_rows(self, reader: Records, parser: RowParser) -> Iterator[RowValues]:
        """The valid rows after the header, each with the physical line it starts on."""
        line_end = reader.line_num
        try:
            for row in reader:
                line = line_end + 1
                line_end = reader.line_num
                cells = parser.cells_of(row)
                if cells is None:
                    continue
                self.data_rows += 1
                values = parser.parse(cells, line)
                if values is not None:
                    yield values
        except UnicodeDecodeError as exc:
            template = N_("the text is not valid %(encoding)s (%(reason)s); save the file as UTF-8 and import it again")
            self.error(line_end + 1, "file", Message.of(template, encoding=self.encoding, reason=exc.reason))
        except csv.Error as exc:
            self.error(reader.line_num, "file", Message.of(N_("not readable as CSV: %(reason)s"), reason=exc))


def _delimiter(header_line: str, mapping: CsvMapping) -> str:
    """The mapping's delimiter, or, when the header has none of it, the one it seems to use."""
    delimiter = mapping.delimiter
    if delimiter not in header_line:
        with contextlib.suppress(csv.Error):  # one column only: the header check will say
            delimiter = csv.Sniffer().sniff(header_line, delimiters=",\t;|").delimiter
    return delimiter


def iter_rows(data: bytes, filename: str, **options: Unpack[ReadOptions]) -> CsvReader:
    """The bulk fast path: typed ``CsvRow`` tuples, without building ``ParsedInvoice``.

    Iterate the returned reader; afterwards ``reader.errors`` lists every problem (rows with
    errors are skipped) and ``reader.encoding`` the encoding used.
    """
    return CsvReader(data, filename, **options)
