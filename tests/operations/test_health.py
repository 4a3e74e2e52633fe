"""The probes a load balancer and a service manager use: ``/healthz`` and ``/readyz``."""

from __future__ import annotations

import sqlalchemy as sa

from ledger.database import db as database
from ledger.web.health import migration_heads


def test_healthz_answers_without_a_session(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_is_ready_when_the_schema_is_at_head(client) -> None:
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["status"] == "ready" and body["database"] == "ok"
    assert body["migrations"]["current"] == body["migrations"]["expected"] == list(migration_heads())
    assert body["migrations"]["expected"][0].startswith("00")


def test_readyz_refuses_traffic_while_migrations_are_pending(client, db) -> None:
    current = db.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    db.rollback()
    _set_revision("0001")
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["status"] == "migrations_pending"
        assert response.get_json()["migrations"]["current"] == ["0001"]
    finally:
        _set_revision(current)


def test_readyz_says_unavailable_when_the_database_is_gone(app, monkeypatch) -> None:
    def unreachable():
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr("ledger.web.health.database_revisions", unreachable)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
    assert "refused" not in response.get_data(as_text=True)  # the reason stays in the log


def _set_revision(revision: str) -> None:
    with database.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
