"""What the baselines share: a bare database of their own on either engine (sqlite3, or psycopg
with COPY on a fresh PostgreSQL database of the same server), and reading the invoice files
into typed rows without any of the ledger's code.

A line row is (id, invoice, month, number, start, end, amount in öre, VAT category); an
allowance row is (id, invoice, signed amount in öre, VAT category): an allowance lowers the
net, a charge raises it, as the ledger stores them.
"""

from __future__ import annotations

import csv
import io
import itertools
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from common import postgres_database

LineRow = tuple[int, str, str, str, date, date, int, str | None]
AllowanceRow = tuple[int, str, int, str | None]

CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
LINE_AMOUNT, PERIOD = f"{CBC}LineExtensionAmount", f"{CAC}InvoicePeriod"
DOCUMENT_REFERENCE, ITEM = f"{CAC}DocumentReference", f"{CAC}Item"


def ore(text: str) -> int:
    """A Swedish amount ("1 234,50", "-12,5", "149.00") as öre, exactly."""
    whole, _, fraction = text.replace(" ", "").replace(".", ",").partition(",")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole or "0")) * 100 + int((fraction + "00")[:2]))


# Reading the files ---------------------------------------------------------------------------

def csv_lines(data: bytes, ids: Iterator[int]) -> Iterator[LineRow]:
    """The generic CSV layout's rows (the columns the data set writes, by position)."""
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""), delimiter=";")
    next(reader)
    parse = date.fromisoformat
    for r in reader:
        yield next(ids), r[1], parse(r[2]).isoformat()[:7], r[3], parse(r[6]), parse(r[7]), ore(r[10]), None


@dataclass
class PeppolDocument:
    lines: list[LineRow] = field(default_factory=list)
    allowances: list[AllowanceRow] = field(default_factory=list)


def _peppol_line(element: Any, invoice: str, month: str, line_id: int) -> LineRow:
    """A line's number, service period, amount and VAT category (a walk over its children:
    lxml's path lookups cost several times more)."""
    number = amount = start = end = vat = None
    for child in element:
        tag = child.tag
        if tag == LINE_AMOUNT:
            amount = child.text
        elif tag == PERIOD:
            start, end = child.findtext(f"{CBC}StartDate"), child.findtext(f"{CBC}EndDate")
        elif tag == DOCUMENT_REFERENCE:
            number = child.findtext(f"{CBC}ID")
        elif tag == ITEM:
            category = child.find(f"{CAC}ClassifiedTaxCategory")
            vat = None if category is None else category.findtext(f"{CBC}ID")
    return (line_id, invoice, month, number or "", date.fromisoformat(start or ""), date.fromisoformat(end or ""),
            ore(amount or "0"), vat)


def _peppol_allowance(element: Any, invoice: str, allowance_id: int) -> AllowanceRow:
    amount = ore(element.findtext(f"{CBC}Amount") or "0")
    is_charge = element.findtext(f"{CBC}ChargeIndicator") == "true"
    return allowance_id, invoice, amount if is_charge else -amount, element.findtext(f"{CAC}TaxCategory/{CBC}ID")


def peppol_document(data: bytes, line_ids: Iterator[int], allowance_ids: Iterator[int]) -> PeppolDocument:
    """One invoice's lines and document-level allowances and charges, by lxml iterparse (the
    header's number and date come before them, as UBL orders a document)."""
    from lxml import etree

    found = PeppolDocument()
    invoice = month = ""
    for _, element in etree.iterparse(io.BytesIO(data), tag=(f"{CAC}InvoiceLine", f"{CAC}AllowanceCharge"),
                                      resolve_entities=False, no_network=True):
        parent = element.getparent()
        if parent is None or parent.getparent() is not None:
            continue  # an allowance or charge of a line is in the line's amount already
        if not invoice:
            invoice = parent.findtext(f"{CBC}ID") or ""
            month = date.fromisoformat(parent.findtext(f"{CBC}IssueDate") or "").isoformat()[:7]
        if element.tag == f"{CAC}InvoiceLine":
            found.lines.append(_peppol_line(element, invoice, month, next(line_ids)))
        else:
            found.allowances.append(_peppol_allowance(element, invoice, next(allowance_ids)))
        element.clear()
        while element.getprevious() is not None:  # what is read is dropped, so memory stays flat
            del parent[0]
    return found


def new_ids() -> Iterator[int]:
    return itertools.count(1)


# The databases -------------------------------------------------------------------------------

class Store(Protocol):
    """A baseline's own database: plain SQL, bulk loads, typed columns."""

    dialect: str

    def execute(self, sql: str) -> None: ...

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None: ...

    def rows(self, sql: str) -> list[tuple[Any, ...]]: ...

    def commit(self) -> None: ...


class SqliteStore:
    dialect = "sqlite"

    def __init__(self, path: str) -> None:
        # sqlite3's own date adapter is deprecated: dates are stored as ISO text, said explicitly
        sqlite3.register_adapter(date, date.isoformat)
        self.conn = sqlite3.connect(path)

    def execute(self, sql: str) -> None:
        self.conn.executescript(sql)

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        marks = ", ".join("?" * len(columns))
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return list(self.conn.execute(sql).fetchall())

    def commit(self) -> None:
        self.conn.commit()


class PostgresStore:
    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url)

    def execute(self, sql: str) -> None:
        self.conn.execute(sql)  # without parameters, several statements may go in one

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        with self.conn.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return list(self.conn.execute(sql).fetchall())

    def commit(self) -> None:
        self.conn.commit()


@contextmanager
def bare_store(engine: str) -> Iterator[Store]:
    """An empty baseline database on ``engine``, closed and removed afterwards."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            store = SqliteStore(f"{folder}/baseline.db")
            try:
                yield store
            finally:
                store.conn.close()
        return
    with postgres_database("ledger_baseline") as url:
        pg = PostgresStore(url)
        try:
            yield pg
        finally:
            pg.conn.close()


# Dialect pieces ------------------------------------------------------------------------------

def days(store: Store, first: str, last: str) -> str:
    """SQL for the days from ``first`` to ``last``, both inclusive."""
    if store.dialect == "sqlite":
        return f"(CAST(julianday({last}) - julianday({first}) AS INTEGER) + 1)"
    return f"(({last}) - ({first}) + 1)"


def day_before(store: Store, day: str) -> str:
    return f"date({day}, '-1 day')" if store.dialect == "sqlite" else f"(({day}) - 1)"


def later(store: Store, a: str, b: str) -> str:
    return f"max({a}, {b})" if store.dialect == "sqlite" else f"greatest({a}, {b})"


def earlier(store: Store, a: str, b: str) -> str:
    return f"min({a}, {b})" if store.dialect == "sqlite" else f"least({a}, {b})"
