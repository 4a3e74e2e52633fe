"""Migration 0003: a journal entry's rule is one of the allocation's rules, on both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from ledger.allocation.models import JournalEntry
from ledger.allocation.rules import Rule
from ledger.database import db
from tests.conftest import empty_all_tables

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


def _insert(conn: sa.Connection, tables: dict[str, sa.Table], table_name: str, **values: object) -> int:
    table = tables[table_name]
    return conn.execute(table.insert().returning(table.c.id), values).scalar_one()


def _entry_rows(conn: sa.Connection) -> dict[str, object]:
    """An organisation with one invoice and what a journal entry refers to; the entry's values."""
    metadata = sa.MetaData()
    metadata.reflect(bind=conn)
    t = dict(metadata.tables)
    org = _insert(conn, t, "organisation", name="Karlsborgs kommun", organisation_number="212000-1629",
                  keeps_ledger=True)
    supplier = _insert(conn, t, "supplier", name="Operatören AB", organisation_number="556900-0010", created_at=NOW)
    imported = _insert(conn, t, "invoice_import", organisation_id=org, file_name="mars.xml", sha256="0" * 64,
                       format="peppol", status="imported", invoice_count=1, line_count=0, result={},
                       imported_at=NOW)
    invoice = _insert(conn, t, "invoice", organisation_id=org, import_id=imported, supplier_id=supplier,
                      document_type="invoice", type_code="380", number="F-1", issue_date=date(2026, 3, 5),
                      currency="SEK", line_total_ore=100, allowance_total_ore=0, charge_total_ore=0,
                      net_total_ore=100, vat_total_ore=25, rounding_ore=0, payable_ore=125)
    period = _insert(conn, t, "period", organisation_id=org, period="2026-03", status="open")
    run = _insert(conn, t, "allocation_run", organisation_id=org, period_id=period, started_at=NOW, summary={})
    return {"organisation_id": org, "period_id": period, "run_id": run, "account": "6420", "amount_ore": 100,
            "invoice_id": invoice, "is_correction": False, "created_at": NOW}


def _write(conn: sa.Connection, values: dict[str, object], rule: str) -> None:
    journal = sa.table("journal_entry", *(sa.column(name) for name in [*values, "rule"]))
    conn.execute(journal.insert(), {**values, "rule": rule})


def test_the_rule_check_keeps_entries_and_refuses_a_rule_nobody_knows(app: Flask,
                                                                     capfd: pytest.CaptureFixture[str]) -> None:
    with app.app_context():
        db.session.remove()
        downgrade(revision="0002")
        try:
            with db.engine.begin() as conn:
                values = _entry_rows(conn)
                _write(conn, values, "direct")
                _write(conn, values, "suspense")
            upgrade()
            kept = db.session.scalars(sa.select(JournalEntry.rule).order_by(JournalEntry.id)).all()
            assert kept == [Rule.DIRECT, Rule.SUSPENSE]
            db.session.remove()
            with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
                _write(conn, values, "default_unit")
            downgrade(revision="0002")
            with db.engine.begin() as conn:  # the old schema takes any text again
                _write(conn, values, "default_unit")
            with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits 1
                upgrade()  # an entry the rules cannot explain stops the upgrade, naming it
            assert "journal entries name rules the ledger does not know: ['default_unit']" in capfd.readouterr().err
        finally:
            db.session.remove()
            downgrade(revision="0002")
            with db.engine.begin() as conn:
                conn.execute(sa.text("DELETE FROM journal_entry"))
            upgrade()
            empty_all_tables()
