"""Finance uploads invoice files in a browser and sees what happened to each, in numbers."""

from __future__ import annotations

from pathlib import Path

from ledger.access.models import Role
from tests.browser.conftest import log_in_page
from tests.conftest import PASSWORD
from tests.factories import make_supplier
from tests.importers.ubl_builder import Line, build_invoice


def test_upload_page_imports_and_reports_each_file(page, live_server, db, org, make_user, tmp_path: Path) -> None:
    make_supplier("Operatören AB", "556677-8899")
    good = tmp_path / "mars.xml"
    good.write_bytes(build_invoice([Line(price="149.00", object_ref="0701234567"), Line(price="51.00")],
                                   number="F-900"))
    bad = tmp_path / "fel.xml"
    bad.write_bytes(build_invoice(number="F-901", totals={"TaxExclusiveAmount": "100.01"}))
    log_in_page(page, live_server, make_user(Role.FINANCE).username, PASSWORD)
    response = page.goto(f"{live_server}/invoices")
    assert response.status == 200, page.content()[:2000]
    page.set_input_files("input[type=file]", [str(good), str(bad)])
    page.click("button:has-text('Importera')")
    page.wait_for_selector("#results")
    rows = page.locator("#results tbody tr")
    assert rows.count() == 2
    first, second = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    assert "mars.xml" in first and "inläst" in first and "200,00" in first
    assert "fel.xml" in second and "avvisad" in second and "BR-CO-1" in second
    page.click("a:has-text('Faktura')")
    assert "F-900" in page.locator("h1").inner_text()
