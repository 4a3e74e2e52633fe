"""A unit moved to another administration from a date in a closed month: the closed months keep
their figures per administration, the open ones follow the move; the command, API and page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.access.models import Role
from ledger.allocation import periods
from ledger.budgets import costs
from ledger.core.errors import Conflict
from ledger.organisation import service as units
from tests.conftest import csrf_token, log_in
from tests.factories import build_year, save

TODAY = date(2026, 6, 15)


def _per_administration(org) -> dict[str, tuple[list[Decimal], list[Decimal]]]:
    """Each administration's monthly budget and actual (all categories summed)."""
    rollup = costs.rollup(org.id, 2026, TODAY)
    return {admin.code: ([table.month_budget(m) for m in range(1, 13)],
                         [sum((row[m - 1] for row in table.actual.values()), Decimal("0.00")) for m in range(1, 13)])
            for admin, table in rollup.administrations}


@pytest.fixture
def year(db, org):
    build_year(org)
    for month in ("2026-01", "2026-02", "2026-03"):
        periods.close(None, org.id, month)
    save()
    return org


def test_a_move_from_a_closed_month_leaves_the_closed_months_as_they_were(db, year) -> None:
    before = _per_administration(year)
    units.move_to_administration(None, year.forskola, year.va.administration, date(2026, 2, 1))
    save()
    after = _per_administration(year)
    for code in ("BUF", "SBF", "KS"):
        for figures in (0, 1):  # budget, actual
            assert after[code][figures][:3] == before[code][figures][:3], (code, figures)
    forskola_april = Decimal("100.00")  # 1 200 a year, phased evenly
    assert after["SBF"][0][3] == before["SBF"][0][3] + forskola_april  # from April the budget follows the move
    assert after["BUF"][0][3] == before["BUF"][0][3] - forskola_april


def test_moving_to_the_same_administration_is_refused(db, year) -> None:
    with pytest.raises(Conflict, match="already belongs"):
        units.move_to_administration(None, year.forskola, year.forskola.administration, date(2026, 5, 1))


def test_the_command_the_api_and_the_page(app, client, db, year, api_headers, make_user) -> None:
    result = app.test_cli_runner().invoke(args=["units", "move", "3110", "--administration", "SBF",
                                                "--from", "2026-02-01"])
    assert result.exit_code == 0 and "3110 Förskolor centrala Karlsborg: BUF → SBF from 2026-02-01" in result.output
    unknown = app.test_cli_runner().invoke(args=["units", "move", "3110", "--administration", "XX",
                                                 "--from", "2026-05-01"])
    assert unknown.exit_code == 1 and "No administration with code XX" in unknown.output
    body = {"administration": "BUF", "valid_from": "2026-05-01"}
    assert client.post("/api/v1/units/3110/administration", json=body,
                       headers=api_headers(Role.DEPARTMENT, ["3110"])).status_code == 403
    moved = client.post("/api/v1/units/3110/administration", json=body, headers=api_headers(Role.FINANCE))
    assert moved.status_code == 200 and moved.json["administration"]["code"] == "BUF"
    admin = make_user(Role.ADMIN)
    log_in(client, admin.username)
    page = client.get("/units/3140").get_data(as_text=True)
    assert 'id="administration"' in page
    done = client.post("/units/3140/administration", data={"administration": "BUF", "valid_from": "2026-06-01",
                                                           "csrf_token": csrf_token(client, "/units/3140")})
    assert done.status_code == 302
    db.expire_all()
    assert year.skola.administration.code == "BUF"
