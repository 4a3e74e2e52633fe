"""A department user follows a figure on the dashboard to the invoice lines behind it; an
auditor sees the whole organisation."""

from __future__ import annotations

import pytest

from ledger.access.models import Role
from tests.browser.conftest import log_in_page
from tests.conftest import PASSWORD
from tests.factories import build_year


@pytest.fixture
def ledger(db, org):
    """The budget tests' hand-computed year (``build_year``)."""
    return build_year(org)


@pytest.mark.usefixtures("ledger")
def test_department_user_traces_a_figure_to_its_invoice_lines(page, live_server, make_user) -> None:
    user = make_user(Role.DEPARTMENT, ["3110"])
    log_in_page(page, live_server, user.username, PASSWORD)
    page.goto(f"{live_server}/units/3110?year=2026")
    chart = page.locator("svg.chart")
    assert chart.get_attribute("role") == "img"
    assert "900,00" in page.locator("#chart-desc").text_content()  # the text alternative says the figures
    assert "900,00\u00a0kr" in page.locator(".figures").inner_text()
    page.click("a[href='/units/3110/2026/3?category=subscriptions']")
    assert "580,00\u00a0kr" in page.locator("main").inner_text()
    assert page.locator("text=Startavgift nytt SIM").count() == 1
    page.locator("tbody a").first.click()  # the first entry: why it is there
    assert "direkt" in page.locator("dl.facts").inner_text()
    refused = page.goto(f"{live_server}/units/3140?year=2026")
    assert refused.status == 403


@pytest.mark.usefixtures("ledger")
def test_auditor_sees_the_roll_up_per_administration(page, live_server, make_user) -> None:
    user = make_user(Role.AUDITOR)
    log_in_page(page, live_server, user.username, PASSWORD)
    page.goto(f"{live_server}/?year=2026")
    text = page.locator("main").inner_text()
    for name in ("Barn- och utbildningsförvaltningen", "Samhällsbyggnadsförvaltningen", "Kommunstyrelseförvaltningen"):
        assert name in text
    assert page.locator("svg.chart rect.actual:has(title)").count() == 12  # one bar a month, each titled
