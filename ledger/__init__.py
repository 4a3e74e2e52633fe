"""The telephony procurement and cost-allocation ledger (Flask application factory)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from ledger.config import ConfigError, from_environment, normalise_database_url

__all__ = ["ConfigError", "check_database", "create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, auth, errors, API, pages, commands."""
    # instance/ holds the SQLite file and the generated secret key; LEDGER_INSTANCE_PATH moves it.
    app = Flask(__name__, instance_relative_config=True, instance_path=os.environ.get("LEDGER_INSTANCE_PATH"))
    _configure(app, config)
    _setup_operations(app)
    _setup_extensions(app)
    _setup_babel(app)
    _setup_auth(app)
    _setup_errors(app)
    _setup_security_headers(app)
    _setup_api(app)
    _setup_web(app)
    _setup_transactions(app)
    _setup_cli(app)
    return app


def _configure(app: Flask, config: Mapping[str, Any] | None) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(from_environment(instance))
    if config:
        app.config.from_mapping(config)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])


def _setup_operations(app: Flask) -> None:
    """Logs to stdout, the health probes, and the client's address as the proxies saw it."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from ledger.web.health import register_health
    from ledger.web.request_log import setup_request_log

    setup_request_log(app)
    register_health(app)
    hops = app.config["LEDGER_PROXY_HOPS"]
    if hops:
        # Trust exactly as many X-Forwarded-* hops as there are proxies: one more would let a
        # client choose its own address (and so its log-in throttling count).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]


def _setup_extensions(app: Flask) -> None:
    from ledger.database import db
    from ledger.extensions import csrf, migrate
    from ledger.features import load_models

    load_models()

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _sqlite_pragmas(app)


def _sqlite_pragmas(app: Flask) -> None:
    """Foreign keys on, WAL for concurrent readers, a busy timeout instead of instant errors."""
    import sqlalchemy as sa

    from ledger.database import db

    with app.app_context():
        engine = db.engine

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()


def _setup_babel(app: Flask) -> None:
    from ledger.extensions import babel
    from ledger.i18n import select_locale, template_helpers

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(Path(app.root_path) / "translations"))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(template_helpers())


def _setup_auth(app: Flask) -> None:
    from ledger.access.login import setup_login

    setup_login(app)


def _setup_errors(app: Flask) -> None:
    from ledger.web.errors import register_error_handlers

    register_error_handlers(app)


def _setup_security_headers(app: Flask) -> None:
    from ledger.web.security import setup_security_headers

    setup_security_headers(app)


def _setup_api(app: Flask) -> None:
    from ledger.api import register_api

    register_api(app)


def _setup_web(app: Flask) -> None:
    from jinja2 import FileSystemLoader

    from ledger.features import load_views, template_folders
    from ledger.web import blueprint

    load_views()
    app.register_blueprint(blueprint)
    # Each feature keeps its templates beside its code; the names stay "area/page.html".
    # The web blueprint's own folder (layout, error page) is searched after these.
    app.jinja_loader = FileSystemLoader(template_folders())


def _setup_transactions(app: Flask) -> None:
    from ledger.database.transaction import transactional_views

    transactional_views(app)  # after every blueprint: each request is one unit of work


def _setup_cli(app: Flask) -> None:
    from ledger.cli import register_commands

    register_commands(app)


def check_database(app: Flask) -> None:
    """Connect once, so that an unreachable database fails at start with one line; keep no connection."""
    import sqlalchemy as sa
    from sqlalchemy.exc import SQLAlchemyError

    from ledger.database import db

    with app.app_context():
        try:
            with db.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except SQLAlchemyError as error:
            reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
            raise ConfigError(f"cannot connect to DATABASE_URL ({db.engine.url!r}): {reason}") from None
        finally:
            # gunicorn loads the app once and forks its workers from it: a connection left in the
            # pool would be one socket shared by every worker, whose replies then reach the wrong
            # process (a 500 for the first requests after each start).
            db.engine.dispose()
