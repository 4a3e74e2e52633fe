"""One row of a specification: its cells into typed values, each checked.

A row's errors are reported in the order of its fields (the invoice number first), so a
file's errors read in the order a person checks a row. A row with any error yields nothing.

Specification files repeat the same texts row after row, so most rows have only cells seen
before. Such a row is looked up in one pass over the columns' caches (``_known_values``); any
other row is read field by field (``_read_values``), which parses the new cells, caches them
and reports the invalid ones. Both give the same values: the first only for rows the second
has already made sure of, cell by cell.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from importers.csv_spec.cells import (
    Column,
    Invalid,
    Report,
    TextColumn,
    amount_cell,
    currency_cell,
    number_cell,
    rate_cell,
    supplier_cell,
)
from importers.csv_spec.mapping import CsvMapping
from importers.model import ParseError
from importers.text import N_, Message

T = TypeVar("T")

#: A valid row as a plain tuple, in ``CsvRow`` field order (the fastest form).
RowValues = tuple[
    int,  # line
    str,  # invoice_number
    date,  # invoice_date
    str | None,  # supplier
    str | None,  # reference
    str | None,  # charge_type
    str | None,  # text
    date | None,  # period_start
    date | None,  # period_end
    Decimal | None,  # quantity
    Decimal,  # net_amount
    Decimal,  # vat_rate
    str,  # currency
    str | None,  # item_code
    Decimal | None,  # unit_price
    str | None,  # unit_code
]
#: Invoice date, net amount, supplier, period start and end, quantity, VAT rate, unit price
#: and currency, as read (``None`` where blank, invalid or not in the file).
_Values = tuple[
    date | None,
    Decimal | None,
    str | None,
    date | None,
    date | None,
    Decimal | None,
    Decimal | None,
    Decimal | None,
    str | None,
]
_Texts = tuple[str | None, str | None, str | None, str | None, str | None, str | None]

#: Where a column the file does not have is looked up: the blank cell ``cells_of`` adds to
#: every row, in a cache that knows it as "nothing".
_ABSENT = -1
_ABSENT_CACHE: dict[str, Any] = {"": None}

MISSING = N_("missing")


class _ColumnMaker:
    """Builds the columns a file's header found, each reporting through ``report``."""

    def __init__(self, mapping: CsvMapping, index: dict[str, int], report: Report) -> None:
        self.mapping = mapping
        self.index = index
        self.report = report

    def required(self, field: str, parse: Callable[[str], T | Invalid | None]) -> Column[T]:
        """A column every row needs (a ``KeyError`` if the header lacks it); blanks are reported."""
        name = self.mapping.header_for(field)
        return Column(self.index[field], name, parse, {}, self.report, keep_blank=False)

    def optional(
        self,
        field: str,
        parse: Callable[[str], T | Invalid | None],
        cache: dict[str, T | None],
        *,
        keep_blank: bool = True,
    ) -> Column[T] | None:
        """The field's column, ``None`` when the file has none."""
        if field not in self.index:
            return None
        name = self.mapping.header_for(field)
        return Column(self.index[field], name, parse, cache, self.report, keep_blank=keep_blank)

    def required_text(self, field: str, cache: dict[str, str | None]) -> TextColumn:
        return TextColumn(self.index[field], self.mapping.header_for(field), cache)

    def text(self, field: str, cache: dict[str, str | None]) -> TextColumn | None:
        return self.required_text(field, cache) if field in self.index else None


def _positions(columns: tuple[Column[Any] | TextColumn | None, ...]) -> tuple[int, ...]:
    """Where each column's cell is in a row; an absent column reads the blank cell at the end."""
    return tuple(_ABSENT if column is None else column.index for column in columns)


class RowParser:
    """Turns the rows of one file into ``RowValues``; errors go to ``report`` (and ``errors``).

    ``index`` is where the header found each field; ``supplier`` the organisationsnummer given
    for the whole file, if any; ``date_cell`` parses the mapping's date formats.
    """

    def __init__(
        self,
        mapping: CsvMapping,
        index: dict[str, int],
        supplier: str | None,
        date_cell: Callable[[str], date | Invalid | None],
        report: Callable[[int | None, str, Message], None],
        errors: list[ParseError],
    ) -> None:
        self.report = report
        self.errors = errors
        self.width = max(index.values()) + 1
        self.given_supplier = supplier
        self.default_rate = mapping.default_vat_rate
        self.default_currency = mapping.default_currency
        self.date_name = mapping.header_for("invoice_date")
        self.supplier_name = mapping.header_for("supplier")
        self.period_names = (mapping.header_for("period_start"), mapping.header_for("period_end"))
        # What every row of one invoice must repeat.
        self.invoice_dates: dict[str, date] = {}
        self.invoice_suppliers: dict[str, str | None] = {}
        self._columns(_ColumnMaker(mapping, index, report), date_cell)

    def _columns(self, make: _ColumnMaker, date_cell: Callable[[str], date | Invalid | None]) -> None:
        # Caches shared by columns of one kind: the same texts recur across them.
        texts: dict[str, str | None] = {}
        dates: dict[str, date | None] = {}
        numbers: dict[str, Decimal | None] = {}
        # The header check requires these three (a mapping could bind them without requiring
        # them: then the KeyError of a missing one stops the reading, as it always has).
        self.number = make.required_text("invoice_number", texts)
        self.invoice_date = make.required("invoice_date", date_cell)
        self.net = make.required("net_amount", amount_cell)
        # A blank supplier is reported unless one is given for the file: not cached either.
        self.supplier = make.optional("supplier", supplier_cell, {}, keep_blank=False)
        self.period_start = make.optional("period_start", date_cell, dates)
        self.period_end = make.optional("period_end", date_cell, dates)
        self.quantity = make.optional("quantity", number_cell, numbers)
        self.rate = make.optional("vat_rate", rate_cell, {})
        self.unit_price = make.optional("unit_price", number_cell, numbers)
        self.currency = make.optional("currency", currency_cell, {})
        text_fields = ("reference", "charge_type", "text", "item_code", "unit_code")
        self.texts = tuple(make.text(field, texts) for field in text_fields)
        texts[""] = None  # also what an absent text column reads
        self._texts_seen = texts
        self._text_positions = _positions((self.number, *self.texts))
        values = (
            self.invoice_date,
            self.net,
            self.supplier,
            self.period_start,
            self.period_end,
            self.quantity,
            self.rate,
            self.unit_price,
            self.currency,
        )
        self._value_positions = _positions(values)
        self._values_seen: tuple[dict[str, Any], ...] = tuple(
            _ABSENT_CACHE if column is None else column.cache for column in values
        )

    def cells_of(self, row: list[str]) -> list[str] | None:
        """The row padded to the header's width, plus the blank cell of absent columns;
        ``None`` for a blank row (skipped, not counted)."""
        width = self.width
        if len(row) < width:
            if not any(cell.strip() for cell in row):
                return None
            return row + [""] * (width + 1 - len(row))
        if not row[self.number.index] and not any(cell.strip() for cell in row):
            return None
        row.append("")
        return row

    def parse(self, cells: list[str], line: int) -> RowValues | None:
        """The typed values of one row, or ``None`` when it has errors (all reported)."""
        errors = self.errors
        bad = len(errors)
        number, reference, charge_type, text, item_code, unit_code = self._texts(cells)
        if number is None:
            self.report(line, self.number.name, Message.of(N_("missing: every row needs the invoice number")))
        try:
            values = self._known_values(cells, line)
        except KeyError:
            values = self._read_values(cells, line, bad)
        invoice_date, net, supplier, start, end, quantity, rate, unit_price, currency = values
        self._same_invoice(number, invoice_date, supplier, line)
        # A None among the three was reported too; the test is for the type checker.
        if len(errors) != bad or number is None or invoice_date is None or net is None:
            return None
        rate = self.default_rate if rate is None else rate
        currency = currency or self.default_currency
        return (line, number, invoice_date, supplier, reference, charge_type, text, start, end, quantity, net, rate,
                currency, item_code, unit_price, unit_code)  # fmt: skip

    def _texts(self, cells: list[str]) -> _Texts:
        """Invoice number, reference, charge type, text, item code and unit code: plain texts."""
        # Unrolled: one lookup per column, the cheapest form Python has for the common row.
        seen, at = self._texts_seen, self._text_positions
        try:
            return (
                seen[cells[at[0]]],
                seen[cells[at[1]]],
                seen[cells[at[2]]],
                seen[cells[at[3]]],
                seen[cells[at[4]]],
                seen[cells[at[5]]],
            )
        except KeyError:
            number = self.number.text(cells)  # the slow way fills the caches for next time
            reference, charge_type, text, item_code, unit_code = (
                None if c is None else c.text(cells) for c in self.texts
            )
            return number, reference, charge_type, text, item_code, unit_code

    def _known_values(self, cells: list[str], line: int) -> _Values:
        """The values of a row whose cells were all seen before, valid; a ``KeyError`` (from the
        lookups, before anything is reported) when one was not."""
        seen, at = self._values_seen, self._value_positions
        known: _Values = (
            seen[0][cells[at[0]]],
            seen[1][cells[at[1]]],
            seen[2][cells[at[2]]],
            seen[3][cells[at[3]]],
            seen[4][cells[at[4]]],
            seen[5][cells[at[5]]],
            seen[6][cells[at[6]]],
            seen[7][cells[at[7]]],
            seen[8][cells[at[8]]],
        )
        invoice_date, net, supplier, start, end, quantity, rate, unit_price, currency = known
        # Each cell is valid alone; what is between fields is checked here, as the slow way does.
        supplier = self._checked_supplier(supplier, line)
        self._check_period(start, end, line)
        return invoice_date, net, supplier, start, end, quantity, rate, unit_price, currency

    def _read_values(self, cells: list[str], line: int, bad: int) -> _Values:
        """The values of a row read field by field: new cells parsed, errors reported in order."""
        invoice_date = self._required(self.invoice_date, cells, line, bad)
        net = self._required(self.net, cells, line, bad)
        supplier = self._supplier(cells, line)
        start = self._optional(self.period_start, cells, line)
        end = self._optional(self.period_end, cells, line)
        self._check_period(start, end, line)
        quantity = self._optional(self.quantity, cells, line)
        rate = self._optional(self.rate, cells, line)
        unit_price = self._optional(self.unit_price, cells, line)
        currency = self._optional(self.currency, cells, line)
        return invoice_date, net, supplier, start, end, quantity, rate, unit_price, currency

    @staticmethod
    def _optional(column: Column[T] | None, cells: list[str], line: int) -> T | None:
        return None if column is None else column.value(cells, line)

    def _required(self, column: Column[T], cells: list[str], line: int, bad: int) -> T | None:
        """The value of a column every row needs; "missing" only when the row has no error yet."""
        value = column.value(cells, line)
        if value is None and len(self.errors) == bad:
            self.report(line, column.name, Message.of(MISSING))
        return value

    def _supplier(self, cells: list[str], line: int) -> str | None:
        """The row's supplier: its own column's, else the one given for the file."""
        column = self.supplier
        if column is None:
            return self.given_supplier
        found = column.value(cells, line)
        if found is None and self.given_supplier is None and not cells[column.index].strip():
            self.report(line, column.name, Message.of(MISSING))
        return self._checked_supplier(found, line)

    def _checked_supplier(self, found: str | None, line: int) -> str | None:
        """The supplier the row's own column names (if it does), which must be the one given."""
        given = self.given_supplier
        if found is None:
            return given
        if given is not None and found != given:
            differs = Message.of(N_("%(found)s differs from the supplier given (%(given)s)"), found=found, given=given)
            self.report(line, self.supplier_name, differs)
        return found

    def _check_period(self, start: date | None, end: date | None, line: int) -> None:
        if start is not None and end is not None and start > end:
            first, last = self.period_names
            said = Message.of(N_("%(first)s %(start)s is after %(last)s %(end)s"), first=first, start=start, last=last,
                              end=end)
            self.report(line, first, said)

    def _same_invoice(self, number: str | None, invoice_date: date | None, supplier: str | None, line: int) -> None:
        """Every row of one invoice states the date and supplier of its first row."""
        if number is None or invoice_date is None:
            return
        first_date = self.invoice_dates.setdefault(number, invoice_date)
        if first_date != invoice_date:
            said = Message.of(N_("invoice %(number)s has two dates: %(first)s and %(second)s"), number=number,
                              first=first_date, second=invoice_date)
            self.report(line, self.date_name, said)
        first_supplier = self.invoice_suppliers.setdefault(number, supplier)
        if first_supplier != supplier:
            said = Message.of(N_("invoice %(number)s has two suppliers: %(first)s and %(second)s"), number=number,
                              first=first_supplier, second=supplier)
            self.report(line, self.supplier_name, said)
