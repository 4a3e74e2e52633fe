"""The API skeleton: OpenAPI document, units, error shape."""

from __future__ import annotations

import pytest

from ledger.access.models import Role


def test_openapi_document_is_served_and_lists_the_units_endpoints(client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/units", "/api/v1/units/{code}"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


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


def test_unknown_api_path_is_json_404(client, api_headers) -> None:
    response = client.get("/api/v1/nothing-here", headers=api_headers(Role.FINANCE))
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_wrong_method_is_json_405(client, api_headers) -> None:
    response = client.delete("/api/v1/units", headers=api_headers(Role.ADMIN))
    assert response.status_code == 405 and "error" in response.json
