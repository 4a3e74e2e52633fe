"""Load benchmark: the costs API under concurrent clients, as production serves it.

A fresh PostgreSQL database with the demo organisation (`demo load`), served by gunicorn with
2 gthread workers on loopback; 32 clients, each on its own keep-alive connection, ask for a
unit's costs one request after the other (a closed loop: at most 32 requests in flight) for
60 seconds. Prints requests per second, errors (anything but 200, or no answer within 10 s),
and p50/p95/p99 of the latencies; the result line's ``baseline_seconds`` is the p99 target
(150 ms) and ``ratio`` the measured p99 over it. Targets: 0 errors, at least 300 requests/s,
p99 under 150 ms.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PG_URL, ROOT, report

TARGET_P99 = 0.150
TIMEOUT = 10.0


def _database() -> tuple[str, str]:
    """A new, empty PostgreSQL database beside ``PG_URL``: its URL and the admin DSN to drop it."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(PG_URL)
    name = f"ledger_load_{uuid.uuid4().hex[:8]}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.set(database=name).render_as_string(hide_password=False), admin


def _drop(url: str, admin: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _flask(env: dict[str, str], *args: str) -> str:
    flask = str(Path(sys.executable).with_name("flask"))
    done = subprocess.run([flask, "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited before it answered")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


class Client(threading.Thread):
    """One client on one keep-alive connection, asking until ``stop``."""

    def __init__(self, port: int, path: str, token: str, stop: float) -> None:
        super().__init__(daemon=True)
        self.port, self.path, self.stop = port, path, stop
        self.headers = {"Authorization": f"Bearer {token}"}
        self.latencies: list[float] = []
        self.errors = 0

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        while time.monotonic() < self.stop:
            start = time.perf_counter()
            try:
                conn.request("GET", self.path, headers=self.headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    self.errors += 1
                    continue
                self.latencies.append(time.perf_counter() - start)
            except (OSError, http.client.HTTPException):
                self.errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    url, admin = _database()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "load-bench", "LEDGER_INSECURE_COOKIES": "1"}
    server = None
    try:
        _flask(env, "db", "upgrade")
        _flask(env, "demo", "load")
        token = _flask(env, "users", "token", "ekonomi").strip().splitlines()[-1].split()[-1]
        year = time.localtime().tm_year
        port = _free_port()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        server = subprocess.Popen([gunicorn, "-w", str(args.workers), "-k", "gthread", "--threads", "8",
                                   "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
        _wait_until_up(port, server)
        path = f"/api/v1/units/3110/costs?year={year}"
        stop = time.monotonic() + args.seconds
        clients = [Client(port, path, token, stop) for _ in range(args.clients)]
        started = time.perf_counter()
        for client in clients:
            client.start()
        for client in clients:
            client.join(args.seconds + TIMEOUT + 5)
        elapsed = time.perf_counter() - started
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        _drop(url, admin)
    latencies = [value for client in clients for value in client.latencies]
    errors = sum(client.errors for client in clients)
    assert latencies, f"no request succeeded ({errors} errors)"
    p50, p95, p99 = (_percentile(latencies, share) for share in (0.50, 0.95, 0.99))
    rate = len(latencies) / elapsed
    print(f"{len(latencies):,} requests in {elapsed:.1f} s: {rate:.0f}/s, {errors} errors; p50 {p50 * 1000:.1f} ms, "
          f"p95 {p95 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms (median {statistics.median(latencies) * 1000:.1f})",
          file=sys.stderr)
    report("load", "postgresql", len(latencies), p99, TARGET_P99, requests_per_second=round(rate, 1), errors=errors,
           clients=args.clients, workers=args.workers, p50_ms=round(p50 * 1000, 1), p95_ms=round(p95 * 1000, 1),
           p99_ms=round(p99 * 1000, 1))


if __name__ == "__main__":
    main()
