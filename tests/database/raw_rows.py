"""Rows written with SQLAlchemy Core into a schema as an older migration left it, for the tests
of the migrations that convert data: the models describe only the newest schema."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


def tables(conn: sa.Connection) -> dict[str, sa.Table]:
    """The tables as the database has them now (reflected)."""
    metadata = sa.MetaData()
    metadata.reflect(bind=conn)
    return dict(metadata.tables)


def insert(conn: sa.Connection, table: sa.Table, **values: object) -> int:
    return conn.execute(table.insert().returning(table.c.id), values).scalar_one()


def first_import(conn: sa.Connection, t: dict[str, sa.Table]) -> tuple[int, int, int]:
    """Karlsborg, its operator and one imported file: (organisation, supplier, import) ids."""
    org = insert(conn, t["organisation"], name="Karlsborgs kommun", organisation_number="212000-1629",
                 keeps_ledger=True)
    supplier = insert(conn, t["supplier"], name="Operatören AB", organisation_number="556900-0010", created_at=NOW)
    imported = insert(conn, t["invoice_import"], organisation_id=org, file_name="mars.xml", sha256="0" * 64,
                      format="peppol", status="imported", invoice_count=1, line_count=1, result={},
                      imported_at=NOW)
    return org, supplier, imported
