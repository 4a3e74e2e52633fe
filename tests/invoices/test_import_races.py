"""Two imports of one file at once: one imports, the other is told it is a duplicate — from
the API (409) and from the command line (exit status 0) — never an error, never twice."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.invoices.models import InvoiceImport, InvoiceLine
from tests.factories import SUPPLIER, make_subscription, make_supplier
from tests.ledger_process import Ledger, own_ledger, specification

LINES = 3000


def _file() -> bytes:
    rows = ["Organisationsnummer;Fakturanummer;Fakturadatum;Nummer;Avgiftstyp;Text;Från;Till;Belopp exkl. moms"]
    rows += [f"{SUPPLIER};RACE-1;2026-03-05;070100{i % 50:04d};Trafik;Samtal;2026-03-01;2026-03-31;{i % 90 + 1},50"
             for i in range(LINES)]
    return ("\n".join(rows) + "\n").encode()


def test_two_uploads_of_one_file_at_once_one_imports_the_other_is_409(client, db, org, api_headers) -> None:
    supplier = make_supplier("Operatören AB", SUPPLIER)
    for i in range(50):
        make_subscription(org, f"070100{i:04d}", org.forskola, supplier=supplier, start=date(2024, 1, 1))
    db.commit()
    data, answers = _file(), []
    # Two people, each with a token already used (its first use is a write, which would line
    # the two requests up before the import even starts).
    people = [api_headers(Role.FINANCE) for _ in range(2)]
    for headers in people:
        client.get("/api/v1/units", headers=headers)
    together = threading.Barrier(2)

    def upload(headers: dict[str, str]) -> None:
        together.wait()
        response = client.post("/api/v1/invoices", headers=headers, content_type="multipart/form-data",
                               data={"file": (io.BytesIO(data), "race.csv")})
        answers.append((response.status_code, response.json))

    threads = [threading.Thread(target=upload, args=(headers,)) for headers in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(status for status, _ in answers) == [201, 409], answers
    loser = next(body for status, body in answers if status == 409)
    assert loser["error"]["code"] == "conflict" and "imported" in loser["error"]["message"]
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(InvoiceImport)) == 1
    assert db.scalar(sa.select(sa.func.count()).select_from(InvoiceLine)) == LINES


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    with own_ledger(tmp_path_factory.mktemp("races")) as prepared:
        yield prepared


def test_two_commands_importing_one_file_at_once(ledger: Ledger, tmp_path: Path) -> None:
    spec = specification(ledger, tmp_path / "race.csv", invoices=2, lines_each=10000, prefix="RACE")
    processes = [ledger.start("invoices", "import", str(spec), "--json") for _ in range(2)]
    finished = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], finished
    statuses = sorted(json.loads(out.strip().splitlines()[-1])["status"] for out, _ in finished)
    assert statuses == ["duplicate", "imported"], finished
    assert ledger.scalars("SELECT COUNT(*) FROM invoice_import WHERE file_name = 'race.csv'") == [1]
    assert ledger.scalars("SELECT COUNT(*) FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id "
                          "WHERE i.number LIKE 'RACE-%'") == [20000]
