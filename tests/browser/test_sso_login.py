"""Single sign-on in a real browser against a real OpenID Connect provider: npm's
``oidc-provider`` run with the machine's Node.js (tests/oidc/server.mjs, installed by
``make test``). The ledger discovers the provider, sends the person there, and checks state,
nonce, PKCE and the ID token's signature on the way back (Authlib)."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from ledger import create_app
from ledger.access import sso
from ledger.access.models import Role, User
from tests.conftest import app_config, audit_actions
from tests.factories import save

OIDC = Path(__file__).resolve().parents[1] / "oidc"
NODE = shutil.which("node")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _provider_missing() -> str | None:
    if NODE is None:
        return "Node.js is not installed: the single sign-on test needs it to run a real OpenID Connect provider"
    if not (OIDC / "node_modules" / "oidc-provider").is_dir():
        return "tests/oidc/node_modules is missing: run `make oidc-provider` (npm ci in tests/oidc)"
    return None


@pytest.fixture(scope="module")
def sso_server(database_url: str) -> Iterator[str]:
    """The ledger configured for the provider, served on its own port, and the provider itself."""
    missing = _provider_missing()
    if missing:
        pytest.skip(f"!!! SKIPPED LOUDLY: {missing}")
    provider_port = _free_port()
    issuer = f"http://127.0.0.1:{provider_port}"
    ledger = create_app({**app_config(database_url), "LEDGER_OIDC_ISSUER": issuer, "LEDGER_OIDC_CLIENT_ID": "ledger",
                         "LEDGER_OIDC_CLIENT_SECRET": "ledger-test-secret",
                         "LEDGER_OIDC_SCOPES": "openid email profile groups"})
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, ledger, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    provider = subprocess.Popen([str(NODE), "server.mjs", str(provider_port), f"{base}/login/sso/callback"],
                                cwd=OIDC, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert provider.stdout is not None
    ready = provider.stdout.readline()
    assert ready.startswith(f"ready {issuer}"), provider.stderr.read() if provider.stderr else ready
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        provider.terminate()
        provider.wait(timeout=10)


@pytest.fixture
def groups(db, org, make_user) -> None:
    admin = make_user(Role.ADMIN)
    sso.add_mapping(admin, "GG-Telefoni-Ekonomi", Role.FINANCE, [])
    sso.add_mapping(admin, "GG-Telefoni-Forskola", Role.DEPARTMENT, ["3110"])
    save()


def _log_in_at_the_provider(page, base: str, login: str) -> None:
    page.goto(f"{base}/login")
    page.click("#sso-login")
    page.wait_for_selector("input[name=login]")  # the provider's own page
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any password: the provider's development log-in takes any")
    page.click("button[type=submit]")
    page.click("button:has-text('Continue')")  # consent to the ledger's scopes
    page.wait_for_load_state()


@pytest.mark.usefixtures("groups")
def test_a_finance_officer_logs_in_through_the_municipality_and_gets_the_role_of_their_group(
        page, sso_server, db) -> None:
    _log_in_at_the_provider(page, sso_server, "anna.ekonom")
    assert page.url == f"{sso_server}/"
    assert "Anna Ekonom" in page.locator("header").inner_text()
    user = db.scalar(sa.select(User).where(User.username == "anna.ekonom"))
    assert user is not None and user.role == Role.FINANCE
    assert audit_actions(db, "login.sso")[-1].after["groups"] == ["GG-Telefoni-Ekonomi"]
    page.goto(f"{sso_server}/invoices")  # a finance page: the session works
    assert page.locator("h1").count() == 1 and "/login" not in page.url


@pytest.mark.usefixtures("groups")
def test_a_department_member_sees_only_the_units_of_their_group(page, sso_server, db) -> None:
    _log_in_at_the_provider(page, sso_server, "bo.forskola")
    user = db.scalar(sa.select(User).where(User.username == "bo.forskola"))
    assert user is not None and (user.role, [u.ansvar for u in user.units]) == (Role.DEPARTMENT, ["3110"])
    assert page.goto(f"{sso_server}/units/3110").status == 200
    assert page.goto(f"{sso_server}/units/3140").status == 403


@pytest.mark.usefixtures("groups")
def test_someone_whose_groups_are_not_mapped_is_refused_in_their_language(page, sso_server, db) -> None:
    _log_in_at_the_provider(page, sso_server, "cecilia.okand")
    assert "Ingen av dina grupper ger tillgång till telefoniekonomin" in page.locator("main").inner_text()
    assert db.scalar(sa.select(User).where(User.username == "cecilia.okand")) is None
    assert page.goto(f"{sso_server}/").url.startswith(f"{sso_server}/login")  # not logged in
