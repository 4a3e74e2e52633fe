"""The budget units through the API: who sees which, what a unit carries, the list's queries."""

from __future__ import annotations

import pytest

from ledger.access.models import Role
from tests.conftest import log_in
from tests.factories import make_administration, make_unit


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FINANCE, Role.PROCUREMENT, Role.AUDITOR])
def test_roles_that_read_everything_see_every_unit(client, api_headers, role: Role) -> None:
    units = client.get("/api/v1/units", headers=api_headers(role)).json
    assert [u["code"] for u in units] == ["1110", "2150", "3110", "3140"]


def test_unit_carries_its_administration_and_flags(client, api_headers) -> None:
    unit = client.get("/api/v1/units/2150", headers=api_headers(Role.FINANCE)).json
    assert unit == {
        "code": "2150", "name": "VA-verksamheten", "fee_funded": True, "carries_switchboard": False,
        "administration": {"code": "SBF", "name": "Samhällsbyggnadsförvaltningen"},
        "activity_code": None, "closed_on": None,
    }


def test_unknown_unit_is_404_in_the_error_shape(client, api_headers) -> None:
    response = client.get("/api/v1/units/9999", headers=api_headers(Role.FINANCE))
    assert response.status_code == 404
    assert response.json["error"] == {"code": "not_found", "message": "No budget unit with ansvar 9999",
                                      "details": []}


@pytest.mark.parametrize("path", ["/api/v1/units", "/"])
def test_the_units_list_reads_in_a_fixed_number_of_queries(client, db, org, api_headers, make_user, count_queries,
                                                           path: str) -> None:
    """Units in administrations of their own: the list through the API, and the start page's tree."""
    codes = ["1110", "2150", "3110", "3140"]
    if path == "/":
        log_in(client, make_user(Role.AUDITOR).username)
        headers: dict[str, str] = {}
    else:
        headers = api_headers(Role.AUDITOR)
    client.get(path, headers=headers)

    def statements(units: int) -> int:
        for _ in range(units):
            ansvar = f"5{len(codes) - 3:03d}"
            make_unit(org, ansvar, f"Enhet {ansvar}",
                      administration=make_administration(org, f"A{ansvar}", f"Förvaltning {ansvar}"))
            codes.append(ansvar)
        with count_queries() as seen:
            response = client.get(path, headers=headers)
        assert response.status_code == 200
        if path == "/":
            text = response.get_data(as_text=True)
            assert all(f"Enhet {code}" in text and f"Förvaltning {code}" in text for code in codes[4:])
        else:
            assert [u["code"] for u in response.json] == codes
            assert response.json[-1]["administration"]["name"] == f"Förvaltning {codes[-1]}"
        return len(seen)

    assert statements(2) == statements(12)
