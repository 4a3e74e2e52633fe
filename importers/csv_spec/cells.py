"""Cells of a specification: each kind of value parsed from its text, and the columns that
remember what their texts parsed to.

Specification files repeat the same dates, numbers, texts and amounts on most rows, so each
column keeps a bounded cache from the raw cell text to its parsed value: the common cell
costs one dictionary lookup. A parser returns an ``Invalid`` carrying the error message for
a text that is not a value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Generic, TypeVar

from importers.numbers import (
    MAX_AMOUNT_DIGITS,
    ORE,
    ORE_ZERO,
    AmountError,
    decimals_of,
    normalise_amount,
    normalise_organisation_number,
    parse_iso_date,
)
from importers.text import N_, Message

T = TypeVar("T")

#: Bound on each cache of cell texts (a million-line file has far fewer distinct values).
CACHE_LIMIT = 200_000
#: Earliest date accepted anywhere in a specification; earlier is a typo or a wrong column.
EARLIEST_DATE = date(2000, 1, 1)

_SIMPLE_AMOUNT = re.compile(r"-?[0-9]{1,13}(?:,[0-9][0-9])?")
_PERCENT_SUFFIX = re.compile(r"\s*%$")
_CURRENCY = re.compile(r"[A-Z]{3}")


class Invalid:
    """A cell that failed to parse, with the message to report."""

    __slots__ = ("said",)

    def __init__(self, template: str, /, **params: object) -> None:
        self.said = Message.of(template, **params)


#: Where a column reports an invalid cell: (line, column name, message).
Report = Callable[[int, str, Message], None]


def amount_cell(cell: str) -> Decimal | Invalid | None:
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
        return Invalid(N_("not an amount: %(text)s"), text=repr(text))
    if decimals_of(value) > 2:
        return Invalid(N_("%(text)s has more than two decimals (öre)"), text=repr(text))
    if value.adjusted() >= MAX_AMOUNT_DIGITS:
        return Invalid(N_("%(amount)s is too large to be an amount"), amount=repr(text))
    return value.quantize(ORE) if value else ORE_ZERO


def number_cell(cell: str) -> Decimal | Invalid | None:
    """A quantity or unit price, any precision."""
    text = cell.strip()
    if not text:
        return None
    try:
        return normalise_amount(text)
    except AmountError:
        return Invalid(N_("not a number: %(text)s"), text=repr(text))


def rate_cell(cell: str) -> Decimal | Invalid | None:
    """A VAT percentage: ``25``, ``25,0``, ``25 %``."""
    text = _PERCENT_SUFFIX.sub("", cell.strip())
    if not text:
        return None
    try:
        value = normalise_amount(text)
    except AmountError:
        return Invalid(N_("not a VAT percentage: %(text)s"), text=repr(cell.strip()))
    if not 0 <= value <= 100:
        return Invalid(N_("%(text)s is not a VAT percentage"), text=repr(cell.strip()))
    return value


def supplier_cell(cell: str) -> str | Invalid | None:
    """The supplier's organisationsnummer, normalised to ``NNNNNN-NNNN``."""
    text = cell.strip()
    if not text:
        return None
    return normalise_organisation_number(text) or Invalid(N_("not an organisationsnummer: %(text)s"), text=repr(text))


def currency_cell(cell: str) -> str | Invalid | None:
    """An ISO 4217 currency code."""
    text = cell.strip().upper()
    if not text:
        return None
    return text if _CURRENCY.fullmatch(text) else Invalid(N_("not a currency code: %(text)s"), text=repr(text))


def date_cell_parser(formats: tuple[str, ...], latest: date) -> Callable[[str], date | Invalid | None]:
    """The parser of date cells in ``formats`` (``iso`` or strptime), up to ``latest``."""
    shown = ", ".join("YYYY-MM-DD" if f == "iso" else f for f in formats)

    def date_cell(cell: str) -> date | Invalid | None:
        """``None`` when blank, else a date within the sane range, else why not."""
        value = cell.strip()
        if not value:
            return None
        parsed = _first_date(value, formats)
        if parsed is None:
            return Invalid(N_("not a valid date: %(text)s (expected %(formats)s)"), text=repr(value), formats=shown)
        if parsed < EARLIEST_DATE:
            return Invalid(N_("%(day)s is before %(earliest)s: a typo or a wrong column?"), day=parsed,
                           earliest=EARLIEST_DATE)
        if parsed > latest:
            return Invalid(N_("%(day)s is more than a year in the future"), day=parsed)
        return parsed

    return date_cell


def _first_date(value: str, formats: tuple[str, ...]) -> date | None:
    for fmt in formats:
        try:
            return parse_iso_date(value) if fmt == "iso" else datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


class Column(Generic[T]):
    """One field's column in a file: where it is, its name in messages, and its parsed cells.

    Only valid values are cached, and a blank cell's ``None`` only when ``keep_blank`` (a
    column every row needs reports a blank cell, so it must see it each time): a text that
    fails is parsed again wherever it appears, which is rare, and reported each time.
    Columns of one kind (the period's dates, the numbers) may share a cache: their texts
    repeat across columns as well as rows.
    """

    __slots__ = ("cache", "index", "keep_blank", "name", "parse", "report")

    def __init__(
        self,
        index: int,
        name: str,
        parse: Callable[[str], T | Invalid | None],
        cache: dict[str, T | None],
        report: Report,
        *,
        keep_blank: bool = True,
    ) -> None:
        self.index = index
        self.name = name
        self.parse = parse
        self.cache = cache
        self.report = report
        self.keep_blank = keep_blank

    def value(self, cells: Sequence[str], line: int) -> T | None:
        """The value of this column's cell in ``cells``; ``None`` when blank or invalid (reported)."""
        cell = cells[self.index]
        try:
            return self.cache[cell]
        except KeyError:
            return self._parse_new(cell, line)

    def _parse_new(self, cell: str, line: int) -> T | None:
        value = self.parse(cell)
        if isinstance(value, Invalid):
            self.report(line, self.name, value.said)
            return None
        if (value is not None or self.keep_blank) and len(self.cache) < CACHE_LIMIT:
            self.cache[cell] = value
        return value


class TextColumn:
    """A column of plain text: the stripped cell, ``None`` when blank; texts are shared."""

    __slots__ = ("cache", "index", "name")

    def __init__(self, index: int, name: str, cache: dict[str, str | None]) -> None:
        self.index = index
        self.name = name
        self.cache = cache

    def text(self, cells: Sequence[str]) -> str | None:
        cell = cells[self.index]
        try:
            return self.cache[cell]
        except KeyError:
            value = cell.strip() or None
            if len(self.cache) < CACHE_LIMIT:
                self.cache[cell] = value
            return value
