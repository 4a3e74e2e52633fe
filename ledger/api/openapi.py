"""What the OpenAPI document says beyond what flask-smorest writes by itself, said once for every
operation: the errors each can answer (in the one error shape), its ``operationId``, amounts and
periods as the strings they are, files as binary, and the page header as the JSON text it is.

``DocsPlugin`` is an apispec plugin: apispec calls it on each operation as a blueprint is
registered, with the URL rule, so the view behind the operation (and its ``@require``) is known.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from apispec import APISpec, BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from werkzeug.routing import Rule

from ledger.api.schemas import AMOUNT_PATTERN, PERIOD_PATTERN, Amount, ErrorSchema, PeriodField

BINARY = {"type": "string", "format": "binary"}
JSON = "application/json"
PATH_PARAMETER = re.compile(r"{[^}]+}")

#: Each error status the API answers: its response component and what it means here.
ERRORS: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "Bad input: a body that is not JSON, a period not written YYYY-MM, a missing file"),
    401: ("NotAuthenticated", "No bearer token, or one that is unknown, expired or revoked"),
    403: ("Forbidden", "The token's user may not do this (the role, or another unit's data)"),
    404: ("NotFound", "No such object in your organisation"),
    409: ("Conflict", "A duplicate, a closed period, or a state that does not allow it"),
    413: ("TooLarge", "The request body is larger than the limit"),
    422: ("ValidationFailed", "The input did not pass validation; the details name each field"),
}

#: ``X-Pagination`` as sent: a JSON object written into the header's text.
PAGINATION_HEADER = {
    "description": "The page as JSON text: total (items in all pages), total_pages, first_page, last_page, "
                   "page, previous_page and next_page (absent on the last page). Ask for the next page "
                   "with ?page=next_page.",
    "schema": {"type": "string"},
    "example": '{"total": 1791, "total_pages": 18, "first_page": 1, "last_page": 18, "page": 1, "next_page": 2}',
}


def upload_body(description: str, *, required: tuple[str, ...] = (), **fields: dict[str, Any]) -> dict[str, Any]:
    """The request body of an upload: multipart ``file`` and the other form ``fields``."""
    return {"required": True, "description": description, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file", *required], "properties": {"file": BINARY, **fields}}}}}


def file_response(*content_types: str) -> dict[int, dict[str, Any]]:
    """``responses`` of a route answering 200 with a file of one of ``content_types``."""
    return {200: {"content": {content_type: {"schema": BINARY} for content_type in content_types}}}


def _string_formats(converter: Any, field: ma.fields.Field, **_: Any) -> dict[str, Any]:
    """Amounts are strings with two decimals; periods strings ``YYYY-MM``."""
    if isinstance(field, Amount):
        return {"type": "string", "pattern": AMOUNT_PATTERN}
    if isinstance(field, PeriodField):
        return {"pattern": PERIOD_PATTERN}
    return {}


def required_permission(view: Callable[..., Any]) -> str | None:
    """The permission the view's ``@require`` checks, through the decorators around it."""
    current: Any = view
    while current is not None:
        if hasattr(current, "required_permission"):
            return str(current.required_permission)
        current = getattr(current, "__wrapped__", None)
    return None


def expected_errors(operation: dict[str, Any], path: str, view: Callable[..., Any]) -> set[int]:
    """The error statuses the operation can answer whatever its route does itself."""
    statuses: set[int] = set()
    if required_permission(view):
        statuses |= {401, 403}
    if PATH_PARAMETER.search(path):
        statuses.add(404)
    if "{period}" in path:
        statuses.add(400)  # ledger.core.month: a period not written YYYY-MM
    body = operation.get("requestBody")
    if body:
        statuses |= {413, 422}
        if JSON in body.get("content", {}):
            statuses.add(400)  # a body that is not JSON
    if operation.get("parameters"):
        statuses.add(422)
    return statuses


def _error_response(current: Any, status: int) -> Any:
    """The documented error of ``status``: the route's own description, if it gave one, with the
    error body; else the shared response."""
    if isinstance(current, dict) and current.get("description") and not current.get("content"):
        return {"description": current["description"], "content": {JSON: {"schema": "Error"}}}
    return ERRORS[status][0]


def document_errors(operation: dict[str, Any], path: str, view: Callable[..., Any]) -> None:
    """Every error the operation answers, each in the one error shape."""
    responses = {str(status): response for status, response in operation.get("responses", {}).items()}
    declared = {int(status) for status in responses if status.isdigit() and int(status) in ERRORS}
    for status in sorted(declared | expected_errors(operation, path, view)):
        responses[str(status)] = _error_response(responses.get(str(status)), status)
    responses.pop("default", None)
    operation["responses"] = responses


def document_files(operation: dict[str, Any]) -> None:
    """A response that is not JSON is a file: binary."""
    for response in operation.get("responses", {}).values():
        for media_type, content in (response.get("content", {}) if isinstance(response, dict) else {}).items():
            if not media_type.startswith(JSON):
                content.setdefault("schema", BINARY)


class DocsPlugin(BasePlugin):
    """Completes each operation as flask-smorest hands it to apispec."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.operation_ids: set[str] = set()

    def init_spec(self, spec: APISpec) -> None:
        marshmallow = next(plugin for plugin in spec.plugins if isinstance(plugin, MarshmallowPlugin))
        assert marshmallow.converter is not None
        marshmallow.converter.add_attribute_function(_string_formats)
        spec.components.schema("Error", schema=ErrorSchema)
        for name, description in ERRORS.values():
            spec.components.response(name, {"description": description, "content": {JSON: {"schema": "Error"}}})
        spec.components.header("PAGINATION", PAGINATION_HEADER)

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         **kwargs: Any) -> None:
        rule: Rule = kwargs["rule"]
        view = self.app.view_functions[rule.endpoint]
        for method, operation in (operations or {}).items():
            operation["operationId"] = self._operation_id(rule.endpoint, method, len(operations or {}))
            document_errors(operation, path or "", view)
            document_files(operation)

    def _operation_id(self, endpoint: str, method: str, methods: int) -> str:
        """The view's name (``list_invoices``), which clients generated from the document use as
        the method's name; a view serving several methods gets the method in front."""
        name = endpoint.rsplit(".", 1)[-1]
        name = f"{method}_{name}" if methods > 1 else name
        if name in self.operation_ids:
            raise ValueError(f"two API operations are named {name}: rename one view")
        self.operation_ids.add(name)
        return name
