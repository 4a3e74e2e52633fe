"""The one handler that renders any error: ``{"error": {"code", "message", "details"}}`` under
``/api`` and an HTML error page elsewhere. Services raise ``ledger.core.errors``; routes never
build error responses by hand: a page that shows a refusal itself uses ``refused``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from ledger.core.errors import LedgerError, NotAuthenticated


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, details: list[Any] | None = None) -> Response:
    """The JSON error shape of INTERFACE.md."""
    response = jsonify({"error": {"code": code, "message": message, "details": details or []}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="ledger"'
    return response


def refused(error: LedgerError) -> int:
    """Show a refused change on the page it came from. The page answers with the error's
    status, so nothing of the change is stored (``ledger.database.transaction``)."""
    flash(error.message, "error")
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
        return render_template("error.html", status=error.status, message=error.message), error.status

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
        return render_template("error.html", status=status, message=error.description), status
