"""Session log-in for the pages (Flask-Login), and the throttle on it (Flask-Limiter).

A session's cookie names the user and their session generation (``User.get_id``): log-out
and a new password raise the generation, which ends every session issued before on the
server's side. A session ends, too, after ``PERMANENT_SESSION_LIFETIME`` without a request
(``LEDGER_SESSION_IDLE_HOURS``, 8 by default): Flask refuses a cookie signed longer ago, and
every request signs it anew.

Log-in is throttled per account and per address, counting refused attempts only (the views
apply ``limiter``); once an account or an address has used its allowance, even the right
password is refused until the window has passed. The counts live in Redis when
``LEDGER_REDIS_URL`` is set, so that every gunicorn worker shares them; in the process's
memory otherwise (one worker, tests).
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from ledger.access.models import User
from ledger.access.service import user_for_session
from ledger.access.sso import SsoSettings
from ledger.extensions import login_manager

#: Refused log-ins allowed before the pause (``limits`` notation; LEDGER_LOGIN_LIMIT_* override).
PER_ACCOUNT = "10 per 15 minutes"
PER_ADDRESS = "30 per 15 minutes"

limiter = Limiter(get_remote_address, headers_enabled=False)


def setup_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "web.login"
    login_manager.session_protection = "strong"
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("LEDGER_LOGIN_LIMIT_ACCOUNT", PER_ACCOUNT)
    app.config.setdefault("LEDGER_LOGIN_LIMIT_ADDRESS", PER_ADDRESS)
    limiter.init_app(app)
    app.cli.commands.pop("limiter", None)  # its maintenance commands are not the ledger's interface
    _setup_single_sign_on(app)

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        return user_for_session(session_id)


def _setup_single_sign_on(app: Flask) -> None:
    """Register the OpenID Connect provider when one is configured. Authlib keeps the state,
    the nonce and the PKCE verifier in the session and checks the ID token's signature against
    the provider's published keys; its metadata is fetched at the first log-in, not at start."""
    settings = SsoSettings.from_config(app.config)
    if settings is None:
        return
    oauth = OAuth(app)  # one registry per app: tests make apps with different providers
    oauth.register("sso", client_id=settings.client_id, client_secret=settings.client_secret,
                   server_metadata_url=settings.metadata_url,
                   client_kwargs={"scope": settings.scopes, "code_challenge_method": "S256"})
    app.extensions["ledger_sso"] = (settings, oauth.create_client("sso"))


def sso_client() -> tuple[SsoSettings, Any] | None:
    """The provider's settings and Authlib client of this app, or ``None`` without single sign-on."""
    found: tuple[SsoSettings, Any] | None = current_app.extensions.get("ledger_sso")
    return found
