"""Health endpoints for the load balancer and the service manager.

``/healthz`` answers as long as the process serves requests; ``/readyz`` only when the database
answers and its schema is at the migrations' head, so that a worker started before
``flask db upgrade`` is not sent traffic. Both are public (a probe carries no session) and say
nothing about the ledger's content.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from ledger.database import db

blueprint = Blueprint("health", __name__)

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@lru_cache(maxsize=1)
def migration_heads() -> tuple[str, ...]:
    """The revisions the code expects (read once: they change only with a new release)."""
    return tuple(sorted(ScriptDirectory(str(MIGRATIONS)).get_heads()))


def database_revisions() -> tuple[str, ...]:
    """The revisions the database is at; raises ``SQLAlchemyError`` when it cannot be reached."""
    with db.engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
        return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


@blueprint.get("/healthz")
def healthz() -> Any:
    return jsonify({"status": "ok"})


@blueprint.get("/readyz")
def readyz() -> Any:
    expected = migration_heads()
    try:
        current = database_revisions()
    except SQLAlchemyError:
        # The reason goes to the log, not to an unauthenticated caller.
        current_app.logger.exception("readiness: the database cannot be reached")
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    ready = current == expected
    body = {"status": "ready" if ready else "migrations_pending", "database": "ok",
            "migrations": {"current": list(current), "expected": list(expected)}}
    return jsonify(body), 200 if ready else 503


def register_health(app: Flask) -> None:
    app.register_blueprint(blueprint)
