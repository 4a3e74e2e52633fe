"""The Alembic migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade

from ledger.database import db
from tests.conftest import engine_name

MIGRATIONS = "migrations"


def _table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def _schema_diff() -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgraded_schema_matches_the_models(app: Flask) -> None:
    with app.app_context():
        assert _table_names() == {t.name for t in db.metadata.sorted_tables}
        assert _schema_diff() == []


def test_downgrade_to_empty_and_upgrade_again(app: Flask) -> None:
    with app.app_context():
        downgrade(revision="base")
        assert _table_names() == set()
        upgrade()
        assert _table_names() == {t.name for t in db.metadata.sorted_tables}


def test_money_columns_are_whole_ore(app: Flask) -> None:
    with app.app_context():
        columns = {c["name"]: c["type"] for c in sa.inspect(db.engine).get_columns("invoice_line")}
        assert isinstance(columns["net_amount_ore"], sa.BigInteger), engine_name()
