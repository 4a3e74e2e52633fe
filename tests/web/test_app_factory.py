"""The app starts from its environment, and bad configuration fails with one clear line."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ledger import create_app
from ledger.config import ConfigError, normalise_database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("DATABASE_URL", "SECRET_KEY", "LEDGER_LOCALE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEDGER_INSTANCE_PATH", str(tmp_path))
    return tmp_path


def test_defaults_use_sqlite_in_instance_and_swedish(clean_env: Path) -> None:
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{clean_env / 'ledger.db'}"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "sv"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_secret_key_is_generated_once_kept_private_and_reused(clean_env: Path) -> None:
    first = create_app().config["SECRET_KEY"]
    key_file = clean_env / "secret_key"
    assert key_file.read_text() == first and len(first) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert create_app().config["SECRET_KEY"] == first


def test_secret_key_from_environment_wins(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert create_app().config["SECRET_KEY"] == "from-env"
    assert not (clean_env / "secret_key").exists()


def test_english_locale_from_environment(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_LOCALE", "en_GB")
    assert create_app().config["BABEL_DEFAULT_LOCALE"] == "en"


def test_config_mapping_overrides_environment(clean_env: Path) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://u@db.example/ledger", "TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/ledger"
    assert app.testing


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql+psycopg://u@h:5433/db", "postgresql+psycopg://u@h:5433/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls_are_normalised(raw: str, expected: str) -> None:
    assert normalise_database_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not a url", "not a database URL"),
        ("mysql://root@localhost/x", "supported are sqlite"),
        ("sqlite://", "names no SQLite file"),
    ],
)
def test_bad_database_urls_are_refused(raw: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        normalise_database_url(raw)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/x", "supported are sqlite"),
        ("postgresql://nobody@127.0.0.1:9/none", "cannot connect to DATABASE_URL"),
    ],
)
def test_flask_command_with_bad_database_url_prints_one_line(tmp_path: Path, url: str, message: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "LEDGER_INSTANCE_PATH": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "current"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0] and lines[0].startswith("ledger: configuration error")
