"""The API shell: the OpenAPI document, and errors in one JSON shape."""

from __future__ import annotations

from ledger.access.models import Role


def test_openapi_document_is_served_and_lists_the_units_endpoints(client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/units", "/api/v1/units/{code}"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_unknown_api_path_is_json_404(client, api_headers) -> None:
    response = client.get("/api/v1/nothing-here", headers=api_headers(Role.FINANCE))
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_wrong_method_is_json_405(client, api_headers) -> None:
    response = client.delete("/api/v1/units", headers=api_headers(Role.ADMIN))
    assert response.status_code == 405 and "error" in response.json
