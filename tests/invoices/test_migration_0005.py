"""Migration 0005: invoices keep their rows and references; the number is unique among the
invoices not replaced; imports may end in a conflict. On both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from ledger.database import db
from tests.conftest import empty_all_tables

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


def _tables(conn: sa.Connection) -> dict[str, sa.Table]:
    metadata = sa.MetaData()
    metadata.reflect(bind=conn)
    return dict(metadata.tables)


def _insert(conn: sa.Connection, table: sa.Table, **values: object) -> int:
    return conn.execute(table.insert().returning(table.c.id), values).scalar_one()


def _ledger(conn: sa.Connection) -> dict[str, int]:
    """An invoice F-1 with a line, in the schema before 0005."""
    t = _tables(conn)
    org = _insert(conn, t["organisation"], name="Karlsborgs kommun", organisation_number="212000-1629",
                  keeps_ledger=True)
    supplier = _insert(conn, t["supplier"], name="Operatören AB", organisation_number="556900-0010", created_at=NOW)
    imported = _insert(conn, t["invoice_import"], organisation_id=org, file_name="mars.xml", sha256="0" * 64,
                       format="peppol", status="imported", invoice_count=1, line_count=1, result={},
                       imported_at=NOW)
    invoice = _insert(conn, t["invoice"], **_invoice(org, imported, supplier))
    line = _insert(conn, t["invoice_line"], organisation_id=org, invoice_id=invoice, source="document", position=1,
                   category="subscription", net_amount_ore=100)
    return {"organisation": org, "import": imported, "supplier": supplier, "invoice": invoice, "line": line}


def _invoice(org: int, imported: int, supplier: int, **values: object) -> dict[str, object]:
    return {"organisation_id": org, "import_id": imported, "supplier_id": supplier, "document_type": "invoice",
            "type_code": "380", "number": "F-1", "issue_date": date(2026, 3, 5), "currency": "SEK",
            "line_total_ore": 100, "allowance_total_ore": 0, "charge_total_ore": 0, "net_total_ore": 100,
            "vat_total_ore": 25, "rounding_ore": 0, "payable_ore": 125, **values}


def test_invoices_survive_and_the_number_is_unique_among_the_current_ones(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        downgrade(revision="0004")
        try:
            with db.engine.begin() as conn:
                ids = _ledger(conn)
            upgrade()
            with db.engine.begin() as conn:
                t = _tables(conn)
                row = conn.execute(sa.select(t["invoice"]).where(t["invoice"].c.id == ids["invoice"])).one()
                assert (row.number, row.replaced_at, row.replaced_by_id) == ("F-1", None, None)
                assert conn.execute(sa.select(t["invoice_line"].c.invoice_id)).scalar_one() == ids["invoice"]
            with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:  # two current F-1
                _insert(conn, _tables(conn)["invoice"], **_invoice(ids["organisation"], ids["import"],
                                                                   ids["supplier"]))
            with db.engine.begin() as conn:  # F-1 replaced by a re-issue of its number
                t = _tables(conn)
                conn.execute(t["invoice"].update().values(replaced_at=NOW))
                reissue = _insert(conn, t["invoice"], **_invoice(ids["organisation"], ids["import"],
                                                                 ids["supplier"], net_total_ore=200))
                conn.execute(t["invoice"].update().where(t["invoice"].c.id == ids["invoice"])
                             .values(replaced_by_id=reissue))
                conn.execute(t["invoice_import"].update().values(status="conflict"))
            with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
                conn.execute(_tables(conn)["invoice_import"].update().values(status="lost"))
        finally:
            db.session.remove()
            empty_all_tables()
            upgrade()
            downgrade(revision="0004")  # and back down, on empty tables
            upgrade()
