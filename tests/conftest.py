"""Shared fixtures: a real database per test session, on the engine ``TEST_DATABASE_URL`` names.

``TEST_DATABASE_URL=sqlite`` (or unset) uses a temporary SQLite file; a ``postgresql://`` URL
makes the suite create its own database next to the one named (and drop it afterwards), so
that parallel workers and runs never see each other's data. The schema is built by the real
Alembic migrations, and every test that uses the database starts from empty tables.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy.engine import make_url

from ledger import create_app
from ledger.access.models import Role, User
from ledger.access.service import create_user, issue_token
from ledger.database import db as _db
from ledger.organisation.models import Administration, BudgetUnit, Organisation

# No per-example deadline: CI shares two cores with PostgreSQL and a browser, and a slow example
# is not a wrong one. On CI the examples are derandomised, so a red run reproduces exactly.
settings.register_profile("ledger", deadline=None, print_blob=True, derandomize=bool(os.environ.get("CI")))
settings.load_profile("ledger")

PASSWORD = "correct-horse-battery"
ENGINE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite")


def engine_name() -> str:
    return "postgresql" if ENGINE_URL.startswith("postgres") else "sqlite"


def pytest_report_header() -> str:
    return f"database engine: {engine_name()} ({'temporary file' if engine_name() == 'sqlite' else ENGINE_URL})"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database for this session (this xdist worker)."""
    if engine_name() == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'ledger.db'}"
        return
    base = make_url(ENGINE_URL.replace("postgresql+psycopg", "postgresql"))
    name = f"ledger_test_{uuid.uuid4().hex[:10]}"
    admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in a fresh app context, as in production.

    Tests hold an app context for their own database work; without this, Flask would reuse
    it for the requests, and ``g`` (the logged-in user, the CSRF token) and the database
    session would leak from one request into the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def app_config(database_url: str) -> dict[str, object]:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "BABEL_DEFAULT_LOCALE": "sv",
    }


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application on the session's database, migrated by Alembic to the newest schema."""
    from flask_migrate import upgrade

    instance = tmp_path_factory.mktemp("instance")
    os.environ["LEDGER_INSTANCE_PATH"] = str(instance)
    application = create_app(app_config(database_url))
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        _db.engine.dispose()


@pytest.fixture
def db(app: Flask) -> Iterator[sa.orm.scoped_session]:
    """The database session inside an app context; all tables are emptied after the test."""
    with app.app_context():
        yield _db.session
        _db.session.rollback()
        _db.session.remove()
        empty_all_tables()


def empty_all_tables() -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(sa.text(f"DELETE FROM {table}"))


@dataclass
class Org:
    """A small organisation: kanslienheten (switchboard), VA (fee-funded), two others."""

    organisation: Organisation
    kansli: BudgetUnit
    va: BudgetUnit
    forskola: BudgetUnit
    skola: BudgetUnit

    @property
    def id(self) -> int:
        return self.organisation.id


@pytest.fixture
def org(db: sa.orm.scoped_session) -> Org:
    return make_org(db)


def make_org(db: sa.orm.scoped_session) -> Org:
    """Karlsborg in miniature (see ``Org``), committed."""
    organisation = Organisation(name="Karlsborgs kommun", organisation_number="212000-1629",
                                municipality_code="1446", keeps_ledger=True)
    db.add(organisation)
    db.flush()
    ks = Administration(organisation_id=organisation.id, code="KS", name="Kommunstyrelseförvaltningen")
    sbf = Administration(organisation_id=organisation.id, code="SBF", name="Samhällsbyggnadsförvaltningen")
    buf = Administration(organisation_id=organisation.id, code="BUF", name="Barn- och utbildningsförvaltningen")
    db.add_all([ks, sbf, buf])
    db.flush()

    def unit(admin: Administration, ansvar: str, name: str, **flags: bool) -> BudgetUnit:
        row = BudgetUnit(organisation_id=organisation.id, administration_id=admin.id, ansvar=ansvar,
                         name=name, **flags)
        db.add(row)
        return row

    result = Org(
        organisation,
        kansli=unit(ks, "1110", "Kanslienheten", carries_switchboard=True),
        va=unit(sbf, "2150", "VA-verksamheten", fee_funded=True),
        forskola=unit(buf, "3110", "Förskolor centrala Karlsborg"),
        skola=unit(buf, "3140", "Ekbackeskolan"),
    )
    db.commit()
    return result


UserFactory = Callable[..., User]


@pytest.fixture
def make_user(db: sa.orm.scoped_session, org: Org) -> UserFactory:
    """``make_user(Role.FINANCE)`` or ``make_user(Role.DEPARTMENT, units=["3110"])``."""

    def factory(role: Role, units: tuple[str, ...] | list[str] = (), username: str | None = None) -> User:
        user = create_user(None, organisation_id=org.id, username=username or f"{role.value}-{uuid.uuid4().hex[:6]}",
                           password=PASSWORD, role=role, unit_codes=list(units))
        db.commit()
        return user

    return factory


@pytest.fixture
def client(app: Flask, db: sa.orm.scoped_session) -> FlaskClient:
    return app.test_client()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token a real browser would find in the page's form."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, f"no CSRF token in {path}"
    return match.group(1)


def log_in(client: FlaskClient, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client)})


@pytest.fixture
def api_headers(db: sa.orm.scoped_session, make_user: UserFactory) -> Callable[..., dict[str, str]]:
    """``api_headers(Role.AUDITOR)`` → headers with a fresh bearer token for a new user."""

    def factory(role: Role, units: tuple[str, ...] | list[str] = ()) -> dict[str, str]:
        user = make_user(role, units)
        token = issue_token(None, user)
        db.commit()
        return {"Authorization": f"Bearer {token}"}

    return factory
