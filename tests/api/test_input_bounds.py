"""Input the database cannot hold, or a rule that does not exist, is refused in the error shape:
never a server error (each of these answered 500 before)."""

from __future__ import annotations

import pytest

from ledger.access.models import Role
from tests.factories import SUPPLIER, make_supplier


@pytest.mark.parametrize("path", ["/api/v1/contracts/1000000000", "/api/v1/contracts/2147483648",
                                  "/api/v1/invoices/9223372036854775808", "/api/v1/subscriptions/99999999999999999999"])
def test_an_id_no_row_can_have_names_nothing(client, org, api_headers, path: str) -> None:
    response = client.get(path, headers=api_headers(Role.FINANCE))
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_a_supplier_id_no_row_can_have_fails_validation(client, org, api_headers) -> None:
    make_supplier("Operatören AB", SUPPLIER)
    body = {"reference": "KS 2026/1", "title": "Mobil", "supplier_id": 2**63, "categories": ["subscription"],
            "lead": {"organisation_number": SUPPLIER}, "start_date": "2026-01-01", "end_date": "2027-12-31"}
    response = client.post("/api/v1/contracts", headers=api_headers(Role.PROCUREMENT), json=body)
    assert response.status_code == 422
    assert response.json["error"]["details"][0]["field"] == "supplier_id"


def test_an_unknown_rule_fails_validation(client, org, api_headers) -> None:
    response = client.get("/api/v1/journal?rule=nonsense", headers=api_headers(Role.FINANCE))
    assert response.status_code == 422 and response.json["error"]["details"][0]["field"] == "rule"


def test_a_page_past_any_list_fails_validation(client, org, api_headers) -> None:
    response = client.get("/api/v1/subscriptions?page=92233720368547760", headers=api_headers(Role.FINANCE))
    assert response.status_code == 422 and response.json["error"]["details"][0]["field"] == "page"


def test_a_change_to_an_id_no_row_can_have_names_nothing(client, org, api_headers) -> None:
    response = client.patch("/api/v1/handsets/1630188434347141120", headers=api_headers(Role.FINANCE),
                            json={"status": "in_stock"})
    assert response.status_code == 404
