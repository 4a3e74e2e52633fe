"""Every list pages the one way (``?page=``, ``?page_size=``, the total in ``X-Pagination``), so no
list is cut without saying so; a ``PATCH`` that changes nothing is refused in the error shape."""

from __future__ import annotations

import json

import pytest

from ledger.access.models import Role
from tests.factories import (
    MARCH,
    SUPPLIER,
    import_invoice,
    line,
    make_contract,
    make_handset,
    make_subscription,
    make_supplier,
)


def pagination(response) -> dict[str, int]:
    return json.loads(response.headers["X-Pagination"])


def test_a_journal_longer_than_a_page_says_how_long_it_is_and_where_the_next_page_is(client, org,
                                                                                   api_headers) -> None:
    make_supplier("Operatören AB", SUPPLIER)
    numbers = [f"07012345{n:02d}" for n in range(5)]
    for number in numbers:
        make_subscription(org, number, org.forskola)
    import_invoice(org, [line(number, "10.00", period=MARCH) for number in numbers])
    headers = api_headers(Role.FINANCE)
    client.post("/api/v1/periods/2026-03/allocate", headers=headers)

    first = client.get("/api/v1/journal?period=2026-03&page_size=2", headers=headers)
    assert len(first.json) == 2
    assert pagination(first) == {"total": 5, "total_pages": 3, "first_page": 1, "last_page": 3, "page": 1,
                                 "next_page": 2}
    last = client.get("/api/v1/journal?period=2026-03&page_size=2&page=3", headers=headers)
    assert len(last.json) == 1 and "next_page" not in pagination(last)
    ids = [entry["id"] for page in (1, 2, 3) for entry in
           client.get(f"/api/v1/journal?period=2026-03&page_size=2&page={page}", headers=headers).json]
    assert len(set(ids)) == 5 and ids == sorted(ids)


@pytest.mark.parametrize("path", ["/api/v1/units", "/api/v1/suppliers", "/api/v1/invoices", "/api/v1/journal",
                                  "/api/v1/suspense", "/api/v1/subscriptions", "/api/v1/directory",
                                  "/api/v1/exports/sie/history", "/api/v1/assignment-requests"])
def test_every_list_sends_its_total(client, org, api_headers, path: str) -> None:
    response = client.get(path, headers=api_headers(Role.FINANCE))
    assert response.status_code == 200, response.json
    assert pagination(response)["total"] == len(response.json)


def test_a_page_larger_than_the_largest_is_refused(client, org, api_headers) -> None:
    response = client.get("/api/v1/units?page_size=1001", headers=api_headers(Role.FINANCE))
    assert response.status_code == 422 and response.json["error"]["code"] == "validation_failed"


def test_the_directory_as_csv_is_whole(client, org, api_headers) -> None:
    make_subscription(org, "0701234567", org.forskola)
    make_subscription(org, "0701234568", org.forskola)
    response = client.get("/api/v1/directory?format=csv&page_size=1", headers=api_headers(Role.FINANCE))
    assert response.mimetype == "text/csv"
    assert response.get_data(as_text=True).count("+4670123456") == 2


def _targets(org) -> dict[str, int]:
    supplier = make_supplier("Operatören AB", SUPPLIER)
    return {"contracts": make_contract(org, supplier).id, "subscriptions": make_subscription(org).id,
            "handsets": make_handset(org).id}


@pytest.mark.parametrize("body", [{}, None])
@pytest.mark.parametrize("collection", ["contracts", "subscriptions", "handsets"])
def test_a_patch_that_names_no_field_is_refused(client, org, api_headers, collection: str, body) -> None:
    role = Role.PROCUREMENT if collection == "contracts" else Role.FINANCE
    target = _targets(org)[collection]
    response = client.patch(f"/api/v1/{collection}/{target}", headers=api_headers(role), json=body)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_failed"
    assert set(response.json["error"]) == {"code", "message", "details"}
