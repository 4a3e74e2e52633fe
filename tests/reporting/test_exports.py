"""SIE 4I, CSV and XLSX exports of a real (small) ledger: each read back, totals equal the journal."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.allocation import periods
from ledger.allocation.engine import allocate
from ledger.inventory.assignments import move
from ledger.inventory.models import Subscription
from ledger.reporting import service as report_data
from ledger.reporting.service import SieSettings, sie_settings
from reports.sie import render_sie4i
from tests.conftest import journal_sums, journal_total
from tests.factories import ACTIVITIES, Month, build_month, save
from tests.reports.sie_parser import ParsedSie, parse_sie


@pytest.fixture
def month(db, org) -> Month:
    return build_month(org)


def _sie(month: Month, period: str = "2026-03", settings: SieSettings | None = None) -> tuple[bytes, ParsedSie]:
    export = report_data.sie_export(month.org.organisation, period, generated_by="Ekonomi", today=date(2026, 4, 2),
                                    settings=settings)
    data = render_sie4i(export)
    return data, parse_sie(data)


def _totals(parsed: ParsedSie) -> tuple[dict[str, Decimal], dict[tuple[int, str], Decimal]]:
    accounts: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    objects: dict[tuple[int, str], Decimal] = defaultdict(lambda: Decimal("0.00"))
    for voucher in parsed.vouchers:
        for trans in voucher.transactions:
            accounts[trans.account] += trans.amount
            for obj in trans.objects:
                objects[obj] += trans.amount
    return dict(accounts), dict(objects)


def test_sie_reads_strictly_and_its_totals_equal_the_journal(db, month) -> None:
    data, parsed = _sie(month)
    assert parsed.issues == [], [str(issue) for issue in parsed.issues]
    assert parsed.ksumma_ok and parsed.line_ending == "CRLF"
    assert parsed.fiscal_years[0] == (date(2026, 1, 1), date(2026, 12, 31))
    assert parsed.value("#FNAMN") == "Karlsborgs kommun" and parsed.value("#ORGNR") == "212000-1629"
    assert parsed.dimensions == {1: "Ansvar", 20: "Verksamhet"}
    assert parsed.accounts["2440"] == "Leverantörsskulder"
    assert parsed.objects[(1, "3110")] == "Förskolor centrala Karlsborg"
    assert len(parsed.vouchers) == 2 and all(v.balance == 0 for v in parsed.vouchers)
    accounts, objects = _totals(parsed)
    journal_accounts = journal_sums(by="account")
    assert {k: v for k, v in accounts.items() if k != "2440"} == journal_accounts
    assert accounts["2440"] == -journal_total()
    per_unit = {code: amount for code, amount in journal_sums().items() if code is not None}
    assert {code: amount for (dim, code), amount in objects.items() if dim == 1} == per_unit
    per_activity = {ACTIVITIES[code]: amount for code, amount in per_unit.items()}
    assert {code: amount for (dim, code), amount in objects.items() if dim == 20} == per_activity
    hjo = next(v for v in parsed.vouchers if "H-1" in v.text)
    assert [t.text for t in hjo.transactions] == ["H-1 Hjo kommun, motpart 82"] * 2
    assert data == _sie(month)[0]  # the same journal gives the same bytes


def test_sie_can_carry_the_counterparty_as_a_dimension(db, month) -> None:
    settings = SieSettings(counterparty="dimension", account_names=sie_settings().account_names)
    _, parsed = _sie(month, settings=settings)
    assert parsed.issues == []
    assert parsed.dimensions[21] == "Motpart"
    hjo = next(v for v in parsed.vouchers if "H-1" in v.text)
    assert all((21, "82") in t.objects for t in hjo.transactions)
    _, objects = _totals(parsed)
    assert objects[(21, "82")] == Decimal("0.00")  # cost and debt on the same counterparty net to zero


def test_sie_of_corrections_in_a_later_month(db, month) -> None:
    periods.close(None, month.org.id, "2026-03")
    save()
    sub = db.scalar(sa.select(Subscription).where(Subscription.number == "+46702345678"))
    move(None, sub, month.org.skola, date(2026, 3, 20))
    save()
    allocate(None, month.org.organisation, "2026-03")
    save()
    _, parsed = _sie(month, "2026-04")
    assert parsed.issues == []
    [voucher] = parsed.vouchers
    assert voucher.text.startswith("Rättelse: Telefoni 2026-04") and voucher.date == date(2026, 4, 30)
    accounts, objects = _totals(parsed)
    assert "2440" not in accounts  # a correction moves cost between units: nothing owed
    assert {code: amount for (dim, code), amount in objects.items() if dim == 1} == {
        code: amount for code, amount in journal_sums("2026-04").items() if code is not None}
    empty = report_data.sie_export(month.org.organisation, "2026-05", today=date(2026, 6, 1))
    assert parse_sie(render_sie4i(empty)).issues == []


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


def test_sie_through_the_api(client, db, month, api_headers) -> None:
    response = client.get("/api/v1/exports/sie?period=2026-03", headers=api_headers(Role.FINANCE))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="journal-2120001629-2026-03.si"'
    parsed = parse_sie(response.data)
    assert parsed.errors == [] and len(parsed.vouchers) == 2


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
