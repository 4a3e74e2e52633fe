"""A period's journal as CSV: for Swedish Excel by default, or for scripts with ``,`` and ``.``.

Default: ``;`` between fields, decimal comma (``-1234,50``), UTF-8 with a byte-order mark (so
Excel reads å, ä and ö right), CR LF line ends, a header row. ``separator=","`` writes a point
as the decimal sign instead, the form most programs and scripts expect. Amounts are plain
numbers (no thousands separator, no currency), so that a spreadsheet reads them as numbers.

The columns (``COLUMNS``) are the same in the XLSX export. ``correction`` is 1 for an entry
booked in a later period because its own was closed, else 0; ``reverses`` is the id of the
entry a reversal cancels. Text from data that would start a spreadsheet formula is
neutralised (``reports.spreadsheet``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from decimal import Decimal

from reports.data import JournalExport, JournalRow
from reports.spreadsheet import csv_text

__all__ = ["COLUMNS", "journal_values", "render_journal_csv", "row_values"]

COLUMNS = (
    "entry_id", "period", "unit", "unit_name", "administration", "account", "counterparty", "activity", "amount",
    "rule", "reason", "invoice_number", "supplier", "line_position", "reference", "correction", "reverses",
)  # fmt: skip
AMOUNT_COLUMN = COLUMNS.index("amount")


def row_values(row: JournalRow) -> list[object]:
    """A row's values in ``COLUMNS`` order (None where there is nothing)."""
    return [row.entry_id, row.period, row.unit, row.unit_name, row.administration, row.account, row.counterparty,
            row.activity, row.amount, row.rule, row.reason, row.invoice_number, row.supplier, row.line_position,
            row.reference, int(row.is_correction), row.reverses]


def journal_values(export: JournalExport, amount: Callable[[Decimal], object]) -> Iterator[list[object]]:
    """Each row's values in ``COLUMNS`` order, its amount as ``amount(row.amount)`` gives it
    (a text here, a formatted cell in the XLSX export)."""
    for row in export.rows:
        values = row_values(row)
        values[AMOUNT_COLUMN] = amount(row.amount)
        yield values


def _amount(value: Decimal, decimal_sign: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", decimal_sign) if decimal_sign != "." else text


def _decimal_sign(separator: str, decimal_sign: str | None) -> str:
    """The decimal sign to write with ``separator``; ValueError for a separator not offered or
    a sign equal to it."""
    if separator not in (";", ",", "\t"):
        raise ValueError(f"separator {separator!r}: use ';', ',' or a tab")
    sign = decimal_sign or ("," if separator == ";" else ".")
    if sign == separator:
        raise ValueError("the decimal sign and the separator must differ")
    return sign


def render_journal_csv(export: JournalExport, *, separator: str = ";", decimal_sign: str | None = None) -> bytes:
    """The journal as CSV bytes (UTF-8 with BOM). ``decimal_sign`` defaults to "," with ";" and
    to "." otherwise; the two must differ."""
    sign = _decimal_sign(separator, decimal_sign)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for values in journal_values(export, lambda amount: _amount(amount, sign)):
        writer.writerow([values[i] if i == AMOUNT_COLUMN else csv_text(value) for i, value in enumerate(values)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
