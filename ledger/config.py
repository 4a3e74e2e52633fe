"""Configuration from the environment.

Three variables matter (see README): ``DATABASE_URL``, ``SECRET_KEY`` and ``LEDGER_LOCALE``.
Everything else has a sensible default and can be overridden by the ``config`` mapping given to
``create_app`` (tests do that).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}
DEFAULT_LOCALE = "sv_SE"
SUPPORTED_LANGUAGES = ("sv", "en")


class ConfigError(RuntimeError):
    """A configuration value that makes starting pointless; its message is one line."""


def normalise_database_url(raw: str) -> str:
    """Validate ``DATABASE_URL`` and pin the driver we ship (psycopg 3 for PostgreSQL).

    Accepts ``sqlite:///path``, ``postgresql://…``, ``postgres://…`` (Heroku style) and
    ``postgresql+psycopg://…``; anything else fails with a one-line reason.
    """
    try:
        url: URL = make_url(raw.replace("postgres://", "postgresql://", 1) if raw.startswith("postgres://") else raw)
    except ArgumentError:
        raise ConfigError(f"DATABASE_URL is not a database URL: {raw!r}") from None
    backend = url.get_backend_name()
    if backend not in SUPPORTED_DRIVERS:
        raise ConfigError(
            f"DATABASE_URL uses {backend!r}; supported are sqlite:/// and postgresql:// ({raw!r})"
        )
    if url.drivername != SUPPORTED_DRIVERS[backend] and url.drivername not in {"sqlite+pysqlite"}:
        url = url.set(drivername=SUPPORTED_DRIVERS[backend])
    if backend == "sqlite" and not url.database:
        raise ConfigError(f"DATABASE_URL names no SQLite file: {raw!r} (use sqlite:////abs/path.db)")
    return url.render_as_string(hide_password=False)


def secret_key(instance_path: Path) -> str:
    """``SECRET_KEY`` from the environment, else one generated once into ``instance/``.

    The generated key is kept (mode 0600) so that sessions survive a restart, and it never
    enters the repository because ``instance/`` is ignored.
    """
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def from_environment(instance_path: Path) -> dict[str, Any]:
    """The configuration a deployment gets from its environment variables."""
    default_db = f"sqlite:///{instance_path / 'ledger.db'}"
    locale = os.environ.get("LEDGER_LOCALE", DEFAULT_LOCALE)
    if locale.split("_")[0] not in SUPPORTED_LANGUAGES:
        raise ConfigError(f"LEDGER_LOCALE {locale!r} is not supported; use sv_SE or en_GB")
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", default_db),
        "SECRET_KEY": secret_key(instance_path),
        "LEDGER_LOCALE": locale,
        "BABEL_DEFAULT_LOCALE": locale.split("_")[0],
        "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
        "MAX_CONTENT_LENGTH": int(os.environ.get("LEDGER_MAX_UPLOAD_MB", "50")) * 1024 * 1024,
        # Who a report made by a command says made it; empty: "<organisation> (system)".
        "LEDGER_REPORT_AUTHOR": os.environ.get("LEDGER_REPORT_AUTHOR", ""),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure cookies unless explicitly served over plain HTTP on localhost (``make run``).
        "SESSION_COOKIE_SECURE": os.environ.get("LEDGER_INSECURE_COOKIES") != "1",
        "REMEMBER_COOKIE_SECURE": os.environ.get("LEDGER_INSECURE_COOKIES") != "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=float(os.environ.get("LEDGER_SESSION_IDLE_HOURS", "8"))),
        # Log-in throttling counts: shared by every worker in Redis, else in this process.
        "RATELIMIT_STORAGE_URI": os.environ.get("LEDGER_REDIS_URL") or "memory://",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # The municipality commands work on when several keep a ledger here (organisationsnummer).
        "LEDGER_ORGANISATION": os.environ.get("LEDGER_ORGANISATION", ""),
        # Months after a subscription or handset ends before its names become pseudonyms (docs/privacy.md).
        "LEDGER_PRIVACY_RETENTION_MONTHS": _retention_months(),
        **_operations_settings(),
        **_private_use_rules(),
        **_single_sign_on_settings(),
        "API_TITLE": "Telephony ledger API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
    }


LOG_FORMATS = ("text", "json")


def _retention_months() -> int:
    months = os.environ.get("LEDGER_PRIVACY_RETENTION_MONTHS", "24")
    if not months.isdigit() or int(months) < 1:
        raise ConfigError(f"LEDGER_PRIVACY_RETENTION_MONTHS {months!r} is not a number of months (1, 2 ... 24)")
    return int(months)


def _operations_settings() -> dict[str, Any]:
    """Logging and the reverse proxy (docs/operations.md)."""
    log_format = os.environ.get("LEDGER_LOG_FORMAT", "text")
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"LEDGER_LOG_FORMAT {log_format!r} is not supported; use text or json")
    hops = os.environ.get("LEDGER_PROXY_HOPS", "0")
    if not hops.isdigit():
        raise ConfigError(f"LEDGER_PROXY_HOPS {hops!r} is not a number of proxies (0, 1, 2 ...)")
    return {"LEDGER_LOG_FORMAT": log_format, "LEDGER_LOG_LEVEL": os.environ.get("LEDGER_LOG_LEVEL", "INFO"),
            "LEDGER_PROXY_HOPS": int(hops)}


def _private_use_rules() -> dict[str, Any]:
    """The private-use indicator rules (docs/operations.md), read and checked at the start: a
    mistake in the file stops it with one line naming file, line and field."""
    from ledger.private_use.rules import ENVIRONMENT, RulesError, load_rules

    path = os.environ.get(ENVIRONMENT, "")
    try:
        load_rules(path or None)
    except RulesError as error:
        raise ConfigError(f"{ENVIRONMENT}: {error.message}") from None
    return {ENVIRONMENT: path}


def _single_sign_on_settings() -> dict[str, Any]:
    """The OpenID Connect provider (docs/operations.md, "Single sign-on"); none by default."""
    issuer = os.environ.get("LEDGER_OIDC_ISSUER", "")
    client_id = os.environ.get("LEDGER_OIDC_CLIENT_ID", "")
    client_secret = os.environ.get("LEDGER_OIDC_CLIENT_SECRET", "")
    if issuer and not (client_id and client_secret):
        raise ConfigError("LEDGER_OIDC_ISSUER is set: LEDGER_OIDC_CLIENT_ID and LEDGER_OIDC_CLIENT_SECRET "
                          "are needed too")
    local = os.environ.get("LEDGER_LOCAL_LOGIN", "1")
    if local not in ("0", "1"):
        raise ConfigError(f"LEDGER_LOCAL_LOGIN {local!r}: use 1 (user name and password allowed) or 0 (turned off)")
    return {"LEDGER_OIDC_ISSUER": issuer, "LEDGER_OIDC_CLIENT_ID": client_id,
            "LEDGER_OIDC_CLIENT_SECRET": client_secret,
            "LEDGER_OIDC_SCOPES": os.environ.get("LEDGER_OIDC_SCOPES", "openid email profile"),
            "LEDGER_OIDC_USERNAME_CLAIM": os.environ.get("LEDGER_OIDC_USERNAME_CLAIM", "preferred_username"),
            "LEDGER_OIDC_GROUPS_CLAIM": os.environ.get("LEDGER_OIDC_GROUPS_CLAIM", "groups"),
            "LEDGER_LOCAL_LOGIN": local == "1"}
