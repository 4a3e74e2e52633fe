"""The privacy page with an extract on it holds on a phone (390 px) and a laptop: the form, the
lists and the longest texts stay inside the window (the tables scroll in their cards).
SQLite only, as every browser test."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in_page
from tests.conftest import PASSWORD, engine_name
from tests.privacy.conftest import ANNA, people, today  # noqa: F401 - fixtures, used by name

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(engine_name() != "sqlite", reason="browser tests run on SQLite only")]


@pytest.mark.parametrize("width", [390, 1280])
def test_the_extract_fits_the_window(browser, live_server, db, people, width) -> None:  # noqa: F811 - people
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="sv-SE")
    context.set_default_timeout(15_000)
    try:
        tab = context.new_page()
        log_in_page(tab, live_server, "karlsborg-admin", PASSWORD)
        tab.wait_for_url(f"{live_server}/**")
        tab.goto(f"{live_server}/privacy")
        tab.fill("#person", ANNA)
        tab.click("button[name=format][value=page]")
        tab.wait_for_selector("#extract")
        assert "070-555 00 01" in tab.inner_text("#extract")
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
