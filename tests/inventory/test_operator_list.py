"""The operator's subscription list: dry run, real run, errors with lines and columns, nothing
stored on error, encodings, the CLI command and the upload page."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.allocation.models import PeriodStatus
from ledger.audit.models import AuditEvent
from ledger.core import clock
from ledger.inventory.models import Assignment, Subscription, SubscriptionKind
from tests.conftest import audit_actions, count, csrf_token, history, log_in
from tests.factories import OPERATOR_ORGNR, OTHER_ORGNR, make_period, make_subscription

TODAY = clock.today()
START = date(2025, 1, 1)  # the day the register's assets start

#: The fixture list. The register already holds 070-100 00 01 (at 3110, operator id AB-1) and
#: 070-100 00 02 (at 3110): line 2 is unchanged, line 3 changes its id and moves to 3140 on
#: 2025-06-15, line 4 is new at VA, line 5 is new without a unit, line 6 is a new extension.
GOOD = f"""\ufeffNummer;Typ;Abonnemangs-id;Ansvar;Startdatum;Slutdatum;Operatör organisationsnummer;Gäller från;\
Månadsavgift
070-100 00 01;Mobil;AB-1;3110;2025-01-01;;{OPERATOR_ORGNR};;175,00
0701000002;mobil;AB-2-NY;3140;2025-01-01;;{OPERATOR_ORGNR};2025-06-15;175,00
+46 70 100 00 03;Mobilt bredband;AB-3;2150;2025-03-01;;{OPERATOR_ORGNR};;99,50
070-100 00 04;mobiltelefoni;AB-4;;2025-04-01;;{OPERATOR_ORGNR};;175,00
0505-17123;Växelanknytning;;1110;2025-02-01;;{OTHER_ORGNR};;45,00
"""

#: Line 3: a bad number; line 4: an unknown kind and a bad date; line 5: an unknown unit;
#: line 6: a wrong organisationsnummer check digit; line 7: the number of line 2 again.
BAD = f"""Nummer;Typ;Abonnemangs-id;Ansvar;Startdatum;Operatör organisationsnummer
070-100 00 05;Mobil;AB-5;3110;2025-01-01;{OPERATOR_ORGNR}
070-12;Mobil;AB-6;3110;2025-01-01;{OPERATOR_ORGNR}
070-100 00 07;Satellit;AB-7;3110;2025-13-01;{OPERATOR_ORGNR}
070-100 00 08;Mobil;AB-8;9999;2025-01-01;{OPERATOR_ORGNR}
070-100 00 09;Mobil;AB-9;3110;2025-01-01;556900-0011
0701000005;Mobil;AB-5;3110;2025-01-01;{OPERATOR_ORGNR}
"""


@pytest.fixture
def known(org, operator) -> tuple[Subscription, Subscription]:
    """What the register holds before the list: 070-100 00 01 (AB-1) and 070-100 00 02 (AB-2), both at 3110."""
    first = make_subscription(org, "070-100 00 01", org.forskola, supplier=operator, start=START,
                              operator_reference="AB-1")
    second = make_subscription(org, "070-100 00 02", org.forskola, supplier=operator, start=START,
                               operator_reference="AB-2")
    return first, second


def upload(client, headers, text: str | bytes, *, dry_run: bool = False, query: str = "", name: str = "lista.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    url = f"/api/v1/inventory/import?{'dry_run=1&' if dry_run else ''}{query}"
    return client.post(url, headers=headers, data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_dry_run_shows_what_would_change_and_stores_nothing(client, db, org, known, api_headers) -> None:
    headers = api_headers(Role.FINANCE)
    counts = (count(db, Subscription), count(db, Assignment), count(db, AuditEvent))
    response = upload(client, headers, GOOD, dry_run=True)
    assert response.status_code == 200, response.json
    result = response.json
    assert result["dry_run"] is True and result["applied"] is False
    assert result["counts"] == {"created": 3, "updated": 1, "moved": 1, "unchanged": 1, "errors": 0}
    assert [(c["line"], c["number"], c.get("to")) for c in result["created"]] == [
        (4, "+46701000003", "2150"), (5, "+46701000004", None), (6, "+4650517123", "1110")]
    assert result["created"][0]["fields"]["kind"] == "mobile_data"
    assert result["updated"] == [{"line": 3, "number": "+46701000002",
                                  "changes": {"operator_reference": ["AB-2", "AB-2-NY"]}}]
    assert result["moved"] == [{"line": 3, "number": "+46701000002", "from": "3110", "to": "3140",
                                "valid_from": "2025-06-15"}]
    assert result["unchanged"] == [{"line": 2, "number": "+46701000001"}]
    assert result["ignored_columns"] == ["Månadsavgift"]
    assert (count(db, Subscription), count(db, Assignment), count(db, AuditEvent)) == counts


def test_real_run_creates_updates_and_moves_in_one_audited_transaction(client, db, org, known, api_headers) -> None:
    first, _ = known
    response = upload(client, api_headers(Role.ADMIN), GOOD)
    assert response.status_code == 200 and response.json["applied"] is True
    assert count(db, Subscription) == 5
    by_number = {s.number: s for s in db.scalars(sa.select(Subscription))}
    assert by_number["+46701000003"].kind == SubscriptionKind.MOBILE_DATA
    assert by_number["+4650517123"].kind == SubscriptionKind.SWITCHBOARD_EXTENSION
    assert by_number["+4650517123"].supplier_id != by_number["+46701000003"].supplier_id
    assert by_number["+46701000002"].operator_reference == "AB-2-NY"
    assert history(by_number["+46701000002"]) == [
        ("3110", date(2025, 1, 1), date(2025, 6, 15)), ("3140", date(2025, 6, 15), None)]
    assert history(by_number["+46701000003"]) == [("2150", date(2025, 3, 1), None)]
    assert history(by_number["+46701000004"]) == []
    assert history(first) == [("3110", date(2025, 1, 1), None)]
    event = audit_actions(db, "inventory.import")[0]
    assert event.entity_id == "lista.csv" and event.after["created"] == ["+46701000003", "+46701000004",
                                                                        "+4650517123"]
    # the same file again changes nothing
    again = upload(client, api_headers(Role.FINANCE), GOOD, dry_run=True).json
    assert again["counts"] == {"created": 0, "updated": 0, "moved": 0, "unchanged": 5, "errors": 0}


def test_errors_name_line_and_column_and_nothing_is_stored(client, db, org, known, api_headers) -> None:
    headers = api_headers(Role.FINANCE)
    rows_before = (count(db, Subscription), count(db, Assignment))
    dry = upload(client, headers, BAD, dry_run=True)
    assert dry.status_code == 200
    errors = [(e["line"], e["column"]) for e in dry.json["errors"]]
    assert errors == [(3, "Nummer"), (4, "Startdatum"), (4, "Typ"), (5, "Ansvar"),
                      (6, "Operatör organisationsnummer"), (7, "Nummer")]
    messages = {(e["line"], e["column"]): e["message"] for e in dry.json["errors"]}
    assert messages[(3, "Nummer")] == "phone number '070-12': not a valid number"
    assert "unknown kind 'Satellit'" in messages[(4, "Typ")]
    assert messages[(5, "Ansvar")] == "no budget unit with ansvar 9999"
    assert "the check digit is wrong" in messages[(6, "Operatör organisationsnummer")]
    assert messages[(7, "Nummer")] == "+46701000005 is also on line 2"
    assert dry.json["counts"]["created"] == 1  # line 2 alone is fine

    real = upload(client, headers, BAD)
    assert real.status_code == 422
    assert real.json["error"]["message"] == "lista.csv: 6 error(s); nothing was imported"
    assert {"line": 4, "column": "Typ", "message": messages[(4, "Typ")]} in real.json["error"]["details"]
    assert (count(db, Subscription), count(db, Assignment)) == rows_before
    assert not audit_actions(db, "inventory.import")


def test_missing_columns_and_supplier_parameter(client, db, org, operator, api_headers) -> None:
    headers = api_headers(Role.FINANCE)
    missing = upload(client, headers, "Nummer;Ansvar\n0701000001;3110\n", dry_run=True).json
    assert missing["errors"] == [{"line": 1, "column": None,
                                  "message": "missing column(s): Typ, Abonnemangs-id, Startdatum"}]
    no_supplier = "Nummer;Typ;Abonnemangs-id;Startdatum\n0701000001;Mobil;AB-1;2025-01-01\n"
    refused = upload(client, headers, no_supplier, dry_run=True).json
    assert refused["errors"][0]["column"] == "Operatör organisationsnummer"
    accepted = upload(client, headers, no_supplier, query=f"supplier={OPERATOR_ORGNR.replace('-', '')}")
    assert accepted.status_code == 200 and accepted.json["counts"]["created"] == 1
    assert count(db, Subscription) == 1


def test_windows_1252_without_bom_and_utf8_without_bom(client, db, org, operator, api_headers) -> None:
    text = (f"NUMMER;typ;abonnemangs-id;ANSVAR;startdatum;operatör organisationsnummer\n"
            f"0701000001;Växelanknytning;;1110;2025-01-01;{OPERATOR_ORGNR}\n")
    headers = api_headers(Role.FINANCE)
    cp1252 = upload(client, headers, text.encode("cp1252"), dry_run=True).json
    assert cp1252["encoding"] == "cp1252" and cp1252["counts"]["created"] == 1, cp1252
    assert cp1252["created"][0]["fields"]["kind"] == "switchboard_extension"
    utf8 = upload(client, headers, text.encode("utf-8"), dry_run=True).json
    assert utf8["encoding"] == "utf-8" and utf8["counts"]["created"] == 1


def test_known_number_at_another_unit_moves_today_by_default(client, db, org, operator, api_headers) -> None:
    sub = make_subscription(org, "070-100 00 01", org.forskola, supplier=operator, start=START,
                            operator_reference="AB-1")
    text = "Nummer;Typ;Abonnemangs-id;Ansvar;Startdatum\n0701000001;Mobil;AB-1;2150;2025-01-01\n"
    response = upload(client, api_headers(Role.FINANCE), text, query=f"supplier={OPERATOR_ORGNR}")
    assert response.json["moved"][0]["valid_from"] == TODAY.isoformat()
    assert history(sub) == [("3110", date(2025, 1, 1), TODAY), ("2150", TODAY, None)]


def test_an_end_date_ends_the_assignment_and_a_move_into_a_closed_period_is_recorded(client, db, org, operator,
                                                                                     api_headers) -> None:
    sub = make_subscription(org, "070-100 00 01", org.forskola, supplier=operator, start=START,
                            operator_reference="AB-1")
    make_period(org, "2025-03", status=PeriodStatus.CLOSED)
    headers = api_headers(Role.FINANCE)
    head = "Nummer;Typ;Abonnemangs-id;Ansvar;Startdatum;Slutdatum;Gäller från\n"
    into_closed = upload(client, headers, head + "0701000001;Mobil;AB-1;3140;2025-01-01;;2025-03-10\n",
                         query=f"supplier={OPERATOR_ORGNR}")
    assert into_closed.status_code == 200, into_closed.json  # booked as a correction, never refused
    assert history(sub) == [("3110", date(2025, 1, 1), date(2025, 3, 10)), ("3140", date(2025, 3, 10), None)]
    ended = upload(client, headers, head + "0701000001;Mobil;AB-1;3140;2025-01-01;2025-08-31;\n",
                   query=f"supplier={OPERATOR_ORGNR}")
    assert ended.status_code == 200
    assert ended.json["updated"][0]["changes"] == {"end_date": [None, "2025-08-31"]}
    assert history(sub) == [("3110", date(2025, 1, 1), date(2025, 3, 10)),
                            ("3140", date(2025, 3, 10), date(2025, 9, 1))]


def test_department_and_auditor_may_not_import(client, org, api_headers) -> None:
    for role, units in ((Role.DEPARTMENT, ["3110"]), (Role.AUDITOR, []), (Role.PROCUREMENT, [])):
        assert upload(client, api_headers(role, units), GOOD, dry_run=True).status_code == 403


def test_cli_dry_run_then_import(app, db, org, known, tmp_path) -> None:
    path = tmp_path / "lista.csv"
    path.write_text(GOOD, encoding="utf-8")
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["inventory", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "3 created, 1 updated, 1 moved, 1 unchanged" in dry.output and "Dry run" in dry.output
    assert "~ line 3: +46701000002 (operator_reference: AB-2 → AB-2-NY)" in dry.output
    assert count(db, Subscription) == 2
    real = runner.invoke(args=["inventory", "import", str(path), "--json"])
    assert real.exit_code == 0, real.output
    assert json.loads(real.output.strip().splitlines()[-1])["applied"] is True
    assert count(db, Subscription) == 5
    bad = tmp_path / "fel.csv"
    bad.write_text(BAD, encoding="utf-8")
    failed = runner.invoke(args=["inventory", "import", str(bad), "--supplier", OPERATOR_ORGNR])
    assert failed.exit_code == 1
    assert "line 4, Typ: unknown kind 'Satellit'" in failed.output and "nothing was imported" in failed.output
    assert count(db, Subscription) == 5


def test_import_page_previews_then_confirms(client, db, org, known, make_user) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    token = csrf_token(client, "/inventory/import")
    preview = client.post("/inventory/import", data={"csrf_token": token, "file": (io.BytesIO(GOOD.encode()),
                                                                                   "lista.csv")},
                          content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Förhandsgranska" in page and "nya: 3" in page and "AB-2-NY" in page
    assert count(db, Subscription) == 2
    digest = re.search(r'name="sha256" type="hidden" value="([0-9a-f]{64})"', page).group(1)
    assert digest == hashlib.sha256(GOOD.encode()).hexdigest()
    confirmed = client.post("/inventory/import/confirm", data={
        "csrf_token": token, "sha256": digest, "filename": "lista.csv", "supplier": ""})
    assert confirmed.status_code == 200 and "Importerad: 3 nya, 1 ändrade, 1 flyttade." in confirmed.get_data(
        as_text=True)
    again = client.post("/inventory/import/confirm", data={
        "csrf_token": token, "sha256": digest, "filename": "lista.csv", "supplier": ""})
    assert again.status_code == 400 and "ladda upp den igen" in again.get_data(as_text=True)
    traversal = client.post("/inventory/import/confirm", data={
        "csrf_token": token, "sha256": "../../secret_key", "filename": "x", "supplier": ""})
    assert traversal.status_code == 400
    assert count(db, Subscription) == 5


def test_import_page_shows_errors_and_offers_no_confirm(client, db, org, make_user) -> None:
    log_in(client, make_user(Role.ADMIN).username)
    token = csrf_token(client, "/inventory/import")
    response = client.post("/inventory/import", data={"csrf_token": token, "file": (io.BytesIO(BAD.encode()),
                                                                                    "fel.csv")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "inget sparas förrän alla rader är rätt" in page and "Satellit" in page
    assert 'name="sha256"' not in page
    assert count(db, Subscription) == 0


def test_date_range_of_assignments_never_overlaps_after_import(client, db, org, known, api_headers) -> None:
    upload(client, api_headers(Role.FINANCE), GOOD)
    rows = db.scalars(sa.select(Assignment).order_by(Assignment.asset_id, Assignment.valid_from)).all()
    for a, b in itertools.pairwise(rows):
        if a.asset_id == b.asset_id:
            assert a.valid_to is not None and a.valid_to <= b.valid_from
    assert all(r.valid_to is None or r.valid_to > r.valid_from for r in rows)
    assert max(r.valid_from for r in rows) <= TODAY + timedelta(days=1)


def test_import_reads_the_register_in_a_fixed_number_of_queries(client, db, org, operator, api_headers,
                                                                count_queries) -> None:
    """Set-based: the number of statements does not grow with the rows (no SELECT per row)."""
    headers = api_headers(Role.FINANCE)
    client.get("/api/v1/units", headers=headers)  # the token's first use notes it: not the import's work
    for i in range(40):
        make_subscription(org, f"070-400 00 {i:02d}", org.forskola, supplier=operator, start=START,
                          operator_reference=f"AB-{i}")

    def statements(first: int, rows: int) -> int:
        lines = [f"070-400 00 {i:02d};Mobil;AB-{i}-{rows};3140;2025-01-01;;{OPERATOR_ORGNR};2025-06-01"
                 for i in range(first, first + rows)]
        text = "Nummer;Typ;Abonnemangs-id;Ansvar;Startdatum;Slutdatum;Operatör organisationsnummer;Gäller från\n"
        with count_queries() as seen:
            response = upload(client, headers, text + "\n".join(lines) + "\n")
        assert response.status_code == 200, response.json
        assert response.json["counts"]["moved"] == rows
        return len(seen)

    few, many = statements(0, 4), statements(4, 36)
    assert few == many, (few, many)
    assert many < 25
