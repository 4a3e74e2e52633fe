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

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from ledger.access.models import User
from ledger.access.service import user_for_session
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

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        return user_for_session(session_id)
