"""Session log-in for the pages (Flask-Login)."""

from __future__ import annotations

from flask import Flask

from ledger.access.models import User
from ledger.database import db
from ledger.extensions import login_manager


def setup_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "web.login"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None
