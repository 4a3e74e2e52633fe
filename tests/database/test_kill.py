"""Killed at any moment, the ledger keeps nothing half-done: an import and then an allocation
run in a process of their own and are killed with SIGKILL at random moments; after each kill
the ledger's invariants hold (``flask check``) and no invoice is stored without all its lines;
run again, each finishes.

The moments are drawn from a fixed seed, so a failure can be replayed; the run is bounded
(a few kills per phase). The figures (kills that landed while the work ran, runs that had
finished first) are printed for the record.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.conftest import ENGINE_URL, engine_name

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
INVOICES, LINES_EACH = 4, 4000
KILLS = 3
PERIOD = "2026-11"


@dataclass(frozen=True)
class Ledger:
    """A ledger of the test's own, used by the processes it starts (never the session's)."""

    url: str
    instance: Path

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": self.url, "LEDGER_INSTANCE_PATH": str(self.instance),
                "SECRET_KEY": "kill-test"}

    def command(self, *args: str) -> list[str]:
        return [FLASK, "--app", "wsgi", *args]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.command(*args), cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=300)

    def engine(self) -> sa.Engine:
        return sa.create_engine(self.url.replace("postgresql://", "postgresql+psycopg://"))


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    """A database of its own, migrated, with the demo ledger."""
    instance = tmp_path_factory.mktemp("instance")
    if engine_name() == "sqlite":
        yield _prepared(Ledger(f"sqlite:///{tmp_path_factory.mktemp('killed') / 'ledger.db'}", instance))
        return
    base = make_url(ENGINE_URL.replace("postgresql+psycopg", "postgresql"))
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"ledger_kill_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _prepared(Ledger(base.set(database=name).render_as_string(hide_password=False), instance))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _prepared(ledger: Ledger) -> Ledger:
    for args in (["db", "upgrade"], ["demo", "load"]):
        done = ledger.run(*args)
        assert done.returncode == 0, done.stderr[-2000:]
    return ledger


def _specification(ledger: Ledger, path: Path) -> Path:
    """Four invoices of 4,000 lines each for the demo's mobile operator's numbers."""
    engine = ledger.engine()
    with engine.connect() as conn:
        numbers = conn.execute(sa.text("SELECT identifier FROM asset WHERE type = 'subscription' "
                                       "ORDER BY id LIMIT 300")).scalars().all()
    engine.dispose()
    rows = ["Organisationsnummer;Fakturanummer;Fakturadatum;Nummer;Avgiftstyp;Text;Från;Till;Belopp exkl. moms"]
    for invoice in range(INVOICES):
        rows += [f"556900-0010;KILL-{invoice};2026-11-20;{numbers[i % len(numbers)]};Trafik;Samtal;"
                 f"2026-11-01;2026-11-30;{(i % 97) + 1},{i % 100:02d}" for i in range(LINES_EACH)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _killed_at_random(ledger: Ledger, args: list[str], seed: int, *, allocated: bool) -> tuple[int, int]:
    """Start ``args`` KILLS times and kill each at a random moment; (landed, finished first)."""
    moments = random.Random(seed)
    landed = finished = 0
    for _ in range(KILLS):
        process = subprocess.Popen(ledger.command(*args), cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env=ledger.env)
        time.sleep(moments.uniform(1.2, 4.0))  # start-up takes about a second
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            landed += 1
        else:
            finished += 1
        process.wait()
        _assert_whole(ledger, allocated=allocated)
    return landed, finished


def _assert_whole(ledger: Ledger, *, allocated: bool = True) -> None:
    """The invariants hold, and every stored invoice of the file has all its lines. Before the
    allocation, the file's lines are rightly reported as not allocated yet, and only they."""
    check = ledger.run("check")
    violations = check.stderr.splitlines()
    if not allocated:
        violations = [v for v in violations if not (v.startswith("unallocated:") and "KILL-" in v)]
    assert check.returncode == 0 or (not allocated and not violations), check.stdout + check.stderr
    engine = ledger.engine()
    with engine.connect() as conn:
        counts = conn.execute(sa.text(
            "SELECT i.number, COUNT(l.id) FROM invoice i LEFT JOIN invoice_line l ON l.invoice_id = i.id "
            "WHERE i.number LIKE 'KILL-%' GROUP BY i.number")).all()
    engine.dispose()
    assert all(lines == LINES_EACH for _, lines in counts), counts


def test_killed_import_and_allocation_leave_nothing_half_done(ledger: Ledger, tmp_path: Path) -> None:
    spec = _specification(ledger, tmp_path / "kill.csv")
    imported = _killed_at_random(ledger, ["invoices", "import", str(spec)], seed=14, allocated=False)
    again = ledger.run("invoices", "import", str(spec), "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    assert '"status": "imported"' in again.stdout or '"status": "duplicate"' in again.stdout
    _assert_whole(ledger, allocated=False)
    allocated = _killed_at_random(ledger, ["allocate", PERIOD], seed=15, allocated=False)
    final = ledger.run("allocate", PERIOD)
    assert final.returncode == 0, final.stdout + final.stderr
    _assert_whole(ledger)
    print(f"\nkill test on {engine_name()}: import {imported[0]} kills landed, {imported[1]} finished first; "
          f"allocation {allocated[0]} landed, {allocated[1]} finished first")
    assert imported[0] + allocated[0] >= KILLS  # most kills must hit running work, or the test tests nothing
