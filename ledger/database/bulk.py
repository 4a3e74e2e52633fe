"""Bulk inserts for the import and allocation paths, straight to the database driver.

SQLAlchemy's executemany spends most of its time building a parameter dictionary per row;
for hundreds of thousands of rows the driver's own bulk path is several times faster:
``executemany`` with tuples on SQLite and ``COPY … FROM STDIN`` on PostgreSQL.

A table's rows are a ``NamedTuple`` of their own (``InvoiceLineRow``, ``JournalEntryRow``): its
fields are the columns written, in their order, so each row goes to the driver as a tuple (no
dictionary per row) and the code that reads a row back names its fields. Rows must be database-ready: money as
integer öre, enums as their string values, and dates, numbers and timestamps passed through
``Values`` for the engine at hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

import sqlalchemy as sa

from ledger.database import db


def _same(value: Any) -> Any:
    return value


class Values:
    """Converters to what the engine's driver takes in bulk, stored the way SQLAlchemy stores them."""

    day: Callable[[date | None], Any]
    number: Callable[[Decimal | None], Any]
    moment: Callable[[datetime], Any]

    def __init__(self) -> None:
        if db.session.connection().dialect.name == "sqlite":
            self.day = lambda d: None if d is None else d.isoformat()
            self.number = lambda n: None if n is None else str(n)  # NUMERIC affinity makes it a number
            self.moment = lambda t: t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        else:
            self.day, self.number, self.moment = _same, _same, _same


_NAME = re.compile(r"[a-z_][a-z0-9_]*")
Row = TypeVar("Row", bound=NamedTuple)


def insert_rows(table: str, row_type: type[Row], rows: Iterable[Row]) -> int:
    """Insert ``rows`` into ``table`` in the current transaction; the columns are the fields
    of ``row_type``, in their order.

    ``table`` and the field names are names from the code, never from input; they are checked
    anyway before they are put into the statement.
    """
    columns = row_type._fields
    if not all(_NAME.fullmatch(name) for name in (table, *columns)):
        raise ValueError(f"not a table or column name: {table} {columns}")
    connection = db.session.connection()
    dbapi: Any = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        count = 0
        with dbapi.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    placeholders = ", ".join("?" for _ in columns)
    batch = rows if isinstance(rows, list) else list(rows)
    cursor = dbapi.cursor()
    try:
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608 - checked names
        # sqlite3 binds a plain tuple's values directly but any other sequence's one by one, which
        # costs a NamedTuple row several microseconds more than the copy to a plain tuple.
        cursor.executemany(statement, map(tuple, batch))
    finally:
        cursor.close()
    return len(batch)


#: After how many rows written in one go a table's planner statistics are refreshed.
ANALYZE_AFTER = 50_000


def analyze_if_large(table: str, rows: int) -> bool:
    """Refresh the planner's statistics of ``table`` after a large bulk write (``ANALYZE``; in
    the same transaction, which both engines allow). A table that grew tenfold in one import
    would otherwise be planned as the small table it was until autovacuum comes by — on SQLite
    never. True when it ran."""
    if rows < ANALYZE_AFTER:
        return False
    if not _NAME.fullmatch(table):
        raise ValueError(f"not a table name: {table}")
    db.session.execute(sa.text(f"ANALYZE {table}"))
    return True


def create_staging_table(table: str, row_type: type[Row], postgresql_types: dict[str, str]) -> None:
    """A TEMP table for rows of ``row_type`` to be loaded in bulk (``insert_rows``) and then
    moved on by one ``INSERT … SELECT``; dropped by ``drop_staging_table`` or by the rollback
    of the transaction that made it.

    The first field numbers the rows in the order they are to be stored. On SQLite it is the
    table's rowid (``INTEGER PRIMARY KEY``), so reading in that order needs no sort, and the
    other columns have no type: a value keeps the type it was bound with, and the column it is
    finally stored in converts it as it would a value bound directly. PostgreSQL parses what
    ``COPY`` sends by each column's type, given in ``postgresql_types``.
    """
    columns = row_type._fields
    if not all(_NAME.fullmatch(name) for name in (table, *columns)):
        raise ValueError(f"not a table or column name: {table} {columns}")
    if db.session.connection().dialect.name == "postgresql":
        declared = [f"{name} {_checked_type(postgresql_types[name])}" for name in columns]
    else:
        declared = [f"{columns[0]} INTEGER PRIMARY KEY", *columns[1:]]
    db.session.execute(sa.text(f"DROP TABLE IF EXISTS {_temporary(table)}"))  # one left by a failed statement
    db.session.execute(sa.text(f"CREATE TEMPORARY TABLE {table} ({', '.join(declared)})"))


def drop_staging_table(table: str) -> None:
    """Drop a table made by ``create_staging_table``."""
    if not _NAME.fullmatch(table):
        raise ValueError(f"not a table name: {table}")
    db.session.execute(sa.text(f"DROP TABLE {_temporary(table)}"))


_TYPE = re.compile(r"[A-Z]+")


def _checked_type(name: str) -> str:
    if not _TYPE.fullmatch(name):
        raise ValueError(f"not a column type: {name}")
    return name


def _temporary(table: str) -> str:
    """``table`` in the schema of the session's temporary tables, never a permanent one of that name."""
    return f"{'temp' if db.session.connection().dialect.name == 'sqlite' else 'pg_temp'}.{table}"
