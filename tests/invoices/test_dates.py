"""Dates the ledger can book: an invoice or line dated outside the years ``Month`` accepts is
refused at import, naming the file, the field and where it is, and nothing is stored."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.core.month import FIRST_YEAR, LAST_YEAR
from ledger.database import db as _db
from ledger.invoices.importing import import_file
from ledger.invoices.models import ImportStatus
from tests.conftest import csrf_token, log_in
from tests.factories import invoice_operator, line
from tests.importers.ubl_builder import build_invoice

TABLES = ("invoice", "invoice_line", "invoice_import")


def row_counts() -> dict[str, int]:
    return {t: _db.session.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in TABLES}


@pytest.fixture(autouse=True)
def operator(db, org):
    return invoice_operator()


def rejected(org, data: bytes, name: str = "F-99.xml"):
    before = row_counts()
    outcome = import_file(None, org.organisation, data, name)
    _db.session.rollback()
    assert outcome.status == ImportStatus.REJECTED, outcome
    assert row_counts() == before
    return outcome


def test_an_invoice_dated_9999_12_31_is_rejected_naming_the_field(db, org) -> None:
    outcome = rejected(org, build_invoice([line("0701234567", "100.00")], number="F-99", issue_date="9999-12-31"))
    assert outcome.file == "F-99.xml"
    assert [(e["field"], e["path"], e["line"]) for e in outcome.errors] == [
        ("cbc:IssueDate", "/Invoice/cbc:IssueDate", None)]
    assert outcome.errors[0]["message"] == (
        f"9999-12-31 is outside the years the ledger keeps ({FIRST_YEAR}–{LAST_YEAR}): the invoice could never "
        "be allocated")


def test_line_and_header_periods_are_checked_too(db, org) -> None:
    data = build_invoice([line("0701234567", "100.00", period=("2026-03-01", "2026-03-31")),
                          line("0702345678", "50.00", period=("0001-01-01", "9999-12-31"))],
                         number="F-98", issue_date="2026-03-31", period=("1999-12-01", "2026-03-31"))
    outcome = rejected(org, data)
    assert [(e["field"], e["path"]) for e in outcome.errors] == [
        ("cbc:StartDate", "/Invoice/cac:InvoicePeriod/cbc:StartDate"),
        ("cbc:StartDate", "/Invoice/cac:InvoiceLine[2]/cac:InvoicePeriod/cbc:StartDate"),
        ("cbc:EndDate", "/Invoice/cac:InvoiceLine[2]/cac:InvoicePeriod/cbc:EndDate"),
    ]
    assert [e["message"].split(" ")[0] for e in outcome.errors] == ["1999-12-01", "0001-01-01", "9999-12-31"]


def test_a_credit_note_names_its_own_root(db, org) -> None:
    outcome = rejected(org, build_invoice(number="K-1", credit_note=True, issue_date="0001-01-01"))
    assert outcome.errors[0]["path"] == "/CreditNote/cbc:IssueDate"


def test_the_first_and_last_day_of_the_ledger_are_bookable(db, org) -> None:
    first = import_file(None, org.organisation, build_invoice(number="F-1", issue_date=f"{FIRST_YEAR}-01-01"), "a.xml")
    last = import_file(None, org.organisation, build_invoice(number="F-2", issue_date=f"{LAST_YEAR}-12-31"), "b.xml")
    assert (first.status, last.status) == (ImportStatus.IMPORTED, ImportStatus.IMPORTED), (first.errors, last.errors)


def test_the_command_and_the_page_say_it_too(app, client, db, org, make_user, tmp_path) -> None:
    data = build_invoice([line("0701234567", "100.00")], number="F-99", issue_date="9999-12-31")
    path = tmp_path / "F-99.xml"
    path.write_bytes(data)
    result = app.test_cli_runner().invoke(args=["invoices", "import", str(path)])
    assert result.exit_code == 1
    assert "F-99.xml /Invoice/cbc:IssueDate: cbc:IssueDate: 9999-12-31 is outside the years" in result.output
    log_in(client, make_user(Role.FINANCE).username)
    page = client.post("/invoices", data={"csrf_token": csrf_token(client, "/invoices"), "format": "auto",
                                          "mapping": "generic", "files": (io.BytesIO(data), "F-99.xml")},
                       content_type="multipart/form-data")
    assert page.status_code == 422
    assert "9999-12-31 ligger utanför de år som liggaren omfattar" in page.get_data(as_text=True)
