"""``invoices import`` refuses a file over the upload limit by its size, without reading it,
and keeps only a file's own name."""

from __future__ import annotations

import io
import json
from pathlib import Path

import sqlalchemy as sa

from ledger.access.models import Role
from ledger.invoices.models import InvoiceImport
from tests.factories import SUPPLIER, make_supplier


def test_a_200_mb_file_is_refused_without_being_read(app, db, org, tmp_path, monkeypatch) -> None:
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as out:  # sparse: 200 MB on paper, nothing on the disk
        out.truncate(200 * 1024 * 1024)

    def never(self: Path) -> bytes:
        raise AssertionError(f"{self} was read")

    monkeypatch.setattr(Path, "read_bytes", never)
    result = app.test_cli_runner().invoke(args=["invoices", "import", str(huge), "--json"])
    assert result.exit_code == 1
    outcome = json.loads(result.output.strip().splitlines()[-1])
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert outcome["status"] == "rejected" and outcome["file"] == "huge.xml"
    size = 200 * 1024 * 1024
    assert outcome["errors"][0]["message"] == f"the file is {size:,} bytes, over the limit of {limit:,} bytes"
    assert db.scalar(sa.select(sa.func.count()).select_from(InvoiceImport)) == 0


def test_an_uploaded_path_is_kept_as_its_last_name(client, db, org, api_headers) -> None:
    make_supplier("Operatören AB", SUPPLIER)
    body = ("Organisationsnummer;Fakturanummer;Fakturadatum;Nummer;Text;Från;Till;Belopp exkl. moms\n"
            f"{SUPPLIER};N-1;2026-03-05;0709999999;Samtal;2026-03-01;2026-03-31;10,00\n").encode()
    response = client.post("/api/v1/invoices", headers=api_headers(Role.FINANCE), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(body), "../../../../tmp/evil.csv")})
    assert response.status_code == 201, response.json
    assert db.scalar(sa.select(InvoiceImport.file_name)) == "evil.csv"
