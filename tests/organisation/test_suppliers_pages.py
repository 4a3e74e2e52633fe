"""The suppliers page: the list for everyone who reads suppliers, registering and correcting for
procurement, finance and the admin, every change audited; and the upload page's link to it."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.invoices.views import unknown_supplier
from ledger.organisation.models import Supplier
from tests.conftest import audit_actions, count, csrf_token, log_in
from tests.factories import OPERATOR_ORGNR, OTHER_ORGNR, SUPPLIER, make_supplier
from tests.importers.ubl_builder import build_invoice


def text(response) -> str:
    return response.get_data(as_text=True)


def supplier_form(client, path: str = "/suppliers/new", **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf_token(client, path), "name": "Nordnät AB", "organisation_number": OPERATOR_ORGNR,
            "peppol_id": "", "vat_number": "", "counterparty_code": "", "next": ""} | fields


def field_errors(page: str, field: str) -> str:
    """The messages next to ``field``: the list of errors that follows its input."""
    found = re.search(rf'id="{field}"[^>]*>\s*<ul class="errors">(.*?)</ul>', page, re.S)
    return found.group(1) if found else ""


def supplier_events(db) -> list[str]:
    return [event.action for event in audit_actions(db) if event.entity_type == "supplier"]


def stored(db) -> list[tuple[str, str]]:
    return [(s.organisation_number, s.name) for s in db.scalars(sa.select(Supplier).order_by(Supplier.name))]


@pytest.mark.parametrize("role", [Role.DEPARTMENT, Role.AUDITOR, Role.PROCUREMENT, Role.FINANCE])
def test_the_list_shows_each_supplier_to_every_reader(client, db, make_user, role: Role) -> None:
    make_supplier("Hjo kommun", "212000-1645", peppol_id="0007:2120001645", vat_number="SE212000164501",
                  counterparty_code="82")
    log_in(client, make_user(role, ["3110"] if role == Role.DEPARTMENT else []).username)
    page = client.get("/suppliers")
    body = text(page)
    assert page.status_code == 200
    assert "<h1>Leverantörer" in body and 'href="/suppliers" aria-current="page">Leverantörer<' in body
    for value in ("Hjo kommun", "212000-1645", "0007:2120001645", "SE212000164501", "<td>82</td>"):
        assert value in body
    may_write = role in (Role.PROCUREMENT, Role.FINANCE)
    assert ('href="/suppliers/new"' in body) is may_write
    assert ("/edit" in body) is may_write


def test_finance_registers_a_supplier_normalised_and_audited(client, db, make_user) -> None:
    user = make_user(Role.FINANCE)
    log_in(client, user.username)
    response = client.post("/suppliers/new", data=supplier_form(
        client, name="  Nordnät AB ", organisation_number="5569000010", peppol_id="0007:5569000010",
        counterparty_code="45"))
    assert response.status_code == 302 and response.headers["Location"] == "/suppliers"
    assert stored(db) == [(OPERATOR_ORGNR, "Nordnät AB")]
    assert "Nordnät AB (556900-0010) är registrerad som leverantör." in text(client.get("/suppliers"))
    [event] = audit_actions(db, "supplier.create")
    assert event.actor_name == user.username and event.before is None
    assert event.after == {"name": "Nordnät AB", "organisation_number": OPERATOR_ORGNR,
                           "peppol_id": "0007:5569000010", "vat_number": None, "counterparty_code": "45"}


def test_the_new_supplier_form_takes_the_number_and_returns_to_the_upload(client, db, make_user) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    page = text(client.get(f"/suppliers/new?orgnr={SUPPLIER}&next=/invoices"))
    assert re.search(rf'<input [^>]*id="organisation_number"[^>]*value="{SUPPLIER}"', page)
    assert '<input id="next" name="next" type="hidden" value="/invoices">' in page
    response = client.post("/suppliers/new", data=supplier_form(
        client, name="Operatören AB", organisation_number=SUPPLIER, next="/invoices"))
    assert response.status_code == 302 and response.headers["Location"] == "/invoices"
    elsewhere = client.post("/suppliers/new", data=supplier_form(client, next="//evil.example/"))
    assert elsewhere.status_code == 302 and elsewhere.headers["Location"] == "/"  # never off the site


def test_a_registered_number_is_refused_next_to_the_field(client, db, make_user) -> None:
    make_supplier("Nordnät AB", OPERATOR_ORGNR)
    log_in(client, make_user(Role.PROCUREMENT).username)
    response = client.post("/suppliers/new", data=supplier_form(client, name="Nordnät igen",
                                                                organisation_number="556900 0010"))
    assert response.status_code == 409
    assert "556900-0010 är redan registrerad som leverantör." in field_errors(text(response), "organisation_number")
    assert stored(db) == [(OPERATOR_ORGNR, "Nordnät AB")] and supplier_events(db) == []


@pytest.mark.parametrize("number", ["556900-0011", "55690001", "abc"])
def test_a_bad_organisation_number_is_refused_next_to_the_field(client, db, make_user, number: str) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    response = client.post("/suppliers/new", data=supplier_form(client, organisation_number=number))
    assert response.status_code == 400
    assert "Inte ett organisationsnummer" in field_errors(text(response), "organisation_number")
    assert count(db, Supplier) == 0


def test_a_missing_name_is_refused_next_to_the_field(client, db, make_user) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    response = client.post("/suppliers/new", data=supplier_form(client, name="   "))
    assert response.status_code == 400 and field_errors(text(response), "name")
    assert count(db, Supplier) == 0


def test_a_department_user_cannot_register_or_correct(client, db, make_user) -> None:
    supplier = make_supplier("Nordnät AB", OPERATOR_ORGNR)
    log_in(client, make_user(Role.DEPARTMENT, ["3110"]).username)
    token = csrf_token(client, "/suppliers")
    assert client.get("/suppliers/new").status_code == 403
    fields = {"csrf_token": token, "name": "Ny AB", "organisation_number": OTHER_ORGNR}
    assert client.post("/suppliers/new", data=fields).status_code == 403
    assert client.get(f"/suppliers/{supplier.id}/edit").status_code == 403
    assert client.post(f"/suppliers/{supplier.id}/edit", data=fields).status_code == 403
    assert stored(db) == [(OPERATOR_ORGNR, "Nordnät AB")] and supplier_events(db) == []


def test_a_form_without_its_csrf_token_is_refused(client, db, make_user) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    response = client.post("/suppliers/new", data={"name": "Ny AB", "organisation_number": OTHER_ORGNR})
    assert response.status_code == 400 and count(db, Supplier) == 0


def test_finance_corrects_a_supplier_and_the_change_is_audited(client, db, make_user) -> None:
    supplier = make_supplier("Nordnat", OPERATOR_ORGNR, peppol_id="0007:5569000010")
    log_in(client, make_user(Role.FINANCE).username)
    path = f"/suppliers/{supplier.id}/edit"
    page = text(client.get(path))
    assert 'value="Nordnat"' in page and 'value="0007:5569000010"' in page
    response = client.post(path, data=supplier_form(client, path, name="Nordnät AB", peppol_id="0007:5569000010",
                                                    vat_number="SE556900001001", counterparty_code="45"))
    assert response.status_code == 302 and response.headers["Location"] == "/suppliers"
    db.expire_all()
    found = db.get(Supplier, supplier.id)
    assert (found.name, found.vat_number, found.counterparty_code) == ("Nordnät AB", "SE556900001001", "45")
    [event] = audit_actions(db, "supplier.update")
    assert event.entity_id == str(supplier.id)
    assert event.before == {"name": "Nordnat", "vat_number": None, "counterparty_code": None}
    assert event.after == {"name": "Nordnät AB", "vat_number": "SE556900001001", "counterparty_code": "45"}
    again = client.post(path, data=supplier_form(client, path, name="Nordnät AB", peppol_id="0007:5569000010",
                                                 vat_number="SE556900001001", counterparty_code="45"))
    assert again.status_code == 302 and len(audit_actions(db, "supplier.update")) == 1  # no change, no event


def test_a_correction_to_another_suppliers_number_is_refused(client, db, make_user) -> None:
    make_supplier("Hjo kommun", OTHER_ORGNR)
    supplier = make_supplier("Nordnät AB", OPERATOR_ORGNR)
    log_in(client, make_user(Role.ADMIN).username)
    path = f"/suppliers/{supplier.id}/edit"
    response = client.post(path, data=supplier_form(client, path, organisation_number=OTHER_ORGNR))
    assert response.status_code == 409
    assert "556900-0028 är redan registrerad som leverantör." in field_errors(text(response), "organisation_number")
    assert stored(db) == [(OTHER_ORGNR, "Hjo kommun"), (OPERATOR_ORGNR, "Nordnät AB")]
    assert supplier_events(db) == []
    assert client.get("/suppliers/999999/edit").status_code == 404


def test_the_page_speaks_english_too(client, db, make_user) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf_token(client, "/suppliers")})
    body = text(client.get("/suppliers"))
    assert "<h1>Suppliers" in body and "No suppliers registered yet." in body and "New supplier" in body
    refused = text(client.post("/suppliers/new", data=supplier_form(client, organisation_number="556900-0011")))
    assert "Not an organisation number" in field_errors(refused, "organisation_number")


def test_the_upload_page_links_an_unknown_supplier_to_registering_it(client, db, org, make_user) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    response = client.post("/invoices", data={
        "csrf_token": csrf_token(client, "/invoices"), "format": "auto", "mapping": "generic",
        "files": (io.BytesIO(build_invoice(number="N-1")), "ny.xml")}, content_type="multipart/form-data")
    body = text(response)
    assert response.status_code == 422
    assert f"okänd leverantör {SUPPLIER}: registrera den under Leverantörer först" in body
    assert f'href="/suppliers/new?orgnr={SUPPLIER}&amp;next=/invoices"' in body


def test_only_the_unknown_supplier_error_is_recognised() -> None:
    def error(rule: str | None, number: str) -> dict[str, object]:
        return {"rule": rule, "message": f"unknown supplier {number}", "params": {"organisation_number": number}}

    assert unknown_supplier(error("unknown_supplier", SUPPLIER)) == SUPPLIER
    assert unknown_supplier(error("unknown_supplier", SUPPLIER.replace("-", ""))) == SUPPLIER
    for other in (error("unknown_supplier", "556677-8898"),  # not a valid number: no link
                  error(None, SUPPLIER), error("BR-CO-10", SUPPLIER), {"message": None}, {}):
        assert unknown_supplier(other) is None
