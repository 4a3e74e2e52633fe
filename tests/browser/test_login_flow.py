"""A person logs in with a browser and finds their way around, in Swedish and English."""

from __future__ import annotations

from ledger.access.models import Role
from tests.browser.conftest import log_in_page
from tests.conftest import PASSWORD


def test_department_user_logs_in_sees_own_unit_and_is_refused_another(page, live_server, make_user) -> None:
    user = make_user(Role.DEPARTMENT, ["3110"])
    log_in_page(page, live_server, user.username, PASSWORD)
    page.wait_for_url(f"{live_server}/")
    assert page.locator("h1").inner_text().endswith("dina enheter")
    assert page.locator("h2", has_text="Förvaltningar och enheter").count() == 1
    page.click("a:text-is('3110')")
    assert "Förskolor centrala Karlsborg" in page.locator("h1").inner_text()
    response = page.goto(f"{live_server}/units/2150")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Inte tillåtet"


def test_wrong_password_shows_a_message_and_the_switch_gives_english(page, live_server, make_user) -> None:
    user = make_user(Role.AUDITOR)
    log_in_page(page, live_server, user.username, "wrong-password")
    assert page.locator(".flash.error").inner_text() == "Fel användarnamn eller lösenord."
    page.click("button:has-text('English')")
    assert page.locator("h1").inner_text() == "Log in"
    log_in_page(page, live_server, user.username, PASSWORD)
    page.wait_for_url(f"{live_server}/")
    assert page.locator("h1").inner_text().endswith("the whole organisation")
    assert page.locator("h2", has_text="Administrations and units").count() == 1
    page.click("text=Log out")
    assert page.locator("h1").inner_text() == "Log in"
