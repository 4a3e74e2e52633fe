"""A department asks for a coverage exception in the browser; procurement approves it; the
compliance page then links the finding of another operator's line to the line itself."""

from __future__ import annotations

from datetime import date

from ledger.access.models import Role
from ledger.core.categories import Category
from tests.browser.conftest import log_in_page
from tests.conftest import PASSWORD
from tests.factories import L, make_contract, make_invoice, make_subscription, make_supplier


def test_exception_requested_approved_and_a_finding_followed_to_its_line(page, live_server, org, make_user) -> None:
    demotel = make_supplier("Demotel Mobil AB")
    nordnat = make_supplier("Nordnät AB")
    make_contract(org, demotel, [Category.SUBSCRIPTION], start=date(2025, 1, 1), end=date(2030, 12, 31))
    sub = make_subscription(org, "+46701000001", org.forskola, supplier=nordnat, start=date(2020, 1, 1))
    other = make_subscription(org, "+46701000002", org.skola, supplier=nordnat, start=date(2020, 1, 1))
    _, (line,) = make_invoice(org, nordnat, [L("99.00", subscription=other)])
    department = make_user(Role.DEPARTMENT, ["3110"])
    procurement = make_user(Role.PROCUREMENT)

    log_in_page(page, live_server, department.username, PASSWORD)
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/exceptions")
    page.click("text=Begär undantag")
    page.select_option("#subscription", sub.number)
    page.select_option("#supplier", str(nordnat.id))
    page.fill("#reason", "Ingen täckning i Forsvik")
    page.fill("#evidence", "Täckningsmätning: 3 av 12 punkter utan signal")
    page.fill("#valid_from", "2026-01-01")
    page.click("button:has-text('Skicka begäran')")
    page.wait_for_url(f"{live_server}/exceptions")
    assert "Undantaget är begärt" in page.locator(".flash").inner_text()
    row = page.locator("table.exceptions tbody tr").first
    assert "begärd" in row.inner_text() and row.locator("button:has-text('Godkänn')").count() == 0
    page.click("button:has-text('Logga ut')")

    log_in_page(page, live_server, procurement.username, PASSWORD)
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/exceptions")
    page.click("table.exceptions button:has-text('Godkänn')")
    page.wait_for_url(f"{live_server}/exceptions")
    assert "godkänd" in page.locator("table.exceptions tbody tr").first.inner_text()

    page.goto(f"{live_server}/compliance?period=2026-03")
    finding = page.locator("#off_contract_supplier li.finding")
    assert finding.count() == 1 and "Nordnät AB" in finding.inner_text()
    finding.locator("a[href*='#line-']").first.click()  # the line behind it (the first link is the finding's own page)
    assert page.url.endswith(f"#line-{line.id}")
    assert page.locator(f"#line-{line.id}").is_visible()
