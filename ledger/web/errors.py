"""The one handler that renders any error: ``{"error": {"code", "message", "details"}}`` under
``/api`` and an HTML error page elsewhere. Services raise ``ledger.core.errors``; routes never
build error responses by hand: a page that shows a refusal itself uses ``refused``.

The JSON keeps the stable code and the English ``message`` scripts rely on; a page says the
error in the reader's language: the catalogue text the service raised, with its values put in
(``shown``), and werkzeug's own errors (403, 404, 405, 413 …) by texts of the catalogue instead
of werkzeug's English descriptions.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ledger.core.errors import LedgerError, NotAuthenticated
from ledger.core.text import N_
from ledger.i18n import said

#: What a page says for werkzeug's errors (a route's ``abort`` or an unknown address).
HTTP_TEXTS = {
    400: N_("The request could not be understood. Go back and try again."),
    403: N_("You may not see this page. Ask an administrator if your role should allow it."),
    404: N_("There is no such page, or what it showed has been removed. Check the address."),
    405: N_("This page cannot be used that way. Go back and use its form or its links."),
    413: N_("The file is larger than the upload limit. Split it, or ask an administrator to raise the limit."),
    422: N_("The request did not pass validation"),
    429: N_("Too many attempts. Wait a moment and try again."),
    500: N_("Something went wrong on our side. Try again; if it happens again, tell the administrator."),
}
CSRF_TEXT = N_("The form's security token (CSRF) is missing or has expired. Reload the page and send the form again.")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, details: list[Any] | None = None) -> Response:
    """The JSON error shape of INTERFACE.md."""
    response = jsonify({"error": {"code": code, "message": message, "details": details or []}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="ledger"'
    return response


def shown(error: LedgerError) -> str:
    """The error as the reader of the page reads it: its catalogue text in their language."""
    return said(error.text, error.params)


def refused(error: LedgerError) -> int:
    """Show a refused change on the page it came from. The page answers with the error's
    status, so nothing of the change is stored (``ledger.database.transaction``)."""
    flash(shown(error), "error")
    return error.status


def _http_details(error: HTTPException) -> list[Any]:
    """webargs puts marshmallow's messages in ``error.data``; flatten them to a list."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors") or {}
    details: list[Any] = []
    for location, fields in messages.items() if isinstance(messages, dict) else []:
        if isinstance(fields, dict):
            for field, problems in fields.items():
                details.append({"location": location, "field": field, "messages": problems})
        else:
            details.append({"location": location, "messages": fields})
    return details


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(LedgerError)
    def handle_ledger_error(error: LedgerError) -> Any:
        if _wants_json():
            return error_response(error.status, error.code, error.message, error.details)
        if isinstance(error, NotAuthenticated):
            return redirect(url_for("web.login", next=request.full_path))
        return render_template("error.html", status=error.status, message=shown(error)), error.status

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> Any:
        if error.response is not None:  # the raiser made the answer itself (a throttled log-in)
            return error.response
        status = error.code or 500
        if _wants_json():
            code = {422: "validation_failed", 413: "too_large"}.get(
                status, (error.name or "error").lower().replace(" ", "_")
            )
            message = error.description or error.name
            if status == 422:
                message = "The request did not pass validation"
            return error_response(status, code, message, _http_details(error))
        text = HTTP_TEXTS.get(status, HTTP_TEXTS[500] if status >= 500 else HTTP_TEXTS[400])
        if isinstance(error, CSRFError):
            text = CSRF_TEXT
        return render_template("error.html", status=status, message=said(text)), status
