"""Shared fixtures: a real database per test session, on the engine ``TEST_DATABASE_URL`` names.

``TEST_DATABASE_URL=sqlite`` (or unset) uses a temporary SQLite file; a ``postgresql://`` URL
makes the suite create its own database next to the one named (and drop it afterwards), so
that parallel workers and runs never see each other's data. The schema is built by the real
Alembic migrations, and every test that uses the database starts from empty tables.

Tests build their data with ``tests/factories.py`` (where they commit) and read it back with the
helpers at the end of this module; ``count_queries`` counts the statements a block sends.
"""

from __future__ import annotations

import os
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from decimal import Decimal

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy.engine import make_url

from ledger import create_app
from ledger.access.models import Role, User
from ledger.allocation.models import JournalEntry, Period
from ledger.audit.models import AuditEvent
from ledger.database import db as _db
from ledger.inventory.models import Asset, Assignment
from ledger.organisation.models import BudgetUnit
from tests import factories
from tests.factories import PASSWORD, Org

# No per-example deadline: CI shares two cores with PostgreSQL and a browser, and a slow example
# is not a wrong one. On CI the examples are derandomised, so a red run reproduces exactly.
settings.register_profile("ledger", deadline=None, print_blob=True, derandomize=bool(os.environ.get("CI")))
settings.load_profile("ledger")

__all__ = ["PASSWORD", "Org", "audit_actions", "count", "csrf_token", "empty_all_tables", "engine_name", "history",
           "journal_sums", "journal_total", "log_in", "required_permission"]

ENGINE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite")


def engine_name() -> str:
    return "postgresql" if ENGINE_URL.startswith("postgres") else "sqlite"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run on SQLite only: pages behave the same on either engine (the HTTP tests
    cover both), and a second browser run would only double the suite's slowest part."""
    if engine_name() == "sqlite":
        return
    once = pytest.mark.skip(reason="browser tests run on SQLite only; the HTTP tests cover PostgreSQL")
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(once)


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
    """The database session inside an app context; all tables are emptied after the test.

    Emptying rather than one rolled-back transaction per test: the tests commit for real, as
    requests and commands do, so row locks, the unit of work and two concurrent requests are
    tested as they run (docs/architecture.md has the measurements)."""
    with app.app_context():
        yield _db.session
        _db.session.rollback()
        _db.session.remove()
        empty_all_tables()


def empty_all_tables() -> None:
    """DELETE every row, children first. Also on PostgreSQL: TRUNCATE of some thirty tables
    costs 0.1-0.5 s a test there, DELETE of the few rows a test writes 15 ms. Identities are
    not reset, so no test may count on an id."""
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as conn:
        for table in tables:
            conn.execute(sa.text(f"DELETE FROM {table}"))


@pytest.fixture
def org(db: sa.orm.scoped_session) -> Org:
    """Karlsborg in miniature (``factories.make_org``)."""
    return factories.make_org()


UserFactory = Callable[..., User]


@pytest.fixture
def make_user(db: sa.orm.scoped_session, org: Org) -> UserFactory:
    """``make_user(Role.FINANCE)`` or ``make_user(Role.DEPARTMENT, units=["3110"])``: a user of ``org``."""

    def factory(role: Role, units: tuple[str, ...] | list[str] = (), username: str | None = None) -> User:
        return factories.make_user(org, role, units, username=username)

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
        return {"Authorization": f"Bearer {factories.make_token(make_user(role, units))}"}

    return factory


QueryCounter = Callable[[], AbstractContextManager[list[str]]]


@pytest.fixture
def count_queries(db: sa.orm.scoped_session) -> QueryCounter:
    """``with count_queries() as statements: ...``: the SQL statements the engine ran in the
    block, the requests of the test client included (they share the engine)."""
    engine = _db.engine

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            statements.append(statement)

        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)

    return counting


def required_permission(view: Callable[..., object]) -> str | None:
    """The permission a view's ``@require`` checks, through the decorators around it."""
    while view is not None:
        if hasattr(view, "required_permission"):
            return view.required_permission
        view = getattr(view, "__wrapped__", None)
    return None


# --- reading back what a test did --------------------------------------------------------------


def count(db: sa.orm.scoped_session, model: type) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(model))


def audit_actions(db: sa.orm.scoped_session, action: str | None = None) -> list[AuditEvent]:
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.scalars(query))


def history(asset: Asset) -> list[tuple[str, date, date | None]]:
    """An asset's assignments as (ansvar, first day, first day after), oldest first."""
    rows = _db.session.scalars(sa.select(Assignment).where(Assignment.asset_id == asset.id)
                               .order_by(Assignment.valid_from))
    return [(row.unit.ansvar, row.valid_from, row.valid_to) for row in rows]


def journal_sums(period: str = "2026-03", by: str = "unit") -> dict[str | None, Decimal]:
    """Net amount per ansvar (``by="unit"``) or per account of the entries booked in ``period``."""
    column = BudgetUnit.ansvar if by == "unit" else JournalEntry.account
    rows = _db.session.execute(
        sa.select(column, JournalEntry.amount).join(Period, Period.id == JournalEntry.period_id)
        .outerjoin(BudgetUnit, BudgetUnit.id == JournalEntry.unit_id).where(Period.period == period))
    sums: dict[str | None, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for key, amount in rows:
        sums[key] += amount
    return dict(sums)


def journal_total(period: str = "2026-03") -> Decimal:
    return sum(journal_sums(period).values(), Decimal("0.00"))
