"""The private-use page, its download, the API, the unit page and the compliance page: who sees
which lines (department users their units' only, another municipality nothing)."""

from __future__ import annotations

import json
import re

import pytest

from ledger.access.models import Role
from tests.conftest import log_in
from tests.factories import make_administration, make_organisation, make_token, make_unit, make_user
from tests.private_use.conftest import PERIOD

AGREED, NONE, LATE = "070-100 00 11", "070-100 00 12", "070-100 00 13"


def text(response) -> str:
    return response.get_data(as_text=True)


def section(page: str, name: str) -> str:
    found = re.search(rf'<section class="card[^"]*" id="{name}">(.*?)</section>', page, re.S)
    assert found, f"no section {name}"
    return found.group(1)


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(user)}"}


def test_the_compliance_page_shows_a_line_without_an_agreement(client, world) -> None:
    log_in(client, make_user(world.org, Role.FINANCE).username)
    page = text(client.get(f"/compliance?period={PERIOD}"))
    found = section(page, "private_use_without_agreement")
    assert "Privat användning utan avtal" in found and "<small>2</small>" in found
    assert f"{NONE} debiterades för betalnummer den 1 mars 2026 utan avtal om privat användning" in found
    assert "59,60\xa0kr" in found and AGREED not in found
    assert f'href="/private-use?period={PERIOD}"' in found


def test_with_an_agreement_the_holders_lines_are_on_the_page_the_download_and_the_api(client, world) -> None:
    finance = make_user(world.org, Role.FINANCE)
    log_in(client, finance.username)
    page = text(client.get(f"/private-use?period={PERIOD}"))
    covered = section(page, "with-agreement")
    assert "Anna Lindqvist" in covered and AGREED in covered and "PA-2025-001" in covered
    assert "167,80\xa0kr" in covered and NONE not in covered
    uncovered = section(page, "without-agreement")
    assert NONE in uncovered and LATE in uncovered and AGREED not in uncovered
    assert f'href="/compliance?period={PERIOD}#private_use_without_agreement"' in uncovered

    download = text(client.get(f"/private-use?period={PERIOD}&agreement=with&format=csv"))
    rows = download.lstrip("\ufeff").splitlines()
    assert len(rows) == 3 and rows[0].startswith("Innehavare;Nummer;")
    assert any(row.startswith(f"Anna Lindqvist;{AGREED};3110 ") and ";118,80" in row for row in rows)
    assert NONE not in download

    answer = client.get(f"/api/v1/private-use?period={PERIOD}", headers=bearer(finance))
    assert answer.status_code == 200 and json.loads(answer.headers["X-Pagination"])["total"] == 3
    mine = next(h for h in answer.json if h["agreement"])
    assert mine["holder_name"] == "Anna Lindqvist" and mine["number"] == "+46701000011"
    assert mine["agreement"] == {"reference": "PA-2025-001", "signed_on": "2025-01-01"}
    assert (mine["period"], mine["total"], mine["line_count"]) == (PERIOD, "167.80", 2)
    assert mine["unit"] == {"ansvar": "3110", "name": "Förskolor centrala Karlsborg"}
    assert [line["id"] for line in mine["lines"]] == [world.call.id, world.content.id]
    assert mine["lines"][0]["kind"] == "premium_rate" and mine["lines"][0]["net_amount"] == "118.80"
    without = client.get(f"/api/v1/private-use?period={PERIOD}&agreement=without", headers=bearer(finance)).json
    assert [(h["number"], h["agreement"]) for h in without] == [("+46701000012", None), ("+46701000013", None)]


def test_the_subscription_page_and_api_give_its_year(client, world) -> None:
    auditor = make_user(world.org, Role.AUDITOR)
    log_in(client, auditor.username)
    page = text(client.get(f"/private-use/subscriptions/{world.agreed.id}?year=2026"))
    assert "Samtal till 0939-10 20 30" in page and "118,80\xa0kr" in page and "PA-2025-001" in page
    assert "Abonnemang Obegränsad" not in page
    answer = client.get(f"/api/v1/private-use/subscriptions/{world.agreed.id}?year=2026", headers=bearer(auditor))
    assert [(h["period"], h["total"]) for h in answer.json] == [(PERIOD, "167.80")]
    assert client.get(f"/api/v1/private-use/subscriptions/{world.agreed.id}?year=2025",
                      headers=bearer(auditor)).json == []


def test_the_unit_page_shows_the_units_private_use_of_the_year(client, world) -> None:
    log_in(client, make_user(world.org, Role.DEPARTMENT, ["3110"]).username)
    mine = section(text(client.get("/units/3110?year=2026")), "private-use")
    assert AGREED in mine and "PA-2025-001" in mine and "Anna Lindqvist" in mine and "167,80\xa0kr" in mine
    assert 'href="/private-use?period=2026-03&amp;unit=3110"' in mine
    log_in(client, make_user(world.org, Role.FINANCE).username)
    school = section(text(client.get("/units/3140?year=2026")), "private-use")
    assert NONE in school and "59,60\xa0kr" in school and AGREED not in school
    assert "inget" in school
    assert NONE not in section(text(client.get("/units/3140?year=2027")), "private-use")


def test_a_department_user_sees_only_their_units_lines(client, world) -> None:
    department = make_user(world.org, Role.DEPARTMENT, ["3110"])
    log_in(client, department.username)
    page = text(client.get(f"/private-use?period={PERIOD}"))
    assert AGREED in page and NONE not in page and LATE not in page
    assert client.get(f"/private-use?period={PERIOD}&unit=3140").status_code == 403
    assert client.get(f"/private-use/subscriptions/{world.none.id}").status_code == 403
    assert NONE not in text(client.get(f"/private-use?period={PERIOD}&format=csv"))
    headers = bearer(department)
    assert [h["number"] for h in client.get(f"/api/v1/private-use?period={PERIOD}", headers=headers).json] == [
        "+46701000011"]
    assert client.get(f"/api/v1/private-use/subscriptions/{world.none.id}", headers=headers).status_code == 403


@pytest.mark.parametrize("role", [Role.FINANCE, Role.AUDITOR, Role.DEPARTMENT])
def test_another_municipality_sees_nothing_and_finds_nothing_by_id(app, world, role) -> None:
    hjo = make_organisation()
    make_administration(hjo, "KS", "Kommunstyrelsen Hjo")
    make_unit(hjo, "9110", "Hjo växel")
    user = make_user(hjo, role, ["9110"] if role == Role.DEPARTMENT else [], username=f"hjo-{role.value}")
    client = app.test_client()
    log_in(client, user.username)
    for path in (f"/private-use?period={PERIOD}", f"/private-use?period={PERIOD}&format=csv"):
        answer = client.get(path)
        assert answer.status_code == 200
        assert not re.search(r"070-100 00 1\d|\+4670100001\d|Anna Lindqvist|PA-2025-001|DM-202603", text(answer))
    assert client.get(f"/private-use?period={PERIOD}&unit=3110").status_code == 404
    for subscription_id in (world.agreed.id, 987654321):
        assert client.get(f"/private-use/subscriptions/{subscription_id}").status_code == 404
        assert client.get(f"/api/v1/private-use/subscriptions/{subscription_id}",
                          headers=bearer(user)).status_code == 404
    assert client.get(f"/api/v1/private-use?period={PERIOD}", headers=bearer(user)).json == []


@pytest.mark.parametrize("role", [Role.PROCUREMENT, Role.ADMIN])
def test_other_roles_may_not_read_private_use(client, world, role) -> None:
    user = make_user(world.org, role)
    log_in(client, user.username)
    assert client.get(f"/private-use?period={PERIOD}").status_code == 403
    assert client.get(f"/api/v1/private-use?period={PERIOD}", headers=bearer(user)).status_code == 403
    assert 'id="private-use"' not in text(client.get("/units/3110?year=2026"))
