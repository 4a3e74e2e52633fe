"""The demo's two municipalities: Hjo's people open every page Karlsborg's people can, with
Karlsborg's ids, and find nothing of Karlsborg; the contracts both are parties to excepted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from ledger.access.models import User
from ledger.database import db as _db
from ledger.demo import data
from ledger.organisation.models import BudgetUnit, Organisation
from tests.conftest import empty_all_tables, log_in
from tests.every_page import fill, load_demo, may_open, one_login_per_role, page_rules

HJO_USERS = [username for _, username, _, _ in data.HJO_USERS]
#: Karlsborg's units that Hjo's demo has no namesake of: none of them may appear in Hjo's pages.
KARLSBORG_ONLY = ("Kanslienheten", "Ekonomienheten", "Kommunledningskontoret", "VA-verksamheten")
#: Parameters that name no row of one municipality: the framework contracts both are parties
#: to, suppliers, and months and years (Hjo has its own of those).
SHARED_PARAMETERS = {"contract_id", "supplier_id", "period", "year", "month"}


@pytest.fixture(scope="module")
def karlsborg_pages(app: Flask) -> Iterator[dict[str, bool]]:
    """The demo, loaded once; every page of each Karlsborg role → whether it names a row of Karlsborg's."""
    with app.app_context():
        load_demo(app)
        pages: dict[str, bool] = {}
        for login in one_login_per_role():
            user = _db.session.scalars(sa.select(User).where(User.username == login.username)).one()
            if user.organisation.name != "Karlsborgs kommun":
                continue  # the cooperation's administrator works for Skövde
            for rule in page_rules(app):
                if may_open(app, rule, user):
                    pages[fill(rule, user, date.today())] = bool(set(rule.arguments) - SHARED_PARAMETERS)
    yield pages
    with app.app_context():
        _db.session.remove()
        empty_all_tables()


def test_hjo_keeps_a_ledger_of_its_own(app: Flask, karlsborg_pages) -> None:
    with app.app_context():
        hjo = _db.session.scalars(sa.select(Organisation).where(Organisation.name == "Hjo kommun")).one()
        units = set(_db.session.scalars(sa.select(BudgetUnit.name).where(BudgetUnit.organisation_id == hjo.id)))
    assert hjo.keeps_ledger and units == {name for _, name, _, _ in data.HJO_UNITS}


@pytest.mark.parametrize("username", HJO_USERS)
def test_hjo_finds_nothing_of_karlsborg_on_any_page(app: Flask, karlsborg_pages, username: str) -> None:
    client = app.test_client()
    assert log_in(client, username, data.DEMO_PASSWORD).status_code == 302
    problems: list[str] = []
    for path, names_a_row in karlsborg_pages.items():
        page = client.get(path)
        if names_a_row and page.status_code not in (403, 404):
            problems.append(f"{path}: {page.status_code} for a row of Karlsborg's")
        elif page.status_code == 200 and not path.startswith(("/contracts", "/suppliers")):
            shown = [name for name in KARLSBORG_ONLY if name in page.get_data(as_text=True)]
            if shown:
                problems.append(f"{path}: shows {shown}")
    assert problems == [], f"{len(problems)} of {len(karlsborg_pages)} pages show Karlsborg to {username}"
    assert len(karlsborg_pages) > 40 and sum(karlsborg_pages.values()) >= 10
