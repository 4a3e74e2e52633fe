"""Sessions end when they should: on log-out and a new password (for every saved cookie), and
after the idle lifetime; refused log-ins are throttled and audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner

from ledger.access import service
from ledger.access.login import limiter
from ledger.access.models import Role
from ledger.audit.models import AuditEvent
from tests.conftest import PASSWORD, csrf_token, log_in
from tests.factories import save


def _saved_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replayed(app, cookie: str):
    """A fresh browser that presents a saved session cookie and asks for a finance page."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/invoices")


def test_a_cookie_saved_before_log_out_no_longer_opens_a_page(app, client, make_user) -> None:
    user = make_user(Role.FINANCE)
    assert log_in(client, user.username).status_code == 302
    saved = _saved_cookie(client)
    assert _replayed(app, saved).status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    replay = _replayed(app, saved)
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/login")


def test_a_new_password_ends_every_session(app, client, db, make_user) -> None:
    user = make_user(Role.FINANCE)
    log_in(client, user.username)
    saved = _saved_cookie(client)
    service.set_password(None, user, "an entirely new passphrase")
    save()
    assert _replayed(app, saved).status_code == 302
    assert log_in(client, user.username).status_code == 401
    assert log_in(client, user.username, "an entirely new passphrase").status_code == 302


def test_a_session_ends_after_the_idle_lifetime(app, client, make_user, monkeypatch) -> None:
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=8)
    user = make_user(Role.FINANCE)
    response = log_in(client, user.username)
    assert "Expires=" in response.headers["Set-Cookie"]
    assert client.get("/invoices").status_code == 200
    later = TimestampSigner.get_timestamp

    def eight_hours_and_a_minute_later(signer: TimestampSigner) -> int:
        return later(signer) + 8 * 3600 + 60

    monkeypatch.setattr(TimestampSigner, "get_timestamp", eight_hours_and_a_minute_later)
    assert client.get("/invoices").status_code == 302


@pytest.fixture
def fresh_counts():
    limiter.reset()
    yield
    limiter.reset()



def test_fifty_wrong_passwords_then_the_right_one_is_throttled_and_audited(client, db, make_user,
                                                                           fresh_counts) -> None:
    user = make_user(Role.FINANCE)
    answers = [log_in(client, user.username, "not the password").status_code for _ in range(50)]
    assert answers[:10] == [401] * 10 and set(answers[10:]) == {429}
    right = log_in(client, user.username, PASSWORD)
    assert right.status_code == 429 and "Retry-After" in right.headers
    assert "För många misslyckade inloggningar" in right.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not logged in
    counts = dict(db.execute(sa.select(AuditEvent.action, sa.func.count()).where(
        AuditEvent.entity_id == user.username).group_by(AuditEvent.action)).tuples().all())
    assert counts == {"login.failed": 10, "login.throttled": 41}


def test_another_account_from_the_same_address_is_not_locked_out(client, make_user, fresh_counts) -> None:
    first, second = make_user(Role.FINANCE), make_user(Role.AUDITOR)
    for _ in range(12):
        log_in(client, first.username, "not the password")
    assert log_in(client, second.username).status_code == 302


def test_right_passwords_are_never_counted(client, make_user, fresh_counts) -> None:
    user = make_user(Role.FINANCE)
    for _ in range(15):
        assert log_in(client, user.username).status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
