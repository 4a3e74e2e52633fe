"""Cells a spreadsheet cannot run: the one guard every CSV and XLSX export goes through.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel and LibreOffice as a formula (OWASP, "CSV Injection"): an invoice number such as
``=HYPERLINK("http://…")`` from a supplier's file would become a live link, ``+cmd|' /C calc'!A0``
a command. Text from data is therefore neutralised:

- in CSV by a leading apostrophe, as OWASP advises: the spreadsheet shows the text, and a
  script sees one extra character it can strip;
- in XLSX by a string cell with Excel's *quote prefix*: the cell shows the text exactly as the
  data holds it and stays text when someone edits it; no formula cell is ever written from data.

A plain signed number (``+46701000001``, ``-1234,50``) is a number to a spreadsheet, not a
formula, and is written as it is: phone numbers in E.164 keep their plus sign in every export.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from openpyxl.cell import WriteOnlyCell

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

__all__ = ["FORMULA_STARTS", "csv_text", "starts_a_formula", "xlsx_value"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")


def starts_a_formula(value: object) -> bool:
    """Whether a spreadsheet would read ``value`` as a formula."""
    return (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and _PLAIN_NUMBER.fullmatch(value) is None)


def csv_text(value: object) -> object:
    """``value`` for a CSV cell: text that would start a formula gets a leading apostrophe;
    ``None`` becomes an empty cell; anything else is returned as it is."""
    if value is None:
        return ""
    return "'" + value if isinstance(value, str) and starts_a_formula(value) else value


def xlsx_value(sheet: WriteOnlyWorksheet, value: object) -> object:
    """``value`` for an XLSX row: text that would start a formula as a quote-prefixed string
    cell (openpyxl itself would store text beginning with ``=`` as a formula); anything else
    as it is."""
    if not isinstance(value, str) or not starts_a_formula(value):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
