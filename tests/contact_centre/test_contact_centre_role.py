"""The contact centre reads the directory and its changes, and nothing of costs: every other page
and API operation of the app, found in its URL map, refuses it (403)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.routing import Rule

from ledger.access.models import User
from ledger.access.permissions import PERMISSIONS, allowed
from tests.conftest import csrf_token, log_in, required_permission
from tests.factories import build_year, make_token

#: A value for each kind of path parameter: the test organisation's, or any id (a refusal by
#: role comes before any lookup).
VALUES = {"code": "3110", "period": "2026-03", "year": "2026", "month": "3", "name": "admin"}
#: What every cost page's or cost operation's path holds one of: the test must have met them.
COSTS = ("journal", "budget", "invoice", "report", "costs", "suspense", "export", "periods")
#: Ways in and out, and the layout's own forms: no one's pages.
NOT_FEATURES = ("/login", "/logout", "/language", "/static", "/healthz", "/readyz", "/api/openapi", "/api/docs")
#: Operations that read their body before the role (``@arguments`` above ``@require``): an empty
#: body is refused as invalid first, so they are asked with a valid one.
BODIES = {"POST /api/v1/units/3110/administration": {"administration": "KS", "valid_from": "2026-06-01"}}


def _path(rule: Rule) -> str:
    def one(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if converter and converter.startswith("any("):
            return converter[4:].split(",")[0].strip()
        return VALUES.get(name, "1")
    return re.sub(r"<(?:([a-z]+(?:\([^)]*\))?):)?(\w+)>", one, rule.rule)


def _operations(app: Flask) -> Iterator[tuple[str, str, str | None]]:
    """(method, path, permission) of every route of a feature, pages and API."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(NOT_FEATURES) or rule.endpoint.endswith("static"):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, _path(rule), required_permission(app.view_functions[rule.endpoint])


@pytest.fixture
def reader(db, org, contact_centre) -> tuple[User, str]:
    build_year(org)  # a ledger with costs to be refused
    return contact_centre, make_token(contact_centre)


def test_the_role_holds_the_directory_and_its_changes_only(contact_centre) -> None:
    held = {name for name in PERMISSIONS if allowed(contact_centre, name)}
    assert held == {"directory.read", "directory.changes"}


def test_the_contact_centre_sees_the_directory_and_its_changes(client, reader) -> None:
    user, token = reader
    log_in(client, user.username)
    for path in ("/inventory/directory", "/inventory/directory.csv", "/directory/changes", "/directory/units",
                 "/directory/changes.atom"):
        assert client.get(path).status_code == 200, path
    assert client.get("/").headers["Location"].endswith("/inventory/directory")  # its start page
    headers = {"Authorization": f"Bearer {token}"}
    for path in ("/api/v1/directory", "/api/v1/directory?format=csv", "/api/v1/directory/changes",
                 "/api/v1/directory/changes.atom", "/api/v1/units/3110/contact-details"):
        assert client.get(path, headers=headers).status_code == 200, path


def test_every_cost_page_and_api_operation_refuses_the_contact_centre(app, client, reader) -> None:
    user, token = reader
    log_in(client, user.username)
    csrf = csrf_token(client, "/directory/changes")
    wrong: list[str] = []
    refused: list[str] = []
    for method, path, permission in _operations(app):
        if permission is None:
            wrong.append(f"{method} {path}: no @require")
            continue
        if path.startswith("/api/"):
            response = client.open(path, method=method, headers={"Authorization": f"Bearer {token}"},
                                   json=BODIES.get(f"{method} {path}", {}) if method != "GET" else None)
        else:
            response = client.open(path, method=method, data={"csrf_token": csrf} if method != "GET" else None)
        if allowed(user, permission):
            if response.status_code in (401, 403) or response.status_code >= 500:
                wrong.append(f"{method} {path} ({permission}): {response.status_code}, but the role may")
        elif path == "/" and response.status_code == 302:  # the start page sends it to the directory
            assert response.headers["Location"].endswith("/inventory/directory")
        elif response.status_code != 403:
            wrong.append(f"{method} {path} ({permission}): {response.status_code}, not 403")
        else:
            refused.append(path)
    assert wrong == []
    # the test met every kind of cost page and operation, on pages and in the API
    assert all(any(kind in path for path in refused if path.startswith("/api/")) for kind in COSTS), refused
    assert all(any(kind in path for path in refused if not path.startswith("/api/")) for kind in
               ("journal", "invoice", "report", "suspense", "periods", "units/3110/2026")), refused
    assert len(refused) > 150
