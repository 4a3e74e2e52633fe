"""API tokens: listed and revoked by the CLI and the API, noted when used, expiring, limited."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from ledger.access import service
from ledger.access.models import ApiToken, Role
from ledger.core.errors import Conflict
from ledger.database.types import utcnow
from tests import factories
from tests.factories import make_token, save


def _units(client, token: str):
    return client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})


def test_a_revoked_token_stops_working_at_once(app, client, db, make_user) -> None:
    user = make_user(Role.FINANCE, username="integration")
    token = make_token(user, "SIE hand-over")
    assert _units(client, token).status_code == 200
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["users", "tokens", "integration"])
    assert listed.exit_code == 0 and "active" in listed.output and "SIE hand-over" in listed.output
    token_id = db.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == user.id))
    revoked = runner.invoke(args=["users", "revoke-token", "integration", str(token_id)])
    assert revoked.exit_code == 0, revoked.output
    assert _units(client, token).status_code == 401
    assert "revoked" in runner.invoke(args=["users", "tokens", "integration"]).output


def test_the_admin_lists_and_revokes_tokens_through_the_api(client, db, make_user, api_headers) -> None:
    user = make_user(Role.AUDITOR, username="granskare")
    token = make_token(user, "report robot")
    assert _units(client, token).status_code == 200
    admin = api_headers(Role.ADMIN)
    listed = client.get("/api/v1/users/granskare/tokens", headers=admin)
    assert listed.status_code == 200
    [row] = listed.json
    assert row["label"] == "report robot" and row["state"] == "active" and row["last_used_at"]
    assert "token" not in row and "token_hash" not in row
    assert client.delete(f"/api/v1/users/granskare/tokens/{row['id']}", headers=admin).json["state"] == "revoked"
    assert _units(client, token).status_code == 401
    assert client.get("/api/v1/users/granskare/tokens", headers=api_headers(Role.FINANCE)).status_code == 403


def test_another_municipalitys_admin_sees_nothing(client, db, make_user) -> None:
    make_user(Role.FINANCE, username="karlsborgare")
    hjo_admin = factories.make_user(factories.make_organisation(), Role.ADMIN)
    headers = {"Authorization": f"Bearer {make_token(hjo_admin)}"}
    assert client.get("/api/v1/users/karlsborgare/tokens", headers=headers).status_code == 404


def test_last_used_is_noted_to_the_minute(client, db, make_user) -> None:
    user = make_user(Role.FINANCE)
    token = make_token(user)
    _units(client, token)
    first = db.scalar(sa.select(ApiToken.last_used_at).where(ApiToken.user_id == user.id))
    assert first is not None and utcnow() - first < timedelta(minutes=1)
    _units(client, token)
    db.expire_all()
    assert db.scalar(sa.select(ApiToken.last_used_at).where(ApiToken.user_id == user.id)) == first


def test_an_expired_token_is_refused(app, client, db, make_user) -> None:
    make_user(Role.FINANCE, username="kortlivad")
    result = app.test_cli_runner().invoke(args=["users", "token", "kortlivad", "--expires-in-days", "1"])
    token = result.output.strip().splitlines()[-1]
    assert _units(client, token).status_code == 200
    db.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    save()
    assert _units(client, token).status_code == 401
    assert "expired" in app.test_cli_runner().invoke(args=["users", "tokens", "kortlivad"]).output


def test_a_user_holds_at_most_ten_active_tokens(db, make_user) -> None:
    user = make_user(Role.FINANCE)
    for _ in range(service.MAX_TOKENS):
        service.issue_token(None, user)
    with pytest.raises(Conflict, match="revoke one first"):
        service.issue_token(None, user)
