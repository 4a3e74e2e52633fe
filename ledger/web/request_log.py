"""Logging to standard output, and one line per request.

A service manager (systemd, a container runtime) collects standard output, so the ledger
writes nothing to files of its own. ``LEDGER_LOG_FORMAT=json`` gives one JSON object per line
for a log collector; the default is one readable line.

A request's line holds its method, route, status, duration and the acting user's id. It names
the route (``/users/<name>``), not the path, and never the query string or a form, because those
can hold personal data (a user name, a search for a holder's name, a phone number).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, g, request
from flask_login import current_user

REQUEST_LOGGER = "ledger.request"
#: Attributes every ``LogRecord`` has; anything else was passed in ``extra`` and is logged.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message and extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({key: value for key, value in vars(record).items() if key not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """A readable line; a request's extras follow its message as ``key=value``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = " ".join(f"{key}={value}" for key, value in vars(record).items() if key not in _STANDARD)
        return f"{line} {extras}" if extras else line


def configure_logging(log_format: str, level: str) -> None:
    """Send the ledger's and the server's logs to stdout in ``log_format`` (``json`` or ``text``)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # The ledger logs each request itself (with its user); werkzeug's own access line would repeat it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _start_clock() -> None:
    g.request_started = time.perf_counter()


def _log_request(response: Response) -> Response:
    started = g.pop("request_started", None)
    if started is None:
        return response
    route = request.url_rule.rule if request.url_rule else "(no route)"
    logging.getLogger(REQUEST_LOGGER).info(
        "%s %s %s", request.method, route, response.status_code,
        extra={"method": request.method, "route": route, "status": response.status_code,
               "duration_ms": round((time.perf_counter() - started) * 1000, 1),
               "user_id": _acting_user_id()},
    )
    return response


def _acting_user_id() -> int | None:
    """The acting user's id: a bearer token's user is set by ``require`` and has no session.

    Read from the identity map's key, not the attribute: the request has committed, and
    reading ``user.id`` would load the user again (a transaction and a query per request)."""
    acting = g.get("user")
    if acting is None and current_user and not current_user.is_anonymous:  # is_authenticated reads ``active``
        acting = current_user._get_current_object()  # the object behind Flask-Login's proxy
    if acting is None:
        return None
    identity = sa.inspect(acting).identity
    return int(identity[0]) if identity else None


def setup_request_log(app: Flask) -> None:
    # Tests keep pytest's own log capture; everything else logs to stdout.
    if not app.testing:
        configure_logging(app.config["LEDGER_LOG_FORMAT"], app.config["LEDGER_LOG_LEVEL"])
    app.before_request(_start_clock)
    app.after_request(_log_request)
