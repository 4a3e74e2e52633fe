"""Department users see and act on their own units' assets only, on every endpoint and page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from ledger.access.models import Role
from ledger.inventory.models import Handset, Subscription
from tests.conftest import csrf_token, log_in, required_permission
from tests.factories import OPERATOR_ORGNR, make_handset, make_imei, make_subscription

START = date(2025, 1, 1)  # the day the register's assets start


@dataclass
class Assets:
    own_sub: Subscription
    own_handset: Handset
    foreign_sub: Subscription
    foreign_handset: Handset

    def ids(self, which: str) -> dict[str, int]:
        if which == "own":
            return {"sub": self.own_sub.id, "handset": self.own_handset.id}
        return {"sub": self.foreign_sub.id, "handset": self.foreign_handset.id}


@pytest.fixture
def assets(db, org, operator) -> Assets:
    """Förskolan (3110) is the department user's; VA (2150) is not."""
    result = Assets(
        own_sub=make_subscription(org, "070-100 00 01", org.forskola, supplier=operator, start=START),
        own_handset=make_handset(org, 1, org.forskola),
        foreign_sub=make_subscription(org, "070-200 00 01", org.va, supplier=operator, start=START, label="Jour VA"),
        foreign_handset=make_handset(org, 2, org.va, shared=True, shared_label="Jour VA"),
    )
    return result


API_READS = ["/api/v1/subscriptions/{sub}", "/api/v1/handsets/{handset}"]
PAGE_READS = ["/inventory/subscriptions/{sub}", "/inventory/handsets/{handset}"]


@pytest.mark.parametrize("url", API_READS)
def test_api_detail_own_unit_200_other_unit_403(client, assets, api_headers, url) -> None:
    headers = api_headers(Role.DEPARTMENT, ["3110"])
    assert client.get(url.format(**assets.ids("own")), headers=headers).status_code == 200
    refused = client.get(url.format(**assets.ids("foreign")), headers=headers)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"


@pytest.mark.parametrize("url", PAGE_READS)
def test_page_detail_own_unit_200_other_unit_403(client, assets, make_user, url) -> None:
    log_in(client, make_user(Role.DEPARTMENT, ["3110"]).username)
    assert client.get(url.format(**assets.ids("own"))).status_code == 200
    refused = client.get(url.format(**assets.ids("foreign")))
    assert refused.status_code == 403 and "Inte tillåtet" in refused.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "own", "foreign"),
    [
        ("/api/v1/subscriptions", "+46701000001", "+46702000001"),
        ("/api/v1/subscriptions?unit=2150", None, "+46702000001"),
        ("/api/v1/subscriptions?number=070-200 00 01", None, "+46702000001"),
        ("/api/v1/handsets", make_imei(1), make_imei(2)),
        (f"/api/v1/handsets?imei={make_imei(2)}", None, make_imei(2)),
        ("/api/v1/handsets/shared-not-enrolled", None, make_imei(2)),
    ],
)
def test_api_lists_hold_own_units_assets_only(client, assets, api_headers, url, own, foreign) -> None:
    department = client.get(url, headers=api_headers(Role.DEPARTMENT, ["3110"]))
    assert department.status_code == 200
    text = department.get_data(as_text=True)
    assert foreign not in text
    if own:
        assert own in text
    assert foreign in client.get(url, headers=api_headers(Role.AUDITOR)).get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "own", "foreign"),
    [
        ("/inventory", "070-100 00 01", "070-200 00 01"),
        ("/inventory?unit=2150", None, "070-200 00 01"),
        ("/inventory?tab=handsets", make_imei(1), make_imei(2)),
        ("/inventory/shared-not-enrolled", None, make_imei(2)),
    ],
)
def test_pages_list_own_units_assets_only(client, assets, make_user, url, own, foreign) -> None:
    log_in(client, make_user(Role.DEPARTMENT, ["3110"]).username)
    response = client.get(url)
    assert response.status_code == 200
    assert foreign not in response.get_data(as_text=True)
    if own:
        assert own in response.get_data(as_text=True)


API_WRITES = [
    ("post", "/api/v1/subscriptions", {"number": "0701000009", "kind": "mobile_voice", "supplier": OPERATOR_ORGNR,
                                       "start_date": "2025-01-01", "unit": "3110"}),
    ("patch", "/api/v1/subscriptions/{sub}", {"label": "x"}),
    ("post", "/api/v1/handsets", {"imei": make_imei(9), "model": "X", "unit": "3110"}),
    ("patch", "/api/v1/handsets/{handset}", {"mdm_enrolled": True}),
    ("post", "/api/v1/units/3110/reorganise", {"to": "3140", "valid_from": "2025-06-01"}),
    ("post", "/api/v1/units/3110/close", {"closed_on": "2025-06-01"}),
    ("get", "/api/v1/inventory/unmapped", None),
    ("post", "/api/v1/assignment-requests/1/approve", None),
    ("post", "/api/v1/assignment-requests/1/reject", None),
]


@pytest.mark.parametrize(("method", "url", "body"), API_WRITES)
def test_department_users_may_not_write_even_for_own_units(client, assets, api_headers, method, url, body) -> None:
    headers = api_headers(Role.DEPARTMENT, ["3110"])
    response = getattr(client, method)(url.format(**assets.ids("own")), headers=headers, json=body)
    assert response.status_code == 403, response.json


@pytest.mark.parametrize(("method", "url", "body"), [
    ("post", "/api/v1/assignments", {"number": "0702000001", "unit": "3110", "valid_from": "2025-06-01"}),
    ("post", "/api/v1/assignments", {"imei": make_imei(2), "unit": "3110", "valid_from": "2025-06-01"}),
    ("post", "/api/v1/handsets/{handset}/loss", {"status": "lost", "occurred_on": "2025-06-01",
                                                  "reported_to_manager": "Chef", "subscription_blocked": True}),
])
def test_department_actions_on_another_units_assets_are_403(client, assets, api_headers, method, url, body) -> None:
    headers = api_headers(Role.DEPARTMENT, ["3110"])
    response = getattr(client, method)(url.format(**assets.ids("foreign")), headers=headers, json=body)
    assert response.status_code == 403, response.json


PAGE_WRITES = [
    ("/inventory/subscriptions/new", None),
    ("/inventory/subscriptions/{sub}/edit", None),
    ("/inventory/handsets/new", None),
    ("/inventory/handsets/{handset}/edit", None),
    ("/inventory/reorganise", None),
    ("/inventory/import", None),
    ("/inventory/unmapped", None),
]


@pytest.mark.parametrize(("url", "_"), PAGE_WRITES)
def test_department_users_get_403_on_finance_pages(client, assets, make_user, url, _) -> None:
    log_in(client, make_user(Role.DEPARTMENT, ["3110"]).username)
    assert client.get(url.format(**assets.ids("own"))).status_code == 403


@pytest.mark.parametrize("path", ["/inventory/subscriptions/{sub}/move", "/inventory/handsets/{handset}/move"])
def test_department_move_page_requests_for_own_and_refuses_foreign(client, db, assets, make_user, path) -> None:
    log_in(client, make_user(Role.DEPARTMENT, ["3110"]).username)
    token = csrf_token(client, "/inventory")
    form = {"csrf_token": token, "unit": "3140", "valid_from": "2025-06-01", "reason": "Flytt till skolan"}
    own = client.post(path.format(**assets.ids("own")), data=form)
    assert own.status_code == 302
    assert "Flytten är begärd" in client.get(own.headers["Location"]).get_data(as_text=True)
    assert client.post(path.format(**assets.ids("foreign")), data=form).status_code == 403


def test_requests_page_shows_department_its_own_requests_only(client, db, org, assets, api_headers,
                                                              make_user) -> None:
    client.post("/api/v1/assignments", headers=api_headers(Role.DEPARTMENT, ["3110"]),
                json={"number": "0701000001", "unit": "3140", "valid_from": "2025-06-01"})
    client.post("/api/v1/assignments", headers=api_headers(Role.DEPARTMENT, ["2150"]),
                json={"number": "0702000001", "unit": "3140", "valid_from": "2025-06-01"})
    log_in(client, make_user(Role.DEPARTMENT, ["3110"]).username)
    page = client.get("/inventory/requests").get_data(as_text=True)
    assert "070-100 00 01" in page and "070-200 00 01" not in page
    assert "Godkänn" not in page  # department users do not decide
    api = client.get("/api/v1/assignment-requests", headers=api_headers(Role.DEPARTMENT, ["3110"])).json
    assert [r["asset"] for r in api] == ["+46701000001"]


def test_every_inventory_route_declares_a_permission(app) -> None:
    routes = [r for r in app.url_map.iter_rules() if "inventory" in r.endpoint or r.rule.startswith(
        ("/api/v1/subscriptions", "/api/v1/handsets", "/api/v1/assignment", "/api/v1/directory", "/api/v1/inventory"))]
    assert len(routes) >= 30
    for rule in routes:
        assert required_permission(app.view_functions[rule.endpoint]), rule.rule
