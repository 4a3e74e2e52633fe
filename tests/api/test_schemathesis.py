"""The API answers as its OpenAPI document says: schemathesis makes requests for every operation
from ``/api/openapi.json`` and checks each answer: never a server error, a status the document
names for the operation, and a body that matches the document's schema for that status.

The requests go to the app in-process, on the demo ledger (``demo load``), so that many of them
find real units, subscriptions, contracts and periods, each as a demo user who may make it. Every status an answer
may have is documented, so the order the operations run in does not matter.

Five examples an operation, the same ones every run; ``LEDGER_API_EXAMPLES=50`` looks further.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from flask import Flask
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from ledger import create_app
from ledger.access.models import User
from ledger.access.permissions import PERMISSIONS, allowed
from ledger.access.service import issue_token
from ledger.api.openapi import required_permission
from ledger.database import db
from ledger.demo.loader import load as load_demo
from tests.conftest import empty_all_tables, engine_name

pytestmark = pytest.mark.skipif(
    engine_name() != "sqlite",
    reason="the API's contract is the same on either engine: it is fuzzed once, on SQLite, to keep the suite short")

#: A few examples of each operation, none of the slower phases: the suite runs this on two cores.
CONFIG = schemathesis.Config.from_dict({
    "generation": {"max-examples": int(os.environ.get("LEDGER_API_EXAMPLES", "5")), "mode": "all",
                   "deterministic": True},
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
})
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


#: Who makes each request: the first of these demo users who holds the operation's permission,
#: so that every operation is tried past its permission check.
USERS = ("ekonomi", "admin", "upphandling", "revisor", "forskola")


@pytest.fixture(scope="module")
def headers_by_permission(app: Flask) -> Iterator[dict[str, dict[str, str]]]:
    """The demo ledger, and for each permission the bearer token of a user who holds it; the
    tables are emptied afterwards."""
    with app.app_context():
        load_demo()
        db.session.commit()
        users = [db.session.scalar(sa.select(User).where(User.username == name)) for name in USERS]
        tokens = {user.username: {"Authorization": f"Bearer {issue_token(None, user, 'contract test')}"}
                  for user in users}
        db.session.commit()
        headers = {permission: tokens[user.username] for permission in PERMISSIONS
                   for user in [next((u for u in users if allowed(u, permission)), None)] if user is not None}
    yield headers
    with app.app_context():
        db.session.remove()
        empty_all_tables()


def permission_of(app: Flask, method: str, path: str) -> str:
    """The permission the view behind ``method path`` (an OpenAPI path) requires."""
    for rule in app.url_map.iter_rules():
        if method.upper() in (rule.methods or ()) and re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule) == path:
            permission = required_permission(app.view_functions[rule.endpoint])
            assert permission is not None, f"{method} {path} requires no permission"
            return permission
    raise LookupError(f"no route for {method} {path}")


def _document() -> Any:
    """The OpenAPI document, read when the tests are collected (before the session's app and
    database exist) from an app that serves nothing else."""
    previous = os.environ.get("LEDGER_INSTANCE_PATH")
    instance = tempfile.mkdtemp(prefix="ledger-openapi-")
    os.environ["LEDGER_INSTANCE_PATH"] = instance
    try:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/unused.db",
                          "SECRET_KEY": "openapi"})
        return schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=CONFIG)
    finally:
        if previous is None:
            os.environ.pop("LEDGER_INSTANCE_PATH")
        else:
            os.environ["LEDGER_INSTANCE_PATH"] = previous


schema = _document()


@schema.parametrize()
def test_the_api_answers_as_its_document_says(case: schemathesis.Case, app: Flask,
                                              headers_by_permission: dict[str, dict[str, str]]) -> None:
    headers = headers_by_permission[permission_of(app, case.method, case.path)]
    response = case.call(app=app, headers=headers)
    case.validate_response(response, checks=CHECKS)
