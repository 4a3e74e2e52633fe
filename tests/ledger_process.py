"""A ledger of a test's own for the commands it runs in processes of their own (never the
session's database): a fresh SQLite file or PostgreSQL database, migrated, with the demo."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.conftest import ENGINE_URL, engine_name

ROOT = Path(__file__).resolve().parents[1]
FLASK = str(Path(sys.executable).with_name("flask"))


@dataclass(frozen=True)
class Ledger:
    url: str
    instance: Path

    @property
    def env(self) -> dict[str, str]:
        # The demo has two municipalities keeping a ledger: the commands work on Karlsborg's.
        return {**os.environ, "DATABASE_URL": self.url, "LEDGER_INSTANCE_PATH": str(self.instance),
                "SECRET_KEY": "a-test-of-processes", "LEDGER_ORGANISATION": "212000-1629"}

    def command(self, *args: str) -> list[str]:
        return [FLASK, "--app", "wsgi", *args]

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(self.command(*args), cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.command(*args), cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=300)

    def engine(self) -> sa.Engine:
        return sa.create_engine(self.url.replace("postgresql://", "postgresql+psycopg://"))

    def scalars(self, sql: str) -> list[object]:
        engine = self.engine()
        try:
            with engine.connect() as conn:
                return list(conn.execute(sa.text(sql)).scalars())
        finally:
            engine.dispose()


@contextmanager
def own_ledger(folder: Path) -> Iterator[Ledger]:
    """A migrated ledger with the demo organisation, dropped afterwards (PostgreSQL)."""
    with empty_ledger(folder, "ledger.db") as ledger:
        yield _prepared(ledger)


@contextmanager
def empty_ledger(folder: Path, file_name: str = "empty.db") -> Iterator[Ledger]:
    """A database with nothing in it: a new SQLite file, or a PostgreSQL database dropped afterwards."""
    if engine_name() == "sqlite":
        yield Ledger(f"sqlite:///{folder / file_name}", folder)
        return
    base = make_url(ENGINE_URL.replace("postgresql+psycopg", "postgresql"))
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"ledger_proc_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Ledger(base.set(database=name).render_as_string(hide_password=False), folder)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _prepared(ledger: Ledger) -> Ledger:
    for args in (["db", "upgrade"], ["demo", "load"]):
        done = ledger.run(*args)
        assert done.returncode == 0, done.stderr[-2000:]
    return ledger


def specification(ledger: Ledger, path: Path, *, invoices: int, lines_each: int, prefix: str) -> Path:
    """A CSV specification of the demo's mobile operator for November: ``invoices`` invoices
    of ``lines_each`` lines over the demo's numbers."""
    numbers = ledger.scalars("SELECT identifier FROM asset WHERE type = 'subscription' ORDER BY id LIMIT 300")
    rows = ["Organisationsnummer;Fakturanummer;Fakturadatum;Nummer;Avgiftstyp;Text;Från;Till;Belopp exkl. moms"]
    for invoice in range(invoices):
        rows += [f"556900-0010;{prefix}-{invoice};2026-11-20;{numbers[i % len(numbers)]};Trafik;Samtal;"
                 f"2026-11-01;2026-11-30;{(i % 97) + 1},{i % 100:02d}" for i in range(lines_each)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path
