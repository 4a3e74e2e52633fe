"""``parse_csv``: a specification's stream of rows, collected into one ``ParsedInvoice`` per
Fakturanummer.

A CSV file states no totals of its own, so the net total is the sum of the lines and the VAT
is computed per line (net × Momssats / 100, rounded half up to whole öre) and summed. Any
error means no invoices for the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Unpack

from importers.csv_spec.reader import CsvReader, ReadOptions
from importers.csv_spec.rows import RowValues
from importers.model import ParsedInvoice, ParsedLine, ParseError, ParseResult, SupplierRef, new_parsed_line
from importers.numbers import ORE_ZERO, ZERO, round_ore
from importers.problems import MAX_ERRORS
from importers.text import N_, Message


def parse_csv(data: bytes, filename: str, **options: Unpack[ReadOptions]) -> ParseResult:
    """Parse an operator's invoice specification: one ``ParsedInvoice`` per Fakturanummer.

    ``options`` are ``CsvReader``'s: the ``mapping``, the ``supplier`` of a file without that
    column, the ``encoding`` when it is not to be detected, and ``today`` for the date check.
    """
    return collect_invoices(CsvReader(data, filename, **options))


def collect_invoices(reader: CsvReader) -> ParseResult:
    """Read ``reader`` to its end and collect its rows into invoices (or the file's errors)."""
    invoices = _Invoices(reader)
    for row in reader.tuples():  # the stream ``iter(reader)`` gives, as plain tuples
        if not reader.errors:  # once there is one, the file is refused: only its errors count
            invoices.add(row)
    errors = reader.errors + invoices.errors
    if not errors and reader.mapping is not None and reader.data_rows == 0:
        no_rows = Message.of(N_("the file has a header but no rows"))
        errors.append(ParseError.of(reader.filename, 2, None, "file", no_rows))
    if errors:
        return ParseResult(errors=errors[:MAX_ERRORS], encoding=reader.encoding)
    return ParseResult(invoices=invoices.parsed(), encoding=reader.encoding)


@dataclass(slots=True)
class _Invoice:
    """An invoice being collected from rows."""

    number: str
    issue_date: date
    supplier: str | None
    currency: str
    lines: list[ParsedLine] = field(default_factory=list)
    net: Decimal = ZERO
    vat: Decimal = ZERO
    period_start: date | None = None
    period_end: date | None = None

    def widen_period(self, start: date | None, end: date | None) -> None:
        """The invoice's period spans its lines'."""
        if start is not None and (self.period_start is None or start < self.period_start):
            self.period_start = start
        if end is not None and (self.period_end is None or end > self.period_end):
            self.period_end = end

    def parsed(self, filename: str) -> ParsedInvoice:
        """The collected invoice as a ``ParsedInvoice``: totals are the sums of its lines."""
        gross = self.net + self.vat
        return ParsedInvoice(
            source=filename,
            format="csv",
            document_type="invoice",
            type_code="380",
            number=self.number,
            issue_date=self.issue_date,
            due_date=None,
            currency=self.currency,
            tax_currency=None,
            supplier=SupplierRef(organisation_number=self.supplier),
            buyer_organisation_number=None,
            buyer_reference=None,
            accounting_cost=None,
            period_start=self.period_start,
            period_end=self.period_end,
            billing_references=(),
            document_reference=None,
            lines=tuple(self.lines),
            allowances_charges=(),
            line_total=self.net,
            allowance_total=ORE_ZERO,
            charge_total=ORE_ZERO,
            net_total=self.net,
            vat_total=self.vat,
            gross_total=gross,
            prepaid=ORE_ZERO,
            rounding=ORE_ZERO,
            payable=gross,
        )


class _Invoices:
    """The invoices of one file by number, in the order first seen; an invoice has one currency."""

    def __init__(self, reader: CsvReader) -> None:
        self.reader = reader
        self.filename = reader.filename
        self.by_number: dict[str, _Invoice] = {}
        self.errors: list[ParseError] = []
        self._vat_factors: dict[Decimal, Decimal] = {}
        self._line_ids: list[str] = [""]  # str(position), shared by every invoice of the file

    def add(self, row: RowValues) -> None:
        """Add the row's line to its invoice (opened by the invoice's first row)."""
        (line, number, issued, supplier, reference, charge_type, text, start, end, quantity, net, rate, currency,
         item_code, unit_price, unit_code) = row  # fmt: skip
        invoice = self._invoice_for(number, issued, supplier, currency, line)
        lines = invoice.lines
        position = len(lines) + 1
        line_ids = self._line_ids
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
                start,
                end,
                reference,
                "csv" if reference is not None else None,
                f"line {line}",
                (),
            )
        )
        invoice.net += net
        if rate:
            invoice.vat += self._vat(net, rate)
        invoice.widen_period(start, end)

    def parsed(self) -> list[ParsedInvoice]:
        return [invoice.parsed(self.filename) for invoice in self.by_number.values()]

    def _invoice_for(self, number: str, issued: date, supplier: str | None, currency: str, line: int) -> _Invoice:
        invoice = self.by_number.get(number)
        if invoice is None:
            invoice = self.by_number[number] = _Invoice(number, issued, supplier, currency)
        elif invoice.currency != currency:
            mixed = Message.of(N_("invoice %(number)s mixes currencies %(first)s and %(second)s"), number=number,
                               first=invoice.currency, second=currency)
            mapping = self.reader.mapping  # loaded by the first row; the column as the file names it
            column = mapping.header_for("currency") if mapping is not None else "currency"
            self.errors.append(ParseError.of(self.filename, line, None, column, mixed))
        return invoice

    def _vat(self, net: Decimal, rate: Decimal) -> Decimal:
        """The line's VAT, rounded half up to whole öre."""
        factor = self._vat_factors.get(rate)
        if factor is None:
            factor = self._vat_factors[rate] = rate / 100
        return round_ore(net * factor)
