"""Behind a reverse proxy: the client's address and scheme as the proxy saw them, when (and only
as far as) ``LEDGER_PROXY_HOPS`` says; and the operations settings refuse nonsense at start."""

from __future__ import annotations

import pytest
from flask import request

from ledger import create_app
from ledger.config import ConfigError, from_environment
from tests.conftest import app_config

#: Two proxies: the outer one terminates TLS and saw the client; the inner one saw the outer.
FORWARDED = {"X-Forwarded-For": "203.0.113.7, 198.51.100.2", "X-Forwarded-Proto": "https, http"}


def _probed_app(database_url: str, hops: int):
    application = create_app({**app_config(database_url), "LEDGER_PROXY_HOPS": hops})
    application.add_url_rule("/_probe", "probe", lambda: f"{request.remote_addr} {request.scheme}")
    return application


@pytest.mark.parametrize(("hops", "seen"), [(0, "127.0.0.1 http"), (1, "198.51.100.2 http"),
                                           (2, "203.0.113.7 https")])
def test_the_client_is_who_the_trusted_proxies_say(database_url, hops, seen) -> None:
    client = _probed_app(database_url, hops).test_client()
    assert client.get("/_probe", headers=FORWARDED, environ_base={"REMOTE_ADDR": "127.0.0.1"}).text == seen


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("LEDGER_LOG_FORMAT", "xml", "LEDGER_LOG_FORMAT 'xml' is not supported; use text or json"),
    ("LEDGER_PROXY_HOPS", "one", "LEDGER_PROXY_HOPS 'one' is not a number of proxies"),
])
def test_a_bad_operations_setting_stops_the_start_with_one_line(monkeypatch, tmp_path, variable, value, says) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=says):
        from_environment(tmp_path)
