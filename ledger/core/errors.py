"""The ledger's errors. Each carries its HTTP status, a stable code and what it says: a catalogue
text (marked with ``N_``, English) and the values put into it, so that a service can say what went
wrong without knowing who asked or in which language. ``message`` is the English sentence the API
and the command line show; ``ledger.web.errors`` shows pages ``gettext(text) % params`` in the
reader's language.
"""

from __future__ import annotations

from typing import Any

from ledger.core.text import in_source_language


class LedgerError(Exception):
    """Base of the ledger's own errors: an HTTP status, a stable code and a clear message.

    ``text`` is the catalogue's English template (``N_("No invoice %(invoice)s")``) and
    ``params`` the named values put into it; the values stay as they are (dates, amounts,
    :class:`ledger.core.text.Phrase`) so that a page can format them for its reader.
    """

    status = 400
    code = "bad_request"

    def __init__(self, text: str, details: list[Any] | None = None, **params: Any) -> None:
        self.text = text
        self.params = params
        self.message = in_source_language(text, params)
        self.details = details or []
        super().__init__(self.message)


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


#: Why a workflow's guard refuses a transition: a catalogue text (its ``%(id)s`` the object) and its values.
Refusal = tuple[str, dict[str, Any]]


def refuse(refusal: Refusal | None, **values: Any) -> None:
    """A guard's ``refusal`` as a 409, said with ``values`` (the object's ``id``) and its own; nothing
    when the guard lets the transition pass."""
    if refusal:
        text, params = refusal
        raise Conflict(text, **values, **params)


class TooLarge(LedgerError):
    status, code = 413, "too_large"


class ValidationFailed(LedgerError):
    status, code = 422, "validation_failed"
