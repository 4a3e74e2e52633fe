"""Log-in, CSRF, bearer tokens and unit scoping, through HTTP."""

from __future__ import annotations

import pytest

from ledger.access.models import Role
from ledger.access.permissions import PERMISSIONS
from tests.conftest import PASSWORD, csrf_token, log_in, required_permission
from tests.factories import save


@pytest.mark.parametrize("role", list(Role))
def test_every_role_can_log_in_and_sees_the_start_page(client, make_user, role: Role) -> None:
    user = make_user(role, ["3110"] if role == Role.DEPARTMENT else [])
    response = log_in(client, user.username)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    start = client.get("/", follow_redirects=True)
    page = start.get_data(as_text=True)
    assert start.status_code == 200 and user.display_name in page
    expected = {Role.COOPERATION: ("/organisations", "Kommuner i samverkan"),
                Role.CONTACT_CENTRE: ("/inventory/directory", "Telefonkatalog")}
    path, heading = expected.get(role, ("/", "Förvaltningar och enheter"))
    assert start.request.path == path and heading in page


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, make_user) -> None:
    user = make_user(Role.FINANCE)
    response = client.post("/login", data={"username": user.username, "password": "wrong-password",
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 401
    assert "Fel användarnamn eller lösenord." in response.get_data(as_text=True)
    unknown = client.post("/login", data={"username": "nobody", "password": PASSWORD,
                                          "csrf_token": csrf_token(client)})
    assert unknown.status_code == 401
    assert client.get("/").status_code == 302


def test_log_in_without_csrf_token_is_rejected(client, make_user) -> None:
    user = make_user(Role.FINANCE)
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still not logged in


def test_logout_needs_csrf_too(client, make_user) -> None:
    user = make_user(Role.FINANCE)
    log_in(client, user.username)
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/").status_code == 302


def test_pages_redirect_anonymous_users_to_log_in(client) -> None:
    response = client.get("/units/3110")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/units/3110")


def test_log_in_follows_only_local_next(client, make_user) -> None:
    user = make_user(Role.FINANCE)
    response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "next": "https://evil.example/", "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/"


def test_session_cookie_is_http_only(client, make_user) -> None:
    user = make_user(Role.FINANCE)
    response = log_in(client, user.username)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure_by_default(monkeypatch, tmp_path) -> None:
    from ledger import create_app

    monkeypatch.delenv("LEDGER_INSECURE_COOKIES", raising=False)
    monkeypatch.setenv("LEDGER_INSTANCE_PATH", str(tmp_path))
    assert create_app().config["SESSION_COOKIE_SECURE"] is True


def test_department_user_gets_403_for_another_units_page(client, make_user) -> None:
    user = make_user(Role.DEPARTMENT, ["3110"])
    log_in(client, user.username)
    assert client.get("/units/3110").status_code == 200
    refused = client.get("/units/2150")
    assert refused.status_code == 403
    assert "Inte tillåtet" in refused.get_data(as_text=True)
    assert "2150" not in client.get("/").get_data(as_text=True)


def test_department_user_gets_403_for_another_units_api(client, api_headers) -> None:
    headers = api_headers(Role.DEPARTMENT, ["3110"])
    assert client.get("/api/v1/units/3110", headers=headers).status_code == 200
    response = client.get("/api/v1/units/2150", headers=headers)
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert [u["code"] for u in client.get("/api/v1/units", headers=headers).json] == ["3110"]


def test_api_without_or_with_a_bad_token_is_401(client, org) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/units", headers=headers)
        assert response.status_code == 401
        assert response.json == {"error": {"code": "not_authenticated",
                                           "message": "Log in or send a valid bearer token", "details": []}}
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_api_ignores_session_cookies(client, make_user) -> None:
    # A logged-in browser must not be able to call the API: it is CSRF-exempt.
    user = make_user(Role.FINANCE)
    log_in(client, user.username)
    assert client.get("/api/v1/units").status_code == 401


def test_revoked_or_inactive_users_tokens_stop_working(client, db, api_headers) -> None:
    from ledger.access.models import ApiToken, User
    from ledger.database.types import utcnow

    headers = api_headers(Role.AUDITOR)
    assert client.get("/api/v1/units", headers=headers).status_code == 200
    db.query(User).update({"active": False})
    save()
    assert client.get("/api/v1/units", headers=headers).status_code == 401
    db.query(User).update({"active": True})
    db.query(ApiToken).update({"revoked_at": utcnow()})
    save()
    assert client.get("/api/v1/units", headers=headers).status_code == 401


def test_tokens_are_stored_hashed(db, make_user) -> None:
    from ledger.access.models import ApiToken
    from ledger.access.service import issue_token

    token = issue_token(None, make_user(Role.FINANCE))
    stored = db.query(ApiToken).one().token_hash
    assert token not in stored and len(stored) == 64


def test_passwords_are_stored_hashed(db, make_user) -> None:
    user = make_user(Role.FINANCE)
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("scrypt:")


def test_every_route_declares_a_permission(app) -> None:
    """No endpoint may forget the role check: every view except the public ones has one."""
    public = {"static", "web.static", "web.login", "web.logout", "web.language", "api-docs.openapi_json",
              "health.healthz", "health.readyz", "web.sso_login", "web.sso_callback"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in public:
            continue
        view = app.view_functions[rule.endpoint]
        permission = required_permission(view)
        assert permission in PERMISSIONS, f"{rule.rule} ({rule.endpoint}) has no permission check"
