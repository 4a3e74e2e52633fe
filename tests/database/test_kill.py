"""Killed at any moment, the ledger keeps nothing half-done: an import and then an allocation
run in a process of their own and are killed with SIGKILL at random moments; after each kill
the ledger's invariants hold (``flask check``) and no invoice is stored without all its lines;
run again, each finishes.

The moments are drawn from a fixed seed, so a failure can be replayed; the run is bounded
(a few kills per phase). The figures (kills that landed while the work ran, runs that had
finished first) are printed for the record.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import engine_name
from tests.ledger_process import ROOT, Ledger, own_ledger, specification

INVOICES, LINES_EACH = 4, 10000
KILLS = 3
PERIOD = "2026-11"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    with own_ledger(tmp_path_factory.mktemp("killed")) as prepared:
        yield prepared


def _killed_at_random(ledger: Ledger, args: list[str], seed: int, *, allocated: bool) -> tuple[int, int]:
    """Start ``args`` KILLS times and kill each at a random moment; (landed, finished first)."""
    moments = random.Random(seed)
    landed = finished = 0
    for _ in range(KILLS):
        process = subprocess.Popen(ledger.command(*args), cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env=ledger.env)
        time.sleep(moments.uniform(1.0, 3.0))  # start-up takes about a second, the work a few
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
    spec = specification(ledger, tmp_path / "kill.csv", invoices=INVOICES, lines_each=LINES_EACH, prefix="KILL")
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
    assert imported[0] and allocated[0], "no kill hit running work: the test tested nothing"
