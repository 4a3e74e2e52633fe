"""The journal's CSV and XLSX renderers on synthetic rows, read back with csv and openpyxl."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
import pytest

from bench.report_bench import synthetic_report
from reports.data import JournalExport
from reports.journal_csv import COLUMNS, render_journal_csv
from reports.journal_xlsx import AMOUNT_FORMAT, render_journal_xlsx


def _export(lines: int = 300) -> JournalExport:
    rows = list(synthetic_report(lines).rows)
    rows[3] = replace(rows[3], reason='text with ; and , and "quotes"\nand a line break', is_correction=True,
                      reverses=2, amount=-rows[3].amount)
    rows[4] = replace(rows[4], amount=Decimal("1234567.89"))
    return JournalExport("Karlsborgs kommun", "212000-1629", "2026-03", rows)


def test_csv_defaults_for_swedish_excel() -> None:
    export = _export()
    data = render_journal_csv(export)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(COLUMNS)
    assert "\r\n" in text
    read = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    assert len(read) == len(export.rows)
    assert read[4]["amount"] == "1234567,89"
    assert read[3]["amount"].startswith("-") and read[3]["correction"] == "1" and read[3]["reverses"] == "2"
    assert read[3]["reason"] == 'text with ; and , and "quotes"\nand a line break'
    total = sum((Decimal(row["amount"].replace(",", ".")) for row in read), Decimal(0))
    assert total == export.total
    per_unit: dict[str, Decimal] = {}
    for row in read:
        per_unit[row["unit"]] = per_unit.get(row["unit"], Decimal(0)) + Decimal(row["amount"].replace(",", "."))
    expected: dict[str, Decimal] = {}
    for row in export.rows:
        expected[row.unit or ""] = expected.get(row.unit or "", Decimal(0)) + row.amount
    assert per_unit == expected


def test_csv_with_comma_uses_a_decimal_point() -> None:
    export = _export(50)
    text = render_journal_csv(export, separator=",").decode("utf-8-sig")
    read = list(csv.DictReader(io.StringIO(text, newline="")))
    assert read[4]["amount"] == "1234567.89"
    assert sum((Decimal(row["amount"]) for row in read), Decimal(0)) == export.total
    with pytest.raises(ValueError, match="must differ"):
        render_journal_csv(export, separator=",", decimal_sign=",")


def test_xlsx_has_numbers_a_header_and_frozen_panes() -> None:
    export = _export()
    data = render_journal_xlsx(export, created=datetime(2026, 4, 2, tzinfo=UTC))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    assert all(cell.font.b for cell in sheet[1])
    amount_column = COLUMNS.index("amount") + 1
    values = [row[amount_column - 1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(values) == len(export.rows)
    assert all(isinstance(value, int | float) for value in values)
    assert sheet.cell(row=2, column=amount_column).number_format == AMOUNT_FORMAT
    total = sum((Decimal(str(value)).quantize(Decimal("0.01")) for value in values), Decimal(0))
    assert total == export.total
    assert sheet.cell(row=6, column=amount_column).value == pytest.approx(1234567.89)
    assert sheet.cell(row=2, column=1).value == export.rows[0].entry_id
    assert sheet.auto_filter.ref == f"A1:Q{len(export.rows) + 1}"
