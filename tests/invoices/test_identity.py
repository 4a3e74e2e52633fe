"""An invoice's identity: the same number with the same content is a duplicate; with other content
(a corrected re-issue) a conflict that stores nothing, through the service, the command, the API
and the upload page."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.database import db as _db
from ledger.invoices.importing import import_file
from ledger.invoices.models import ImportStatus, Invoice
from ledger.organisation.models import Supplier
from tests.conftest import csrf_token, log_in
from tests.factories import SUPPLIER, invoice_operator, line, save
from tests.importers.ubl_builder import Line, build_invoice

TABLES = ("invoice", "invoice_line", "invoice_import")
MARCH = ("2026-03-01", "2026-03-31")


def row_counts() -> dict[str, int]:
    return {t: _db.session.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in TABLES}


def original(**changes: object) -> bytes:
    """F-10 of 31 March: two lines, 149.00 and 42.00; ``changes`` go to ``build_invoice``."""
    options: dict[str, object] = {"number": "F-10", "issue_date": "2026-03-31"} | changes
    lines = options.pop("lines", [line("0701234567", "149.00", period=MARCH),
                                  line("0505-171 23", "42.00", "Anknytning", MARCH)])
    return build_invoice(lines, **options)  # type: ignore[arg-type]


#: The supplier's corrected re-issue of F-10: the second line is 52.00, not 42.00.
REISSUE = {"lines": [line("0701234567", "149.00", period=MARCH), line("0505-171 23", "52.00", "Anknytning", MARCH)]}


@pytest.fixture
def operator(db, org) -> Supplier:
    return invoice_operator()


def run(org, data: bytes, name: str):
    outcome = import_file(None, org.organisation, data, name)
    if outcome.status == ImportStatus.IMPORTED:
        save()
    else:
        _db.session.rollback()
    return outcome


def test_a_reissue_with_one_line_changed_is_a_conflict_and_stores_nothing(db, org, operator) -> None:
    first = run(org, original(), "F-10.xml")
    assert first.status == ImportStatus.IMPORTED
    before = row_counts()
    conflict = run(org, original(**REISSUE), "F-10-rattad.xml")
    assert conflict.status == ImportStatus.CONFLICT
    assert row_counts() == before
    assert conflict.existing_invoice_id == first.invoice_id and conflict.invoice_ids == []
    assert [(d["field"], d["old"], d["new"]) for d in conflict.differences] == [
        ("net_total", "191.00", "201.00"), ("vat_total", "47.75", "50.25"), ("payable", "238.75", "251.25"),
        ("lines[2].net_amount", "42.00", "52.00")]
    assert "total 191.00 → 201.00" in conflict.message and "line 2 amount 42.00 → 52.00" in conflict.message
    assert f"invoices replace {first.invoice_id} FILE" in conflict.message
    assert conflict.as_dict()["status"] == "conflict"


def test_the_message_names_date_total_and_line_count(db, org, operator) -> None:
    run(org, original(), "F-10.xml")
    three = [line("0701234567", "149.00", period=MARCH), line("0505-171 23", "42.00", "Anknytning", MARCH),
             line("0702345678", "10.00", period=MARCH)]
    conflict = run(org, original(lines=three, issue_date="2026-04-01"), "F-10-b.xml")
    assert conflict.status == ImportStatus.CONFLICT
    assert "date 2026-03-31 → 2026-04-01" in conflict.message
    assert "total 191.00 → 201.00" in conflict.message
    assert "line count 2 → 3" in conflict.message


def test_the_same_file_again_is_still_a_duplicate(db, org, operator) -> None:
    run(org, original(), "F-10.xml")
    before = row_counts()
    again = run(org, original(), "F-10.xml")
    assert again.status == ImportStatus.DUPLICATE and "nothing changed" in again.message
    same_content = run(org, original(due_date="2026-04-30"), "F-10-kopia.xml")
    assert same_content.status == ImportStatus.DUPLICATE and "same content" in same_content.message
    assert row_counts() == before


def test_the_command_exits_1_on_a_conflict_and_0_on_a_duplicate(app, db, org, operator, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    first, reissue = tmp_path / "F-10.xml", tmp_path / "F-10-rattad.xml"
    first.write_bytes(original())
    reissue.write_bytes(original(**REISSUE))
    assert runner.invoke(args=["invoices", "import", str(first)]).exit_code == 0
    before = row_counts()
    result = runner.invoke(args=["invoices", "import", str(reissue)])
    assert result.exit_code == 1, result.output
    assert "F-10-rattad.xml: conflict" in result.output and "line 2 amount 42.00 → 52.00" in result.output
    as_json = runner.invoke(args=["invoices", "import", "--json", str(reissue)])
    payload = json.loads(as_json.stdout.strip().splitlines()[-1])
    assert as_json.exit_code == 1 and payload["status"] == "conflict"
    assert {"field": "lines[2].net_amount", "line": 2, "old": "42.00", "new": "52.00"} in payload["differences"]
    assert row_counts() == before
    duplicate = runner.invoke(args=["invoices", "import", str(first)])
    assert duplicate.exit_code == 0 and "duplicate" in duplicate.output
    assert row_counts() == before


def test_the_api_answers_409_conflict_with_the_fields_that_differ(client, db, org, operator, api_headers) -> None:
    headers = api_headers(Role.FINANCE)

    def post(data: bytes, name: str):
        return client.post("/api/v1/invoices", headers=headers, data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")

    assert post(original(), "F-10.xml").status_code == 201
    before = row_counts()
    response = post(original(**REISSUE), "F-10-rattad.xml")
    assert response.status_code == 409
    error = response.json["error"]
    assert error["code"] == "conflict" and "other content" in error["message"]
    assert {"field": "lines[2].net_amount", "line": 2, "old": "42.00", "new": "52.00"} in error["details"]
    assert {"field": "net_total", "line": None, "old": "191.00", "new": "201.00"} in error["details"]
    assert row_counts() == before
    duplicate = post(original(), "F-10.xml")
    assert duplicate.status_code == 409 and duplicate.json["error"]["details"][0]["status"] == "duplicate"


def test_the_upload_page_shows_the_conflict(client, db, org, operator, make_user) -> None:
    run(org, original(), "F-10.xml")
    log_in(client, make_user(Role.FINANCE).username)
    token = csrf_token(client, "/invoices")
    before = row_counts()
    page = client.post("/invoices", data={"csrf_token": token, "format": "auto", "mapping": "generic",
                                          "files": (io.BytesIO(original(**REISSUE)), "F-10-rattad.xml")},
                       content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert page.status_code == 409
    assert 'class="tag conflict">konflikt<' in text
    assert "rad 2 belopp</strong>: 42.00 → 52.00" in text
    assert "kreditnota" in text and "låt en administratör ersätta den med den rättade fakturan" in text
    assert "invoices replace" not in text  # a command means nothing on a page
    assert row_counts() == before


CSV_HEADER = "Organisationsnummer;Fakturanummer;Fakturadatum;Nummer;Text;Från;Till;Belopp exkl. moms\n"


def test_a_specification_again_with_other_rows_is_a_conflict(db, org, operator) -> None:
    peppol = run(org, build_invoice([Line(name="Mobiltelefoni enligt specifikation", price="200.00")], number="F-55",
                                    issue_date="2026-03-31"), "F-55.xml")
    spec = (CSV_HEADER + f"{SUPPLIER};F-55;2026-03-31;0701234567;Jobbmobil;2026-03-01;2026-03-31;150,00\n"
            f"{SUPPLIER};F-55;2026-03-31;0702345678;Jobbmobil;2026-03-01;2026-03-31;50,00\n")
    assert run(org, spec.encode(), "spec.csv").invoice_ids == [peppol.invoice_id]
    before = row_counts()
    assert run(org, spec.replace("\n", "\r\n").encode(), "spec-igen.csv").status == ImportStatus.DUPLICATE
    moved = spec.replace("150,00", "140,00").replace(";50,00", ";60,00")
    conflict = run(org, moved.encode(), "spec-rattad.csv")
    assert conflict.status == ImportStatus.CONFLICT
    assert [d["field"] for d in conflict.differences] == ["lines[1].net_amount", "lines[2].net_amount"]
    assert row_counts() == before
    assert db.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 1


def test_a_peppol_invoice_after_its_csv_specification_is_compared_by_date_and_total(db, org, operator) -> None:
    spec = (CSV_HEADER + f"{SUPPLIER};C-1;2026-03-31;0701234567;Jobbmobil;2026-03-01;2026-03-31;150,00\n"
            f"{SUPPLIER};C-1;2026-03-31;0702345678;Jobbmobil;2026-03-01;2026-03-31;50,00\n")
    assert run(org, spec.encode(), "C-1.csv").status == ImportStatus.IMPORTED
    before = row_counts()
    summary = [Line(name="Mobiltelefoni enligt specifikation", price="200.00")]
    same = run(org, build_invoice(summary, number="C-1", issue_date="2026-03-31"), "C-1.xml")
    assert same.status == ImportStatus.DUPLICATE
    other = run(org, build_invoice([Line(price="210.00")], number="C-1", issue_date="2026-03-31"), "C-1-b.xml")
    assert other.status == ImportStatus.CONFLICT
    assert [(d["field"], d["old"], d["new"]) for d in other.differences] == [("net_total", "200.00", "210.00")]
    assert row_counts() == before
