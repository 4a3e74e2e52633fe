"""What the benchmarks share: a fresh database on either engine, the data set's organisation in
it, the import of one file, the result line, peak RSS."""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from dataset import Inventory, load_inventory

if TYPE_CHECKING:
    from ledger.invoices.importing import ImportOutcome
    from ledger.organisation.models import Organisation

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG_URL = os.environ.get("BENCH_DATABASE_URL", os.environ.get("TEST_DATABASE_URL",
                                                              "postgresql://postgres@127.0.0.1:5432/test"))


def arguments(description: str, default_lines: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--lines", type=int, default=default_lines, help="size of the generated data")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    return parser.parse_args()


def peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@contextmanager
def timer() -> Iterator[list[float]]:
    result: list[float] = []
    start = time.perf_counter()
    yield result
    result.append(time.perf_counter() - start)


@contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """A fresh, empty database on the benchmarks' PostgreSQL server (its URL, as libpq takes
    it); dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(PG_URL)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_app(engine: str) -> Iterator[object]:
    """The application on an empty database of its own, migrated; dropped afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        os.environ["LEDGER_INSTANCE_PATH"] = folder
        if engine == "sqlite":
            with _app_on(f"sqlite:///{folder}/bench.db") as app:
                yield app
            return
        with postgres_database("ledger_bench") as url, _app_on(url) as app:
            yield app


@contextmanager
def _app_on(url: str) -> Iterator[object]:
    from flask_migrate import upgrade

    from ledger import create_app
    from ledger.database import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    try:
        with app.app_context():
            upgrade()
            yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@contextmanager
def organisation_in(engine: str, inv: Inventory) -> Iterator[Organisation]:
    """A fresh database on ``engine`` holding ``inv`` (``dataset.load_inventory``): its organisation,
    inside the application's context."""
    from ledger.database import db
    from ledger.organisation.models import Organisation

    with fresh_app(engine):
        organisation = db.session.get(Organisation, load_inventory(inv))
        assert organisation is not None
        yield organisation


def import_whole(organisation: Organisation, data: bytes, filename: str) -> ImportOutcome:
    """``data`` imported as one file (over any size limit) and committed."""
    from ledger.database import db
    from ledger.invoices.importing import import_file

    outcome = import_file(None, organisation, data, filename, max_bytes=len(data) + 1)
    db.session.commit()
    return outcome


def report(name: str, engine: str, lines: int, seconds: float, baseline: float, **extra: object) -> None:
    """The result line of INTERFACE.md, printed last."""
    print(json.dumps({"name": name, "engine": engine, "lines": lines, "seconds": round(seconds, 3),
                      "baseline_seconds": round(baseline, 3), "ratio": round(seconds / baseline, 2),
                      "peak_rss_mib": peak_rss_mib(), **extra}))


def alternate(rounds: int, baseline: Callable[[], tuple[float, T]], project: Callable[[], tuple[float, T]],
              label: str) -> tuple[float, float, T, T]:
    """Run the baseline and the project one after the other, ``rounds`` times each (B P B P …),
    so that both see the same machine; the medians of their seconds and the last results.
    Each callable times only its own stage (in-process timers, start-up and migrations out)."""
    import statistics

    base_times: list[float] = []
    project_times: list[float] = []
    base_result = project_result = None
    for round_ in range(1, rounds + 1):
        seconds, base_result = baseline()
        base_times.append(seconds)
        seconds, project_result = project()
        project_times.append(seconds)
        print(f"{label} round {round_}: baseline {base_times[-1]:.2f} s, project {project_times[-1]:.2f} s",
              file=sys.stderr)
    assert base_result is not None and project_result is not None
    return statistics.median(project_times), statistics.median(base_times), project_result, base_result


def same_totals(what: str, project: object, baseline: object) -> None:
    """Fail the benchmark (exit status 1, saying where) when the two did not do the same work."""
    if project == baseline:
        return
    if isinstance(project, dict) and isinstance(baseline, dict):
        keys = sorted(set(project) | set(baseline), key=str)
        differing = [f"{key}: project {project.get(key, 0)}, baseline {baseline.get(key, 0)}"
                     for key in keys if project.get(key, 0) != baseline.get(key, 0)]
        if not differing:  # a key with 0 on one side and absent on the other is no difference
            return
        shown = "\n  ".join(differing[:12]) + (f"\n  … and {len(differing) - 12} more" if len(differing) > 12 else "")
        print(f"{what}: the project's totals differ from the baseline's in {len(differing)} of {len(keys)}:\n"
              f"  {shown}", file=sys.stderr)
    else:
        print(f"{what}: the project's totals differ from the baseline's: {project!r} != {baseline!r}", file=sys.stderr)
    raise SystemExit(1)
