"""The procurement pages: register, contract page, forms (with CSRF), upload, exception workflow."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.core.categories import Category
from ledger.organisation.models import Organisation
from ledger.procurement.models import (
    ContractTerm,
    CoverageException,
    ExceptionStatus,
    FrameworkContract,
    PartyRole,
    PriceListItem,
)
from tests.conftest import csrf_token, log_in
from tests.factories import SKOVDE, make_contract, make_price, make_subscription, make_supplier


@pytest.fixture
def register(db, org):
    demotel = make_supplier("Demotel Mobil AB")
    nordnat = make_supplier("Nordnät AB")
    contract = make_contract(org, demotel, [Category.SUBSCRIPTION, Category.USAGE], start=date(2025, 1, 1),
                             end=date(2030, 12, 31), reference="SKÖ 2025/0145",
                             options=[(date(2031, 12, 31), date(2030, 6, 30))])
    make_price(contract, "MOB-BAS", "85.00", date(2025, 1, 1), date(2026, 1, 1))
    make_price(contract, "MOB-BAS", "89.00", date(2026, 1, 1))
    sub = make_subscription(org, "+46701000001", org.forskola, supplier=nordnat, start=date(2020, 1, 1),
                            contract=contract)
    return {"contract": contract, "demotel": demotel, "nordnat": nordnat, "sub": sub}


def text(response) -> str:
    return response.get_data(as_text=True)


def test_register_lists_contracts_with_phase_and_searches(client, make_user, register) -> None:
    log_in(client, make_user(Role.DEPARTMENT, ["3110"]).username)
    page = text(client.get("/contracts"))
    assert "Ramavtal" in page and "SKÖ 2025/0145" in page and "Skövde kommun" in page and "gällande" in page
    assert "Nytt avtal" not in page  # departments read, they do not register
    assert "SKÖ 2025/0145" in text(client.get("/contracts?q=Demotel"))
    assert "SKÖ 2025/0145" not in text(client.get("/contracts?q=Tibro"))


def test_contract_page_shows_parties_options_terms_prices_and_subscriptions(client, make_user, register) -> None:
    log_in(client, make_user(Role.AUDITOR).username)
    page = text(client.get(f"/contracts/{register['contract'].id}"))
    assert re.search(r"Skövde kommun.*upphandlande part", page, re.S)
    assert "Karlsborgs kommun" in page and "30 juni 2030" in page  # the option's last notice date
    assert "85,00\u00a0kr" in page and "89,00\u00a0kr" in page  # both versions of MOB-BAS
    assert re.search(r"Era abonnemang på avtalet</dt><dd>1</dd>", page)
    assert "Lägg till i loggen" not in page  # the auditor never writes


def test_procurement_registers_a_contract_with_skovde_as_lead(client, db, make_user, register) -> None:
    log_in(client, make_user(Role.PROCUREMENT).username)
    form = text(client.get("/contracts/new"))
    skovde = db.scalar(sa.select(Organisation).where(Organisation.organisation_number == SKOVDE[1]))
    assert re.search(rf'<option selected value="{skovde.id}">Skövde kommun</option>', form)
    token = csrf_token(client, "/contracts/new")
    response = client.post("/contracts/new", data={
        "csrf_token": token, "reference": "SKÖ 2026/0200", "title": "Växeltjänst", "supplier": register["demotel"].id,
        "lead": skovde.id, "participants": [register["sub"].organisation_id], "categories": ["switchboard_extension"],
        "start_date": "2026-01-01", "end_date": "2028-12-31", "notice_months": "6", "status": "signed",
        "option1_extends_to": "2029-12-31", "option1_notice": "2028-06-30"})
    assert response.status_code == 302, text(response)
    contract = db.scalar(sa.select(FrameworkContract).where(FrameworkContract.reference == "SKÖ 2026/0200"))
    assert contract.lead_organisation_id == skovde.id
    assert {(p.organisation_id, p.role) for p in contract.parties} == {
        (skovde.id, PartyRole.LEAD), (register["sub"].organisation_id, PartyRole.PARTICIPANT)}
    assert [o.last_notice_date for o in contract.extension_options] == [date(2028, 6, 30)]
    assert "Avtal SKÖ 2026/0200 registrerat." in text(client.get(response.headers["Location"]))


def test_a_refused_contract_shows_the_reason_on_the_form(client, db, make_user, register) -> None:
    log_in(client, make_user(Role.PROCUREMENT).username)
    token = csrf_token(client, "/contracts/new")
    response = client.post("/contracts/new", data={
        "csrf_token": token, "reference": "SKÖ 2025/0145", "title": "Dubblett", "supplier": register["demotel"].id,
        "lead": register["sub"].organisation_id, "categories": ["usage"], "start_date": "2026-01-01",
        "end_date": "2028-12-31", "notice_months": "0", "status": "signed"})
    assert response.status_code == 409 and "finns redan" in text(response)


def test_a_partner_is_added_from_the_form(client, db, make_user, register) -> None:
    log_in(client, make_user(Role.PROCUREMENT).username)
    token = csrf_token(client, "/contracts/new")
    response = client.post("/contracts/partners", data={"csrf_token": token, "name": "Tibro kommun",
                                                         "organisation_number": "2120001645"})
    assert response.status_code == 302
    tibro = db.scalar(sa.select(Organisation).where(Organisation.organisation_number == "212000-1645"))
    assert tibro.name == "Tibro kommun" and tibro.keeps_ledger is False
    assert "Tibro kommun" in text(client.get("/contracts/new"))


def test_forms_need_csrf_and_the_right_role(client, make_user, register) -> None:
    contract_id = register["contract"].id
    log_in(client, make_user(Role.FINANCE).username)
    assert client.get("/contracts/new").status_code == 403
    token = csrf_token(client, "/contracts")
    assert client.post(f"/contracts/{contract_id}/terms", data={"csrf_token": token}).status_code == 403
    other = client.application.test_client()
    log_in(other, make_user(Role.PROCUREMENT).username)
    response = other.post(f"/contracts/{contract_id}/terms", data={
        "noted_on": "2026-01-01", "kind": "note", "text": "utan CSRF"})
    assert response.status_code == 400


def test_terms_and_documents_are_added_from_the_contract_page(client, db, make_user, register) -> None:
    contract_id = register["contract"].id
    log_in(client, make_user(Role.PROCUREMENT).username)
    token = csrf_token(client, f"/contracts/{contract_id}")
    response = client.post(f"/contracts/{contract_id}/terms", data={
        "csrf_token": token, "noted_on": "2026-01-01", "kind": "price_adjustment", "text": "Indexuppräkning 4,7 %",
        "document_reference": "SKÖ 2025/0145-12"})
    assert response.status_code == 302
    response = client.post(f"/contracts/{contract_id}/documents", data={
        "csrf_token": token, "title": "Undertecknat avtal", "reference": "https://diarium.example/0145"})
    assert response.status_code == 302
    page = text(client.get(f"/contracts/{contract_id}"))
    assert "Indexuppräkning 4,7 %" in page and "prisjustering" in page
    assert '<a href="https://diarium.example/0145" rel="noopener noreferrer">' in page
    refused = client.post(f"/contracts/{contract_id}/terms", data={
        "csrf_token": token, "noted_on": "2026-01-01", "kind": "extension", "text": "Två gånger"})
    assert refused.status_code == 302
    again = client.post(f"/contracts/{contract_id}/terms", data={
        "csrf_token": token, "noted_on": "2026-01-01", "kind": "extension", "text": "Tre gånger"})
    assert again.status_code == 409 and "ingen oanvänd förlängningsoption" in text(again)
    assert db.scalar(sa.select(sa.func.count()).select_from(ContractTerm)) == 2


def test_price_list_upload_page_reports_rows_and_stores_all_or_nothing(client, db, make_user, register) -> None:
    contract_id = register["contract"].id
    log_in(client, make_user(Role.PROCUREMENT).username)
    token = csrf_token(client, f"/contracts/{contract_id}/prices")
    good = ("Artikelnummer;Benämning;Kategori;Pris;Enhet\n"
            "MOB-BAS;Bas;Abonnemang;89,00;st\nMOB-DATA;Data;Abonnemang;119,00;månad\n")
    response = client.post(f"/contracts/{contract_id}/prices", data={
        "csrf_token": token, "valid_from": "2026-06-01", "file": (io.BytesIO(good.encode("cp1252")), "p.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    page = text(response)
    assert "Prislistan sparad: 1 nya, 0 ersatta, 1 oförändrade." in page
    bad = good + "MOB-X;X;Trafik;abc;st\n"
    response = client.post(f"/contracts/{contract_id}/prices", data={
        "csrf_token": token, "valid_from": "2026-07-01", "file": (io.BytesIO(bad.encode()), "p.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Ingenting sparades: 1 rad(er) har fel." in text(response)
    assert "kolumn <strong>Pris</strong>: inte ett pris: &#39;abc&#39;" in text(response)
    assert db.scalar(sa.select(sa.func.count()).select_from(PriceListItem)) == 3


def test_department_requests_an_exception_and_procurement_approves_it(client, db, make_user, register) -> None:
    department = make_user(Role.DEPARTMENT, ["3110"])
    log_in(client, department.username)
    form = text(client.get("/exceptions/new"))
    assert '<option value="+46701000001">' in form
    token = csrf_token(client, "/exceptions/new")
    response = client.post("/exceptions/new", data={
        "csrf_token": token, "subscription": "+46701000001", "area": "", "supplier": register["nordnat"].id,
        "reason": "Ingen täckning i Forsvik", "evidence": "Mätning 3 av 12 punkter", "valid_from": "2026-01-01",
        "valid_to": ""})
    assert response.status_code == 302, text(response)
    page = text(client.get("/exceptions"))
    assert "Ingen täckning i Forsvik" in page and "begärd" in page and "Återkalla" in page and "Godkänn" not in page
    exception = db.scalar(sa.select(CoverageException))

    procurement = client.application.test_client()
    log_in(procurement, make_user(Role.PROCUREMENT).username)
    page = text(procurement.get("/exceptions"))
    assert "Godkänn" in page and "Avslå" in page
    token = csrf_token(procurement, "/exceptions")
    response = procurement.post(f"/exceptions/{exception.id}/approve", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Undantaget är godkänt." in text(procurement.get("/exceptions"))
    again = procurement.post(f"/exceptions/{exception.id}/reject", data={"csrf_token": token})
    assert again.status_code == 409
    db.expire_all()
    assert db.get(CoverageException, exception.id).status == ExceptionStatus.APPROVED

    token = csrf_token(client, "/exceptions")
    assert client.post(f"/exceptions/{exception.id}/approve", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/exceptions/{exception.id}/withdraw", data={"csrf_token": token}).status_code == 302
    db.expire_all()
    assert db.get(CoverageException, exception.id).status == ExceptionStatus.WITHDRAWN


def test_exception_request_without_subscription_or_area_is_refused(client, make_user, register) -> None:
    log_in(client, make_user(Role.DEPARTMENT, ["3110"]).username)
    token = csrf_token(client, "/exceptions/new")
    response = client.post("/exceptions/new", data={
        "csrf_token": token, "subscription": "", "area": "", "supplier": register["nordnat"].id,
        "reason": "x", "valid_from": "2026-01-01"})
    assert response.status_code == 422 and "Ange abonnemanget eller området" in text(response)


def test_auditor_and_finance_see_exceptions_but_cannot_request(client, make_user, register) -> None:
    log_in(client, make_user(Role.AUDITOR).username)
    assert client.get("/exceptions").status_code == 200
    assert client.get("/exceptions/new").status_code == 403
    assert "Begär undantag" not in text(client.get("/exceptions"))


def test_pages_in_english(client, make_user, register) -> None:
    log_in(client, make_user(Role.PROCUREMENT).username)
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf_token(client, "/contracts")})
    page = text(client.get("/contracts"))
    assert "Framework contracts" in page and "in force" in page and "New contract" in page
    assert "Coverage exceptions" in text(client.get("/exceptions"))
    assert "Claims: prices above contract" in text(client.get("/compliance?period=2026-03"))
    assert "SEK\u00a089.00" in text(client.get(f"/contracts/{register['contract'].id}"))


def test_navigation_shows_the_procurement_pages_by_role(client, make_user, register) -> None:
    log_in(client, make_user(Role.PROCUREMENT).username)
    page = text(client.get("/contracts"))
    for link in ('href="/contracts"', 'href="/exceptions"', 'href="/compliance"'):
        assert link in page
    other = client.application.test_client()
    log_in(other, make_user(Role.DEPARTMENT, ["3110"]).username)
    page = text(other.get("/contracts"))
    assert 'href="/contracts"' in page and 'href="/compliance"' not in page
