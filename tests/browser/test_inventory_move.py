"""A finance officer moves a subscription to another unit from a date, through the pages."""

from __future__ import annotations

from datetime import date

from ledger.access.models import Role
from tests.browser.conftest import log_in_page
from tests.conftest import PASSWORD
from tests.factories import OPERATOR_ORGNR, OTHER_ORGNR, make_subscription, make_supplier


def test_finance_moves_a_subscription_and_sees_the_new_unit_and_history(page, live_server, org, make_user) -> None:
    operator = make_supplier("Telia Sverige AB (demo)", OPERATOR_ORGNR)
    make_supplier("Tre Företag (demo)", OTHER_ORGNR)
    make_subscription(org, "070-123 45 67", org.forskola, supplier=operator, start=date(2025, 1, 1),
                      label="Förskolan Ugglan")
    user = make_user(Role.FINANCE)
    log_in_page(page, live_server, user.username, PASSWORD)
    page.wait_for_url(f"{live_server}/")

    page.click("nav >> text=Inventarier")
    page.fill("#number", "0701234567")
    page.click("button:has-text('Sök')")
    page.click("text=070-123 45 67")
    assert page.locator("#unit-now").inner_text() == "3110 Förskolor centrala Karlsborg"

    page.select_option("#unit", "3140")
    page.fill("#valid_from", "2025-06-15")
    page.fill("#reason", "Personalen flyttar till Ekbackeskolan")
    page.click("button[name=move]")

    assert page.locator(".flash").inner_text() == "Flyttad till 3140 från 2025-06-15."
    assert page.locator("#unit-now").inner_text() == "3140 Ekbackeskolan"
    rows = page.locator("table.history tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).inner_text().split("\t") == ["3110 Förskolor centrala Karlsborg",
                                                    "Barn- och utbildningsförvaltningen", "1 jan. 2025", "15 juni 2025"]
    assert rows.nth(1).inner_text().split("\t") == ["3140 Ekbackeskolan", "Barn- och utbildningsförvaltningen",
                                                    "15 juni 2025", "—"]
    assert "current" in rows.nth(1).get_attribute("class")

    # a second move on the same day is refused with the reason, and the history is unchanged
    page.select_option("#unit", "2150")
    page.fill("#valid_from", "2025-06-15")
    page.click("button[name=move]")
    assert "har redan en placering från 15 juni 2025" in page.locator(".flash.error").inner_text()
    assert page.locator("table.history tbody tr").count() == 2
