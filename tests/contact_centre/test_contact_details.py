"""A unit's contact details: kept by its own department users and the administrator, checked,
audited, and shown beside the unit's numbers in the directory (page, JSON and CSV)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from ledger.access.models import Role
from ledger.contact_centre.models import UnitContactDetails
from tests.conftest import audit_actions, count, csrf_token, log_in
from tests.factories import make_subscription, make_token

START = date(2025, 1, 1)
DETAILS = {
    "function": "Förskoleplatser och barnomsorg i centrala Karlsborg",
    "opening_hours": "Mån–fre 06.30–18.00",
    "phone_hours": "Mån–fre 08.00–09.30",
    "email": "forskola@karlsborg.se",
    "web_form_url": "https://www.karlsborg.se/forskola/kontakt",
}


@pytest.fixture
def numbers(org, operator) -> None:
    """A number without a function of its own at 3110, one with a label there, one at 3140."""
    make_subscription(org, "070-100 00 01", org.forskola, supplier=operator, start=START)
    make_subscription(org, "070-100 00 02", org.forskola, supplier=operator, start=START, label="Rektor")
    make_subscription(org, "070-100 00 03", org.skola, supplier=operator, start=START)


def _post_form(client, values: dict[str, str], code: str = "3110"):
    path = f"/units/{code}/contact-details"
    return client.post(path, data={**values, "csrf_token": csrf_token(client, path)})


def test_the_units_department_user_edits_them_and_the_directory_shows_them_beside_the_number(
        client, db, org, numbers, make_user, contact_centre) -> None:
    manager = make_user(Role.DEPARTMENT, ["3110"])
    log_in(client, manager.username)
    saved = _post_form(client, DETAILS)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    stored = db.get(UnitContactDetails, org.forskola.id)
    assert stored.opening_hours == "Mån–fre 06.30–18.00" and stored.updated_by_id == manager.id
    [event] = audit_actions(db, "unit.contact_details")
    assert event.entity_id == "3110" and event.after["email"] == "forskola@karlsborg.se"

    log_in(client, contact_centre.username)
    page = client.get("/inventory/directory").get_data(as_text=True)
    row = page[page.index("070-100 00 01"):]
    row = row[:row.index("</tr>")]
    assert "Mån–fre 06.30–18.00" in row and "Mån–fre 08.00–09.30" in row
    assert 'href="mailto:forskola@karlsborg.se"' in row and 'href="https://www.karlsborg.se/forskola/kontakt"' in row
    assert "Förskoleplatser och barnomsorg" in row  # the unit's function, as the number has none

    entries = {e["number"]: e for e in client.get("/api/v1/directory", headers={
        "Authorization": f"Bearer {make_token(contact_centre)}"}).json}
    assert entries["+46701000001"]["function"] == DETAILS["function"]
    assert entries["+46701000002"]["function"] == "Rektor"  # the number's own label comes first
    assert entries["+46701000001"]["opening_hours"] == DETAILS["opening_hours"]
    assert entries["+46701000001"]["web_form_url"] == DETAILS["web_form_url"]
    assert entries["+46701000003"]["opening_hours"] is None  # 3140 has told nothing

    rows = list(csv.reader(io.StringIO(client.get("/inventory/directory.csv").data.decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[0] == ["Nummer", "Anknytning", "Typ", "Ansvar", "Enhet", "Förvaltning", "Funktion", "Namn",
                       "Öppettider", "Telefontider", "E-post", "Webbformulär"]  # new columns at the end
    assert rows[1] == ["+46701000001", "", "mobile_voice", "3110", "Förskolor centrala Karlsborg",
                       "Barn- och utbildningsförvaltningen", DETAILS["function"], "", DETAILS["opening_hours"],
                       DETAILS["phone_hours"], DETAILS["email"], DETAILS["web_form_url"]]


def test_another_units_department_user_is_refused(client, db, org, api_headers, make_user) -> None:
    log_in(client, make_user(Role.DEPARTMENT, ["3140"]).username)
    assert client.get("/units/3110/contact-details").status_code == 403
    token = csrf_token(client, "/units/3140/contact-details")
    assert client.post("/units/3110/contact-details", data={**DETAILS, "csrf_token": token}).status_code == 403
    other = api_headers(Role.DEPARTMENT, ["3140"])
    assert client.put("/api/v1/units/3110/contact-details", headers=other, json=DETAILS).status_code == 403
    assert client.patch("/api/v1/units/3110/contact-details", headers=other,
                        json={"phone_hours": "aldrig"}).status_code == 403
    assert client.put("/api/v1/units/0000/contact-details", headers=other, json=DETAILS).status_code == 404
    for role in (Role.CONTACT_CENTRE, Role.FINANCE):  # they read the details; the units keep them
        assert client.put("/api/v1/units/3110/contact-details", headers=api_headers(role),
                          json=DETAILS).status_code == 403
    assert count(db, UnitContactDetails) == 0 and audit_actions(db, "unit.contact_details") == []


@pytest.mark.parametrize(("field", "value", "swedish", "english"), [
    ("web_form_url", "javascript:alert(document.cookie)", "är ingen adress till en webbsida",
     "is not the address of a web page"),
    ("web_form_url", "ftp://karlsborg.se/form", "är ingen adress till en webbsida", "is not the address of a web page"),
    ("web_form_url", "https://user:secret@karlsborg.se/", "är ingen adress till en webbsida",
     "is not the address of a web page"),
    ("web_form_url", "https://", "är ingen adress till en webbsida", "is not the address of a web page"),
    ("email", "forskola.karlsborg.se", "är ingen e-postadress", "is not an e-mail address"),
    ("email", "forskola@karlsborg", "är ingen e-postadress", "is not an e-mail address"),
    ("email", "för skola@karlsborg.se", "är ingen e-postadress", "is not an e-mail address"),
    ("opening_hours", "x" * 201, "får vara högst 200 tecken", "Longer than maximum length 200"),
])
def test_an_invalid_address_is_refused_with_a_clear_error(client, db, org, make_user, api_headers, field, value,
                                                          swedish, english) -> None:
    log_in(client, make_user(Role.ADMIN).username)
    page = _post_form(client, {**DETAILS, field: value})
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert f'id="{field}-error-1"' in text and swedish in text  # beside the field, in Swedish
    response = client.put("/api/v1/units/3110/contact-details", headers=api_headers(Role.ADMIN),
                          json={**DETAILS, field: value})
    assert response.status_code == 422
    assert english in str(response.json["error"]), response.json
    assert any(detail.get("field") == field for detail in response.json["error"]["details"])
    assert count(db, UnitContactDetails) == 0


def test_the_api_sets_changes_and_reads_them_and_the_feed_hears_of_it(client, db, org, api_headers,
                                                                      contact_centre) -> None:
    admin = api_headers(Role.ADMIN)
    put = client.put("/api/v1/units/3110/contact-details", headers=admin, json=DETAILS)
    assert put.status_code == 200 and put.json == {"unit": "3110", "unit_name": "Förskolor centrala Karlsborg",
                                                   **DETAILS}
    patched = client.patch("/api/v1/units/3110/contact-details", headers=admin,
                           json={"phone_hours": "  Mån–tors\n 09–11 ", "email": None})
    assert patched.status_code == 200
    assert patched.json["phone_hours"] == "Mån–tors 09–11" and patched.json["email"] is None
    assert patched.json["opening_hours"] == DETAILS["opening_hours"]  # kept
    assert client.patch("/api/v1/units/3110/contact-details", headers=admin, json={}).status_code == 422
    assert client.put("/api/v1/units/3110/contact-details", headers=admin,
                      json={**DETAILS, "fax": "0505-1"}).status_code == 422
    reader = {"Authorization": f"Bearer {make_token(contact_centre)}"}
    read = client.get("/api/v1/units/3110/contact-details", headers=reader)
    assert read.status_code == 200 and read.json["phone_hours"] == "Mån–tors 09–11"
    assert client.get("/api/v1/units/3140/contact-details", headers=reader).json["email"] is None
    assert client.get("/api/v1/units/0000/contact-details", headers=reader).status_code == 404
    changes = [c for c in client.get("/api/v1/directory/changes", headers=reader).json
               if c["kind"] == "contact_details"]
    assert [(c["unit"]["code"], sorted(c["fields"])) for c in changes] == [
        ("3110", ["email", "phone_hours"]), ("3110", sorted(DETAILS))]
    assert len(audit_actions(db, "unit.contact_details")) == 2
    unchanged = client.patch("/api/v1/units/3110/contact-details", headers=admin,
                             json={"phone_hours": "Mån–tors 09–11"})
    assert unchanged.status_code == 200 and len(audit_actions(db, "unit.contact_details")) == 2


def test_the_units_page_links_each_own_unit_to_its_form(client, db, org, make_user) -> None:
    log_in(client, make_user(Role.DEPARTMENT, ["3110"]).username)
    page = client.get("/directory/units").get_data(as_text=True)
    assert "/units/3110/contact-details" in page and "/units/3140/contact-details" not in page
    form = client.get("/units/3110/contact-details")
    assert form.status_code == 200 and "Öppettider" in form.get_data(as_text=True)
