"""A new operator's invoice can be imported from the pages alone: the upload refuses it for an
unknown supplier and links to registering it, the number filled in; once registered, the same
file is imported."""

from __future__ import annotations

from pathlib import Path

from ledger.access.models import Role
from tests.browser.conftest import log_in_page
from tests.conftest import PASSWORD
from tests.importers.ubl_builder import Line, build_invoice

#: A fictional new operator, with a valid organisationsnummer check digit.
NEW_OPERATOR = ("5569000044", "556900-0044", "Nyoperatören AB")


def test_a_new_operators_invoice_is_imported_after_registering_it_on_the_page(page, live_server, org, make_user,
                                                                               tmp_path: Path) -> None:
    digits, number, name = NEW_OPERATOR
    invoice = tmp_path / "ny-operator.xml"
    invoice.write_bytes(build_invoice([Line(price="120.00", object_ref="0701234567"), Line(price="30.00")],
                                      number="NY-1", supplier_orgnr=digits, supplier_name=name))
    log_in_page(page, live_server, make_user(Role.FINANCE).username, PASSWORD)
    page.wait_for_url(f"{live_server}/")
    assert page.locator("header nav a:has-text('Leverantörer')").count() == 1

    page.goto(f"{live_server}/invoices")
    page.set_input_files("input[type=file]", [str(invoice)])
    page.click("button:has-text('Importera')")
    page.wait_for_selector("#results")
    row = page.locator("#results tbody tr").first.inner_text()
    assert "avvisad" in row and f"okänd leverantör {number}" in row
    page.click(f"a:has-text('Registrera {number} som leverantör')")

    page.wait_for_selector("#supplier-form")
    assert page.input_value("#organisation_number") == number
    page.fill("#name", name)
    page.fill("#peppol_id", f"0007:{digits}")
    page.click("button:has-text('Registrera leverantören')")
    page.wait_for_url(f"{live_server}/invoices")
    assert f"{name} ({number}) är registrerad som leverantör." in page.locator(".flash").inner_text()

    page.set_input_files("input[type=file]", [str(invoice)])
    page.click("button:has-text('Importera')")
    page.wait_for_selector("#results")
    row = page.locator("#results tbody tr").first.inner_text()
    assert "ny-operator.xml" in row and "inläst" in row and "150,00" in row
    page.click("#results a:has-text('Faktura')")
    assert "NY-1" in page.locator("h1").inner_text()

    page.goto(f"{live_server}/suppliers")
    listed = page.locator("table.suppliers tbody tr").first.inner_text()
    assert name in listed and number in listed and f"0007:{digits}" in listed
