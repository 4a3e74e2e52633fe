"""One log line per request, with its duration and the user's id, and no personal data."""

from __future__ import annotations

import json
import logging

import pytest

from ledger.access.models import Role
from ledger.web.request_log import REQUEST_LOGGER, JsonFormatter, TextFormatter, configure_logging
from tests.conftest import log_in
from tests.factories import make_token


def _request_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == REQUEST_LOGGER]


def test_each_request_is_one_line_naming_route_status_duration_and_user(client, make_user, caplog) -> None:
    user = make_user(Role.FINANCE, username="anna.andersson")
    log_in(client, user.username)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=REQUEST_LOGGER):
        client.get(f"/users/{user.username}?q=070-1234567")
        client.get("/invoices?q=Anna+Andersson")
    first, second = _request_records(caplog)
    entry = json.loads(JsonFormatter().format(first))
    assert entry["route"] == "/users/<name>" and entry["method"] == "GET"
    assert entry["status"] == 403  # finance may not see users: the line says so
    assert entry["user_id"] == user.id
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert second.status == 200 and second.route == "/invoices"
    for record in (first, second):
        line = JsonFormatter().format(record) + TextFormatter().format(record)
        for personal in ("anna", "Andersson", "070-1234567", "q="):
            assert personal not in line


def test_a_request_with_a_bearer_token_logs_the_tokens_user(client, make_user, caplog) -> None:
    user = make_user(Role.FINANCE)
    headers = {"Authorization": f"Bearer {make_token(user)}"}
    with caplog.at_level(logging.INFO, logger=REQUEST_LOGGER):
        client.get("/api/v1/units", headers=headers)
    (record,) = _request_records(caplog)
    assert record.status == 200 and record.user_id == user.id


@pytest.mark.parametrize("signed_in_by", ["session", "token"])
def test_logging_the_user_reads_nothing_after_the_commit(client, make_user, count_queries, signed_in_by) -> None:
    """The request's transaction has ended when its line is written: reading the user's id
    from the expired object would open another transaction to load the user again."""
    user = make_user(Role.FINANCE)
    headers = {"Authorization": f"Bearer {make_token(user)}"} if signed_in_by == "token" else {}
    if signed_in_by == "session":
        log_in(client, user.username)
    with count_queries() as statements:
        assert client.get("/api/v1/units" if headers else "/invoices", headers=headers).status_code == 200
    users_read = [s for s in statements if "FROM user_account" in s and "api_token" not in s]
    assert len(users_read) == (1 if signed_in_by == "session" else 0), statements


def test_a_request_without_a_session_logs_no_user(client, caplog) -> None:
    with caplog.at_level(logging.INFO, logger=REQUEST_LOGGER):
        client.get("/healthz")
        client.get("/no/such/page")
    health, missing = _request_records(caplog)
    assert health.user_id is None and health.status == 200
    assert missing.status == 404 and missing.route == "(no route)"


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_logs_go_to_stdout_in_the_chosen_format(log_format, capsys) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(log_format, "INFO")
        logging.getLogger("ledger.test").warning("Allocation of %s took %s s", "2026-11", 3, extra={"lines": 816})
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    out = capsys.readouterr().out.strip()
    if log_format == "json":
        entry = json.loads(out)
        assert entry["message"] == "Allocation of 2026-11 took 3 s" and entry["lines"] == 816
        assert entry["level"] == "warning" and entry["time"].endswith("+00:00")
    else:
        assert out.endswith("WARNING ledger.test: Allocation of 2026-11 took 3 s lines=816")
