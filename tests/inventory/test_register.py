"""Subscriptions and handsets through the API: create, edit, end, search; identifiers
normalised and validated; policy fields (private use, shared phones, MDM, loss reports)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.inventory.models import Handset, HandsetStatus, Subscription
from ledger.organisation.models import Supplier
from tests.conftest import audit_actions, count, csrf_token, log_in
from tests.factories import OPERATOR_ORGNR, OTHER_ORGNR, make_handset, make_imei, make_subscription, save

START = date(2025, 1, 1)  # the day the register's assets start


def new_subscription(**values) -> dict:
    return {"number": "070-123 45 67", "kind": "mobile_voice", "supplier": OPERATOR_ORGNR,
            "start_date": "2025-02-01", **values}


@pytest.mark.parametrize("notation", ["070-123 45 67", "0701234567", "+46 70 123 45 67", "0046701234567",
                                      "070/123 45 67"])
def test_numbers_in_any_swedish_notation_are_stored_in_e164(client, db, org, operator, api_headers,
                                                            notation) -> None:
    response = client.post("/api/v1/subscriptions", headers=api_headers(Role.FINANCE),
                           json=new_subscription(number=notation, unit="3110"))
    assert response.status_code == 201, response.json
    assert response.json["number"] == "+46701234567"
    assert response.json["unit"] == "3110"
    assert response.json["assignments"] == [{"unit": "3110", "unit_name": "Förskolor centrala Karlsborg",
                                             "administration": "BUF", "valid_from": "2025-02-01",
                                             "valid_to": None}]
    assert db.scalar(sa.select(Subscription.number)) == "+46701234567"


@pytest.mark.parametrize(
    ("body", "status", "field", "message"),
    [
        (new_subscription(number="070-12"), 422, "number", "phone number '070-12': not a valid number"),
        (new_subscription(supplier="556900-0011"), 422, "supplier",
         "organisationsnummer '556900-0011': the check digit is wrong"),
        (new_subscription(supplier="55690"), 422, "supplier", "must be ten digits, NNNNNN-NNNN"),
        (new_subscription(supplier="212000-1629"), 422, "supplier", "No supplier with organisationsnummer"),
        (new_subscription(handset="490154203237517"), 422, "handset", "the check digit is wrong"),
        (new_subscription(end_date="2025-01-01"), 422, "end_date", "is before the start date"),
        (new_subscription(private_use={"reference": "PA-1", "signed_on": "2025-01-01", "signed_by": ""}),
         422, "private_use", "Length must be between 1 and 120."),
    ],
)
def test_invalid_identifiers_get_clear_messages(client, db, org, operator, api_headers, body, status, field,
                                                message) -> None:
    response = client.post("/api/v1/subscriptions", headers=api_headers(Role.FINANCE), json=body)
    assert response.status_code == status, response.json
    error = response.json["error"]
    assert any(d.get("field") == field for d in error["details"]), error
    assert message in str(error), error
    assert count(db, Subscription) == 0


def test_duplicate_number_or_imei_is_409(client, org, operator, api_headers) -> None:
    make_subscription(org, "070-123 45 67", org.forskola, supplier=operator, start=START)
    make_handset(org, 1, org.forskola)
    headers = api_headers(Role.ADMIN)
    dup = client.post("/api/v1/subscriptions", headers=headers, json=new_subscription(number="+46701234567"))
    assert dup.status_code == 409 and "+46701234567 is already registered" in dup.json["error"]["message"]
    dup_handset = client.post("/api/v1/handsets", headers=headers, json={"imei": make_imei(1), "model": "X"})
    assert dup_handset.status_code == 409 and "is already registered" in dup_handset.json["error"]["message"]


def test_edit_links_a_handset_sets_private_use_and_ends(client, db, org, operator, api_headers) -> None:
    sub = make_subscription(org, "070-123 45 67", org.forskola, supplier=operator, start=START)
    make_handset(org, 4, org.forskola)
    headers = api_headers(Role.FINANCE)
    patched = client.patch(f"/api/v1/subscriptions/{sub.id}", headers=headers, json={
        "handset": make_imei(4), "label": "Jour förskola", "holder_name": "Anna Svensson",
        "private_use": {"reference": "PA-2025-014", "signed_on": "2025-03-01", "signed_by": "Anna Svensson, chef"}})
    assert patched.status_code == 200, patched.json
    body = patched.json
    assert body["handset"]["imei"] == make_imei(4)
    assert body["private_use"] == {"reference": "PA-2025-014", "signed_on": "2025-03-01",
                                   "signed_by": "Anna Svensson, chef"}
    event = audit_actions(db, "subscription.update")[-1]
    assert event.before["private_use_reference"] is None and event.after["private_use_reference"] == "PA-2025-014"
    handset = client.get("/api/v1/handsets", headers=headers, query_string={"imei": make_imei(4)}).json[0]
    assert handset["subscriptions"] == ["+46701234567"]

    ended = client.patch(f"/api/v1/subscriptions/{sub.id}", headers=headers, json={"end_date": "2025-10-31"})
    assert ended.json["end_date"] == "2025-10-31" and ended.json["status"] == "ended"
    assert ended.json["assignments"][-1]["valid_to"] == "2025-11-01"
    cleared = client.patch(f"/api/v1/subscriptions/{sub.id}", headers=headers, json={"private_use": None})
    assert cleared.json["private_use"] is None
    unknown = client.patch(f"/api/v1/subscriptions/{sub.id}", headers=headers, json={"colour": "red"})
    assert unknown.status_code == 422


def test_search_by_number_imei_unit_supplier_status_with_pagination(client, db, org, operator, api_headers) -> None:
    for i in range(12):
        make_subscription(org, f"070-200 00 {i:02d}", org.forskola if i % 2 else org.va, supplier=operator, start=START)
    make_subscription(org, "070-300 00 00", org.skola, supplier=operator, start=START, end=date(2025, 6, 30))
    handset = make_handset(org, 9, org.skola)
    other = make_subscription(org, "070-300 00 01", org.skola, supplier=operator, start=START)
    other.handset_id = handset.id
    other.supplier_id = db.scalar(sa.text(f"SELECT id FROM supplier WHERE organisation_number = '{OTHER_ORGNR}'"))
    save(other)
    headers = api_headers(Role.AUDITOR)

    def numbers(**query) -> list[str]:
        return [s["number"] for s in client.get("/api/v1/subscriptions", headers=headers,
                                                query_string={"page_size": 100, **query}).json]

    assert numbers(number="070-200 00 03") == ["+46702000003"]
    assert len(numbers(number="070-200")) == 12
    assert numbers(imei=make_imei(9)) == ["+46703000001"]
    assert len(numbers(unit="3110")) == 6
    assert numbers(supplier=OTHER_ORGNR) == ["+46703000001"]
    assert numbers(supplier="Tre") == ["+46703000001"]
    assert numbers(status="ended") == ["+46703000000"]
    assert len(numbers(status="active")) == 13
    first = client.get("/api/v1/subscriptions", headers=headers, query_string={"page_size": 5})
    assert len(first.json) == 5 and '"total": 14' in first.headers["X-Pagination"]
    third = client.get("/api/v1/subscriptions", headers=headers, query_string={"page_size": 5, "page": 3})
    assert len(third.json) == 4
    handsets = client.get("/api/v1/handsets", headers=headers, query_string={"unit": "3140"}).json
    assert [h["imei"] for h in handsets] == [make_imei(9)]
    assert client.get("/api/v1/subscriptions", headers=headers,
                      query_string={"status": "lost"}).status_code == 422


def test_create_and_retire_a_handset(client, db, org, operator, api_headers) -> None:
    headers = api_headers(Role.ADMIN)
    created = client.post("/api/v1/handsets", headers=headers, json={
        "imei": "35-332011-000003-6", "model": "Samsung Galaxy XCover7", "purchase_price": "3590.00",
        "purchase_date": "2025-02-01", "shared": True, "shared_label": "Jour VA", "unit": "2150"})
    assert created.status_code == 201, created.json
    body = created.json
    assert body["imei"] == "353320110000036" and body["purchase_price"] == "3590.00"
    assert body["shared"] is True and body["mdm_enrolled"] is False and body["unit"] == "2150"
    bad = client.post("/api/v1/handsets", headers=headers, json={"imei": "35332011000003", "model": "X"})
    assert bad.status_code == 422
    assert bad.json["error"]["message"].startswith("IMEI '35332011000003': must be 15 digits")
    label_only = client.post("/api/v1/handsets", headers=headers,
                             json={"imei": make_imei(8), "model": "X", "shared_label": "Växel"})
    assert label_only.status_code == 422
    lost = client.patch(f"/api/v1/handsets/{body['id']}", headers=headers, json={"status": "lost"})
    assert lost.status_code == 422 and "loss report" in lost.json["error"]["message"]
    retired = client.patch(f"/api/v1/handsets/{body['id']}", headers=headers,
                           json={"status": "retired", "status_changed_on": "2025-10-01"})
    assert retired.status_code == 200
    assert retired.json["status"] == "retired" and retired.json["status_changed_on"] == "2025-10-01"
    assert retired.json["assignments"][-1]["valid_to"] == "2025-10-01"


def test_shared_phones_not_enrolled_in_mdm_for_it(client, db, org, operator, api_headers) -> None:
    make_handset(org, 1, org.va, shared=True, shared_label="Jour VA", mdm_enrolled=False)
    make_handset(org, 2, org.va, shared=True, shared_label="Larm VA", mdm_enrolled=True)
    make_handset(org, 3, org.forskola, shared=True, shared_label="Förskola Ugglan", mdm_enrolled=False)
    make_handset(org, 4, org.forskola, shared=False, mdm_enrolled=False)
    make_handset(org, 5, org.va, shared=True, shared_label="Gammal", status=HandsetStatus.RETIRED)
    listed = client.get("/api/v1/handsets/shared-not-enrolled", headers=api_headers(Role.FINANCE)).json
    assert [h["shared_label"] for h in listed] == ["Förskola Ugglan", "Jour VA"]
    own = client.get("/api/v1/handsets/shared-not-enrolled", headers=api_headers(Role.DEPARTMENT, ["2150"])).json
    assert [h["shared_label"] for h in own] == ["Jour VA"]


# -- lost or stolen ----------------------------------------------------------------------------


LOSS = {"status": "stolen", "occurred_on": "2025-05-02", "reported_to_manager": "Karin Berg, förskolechef",
        "reported_to_manager_at": "2025-05-02T09:15:00+02:00", "subscription_blocked": True}


def test_department_user_reports_own_units_handset_stolen(client, db, org, operator, api_headers, make_user) -> None:
    handset = make_handset(org, 1, org.forskola)
    headers = api_headers(Role.DEPARTMENT, ["3110"])
    response = client.post(f"/api/v1/handsets/{handset.id}/loss", headers=headers, json=LOSS)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "stolen" and body["status_changed_on"] == "2025-05-02"
    assert body["reported_to_manager"] == "Karin Berg, förskolechef"
    assert body["reported_to_manager_at"] == "2025-05-02T07:15:00+00:00"
    assert body["subscription_blocked"] is True and body["loss_reported_by_id"]
    event = audit_actions(db, "handset.report_loss")[0]
    assert event.before["status"] == "in_use" and event.after["status"] == "stolen"
    assert event.after["subscription_blocked"] is True


def test_loss_report_for_another_units_handset_is_refused(client, db, org, operator, api_headers) -> None:
    handset = make_handset(org, 1, org.va)
    response = client.post(f"/api/v1/handsets/{handset.id}/loss", headers=api_headers(Role.DEPARTMENT, ["3110"]),
                           json=LOSS)
    assert response.status_code == 403
    db.expire_all()
    assert db.get(Handset, handset.id).status == HandsetStatus.IN_USE
    assert not audit_actions(db, "handset.report_loss")
    assert client.post(f"/api/v1/handsets/{handset.id}/loss", headers=api_headers(Role.AUDITOR),
                       json=LOSS).status_code == 403


def test_finance_reports_a_loss_and_bad_reports_are_422(client, db, org, operator, api_headers) -> None:
    handset = make_handset(org, 1, org.va)
    headers = api_headers(Role.FINANCE)
    for body, message in (({**LOSS, "status": "retired"}, "Must be one of"),
                          ({**LOSS, "occurred_on": "2999-01-01"}, "is in the future"),
                          ({**LOSS, "reported_to_manager": "  "}, "Name the manager")):
        response = client.post(f"/api/v1/handsets/{handset.id}/loss", headers=headers, json=body)
        assert response.status_code == 422 and message in str(response.json), response.json
    ok = client.post(f"/api/v1/handsets/{handset.id}/loss", headers=headers,
                     json={**LOSS, "status": "lost", "subscription_blocked": False})
    assert ok.json["status"] == "lost" and ok.json["subscription_blocked"] is False


def test_loss_report_page_for_own_unit(client, db, org, operator, make_user) -> None:
    handset = make_handset(org, 1, org.forskola)
    foreign = make_handset(org, 2, org.va)
    log_in(client, make_user(Role.DEPARTMENT, ["3110"]).username)
    token = csrf_token(client, f"/inventory/handsets/{handset.id}")
    form = {"csrf_token": token, "status": "lost", "occurred_on": "2025-05-02",
            "reported_to_manager": "Karin Berg", "subscription_blocked": "y"}
    response = client.post(f"/inventory/handsets/{handset.id}/loss", data=form)
    assert response.status_code == 302
    page = client.get(f"/inventory/handsets/{handset.id}").get_data(as_text=True)
    assert "Förlusten är anmäld." in page and "förlorad" in page and "Karin Berg" in page
    assert client.post(f"/inventory/handsets/{foreign.id}/loss", data=form).status_code == 403
    db.expire_all()
    assert db.get(Handset, foreign.id).status == HandsetStatus.IN_USE


# -- the register's pages, in a fixed number of statements ------------------------------------


@pytest.mark.parametrize("role", [Role.FINANCE, Role.DEPARTMENT])
@pytest.mark.parametrize("tab", ["subscriptions", "handsets"])
def test_the_register_pages_read_in_a_fixed_number_of_queries(client, db, org, operator, make_user, count_queries,
                                                              tab: str, role: Role) -> None:
    """Each subscription at a unit of its own, half of them with the other operator and a handset."""
    other = db.scalar(sa.select(Supplier).where(Supplier.organisation_number == OTHER_ORGNR))
    log_in(client, make_user(role, ["3110", "3140"] if role == Role.DEPARTMENT else []).username)
    url = "/inventory?tab=handsets" if tab == "handsets" else "/inventory"
    client.get(url)
    units = [org.forskola, org.skola]
    shown: list[str] = []

    def statements(assets: int) -> int:
        for _ in range(assets):
            n = len(shown) + 1
            unit = units[n % 2]
            handset = make_handset(org, n, unit, model=f"Modell {n}")
            make_subscription(org, f"070-500 00 {n:02d}", unit, supplier=other if n % 2 else operator, start=START,
                              handset_id=handset.id if n % 2 else None, label=f"Funktion {n}")
            shown.append(make_imei(n) if tab == "handsets" else f"070-500 00 {n:02d}")
        with count_queries() as seen:
            response = client.get(url)
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert all(item in text for item in shown), [item for item in shown if item not in text]
        return len(seen)

    assert statements(2) == statements(12)
