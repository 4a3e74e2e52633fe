"""A period's journal as an Excel workbook (openpyxl): one sheet, numbers as numbers.

The columns are those of the CSV export (``reports.journal_csv.COLUMNS``). Amounts are
numeric cells with the number format ``#,##0.00``: an XLSX file stores format codes in their
invariant (en-US) form, and Excel shows this one in the reader's locale, so Swedish Excel
displays ``1 234,50`` ("# ##0,00"); writing ``# ##0,00`` literally into the file would make
Excel print a space and a comma as text. Ids and line positions are integers. The header row
is bold and frozen, with an auto-filter over the table. The workbook is written in
openpyxl's streaming (write-only) mode, so 50,000 rows take little memory. No formula cell is
written from data (``reports.spreadsheet``).
"""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reports.data import JournalExport
from reports.journal_csv import COLUMNS, journal_values
from reports.spreadsheet import xlsx_value

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

__all__ = ["AMOUNT_FORMAT", "render_journal_xlsx"]

AMOUNT_FORMAT = "#,##0.00"
_WIDTHS = {"entry_id": 10, "period": 9, "unit": 8, "unit_name": 30, "administration": 14, "account": 9,
           "counterparty": 12, "activity": 10, "amount": 14, "rule": 20, "reason": 40, "invoice_number": 18,
           "supplier": 26, "line_position": 12, "reference": 18, "correction": 11, "reverses": 10}


def render_journal_xlsx(export: JournalExport, *, created: datetime | None = None) -> bytes:
    """The journal as XLSX bytes; ``created`` sets the workbook's creation time (for tests)."""
    workbook = Workbook(write_only=True)
    if created is not None:
        workbook.properties.created = workbook.properties.modified = created.replace(tzinfo=None)
    workbook.properties.title = f"Journal {export.period} {export.organisation}"
    sheet = workbook.create_sheet(title=f"Journal {export.period}")
    sheet.freeze_panes = "A2"
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(name, 12)
    sheet.append(_header(sheet))

    def amount_cell(amount: Decimal) -> Cell:
        cell = WriteOnlyCell(sheet)
        cell.value = amount
        cell.number_format = AMOUNT_FORMAT
        return cell

    for values in journal_values(export, amount_cell):
        sheet.append([xlsx_value(sheet, value) for value in values])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(export.rows) + 1}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _header(sheet: WriteOnlyWorksheet) -> list[Cell]:
    """The column names in bold."""
    bold = Font(bold=True)
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    return header
