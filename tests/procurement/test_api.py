"""The procurement API: suppliers, contracts, prices, terms, documents, exceptions, compliance,
and who may write what (every write endpoint, every role)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.audit.models import AuditEvent
from ledger.core.categories import Category
from ledger.organisation.models import Organisation, Supplier
from ledger.procurement.models import ContractTerm, CoverageException, ExceptionStatus, FrameworkContract, PriceListItem
from tests.factories import (
    SKOVDE,
    make_contract,
    make_coverage_exception,
    make_price,
    make_subscription,
    make_supplier,
    orgnr,
    save,
)

WRITERS = {
    "suppliers": {Role.PROCUREMENT, Role.FINANCE, Role.ADMIN},
    "contracts": {Role.PROCUREMENT},
    "request": {Role.DEPARTMENT, Role.PROCUREMENT},
    "decide": {Role.PROCUREMENT},
    "withdraw": {Role.DEPARTMENT, Role.PROCUREMENT},
}


@dataclass
class Setup:
    org: object
    supplier: Supplier
    other: Supplier
    contract: FrameworkContract
    subscription: object


@pytest.fixture
def setup(db, org) -> Setup:
    supplier = make_supplier("Demotel Mobil AB")
    other = make_supplier("Nordnät AB")
    contract = make_contract(org, supplier, [Category.SUBSCRIPTION, Category.USAGE], reference="SKÖ 2025/0145",
                             options=[(date(2028, 12, 31), date(2027, 6, 30))])
    make_price(contract, "MOB-BAS", "85.00", date(2025, 1, 1))
    subscription = make_subscription(org, "+46701000001", org.forskola, supplier=other, start=date(2020, 1, 1))
    return Setup(org, supplier, other, contract, subscription)


# --- suppliers -------------------------------------------------------------------------------


def test_supplier_is_registered_with_a_checked_organisation_number(client, api_headers, db) -> None:
    response = client.post("/api/v1/suppliers", headers=api_headers(Role.FINANCE),
                           json={"name": "Telia Sverige AB", "organisation_number": "5569000010",
                                 "peppol_id": "0007:5569000010"})
    assert response.status_code == 201, response.json
    assert response.json["organisation_number"] == "556900-0010"
    listed = client.get("/api/v1/suppliers", headers=api_headers(Role.DEPARTMENT, ["3110"])).json
    assert [s["name"] for s in listed] == ["Telia Sverige AB"]
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "supplier.create"))
    assert event.after["organisation_number"] == "556900-0010" and event.before is None


@pytest.mark.parametrize(("number", "status"), [("556900-0011", 422), ("12345", 422), ("556900-0010", 409)])
def test_supplier_with_a_bad_or_taken_number_is_refused(client, api_headers, db, number, status) -> None:
    headers = api_headers(Role.PROCUREMENT)
    client.post("/api/v1/suppliers", headers=headers, json={"name": "Telia", "organisation_number": "556900-0010"})
    response = client.post("/api/v1/suppliers", headers=headers, json={"name": "X", "organisation_number": number})
    assert response.status_code == status
    assert response.json["error"]["code"] == {422: "validation_failed", 409: "conflict"}[status]


# --- contracts -------------------------------------------------------------------------------


def contract_body(supplier_id: int, reference: str = "SKÖ 2026/0001") -> dict:
    return {
        "reference": reference, "title": "Mobila tjänster", "supplier_id": supplier_id,
        "lead": {"organisation_number": SKOVDE[1], "name": SKOVDE[0]},
        "participants": [{"organisation_number": "212000-1629"}, {"organisation_number": "212000-1637",
                                                                  "name": "Hjo kommun"}],
        "categories": ["subscription", "usage"], "start_date": "2026-04-01", "end_date": "2028-03-31",
        "notice_months": 6,
        "extension_options": [{"extends_to": "2029-03-31", "last_notice_date": "2027-09-30"},
                              {"extends_to": "2030-03-31", "last_notice_date": "2028-09-30"}],
    }


def test_contract_is_registered_with_skovde_as_lead_added_when_missing(client, api_headers, db, org) -> None:
    supplier = make_supplier("Demotel Mobil AB")
    response = client.post("/api/v1/contracts", headers=api_headers(Role.PROCUREMENT), json=contract_body(supplier.id))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["lead"]["name"] == "Skövde kommun"
    assert [(p["organisation"]["name"], p["role"]) for p in body["parties"]] == [
        ("Skövde kommun", "lead"), ("Hjo kommun", "participant"), ("Karlsborgs kommun", "participant")]
    assert body["categories"] == ["subscription", "usage"] and body["phase"] in ("upcoming", "in_force", "ended")
    assert [(o["sequence"], o["last_notice_date"]) for o in body["extension_options"]] == [
        (1, "2027-09-30"), (2, "2028-09-30")]
    skovde = db.scalar(sa.select(Organisation).where(Organisation.organisation_number == SKOVDE[1]))
    assert skovde.keeps_ledger is False
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == "organisation.add_partner")) == 2


def test_contract_with_an_unknown_partner_and_no_name_is_refused(client, api_headers, db, org) -> None:
    supplier = make_supplier("Demotel Mobil AB")
    body = contract_body(supplier.id)
    body["lead"] = {"organisation_number": "212000-1652"}
    response = client.post("/api/v1/contracts", headers=api_headers(Role.PROCUREMENT), json=body)
    assert response.status_code == 422
    assert db.scalar(sa.select(sa.func.count()).select_from(FrameworkContract)) == 0


@pytest.mark.parametrize(("change", "message"), [
    ({"end_date": "2026-03-01"}, "must end after it starts"),
    ({"extension_options": [{"extends_to": "2028-01-01", "last_notice_date": "2027-01-01"}]}, "extend beyond"),
    ({"categories": []}, None),
])
def test_contract_dates_and_categories_are_validated(client, api_headers, db, org, change, message) -> None:
    supplier = make_supplier("Demotel Mobil AB")
    response = client.post("/api/v1/contracts", headers=api_headers(Role.PROCUREMENT),
                           json=contract_body(supplier.id) | change)
    assert response.status_code == 422
    if message:
        assert message in response.json["error"]["message"]


def test_duplicate_reference_is_409(client, api_headers, setup) -> None:
    response = client.post("/api/v1/contracts", headers=api_headers(Role.PROCUREMENT),
                           json=contract_body(setup.supplier.id, reference="SKÖ 2025/0145"))
    assert response.status_code == 409


def test_register_search_by_reference_title_supplier_and_party(client, api_headers, setup) -> None:
    headers = api_headers(Role.AUDITOR)
    for query in ("0145", "ramavtal demotel", "Demotel", "Skövde", "Karlsborg"):
        found = client.get("/api/v1/contracts", headers=headers, query_string={"q": query}).json
        assert [c["reference"] for c in found] == ["SKÖ 2025/0145"], query
    assert client.get("/api/v1/contracts", headers=headers, query_string={"q": "Tibro"}).json == []


def test_contract_detail_has_terms_documents_prices_and_subscription_count(client, api_headers, db, setup) -> None:
    setup.subscription.contract_id = setup.contract.id
    save(setup.subscription)
    headers = api_headers(Role.PROCUREMENT)
    base = f"/api/v1/contracts/{setup.contract.id}"
    assert client.post(f"{base}/terms", headers=headers, json={
        "noted_on": "2026-01-01", "kind": "price_adjustment", "text": "Index +4,7 %",
        "document_reference": "SKÖ 2025/0145-12"}).status_code == 201
    assert client.post(f"{base}/documents", headers=headers, json={
        "title": "Avtal undertecknat", "reference": "https://diarium.example/0145"}).status_code == 201
    body = client.get(base, headers=api_headers(Role.DEPARTMENT, ["3110"])).json
    assert [t["kind"] for t in body["terms"]] == ["price_adjustment"]
    assert body["documents"][0]["reference"] == "https://diarium.example/0145"
    assert [(p["item_code"], p["unit_price"]) for p in body["prices"]] == [("MOB-BAS", "85.00")]
    assert body["subscriptions"] == 1


def test_extension_term_uses_the_next_option_and_moves_the_end(client, api_headers, db, setup) -> None:
    headers = api_headers(Role.PROCUREMENT)
    base = f"/api/v1/contracts/{setup.contract.id}"
    response = client.post(f"{base}/terms", headers=headers, json={
        "noted_on": "2027-05-01", "kind": "extension", "text": "Option 1 används"})
    assert response.status_code == 201
    body = client.get(base, headers=headers).json
    assert body["end_on"] == "2028-12-31" and body["end_date"] == "2027-12-31"
    assert body["extension_options"][0]["exercised_on"] == "2027-05-01"
    again = client.post(f"{base}/terms", headers=headers, json={
        "noted_on": "2027-06-01", "kind": "extension", "text": "Igen"})
    assert again.status_code == 409
    assert db.scalar(sa.select(sa.func.count()).select_from(ContractTerm)) == 1


def test_terms_and_documents_are_append_only(client, api_headers, setup) -> None:
    headers = api_headers(Role.PROCUREMENT)
    base = f"/api/v1/contracts/{setup.contract.id}"
    term = client.post(f"{base}/terms", headers=headers, json={
        "noted_on": "2026-01-01", "kind": "note", "text": "Möte med leverantören"}).json
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(f"{base}/terms/{term['id']}", headers=headers).status_code in (404, 405)
        assert getattr(client, method)(f"{base}/terms", headers=headers).status_code == 405


def test_patch_changes_title_participants_categories_and_unused_options(client, api_headers, db, setup) -> None:
    headers = api_headers(Role.PROCUREMENT)
    base = f"/api/v1/contracts/{setup.contract.id}"
    client.post(f"{base}/terms", headers=headers, json={"noted_on": "2027-05-01", "kind": "extension", "text": "1"})
    response = client.patch(base, headers=headers, json={
        "title": "Mobila tjänster 2.0", "categories": ["subscription", "usage", "one_off"],
        "participants": [{"organisation_number": "212000-1629"}, {"organisation_number": "212000-1645",
                                                                  "name": "Tibro kommun"}],
        "extension_options": [{"extends_to": "2029-12-31", "last_notice_date": "2028-06-30"}]})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["title"] == "Mobila tjänster 2.0" and body["categories"] == ["one_off", "subscription", "usage"]
    assert sorted(p["organisation"]["name"] for p in body["parties"]) == [
        "Karlsborgs kommun", "Skövde kommun", "Tibro kommun"]
    assert [(o["sequence"], o["extends_to"], o["exercised_on"]) for o in body["extension_options"]] == [
        (1, "2028-12-31", "2027-05-01"), (2, "2029-12-31", None)]
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "contract.update"))
    assert event.before["title"] == "Ramavtal Demotel Mobil AB" and event.after["title"] == "Mobila tjänster 2.0"


def test_unknown_contract_is_404(client, api_headers, db, org) -> None:
    assert client.get("/api/v1/contracts/999", headers=api_headers(Role.FINANCE)).status_code == 404


# --- prices ----------------------------------------------------------------------------------


def test_prices_json_item_supersedes_and_lists_by_day(client, api_headers, setup) -> None:
    headers = api_headers(Role.PROCUREMENT)
    base = f"/api/v1/contracts/{setup.contract.id}/prices"
    response = client.post(base, headers=headers, json={
        "item_code": "MOB-BAS", "description": "Mobilabonnemang Bas", "category": "subscription",
        "unit_price": "89,00", "unit": "månad", "valid_from": "2026-01-01"})
    assert response.status_code == 201, response.json
    assert (response.json["superseded"], response.json["rows"][0]["previous_price"]) == (1, "85.00")
    rows = client.get(base, headers=headers).json
    assert [(r["unit_price"], r["valid_from"], r["valid_to"]) for r in rows] == [
        ("85.00", "2025-01-01", "2026-01-01"), ("89.00", "2026-01-01", None)]
    on = client.get(base, headers=headers, query_string={"on": "2025-12-31"}).json
    assert [r["unit_price"] for r in on] == ["85.00"]


def test_prices_csv_upload_reports_each_row(client, api_headers, db, setup) -> None:
    csv = ("Artikelnummer;Benämning;Kategori;Pris;Enhet\r\n"
           "MOB-BAS;Mobilabonnemang Bas;Abonnemang;89,00;månad\r\n"
           "MOB-DATA;Mobilt bredband;Abonnemang;119,00;månad\r\n").encode("cp1252")
    response = client.post(f"/api/v1/contracts/{setup.contract.id}/prices", headers=api_headers(Role.PROCUREMENT),
                           data={"file": (io.BytesIO(csv), "prislista.csv"), "valid_from": "2026-02-01"},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    assert {k: response.json[k] for k in ("added", "superseded", "unchanged", "errors", "stored")} == {
        "added": 1, "superseded": 1, "unchanged": 0, "errors": 0, "stored": True}
    assert [(r["line"], r["outcome"]) for r in response.json["rows"]] == [(2, "superseded"), (3, "added")]


def test_prices_csv_with_a_bad_row_is_422_and_stores_nothing(client, api_headers, db, setup) -> None:
    csv = ("Artikelnummer;Benämning;Kategori;Pris;Enhet\n"
           "MOB-BAS;Mobilabonnemang Bas;Abonnemang;89,00;månad\n"
           "MOB-X;Okänd;Abonnemang;gratis;månad\n").encode()
    response = client.post(f"/api/v1/contracts/{setup.contract.id}/prices", headers=api_headers(Role.PROCUREMENT),
                           data={"file": (io.BytesIO(csv), "prislista.csv"), "valid_from": "2026-02-01"},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.json["error"]["details"] == [{
        "line": 3, "item_code": "MOB-X", "outcome": "error", "message": "not a price: 'gratis'",
        "field": "unit_price", "unit_price": None, "previous_price": None}]
    assert db.scalar(sa.select(sa.func.count()).select_from(PriceListItem)) == 1


def test_prices_upload_needs_a_file_and_a_date(client, api_headers, setup) -> None:
    url = f"/api/v1/contracts/{setup.contract.id}/prices"
    headers = api_headers(Role.PROCUREMENT)
    assert client.post(url, headers=headers, data={"valid_from": "2026-02-01"},
                       content_type="multipart/form-data").status_code == 400
    missing_date = client.post(url, headers=headers, data={"file": (io.BytesIO(b"x"), "p.csv")},
                               content_type="multipart/form-data")
    assert missing_date.status_code == 422 and missing_date.json["error"]["details"][0]["field"] == "valid_from"
    bad_json = client.post(url, headers=headers, json={"item_code": "X"})
    assert bad_json.status_code == 422 and bad_json.json["error"]["code"] == "validation_failed"


# --- exceptions ------------------------------------------------------------------------------


def test_department_requests_for_own_subscription_and_sees_only_own_requests(client, api_headers, db, setup) -> None:
    own = api_headers(Role.DEPARTMENT, ["3110"])
    response = client.post("/api/v1/exceptions", headers=own, json={
        "subscription": "070-100 00 01", "supplier_id": setup.other.id, "reason": "Ingen täckning i Forsvik",
        "evidence": "Täckningsmätning 3 av 12 punkter", "valid_from": "2026-03-01"})
    assert response.status_code == 201, response.json
    assert response.json["status"] == "requested" and response.json["subscription"] == "+46701000001"
    assert response.json["actions"] == ["withdraw"]
    other_department = api_headers(Role.DEPARTMENT, ["3110"])
    assert client.get("/api/v1/exceptions", headers=other_department).json == []
    assert len(client.get("/api/v1/exceptions", headers=own).json) == 1
    assert len(client.get("/api/v1/exceptions", headers=api_headers(Role.AUDITOR)).json) == 1


def test_department_cannot_request_for_another_units_subscription(client, api_headers, db, setup) -> None:
    response = client.post("/api/v1/exceptions", headers=api_headers(Role.DEPARTMENT, ["2150"]), json={
        "subscription": "+46701000001", "supplier_id": setup.other.id, "reason": "x", "valid_from": "2026-03-01"})
    assert response.status_code == 403
    area = client.post("/api/v1/exceptions", headers=api_headers(Role.DEPARTMENT, ["2150"]), json={
        "area": "Forsvik", "supplier_id": setup.other.id, "reason": "x", "valid_from": "2026-03-01"})
    assert area.status_code == 201 and area.json["area"] == "Forsvik"


def test_request_needs_a_subscription_or_an_area(client, api_headers, setup) -> None:
    response = client.post("/api/v1/exceptions", headers=api_headers(Role.PROCUREMENT), json={
        "supplier_id": setup.other.id, "reason": "x", "valid_from": "2026-03-01"})
    assert response.status_code == 422


def test_approve_then_refused_transitions_are_409(client, api_headers, db, setup) -> None:
    department = api_headers(Role.DEPARTMENT, ["3110"])
    procurement = api_headers(Role.PROCUREMENT)
    created = client.post("/api/v1/exceptions", headers=department, json={
        "area": "Forsvik", "supplier_id": setup.other.id, "reason": "Svag täckning", "valid_from": "2026-03-01"}).json
    url = f"/api/v1/exceptions/{created['id']}"
    approved = client.post(f"{url}/approve", headers=procurement, json={"valid_to": "2030-01-01", "note": "OK"})
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "approved" and approved.json["valid_to"] == "2030-01-01"
    assert approved.json["decided_by"] and approved.json["decided_at"]
    for action in ("approve", "reject"):
        refused = client.post(f"{url}/{action}", headers=procurement)
        assert refused.status_code == 409 and refused.json["error"]["code"] == "conflict"
    assert client.post(f"{url}/withdraw", headers=department).json["status"] == "withdrawn"
    assert client.post(f"{url}/withdraw", headers=procurement).status_code == 409
    assert client.post("/api/v1/exceptions/999/approve", headers=procurement).status_code == 404


def test_department_cannot_withdraw_someone_elses_request(client, api_headers, db, setup) -> None:
    created = client.post("/api/v1/exceptions", headers=api_headers(Role.DEPARTMENT, ["3110"]), json={
        "area": "Forsvik", "supplier_id": setup.other.id, "reason": "x", "valid_from": "2026-03-01"}).json
    response = client.post(f"/api/v1/exceptions/{created['id']}/withdraw",
                           headers=api_headers(Role.DEPARTMENT, ["3110"]))
    assert response.status_code == 403
    assert db.get(CoverageException, created["id"]).status == ExceptionStatus.REQUESTED


# --- who may write: every write endpoint, every role -----------------------------------------


def _write_requests(setup: Setup, db) -> dict[str, tuple[str, str, dict | None]]:
    exception = make_coverage_exception(setup.org, setup.other, area="Forsvik", reason="x",
                                        valid_from=date(2026, 1, 1), status=ExceptionStatus.REQUESTED)
    contract = f"/api/v1/contracts/{setup.contract.id}"
    return {
        "POST /suppliers": ("suppliers", "/api/v1/suppliers", {"name": "Telia", "organisation_number": "5569000010"}),
        "POST /contracts": ("contracts", "/api/v1/contracts", contract_body(setup.supplier.id)),
        "PATCH /contracts/{id}": ("contracts", contract, {"title": "Ny titel"}),
        "POST /contracts/{id}/prices": ("contracts", f"{contract}/prices", {
            "item_code": "MOB-NY", "description": "Ny", "category": "usage", "unit_price": "1.00", "unit": "st",
            "valid_from": "2026-01-01"}),
        "POST /contracts/{id}/terms": ("contracts", f"{contract}/terms", {
            "noted_on": "2026-01-01", "kind": "note", "text": "x"}),
        "POST /contracts/{id}/documents": ("contracts", f"{contract}/documents", {"title": "Avtal", "reference": "1"}),
        "POST /exceptions": ("request", "/api/v1/exceptions", {
            "area": "Forsvik", "supplier_id": setup.other.id, "reason": "x", "valid_from": "2026-01-01"}),
        "POST /exceptions/{id}/approve": ("decide", f"/api/v1/exceptions/{exception.id}/approve", {}),
        "POST /exceptions/{id}/reject": ("decide", f"/api/v1/exceptions/{exception.id}/reject", {}),
    }


ENDPOINTS = ["POST /suppliers", "POST /contracts", "PATCH /contracts/{id}", "POST /contracts/{id}/prices",
             "POST /contracts/{id}/terms", "POST /contracts/{id}/documents", "POST /exceptions",
             "POST /exceptions/{id}/approve", "POST /exceptions/{id}/reject"]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_who_may_write(client, api_headers, db, setup, endpoint: str, role: Role) -> None:
    rule, url, body = _write_requests(setup, db)[endpoint]
    headers = api_headers(role, ["3110"] if role == Role.DEPARTMENT else [])
    before = db.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    method = client.patch if endpoint.startswith("PATCH") else client.post
    response = method(url, headers=headers, json=body)
    if role in WRITERS[rule]:
        assert response.status_code in (200, 201), response.json
    else:
        assert response.status_code == 403, response.json
        assert response.json["error"]["code"] == "forbidden"
        db.expire_all()
        assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before  # nothing happened


@pytest.mark.parametrize("role", list(Role))
def test_who_may_withdraw(client, api_headers, db, setup, role: Role) -> None:
    """Withdrawing is for the requester or procurement: other roles are refused at the door (403)."""
    headers = api_headers(role, ["3110"] if role == Role.DEPARTMENT else [])
    from ledger.access.models import User
    from ledger.access.service import user_for_token

    requester = user_for_token(headers["Authorization"].split()[1])
    assert isinstance(requester, User)
    exception = make_coverage_exception(setup.org, setup.other, area="Forsvik", reason="x",
                                        valid_from=date(2026, 1, 1), requested_by_id=requester.id)
    response = client.post(f"/api/v1/exceptions/{exception.id}/withdraw", headers=headers)
    assert response.status_code == (200 if role in WRITERS["withdraw"] else 403)


@pytest.mark.parametrize("url", ["/api/v1/suppliers", "/api/v1/contracts", "/api/v1/exceptions",
                                 "/api/v1/compliance?period=2026-03"])
def test_reading_needs_a_token(client, db, url) -> None:
    assert client.get(url).status_code == 401


def test_openapi_lists_the_procurement_paths(client) -> None:
    paths = set(client.get("/api/openapi.json").json["paths"])
    assert {"/api/v1/suppliers", "/api/v1/contracts", "/api/v1/contracts/{contract_id}",
            "/api/v1/contracts/{contract_id}/prices", "/api/v1/contracts/{contract_id}/terms",
            "/api/v1/contracts/{contract_id}/documents", "/api/v1/exceptions",
            "/api/v1/exceptions/{exception_id}/approve", "/api/v1/exceptions/{exception_id}/reject",
            "/api/v1/exceptions/{exception_id}/withdraw", "/api/v1/compliance"} <= paths


def test_orgnr_helper_makes_valid_numbers() -> None:
    from ledger.core.identifiers import organisation_number

    assert organisation_number(orgnr("556901001")) == orgnr("556901001")


def test_patching_the_end_past_an_option_is_refused(client, api_headers, setup) -> None:
    response = client.patch(f"/api/v1/contracts/{setup.contract.id}", headers=api_headers(Role.PROCUREMENT),
                            json={"end_date": "2029-06-30"})  # option 1 extends only to 2028-12-31
    assert response.status_code == 422 and "extend beyond" in response.json["error"]["message"]
    moved = client.patch(f"/api/v1/contracts/{setup.contract.id}", headers=api_headers(Role.PROCUREMENT),
                         json={"end_date": "2027-06-30"})
    assert moved.status_code == 200 and moved.json["end_on"] == "2027-06-30"
