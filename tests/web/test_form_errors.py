"""No form fails silently: a refused form says why next to the field, in Swedish, and the field
points at the message (``aria-describedby``) so that a screen reader reads it with the field."""

from __future__ import annotations

import io
from datetime import date

import lxml.html
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ledger.access.models import Role
from ledger.core.categories import Category
from ledger.invoices.models import InvoiceImport
from ledger.procurement.models import FrameworkContract
from tests.conftest import count, csrf_token, log_in
from tests.factories import make_supplier


def page(response: TestResponse) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.get_data(as_text=True))


def message_for(tree: lxml.html.HtmlElement, control_xpath: str) -> str:
    """The messages the control (or its fieldset) names in ``aria-describedby``, which must
    stand in the list of errors right after it, not somewhere else on the page."""
    [control] = tree.xpath(control_xpath)
    assert control.get("aria-invalid") == "true"
    ids = (control.get("aria-describedby") or "").split()
    assert ids, lxml.html.tostring(control)
    messages = [tree.get_element_by_id(i) for i in ids]
    follows = control.getnext()
    while follows is not None and follows.tag != "ul":
        follows = follows.getnext()
    assert follows is not None and follows.get("class") == "errors", "no list of errors after the field"
    assert all(message.getparent() is follows for message in messages)
    return " ".join(message.text_content().strip() for message in messages)


# --- a new framework contract: at least one category, not all of them ---------------------------


@pytest.fixture
def contract_form(client: FlaskClient, db, org, make_user) -> dict[str, object]:
    """Procurement logged in, and the fields of a complete new contract but its categories."""
    supplier = make_supplier("Demotel Mobil AB")
    log_in(client, make_user(Role.PROCUREMENT).username)
    return {"csrf_token": csrf_token(client, "/contracts/new"), "reference": "KS 2026/0042", "title": "Mobiltelefoni",
            "supplier": supplier.id, "lead": org.id, "participants": [org.id], "start_date": "2026-01-01",
            "end_date": "2028-12-31", "notice_months": "6", "status": "signed"}


def test_no_category_box_is_required_by_the_browser(client: FlaskClient, contract_form) -> None:
    tree = page(client.get("/contracts/new"))
    boxes = tree.xpath('//input[@type="checkbox"][@name="categories"]')
    assert len(boxes) == len(Category)
    assert [box.get("name") for box in boxes if box.get("required") is not None] == []


def test_a_contract_with_one_category_is_registered(client: FlaskClient, db, contract_form) -> None:
    response = client.post("/contracts/new", data={**contract_form, "categories": [Category.SUBSCRIPTION.value]})
    assert response.status_code == 302, response.get_data(as_text=True)
    contract = db.scalars(sa.select(FrameworkContract).where(FrameworkContract.reference == "KS 2026/0042")).one()
    assert [c.category for c in contract.categories] == [Category.SUBSCRIPTION]


def test_a_contract_without_a_category_says_so_at_the_categories(client: FlaskClient, db, contract_form) -> None:
    response = client.post("/contracts/new", data=contract_form)
    assert response.status_code == 400
    tree = page(response)
    said = message_for(tree, '//fieldset[legend[normalize-space()="Kategorier som omfattas"]]')
    assert said == "Kryssa i minst en kategori som avtalet omfattar."
    assert db.scalar(sa.select(sa.func.count()).select_from(FrameworkContract)) == 0
    # what the user typed is kept
    assert tree.xpath('//input[@name="reference"]/@value') == ["KS 2026/0042"]


def test_every_refused_field_of_the_macro_form_names_its_message(client: FlaskClient, contract_form) -> None:
    response = client.post("/contracts/new", data={**contract_form, "reference": "", "end_date": "",
                                                   "categories": ["usage"]})
    assert response.status_code == 400
    tree = page(response)
    assert message_for(tree, '//input[@name="reference"]') == "Det här fältet är obligatoriskt."
    assert message_for(tree, '//input[@name="end_date"]') != ""
    assert tree.xpath('//input[@name="title"]/@aria-invalid') == []  # a field that passed is not marked


# --- the periods page ----------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["2026-13", "mars", "2026-3"])
def test_a_bad_period_says_so_next_to_the_period(client: FlaskClient, db, org, make_user, period: str) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    response = client.post("/periods", data={"csrf_token": csrf_token(client, "/periods"), "period": period,
                                             "action": "allocate"})
    assert response.status_code == 400
    tree = page(response)
    assert message_for(tree, '//input[@id="period"]') == "Ange perioden som ÅÅÅÅ-MM."
    assert tree.xpath('//input[@id="period"]/@value') == [period]


def test_a_good_period_is_allocated_without_a_message(client: FlaskClient, db, org, make_user) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    response = client.post("/periods", data={"csrf_token": csrf_token(client, "/periods"),
                                             "period": f"{date.today():%Y-%m}", "action": "allocate"})
    assert response.status_code == 200
    tree = page(response)
    assert tree.xpath('//ul[@class="errors"]') == [] and tree.xpath('//*[@id="result"]')


# --- the invoice upload --------------------------------------------------------------------------


def _upload(client: FlaskClient, files: object) -> TestResponse:
    data: dict[str, object] = {"csrf_token": csrf_token(client, "/invoices"), "format": "auto", "mapping": "generic"}
    if files is not None:
        data["files"] = files
    return client.post("/invoices", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("files", [None, (io.BytesIO(b""), "")], ids=["no file part", "an empty file part"])
def test_an_upload_without_a_file_says_so_next_to_the_file_field(client: FlaskClient, db, org, make_user,
                                                                  files: object) -> None:
    """A browser sends an empty file part when no file was chosen; a script may send none."""
    log_in(client, make_user(Role.FINANCE).username)
    response = _upload(client, files)
    assert response.status_code == 400
    said = message_for(page(response), '//input[@type="file"][@name="files"]')
    assert said == "Välj minst en fakturafil att importera."
    assert count(db, InvoiceImport) == 0


def test_the_upload_form_field_is_marked_only_after_a_refusal(client: FlaskClient, db, org, make_user) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    tree = page(client.get("/invoices"))
    [field] = tree.xpath('//input[@type="file"][@name="files"]')
    assert field.get("aria-invalid") is None and tree.xpath('//ul[@class="errors"]') == []


# --- the budget form on a unit's page ------------------------------------------------------------


def test_a_budget_without_a_year_says_so_next_to_the_year(client: FlaskClient, db, org, make_user) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    response = client.post("/units/3110", data={"csrf_token": csrf_token(client, "/units/3110"), "year": "",
                                                "category": "subscriptions", "annual": "12000"})
    [label] = page(response).xpath('//label[input[@name="year"]]')
    assert label.xpath('ul[@class="errors"]/li/text()') == ["Det här fältet är obligatoriskt."]
