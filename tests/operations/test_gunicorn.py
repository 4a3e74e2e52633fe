"""The app as production serves it: gunicorn with the repository's ``gunicorn.conf.py``, which
loads the app once and forks its workers from it."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.ledger_process import ROOT, empty_ledger

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return 0  # no answer: counted against the test like any other non-200
    finally:
        conn.close()


def _wait_until_listening(port: int, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()[1][-3000:]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("gunicorn did not listen within 60 s")


def test_the_first_concurrent_requests_after_a_start_all_reach_the_database(tmp_path) -> None:
    """The start-up check connects in the process the workers are forked from; a connection it
    left in the pool would be one socket shared by both workers, and their first requests
    would read each other's replies (500s, broken connections)."""
    with empty_ledger(tmp_path) as ledger:
        assert ledger.run("db", "upgrade").returncode == 0
        port = _free_port()
        env = {**ledger.env, "LEDGER_BIND": f"127.0.0.1:{port}", "LEDGER_WORKERS": "2", "LEDGER_THREADS": "8",
               "LEDGER_LOG_LEVEL": "warning"}
        server = subprocess.Popen([GUNICORN, "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            _wait_until_listening(port, server)
            with ThreadPoolExecutor(32) as pool:  # /readyz asks the database for its revision
                statuses = list(pool.map(lambda _: _status(port, "/readyz"), range(96)))
        finally:
            server.terminate()
            _, errors = server.communicate(timeout=30)
        assert statuses == [200] * 96, (statuses, errors[-3000:])
