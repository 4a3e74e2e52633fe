"""A finance officer places a suspense line: no unit is chosen for them, an empty choice is
refused next to the field, and the unit the number's history suggests is taken with one click."""

from __future__ import annotations

from datetime import date

from ledger.access.models import Role
from ledger.allocation.engine import allocate
from tests.browser.conftest import log_in_page
from tests.conftest import PASSWORD
from tests.factories import L, make_assignment, make_invoice, make_subscription, make_supplier, save


def test_suspense_suggests_the_numbers_last_unit_but_chooses_nothing(page, live_server, org, make_user) -> None:
    operator = make_supplier("Operatören AB")
    former = make_subscription(org, "070-400 00 01", supplier=operator, start=date(2025, 1, 1))
    make_assignment(former, org.forskola, date(2025, 1, 1), date(2026, 2, 28))
    _invoice, (known, unknown) = make_invoice(
        org, operator, [L(net="99.00", subscription=former), L(net="80.00", reference="0709999999")],
        issue_date=date(2026, 3, 31))
    allocate(None, org.organisation, "2026-03")
    save()
    user = make_user(Role.FINANCE)
    log_in_page(page, live_server, user.username, PASSWORD)
    page.wait_for_url(f"{live_server}/")

    page.goto(f"{live_server}/suspense")
    row, other = page.locator(f"#suspense-{known.id}"), page.locator(f"#suspense-{unknown.id}")
    for each in (row, other):
        assert each.locator("select[name=unit]").input_value() == ""
    assert row.locator("select[name=unit] option:checked").inner_text() == "Välj budgetenhet"
    assert row.locator(".suggestion").inner_text().startswith("Förslag: 3110 Förskolor centrala Karlsborg")
    assert other.locator(".suggestion").count() == 0

    row.locator("button:has-text('Tilldela och fördela om')").click()
    row = page.locator(f"#suspense-{known.id}")
    assert row.locator("ul.errors").inner_text() == "Välj den budgetenhet som raden ska konteras på."
    assert row.locator("select[name=unit]").get_attribute("aria-invalid") == "true"
    assert row.locator("select[name=unit]").input_value() == ""

    row.locator("button:has-text('Använd förslaget')").click()
    assert "Tilldelad 3110" in page.locator(".flash").inner_text()
    assert page.locator(f"#suspense-{known.id}").count() == 0
    assert page.locator(f"#suspense-{unknown.id}").count() == 1
