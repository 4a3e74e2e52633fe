"""``bin/backup`` and ``bin/restore``: a backup of a working ledger restores into a new
database that passes ``flask check`` and holds the same figures."""

from __future__ import annotations

import os
import subprocess
import uuid

from sqlalchemy.engine import make_url

from tests.conftest import ENGINE_URL, engine_name
from tests.ledger_process import ROOT, Ledger, empty_ledger, own_ledger

#: What must survive a restore: the rows of the tables that matter, the schema's revision, and
#: the journal's money per unit and month.
COUNTS = ("SELECT (SELECT COUNT(*) FROM invoice_line), (SELECT COUNT(*) FROM journal_entry), "
          "(SELECT COUNT(*) FROM audit_event), (SELECT COUNT(*) FROM asset), "
          "(SELECT version_num FROM alembic_version)")
SUMS = ("SELECT p.period, e.unit_id, SUM(e.amount_ore) FROM journal_entry e JOIN period p ON p.id = e.period_id "
        "GROUP BY p.period, e.unit_id ORDER BY p.period, e.unit_id")


def _script(name: str, ledger: Ledger, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ROOT / "bin" / name), *args], env={**os.environ, "DATABASE_URL": ledger.url},
                          capture_output=True, text=True, timeout=300)


def _figures(ledger: Ledger) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    engine = ledger.engine()
    try:
        with engine.connect() as conn:
            return ([tuple(row) for row in conn.exec_driver_sql(COUNTS)],
                    [tuple(row) for row in conn.exec_driver_sql(SUMS)])
    finally:
        engine.dispose()


def test_a_backup_restores_into_a_new_database_that_passes_check(tmp_path) -> None:
    with own_ledger(tmp_path / "source") as source, empty_ledger(tmp_path, "restored.db") as target:
        allocated = source.run("allocate", "2026-11")
        assert allocated.returncode == 0, allocated.stderr[-2000:]
        backup = tmp_path / "ledger.backup"

        made = _script("backup", source, str(backup))
        assert made.returncode == 0, made.stderr
        assert backup.stat().st_size > 10_000 and "backup written" in made.stdout

        restored = _script("restore", target, str(backup))
        assert restored.returncode == 0, restored.stderr
        checked = target.run("check")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.startswith("ok:")
        figures = _figures(source)
        # A ledger with a journal over months, or the comparison proves nothing.
        assert figures[0][0][1] > 0 and len(figures[1]) > 12
        assert _figures(target) == figures

        again = _script("restore", target, str(backup))
        assert again.returncode == 1 and "restore into a new" in again.stderr  # never mixes two ledgers


def test_a_backup_of_an_unreachable_database_fails_and_writes_no_file(tmp_path) -> None:
    if engine_name() == "sqlite":
        url = f"sqlite:///{tmp_path / 'missing' / 'ledger.db'}"
    else:
        url = make_url(ENGINE_URL).set(database=f"no_such_{uuid.uuid4().hex[:6]}").render_as_string(hide_password=False)
    made = _script("backup", Ledger(url, tmp_path), str(tmp_path / "x.backup"))
    assert made.returncode != 0
    assert not (tmp_path / "x.backup").exists()
