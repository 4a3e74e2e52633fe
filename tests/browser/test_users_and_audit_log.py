"""The administrator adds a user, gives them a new password, and finds both changes in the log,
each shown field by field."""

from __future__ import annotations

from ledger.access.models import Role
from tests.browser.conftest import log_in_page
from tests.conftest import PASSWORD


def test_admin_adds_a_user_resets_the_password_and_reads_both_in_the_log(page, live_server, make_user) -> None:
    admin = make_user(Role.ADMIN, username="chefadmin")
    log_in_page(page, live_server, admin.username, PASSWORD)
    page.wait_for_url(f"{live_server}/")
    page.click("nav a:text-is('Användare')")
    page.click("text=Lägg till användare")
    page.fill("#username", "anna")
    page.fill("#display_name", "Anna Ek")
    page.select_option("#role", "department")
    page.check("input[name=units][value='3110']")
    page.fill("#password", "violet tractor umbrella lagoon")
    page.click("button:has-text('Lägg till användaren')")
    page.wait_for_url(f"{live_server}/users/anna")
    assert page.locator(".flash.ok").inner_text() == "anna kan nu logga in."

    page.fill("#reset-password input[name=password]", "another quiet harbour lantern")
    page.click("button:has-text('Sätt lösenordet')")
    assert "nytt lösenord" in page.locator(".flash.ok").inner_text()

    page.click("nav a:text-is('Logg')")
    page.fill("#actor", "chefadmin")  # not the administrator's own creation, by the system
    page.click("button:has-text('Sök')")
    page.wait_for_url(f"{live_server}/audit?**")
    events = page.locator("tr.audit-event")
    assert events.count() == 2
    newest, first = events.nth(0), events.nth(1)
    assert "Nytt lösenord" in newest.inner_text() and "chefadmin" in newest.inner_text()
    assert newest.locator("li.changed", has_text="Nytt lösenord").inner_text() == "Nytt lösenord: nej → ja"
    assert newest.locator("li:not(.changed)", has_text="Användarnamn").inner_text() == "Användarnamn: anna"
    assert "Användare tillagd" in first.inner_text()
    assert first.locator("li.changed", has_text="Roll").inner_text() == "Roll: — → verksamhet"
    assert first.locator("li.changed", has_text="Enheter").inner_text() == "Enheter: — → 3110"
