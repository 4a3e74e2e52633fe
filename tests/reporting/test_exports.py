"""CSV and XLSX exports of a real (small) ledger: each read back, totals equal the journal."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal

import openpyxl
import pytest

from ledger.access.models import Role
from tests.conftest import journal_sums, journal_total
from tests.factories import Month, build_month
from tests.reports.sie_parser import parse_sie


@pytest.fixture
def month(db, org) -> Month:
    return build_month(org)


def test_csv_totals_equal_the_journal(client, db, month, api_headers) -> None:
    response = client.get("/api/v1/exports/csv?period=2026-03", headers=api_headers(Role.FINANCE))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(rows) == 14
    sums: dict[str | None, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for row in rows:
        sums[row["unit"] or None] += Decimal(row["amount"].replace(",", "."))
    assert dict(sums) == journal_sums()
    hjo = next(row for row in rows if row["invoice_number"] == "H-1")
    assert (hjo["counterparty"], hjo["supplier"], hjo["rule"], hjo["activity"]) == ("82", "Hjo kommun",
                                                                                   "switchboard_central", "110")
    comma = client.get("/api/v1/exports/csv?period=2026-03&separator=,", headers=api_headers(Role.AUDITOR))
    read = list(csv.DictReader(io.StringIO(comma.data.decode("utf-8-sig"), newline="")))
    assert sum((Decimal(row["amount"]) for row in read), Decimal(0)) == journal_total()


def test_xlsx_totals_equal_the_journal(client, db, month, api_headers) -> None:
    response = client.get("/api/v1/exports/xlsx?period=2026-03", headers=api_headers(Role.AUDITOR))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    unit, amount = header.index("unit"), header.index("amount")
    sums: dict[str | None, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for row in sheet.iter_rows(min_row=2, values_only=True):
        assert isinstance(row[amount], int | float)
        sums[row[unit]] += Decimal(str(row[amount])).quantize(Decimal("0.01"))
    assert dict(sums) == journal_sums()
    assert sheet.freeze_panes == "A2"


@pytest.mark.parametrize(("command", "suffix"), [("sie", "si"), ("csv", "csv"), ("xlsx", "xlsx")])
def test_export_commands_write_files(app, db, month, tmp_path, command: str, suffix: str) -> None:
    out = tmp_path / f"journal.{suffix}"
    result = app.test_cli_runner().invoke(args=["export", command, "2026-03", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if command == "sie":
        assert parse_sie(data).errors == []
    elif command == "csv":
        text = data.decode("utf-8-sig")
        assert sum((Decimal(line.split(";")[8].replace(",", ".")) for line in text.splitlines()[1:]),
                   Decimal(0)) == journal_total()
    else:
        assert openpyxl.load_workbook(io.BytesIO(data)).active.max_row == 15


def test_csv_command_with_a_comma(app, db, month, tmp_path) -> None:
    out = tmp_path / "journal.csv"
    result = app.test_cli_runner().invoke(args=["export", "csv", "2026-03", "--out", str(out), "--separator", ","])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert sum((Decimal(row["amount"]) for row in rows), Decimal(0)) == journal_total()
