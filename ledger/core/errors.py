"""The ledger's errors. Each carries its HTTP status and a stable code, so that a service can
say what went wrong without knowing who asked; ``ledger.web.errors`` renders them as JSON under
``/api`` and as an HTML page elsewhere.
"""

from __future__ import annotations

from typing import Any


class LedgerError(Exception):
    """Base of the ledger's own errors: an HTTP status, a stable code and a clear message."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: list[Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class BadRequest(LedgerError):
    status, code = 400, "bad_request"


class NotAuthenticated(LedgerError):
    status, code = 401, "not_authenticated"


class Forbidden(LedgerError):
    status, code = 403, "forbidden"


class NotFound(LedgerError):
    status, code = 404, "not_found"


class Conflict(LedgerError):
    status, code = 409, "conflict"


class PeriodClosed(Conflict):
    code = "period_closed"


class TooLarge(LedgerError):
    status, code = 413, "too_large"


class ValidationFailed(LedgerError):
    status, code = 422, "validation_failed"
