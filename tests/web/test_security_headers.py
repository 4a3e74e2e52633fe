"""Security headers on a page, an API answer, an error and a file."""

from __future__ import annotations

import pytest

from ledger.access.models import Role
from ledger.web.security import CONTENT_SECURITY_POLICY

EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _assert_headers(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("path", "status"), [("/login", 200), ("/no-such-page", 404), ("/api/v1/units", 401),
                                              ("/static/ledger/ledger.css", 200)])
def test_every_kind_of_answer_carries_the_headers(client, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    _assert_headers(response)


def test_an_api_answer_carries_them_and_no_hsts_over_plain_http(client, api_headers) -> None:
    response = client.get("/api/v1/units", headers=api_headers(Role.FINANCE))
    assert response.status_code == 200
    _assert_headers(response)
    assert "Strict-Transport-Security" not in response.headers  # the tests' cookies are not secure


def test_hsts_when_cookies_are_secure(app, client, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    assert client.get("/login").headers["Strict-Transport-Security"].startswith("max-age=31536000")
