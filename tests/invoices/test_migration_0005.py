"""Migration 0005: invoices keep their rows and references; the number is unique among the
invoices not replaced; imports may end in a conflict. On both engines."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from ledger.database import db
from tests.conftest import empty_all_tables
from tests.database.raw_rows import NOW, first_import, insert, tables


def _ledger(conn: sa.Connection) -> dict[str, int]:
    """An invoice F-1 with a line, in the schema before 0005."""
    t = tables(conn)
    org, supplier, imported = first_import(conn, t)
    invoice = insert(conn, t["invoice"], **_invoice(org, imported, supplier))
    line = insert(conn, t["invoice_line"], organisation_id=org, invoice_id=invoice, source="document", position=1,
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
                t = tables(conn)
                row = conn.execute(sa.select(t["invoice"]).where(t["invoice"].c.id == ids["invoice"])).one()
                assert (row.number, row.replaced_at, row.replaced_by_id) == ("F-1", None, None)
                assert conn.execute(sa.select(t["invoice_line"].c.invoice_id)).scalar_one() == ids["invoice"]
            with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:  # two current F-1
                insert(conn, tables(conn)["invoice"], **_invoice(ids["organisation"], ids["import"],
                                                                   ids["supplier"]))
            with db.engine.begin() as conn:  # F-1 replaced by a re-issue of its number
                t = tables(conn)
                conn.execute(t["invoice"].update().values(replaced_at=NOW))
                reissue = insert(conn, t["invoice"], **_invoice(ids["organisation"], ids["import"],
                                                                 ids["supplier"], net_total_ore=200))
                conn.execute(t["invoice"].update().where(t["invoice"].c.id == ids["invoice"])
                             .values(replaced_by_id=reissue))
                conn.execute(t["invoice_import"].update().values(status="conflict"))
            with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
                conn.execute(tables(conn)["invoice_import"].update().values(status="lost"))
        finally:
            db.session.remove()
            empty_all_tables()
            upgrade()
            downgrade(revision="0004")  # and back down, on empty tables
            upgrade()
