"""Pages benchmark: the unit page, the costs API and the organisation's dashboard with a long
journal (1,000,000 invoice lines imported and allocated by default: about as many journal
entries), one client, 50 calls of each after one warm-up call; p50 and p99 per page.

The targets (issue list, docs/benchmarks.md) are absolute: p99 under 50 ms for the unit page
and the costs API, under 100 ms for the dashboard; so the result line's ``baseline_seconds``
is the target and ``ratio`` the worst page's p99 over its target (at most 1 meets them all).
Requests go through Flask's test client, in-process: the time is the application's and the
database's, not the network's.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import arguments, import_whole, organisation_in, report
from dataset import YEAR, csv_bytes, inventory

CALLS = 50
PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway user in a throwaway database
TARGETS = {"unit_page": 0.050, "costs_api": 0.050, "dashboard": 0.100}


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _timed(call: object, calls: int = CALLS) -> list[float]:
    assert callable(call)
    response = call()  # warm-up, and a check that it answers
    assert response.status_code == 200, response.status_code
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        response = call()
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200
    return samples


def _client_class() -> type:
    """A test client whose every request runs in a fresh app context, as in production (the
    benchmark holds one for its own database work, which the requests must not share)."""
    from flask.testing import FlaskClient

    class IsolatedClient(FlaskClient):
        def open(self, *args: Any, **kwargs: Any) -> Any:
            with self.application.app_context():
                return super().open(*args, **kwargs)

    return IsolatedClient


def _users(organisation_id: int, unit_code: str) -> tuple[str, str]:
    """A finance user (for the dashboard) and a department user of one unit, with its token."""
    from ledger.access.models import Role
    from ledger.access.service import create_user, issue_token
    from ledger.database import db

    create_user(None, organisation_id=organisation_id, username="ekonomi", password=PASSWORD, role=Role.FINANCE)
    department = create_user(None, organisation_id=organisation_id, username="enhet", password=PASSWORD,
                             role=Role.DEPARTMENT, unit_codes=[unit_code])
    token = issue_token(None, department)
    db.session.commit()
    return department.username, token


def _log_in(client: object, username: str) -> None:
    import re

    page = client.get("/login").get_data(as_text=True)  # type: ignore[attr-defined]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    answer = client.post("/login", data={"username": username, "password": PASSWORD,  # type: ignore[attr-defined]
                                         "csrf_token": token.group(1)})
    assert answer.status_code == 302, answer.status_code


def main() -> None:
    args = arguments(__doc__ or "", 1_000_000)
    inv = inventory()

    from ledger.allocation.engine import allocate
    from ledger.allocation.models import JournalEntry
    from ledger.database import db

    with organisation_in(args.engine, inv) as organisation:
        import_whole(organisation, csv_bytes(inv, args.lines), "bench.csv")
        for month in range(1, 13):
            allocate(None, organisation, f"{YEAR}-{month:02d}")
            db.session.commit()
        entries = db.session.query(JournalEntry).count()
        print(f"{args.lines:,} lines, {entries:,} journal entries", file=sys.stderr)
        unit_code = "1005"
        department, token = _users(organisation.id, unit_code)
        from flask import current_app

        app = current_app._get_current_object()  # type: ignore[attr-defined]
        app.config["SESSION_COOKIE_SECURE"] = False
        app.test_client_class = _client_class()
        db.session.remove()
        gc.collect()  # the import's garbage is the benchmark's, not a server's
        gc.freeze()  # as wsgi.py does once the app is made: full collections walk only what requests make
        finance_client, department_client, api = app.test_client(), app.test_client(), app.test_client()
        _log_in(finance_client, "ekonomi")
        _log_in(department_client, department)
        headers = {"Authorization": f"Bearer {token}"}
        samples = {
            "unit_page": _timed(lambda: department_client.get(f"/units/{unit_code}?year={YEAR}")),
            "costs_api": _timed(lambda: api.get(f"/api/v1/units/{unit_code}/costs?year={YEAR}", headers=headers)),
            "dashboard": _timed(lambda: finance_client.get(f"/?year={YEAR}")),
        }
    figures = {name: {"p50_ms": round(statistics.median(s) * 1000, 1), "p99_ms": round(_percentile(s, 0.99) * 1000, 1)}
               for name, s in samples.items()}
    for name, figure in figures.items():
        print(f"{name:<10} p50 {figure['p50_ms']:>7.1f} ms   p99 {figure['p99_ms']:>7.1f} ms   "
              f"target p99 < {TARGETS[name] * 1000:.0f} ms", file=sys.stderr)
    worst = max(samples, key=lambda name: _percentile(samples[name], 0.99) / TARGETS[name])
    report("pages", args.engine, args.lines, _percentile(samples[worst], 0.99), TARGETS[worst],
           journal_entries=entries, worst=worst, **figures)


if __name__ == "__main__":
    main()
