"""Formulas from a supplier's file never come out live: payloads imported, allocated and
exported as CSV and XLSX, then read back as a spreadsheet would read them."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest

from ledger.access.models import Role
from reports.spreadsheet import FORMULA_STARTS, csv_text, starts_a_formula
from tests.factories import SUPPLIER, make_assignment, make_subscription, make_supplier, make_unit

PAYLOADS = ['=HYPERLINK("http://example.invalid/x","klicka")', "+cmd|' /C calc'!A0", "@SUM(1+1)",
            "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
HEADER = "Organisationsnummer;Fakturanummer;Fakturadatum;Nummer;Avgiftstyp;Text;Från;Till;Belopp exkl. moms\n"


@pytest.mark.parametrize("text", PAYLOADS)
def test_every_payload_is_neutralised(text: str) -> None:
    assert starts_a_formula(text)
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("text", ["+46701000001", "-1234,50", "12.5", "Jour VA", "", "3110"])
def test_plain_numbers_and_text_stay_as_they_are(text: str) -> None:
    assert not starts_a_formula(text) and csv_text(text) == text


def _specification() -> bytes:
    """One invoice whose number is a formula, one line to a known number and one line per
    payload as its reference (those go to suspense and keep the reference)."""
    number = PAYLOADS[0].replace('"', "'")
    rows = [f"{SUPPLIER};{number};2026-03-05;0701234567;Abonnemang;Jobbmobil;2026-03-01;2026-03-31;100,00\n"]
    rows += [f'{SUPPLIER};{number};2026-03-05;"{payload}";Trafik;Samtal;2026-03-01;2026-03-31;1,00\n'
             for payload in PAYLOADS[1:]]
    return (HEADER + "".join(rows)).encode("utf-8")


@pytest.fixture
def exported(client, db, org, api_headers) -> tuple[bytes, bytes]:
    supplier = make_supplier("Operatören AB", SUPPLIER)
    unit = make_unit(org, "3990", "Enheten med formler")
    make_assignment(make_subscription(org, "0701234567", supplier=supplier, start=date(2024, 1, 1)), unit)
    db.commit()
    headers = api_headers(Role.FINANCE)
    imported = client.post("/api/v1/invoices", headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(_specification()), "spec.csv")})
    assert imported.status_code == 201, imported.json
    assert client.post("/api/v1/periods/2026-03/allocate", headers=headers).status_code == 200
    as_csv = client.get("/api/v1/exports/csv?period=2026-03", headers=headers)
    as_xlsx = client.get("/api/v1/exports/xlsx?period=2026-03", headers=headers)
    assert as_csv.status_code == as_xlsx.status_code == 200
    return as_csv.data, as_xlsx.data


def test_no_csv_cell_starts_a_formula(exported) -> None:
    rows = list(csv.DictReader(io.StringIO(exported[0].decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(rows) == len(PAYLOADS)
    cells = [value for row in rows for name, value in row.items() if name != "amount"]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS) and starts_a_formula(cell)]
    assert {row["invoice_number"] for row in rows} == {"'" + PAYLOADS[0].replace('"', "'")}
    # the import trims blanks around a reference, so "\t=1+1" arrives as "=1+1"
    assert {row["reference"] for row in rows if row["rule"] == "suspense"} == {"'" + p.strip() for p in PAYLOADS[1:]}


def test_no_xlsx_cell_is_a_formula(exported) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(exported[1])).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert cells and not [cell.coordinate for cell in cells if cell.data_type == "f"]
    header = [cell.value for cell in sheet[1]]
    references = {row[header.index("reference")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {p.strip() for p in PAYLOADS[1:]} <= references  # the text itself, shown as text
    quoted = [cell for cell in cells if isinstance(cell.value, str) and starts_a_formula(cell.value)]
    assert quoted and all(cell.quotePrefix for cell in quoted)
