"""Every page of every role holds on a laptop (1280 × 800) and on a phone (390 × 844), in Swedish
and in English: nothing makes the page wider than the screen, and the user's name and the
log-out button stay visible on it (on a phone with the menu opened).

The pages come from the URL map (``tests/every_page.py``), filled from the demo organisation,
which is loaded once for the module. One logged-in browser context per role and language visits
every page at both sizes. SQLite only: the layout does not depend on the engine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect
from werkzeug.routing import Map, Rule

from ledger.access.permissions import ALL as LEDGER_ROLES
from ledger.database import db as _db
from tests.browser.conftest import log_in_page
from tests.conftest import empty_all_tables, engine_name
from tests.every_page import DemoLogin, UnfillablePage, fill, load_demo, one_login_per_role, pages_for

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(engine_name() != "sqlite", reason="browser tests run on SQLite only")]


@dataclass(frozen=True)
class Size:
    name: str
    width: int
    height: int

    @property
    def phone(self) -> bool:
        return self.width < 600


SIZES = [Size("laptop", 1280, 800), Size("phone", 390, 844)]
#: language → (the switch's value, the log-out button as the page says it)
LANGUAGES = {"sv": "Logga ut", "en": "Log out"}


ROLES = one_login_per_role()

#: What the page measures after it has loaded, in one round trip: on a phone it opens the menu
#: first; then the document's width against the window's, the element that reaches furthest
#: right without a scrolling box around it (only when the page is too wide), and where the
#: user's name and the log-out button are.
MEASURE = """(phone) => {
  const W = innerWidth, H = innerHeight;
  const toggle = document.querySelector('.menu-toggle');
  let menu = null;
  if (phone) {  // open the menu as a tap does, and see that its last link shows inside the window
    if (!toggle || !toggle.checkVisibility()) menu = 'no menu button on a phone';
    else {
      toggle.click();
      const links = document.querySelectorAll('#main-nav a'), last = links[links.length - 1];
      const r = last ? last.getBoundingClientRect() : null;
      if (toggle.getAttribute('aria-expanded') !== 'true' || !last || !last.checkVisibility()
          || r.left < 0 || r.right > W) menu = 'the menu does not open';
    }
  }
  const clipped = el => { for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      if (getComputedStyle(e).overflowX !== 'visible') return true; } return false; };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.classList.length ? '.' + [...el.classList].join('.') : '');
  const where = el => { const path = []; for (let e = el; e && e !== document.body && path.length < 4;
      e = e.parentElement) path.unshift(name(e)); return path.join(' > '); };
  const shown = sel => { const el = document.querySelector(sel); if (!el) return sel + ' missing';
      const r = el.getBoundingClientRect();
      if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}) || r.width === 0) return sel + ' hidden';
      const at = [r.left, r.top, r.right, r.bottom].map(Math.round).join(', ');
      if (r.left < 0 || r.top < 0 || r.right > W || r.bottom > H) return `${sel} outside the window (${at})`;
      if (el.scrollWidth > el.clientWidth + 1) return sel + ' cut off';
      return null; };
  const width = document.documentElement.scrollWidth;
  let widest = null;
  if (width > W) {
    let right = 0;
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > right && !clipped(el)) {
        right = r.right;
        widest = `${where(el)} (right edge ${Math.round(r.right)} px)`;
      }
    }
  }
  const logout = document.querySelector('form.logout button');
  return {width, window: W, widest, lang: document.documentElement.lang,
          problems: [menu, shown('.who'), shown('form.logout button')].filter(Boolean),
          logout: logout ? logout.textContent.trim() : null};
}"""


@pytest.fixture(scope="module")
def demo_pages(app: Flask) -> Iterator[dict[str, list[str]]]:
    """The demo organisation, loaded once, and every page each demo user may open."""
    with app.app_context():
        load_demo(app)
        pages = {login.username: pages_for(app, login.username) for login in ROLES}
        _db.session.remove()
    yield pages
    with app.app_context():
        empty_all_tables()  # the tests after this module start from empty tables


@pytest.fixture(scope="module")
def timings() -> Iterator[dict[str, float]]:
    """Seconds per role and language; printed at the end (``-s`` or ``-rA``)."""
    spent: dict[str, float] = {}
    yield spent
    print(f"\nevery page at every width: {sum(spent.values()):.1f} s in all; "
          + ", ".join(f"{key} {seconds:.1f} s" for key, seconds in spent.items()))


def _switch_language(tab: Any, language: str) -> None:
    """The language switch in the page header, as a user clicks it (it sets the session's lang)."""
    if not tab.evaluate("document.documentElement.lang").startswith(language):
        tab.click(f"header button[name=lang][value={language}]")
        tab.wait_for_load_state()
    assert tab.evaluate("document.documentElement.lang").startswith(language)


def _check_page(tab: Any, base: str, path: str, size: Size, language: str) -> list[str]:
    """What is wrong with the page at this size; nothing when it holds."""
    response = tab.goto(base + path)
    if response is None or response.status != 200:
        return [f"answered {response.status if response else 'nothing'}"]
    seen = tab.evaluate(MEASURE, size.phone)
    problems = list(seen["problems"])
    if seen["width"] > seen["window"]:
        problems.append(f"{seen['width']} px wide in a {seen['window']} px window; widest: {seen['widest']}")
    if not seen["lang"].startswith(language):
        problems.append(f"in {seen['lang']!r}, not {language!r}")
    if seen["logout"] != LANGUAGES[language]:
        problems.append(f"the log-out button says {seen['logout']!r}")
    return problems


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("login", ROLES, ids=[login.role.value for login in ROLES])
def test_every_page_holds_at_every_width(browser, live_server: str, demo_pages: dict[str, list[str]],
                                         timings: dict[str, float], login: DemoLogin, language: str) -> None:
    started = time.monotonic()
    paths = demo_pages[login.username]
    assert len(paths) >= (10 if login.role in LEDGER_ROLES else 1), paths  # outside a ledger: a page or two
    context = browser.new_context(viewport={"width": SIZES[0].width, "height": SIZES[0].height}, locale="sv-SE")
    context.set_default_timeout(15_000)
    try:
        tab = context.new_page()
        log_in_page(tab, live_server, login.username, login.password)
        tab.wait_for_url(f"{live_server}/**")  # the start page, or the first page of a role outside a ledger
        tab.wait_for_selector("main")
        _switch_language(tab, language)
        failures = []
        for size in SIZES:
            tab.set_viewport_size({"width": size.width, "height": size.height})
            for path in paths:
                failures += [f"{login.role.value} ({login.username}), {language}, {size.width} px, {path}: {problem}"
                             for problem in _check_page(tab, live_server, path, size, language)]
    finally:
        context.close()
    timings[f"{login.role.value}/{language}"] = time.monotonic() - started
    assert failures == [], "\n".join(failures)


@pytest.mark.usefixtures("demo_pages")
def test_the_menu_opens_and_closes_by_keyboard_on_a_phone(browser, live_server: str) -> None:
    finance = next(login for login in ROLES if login.username == "ekonomi")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE")
    try:
        tab = context.new_page()
        log_in_page(tab, live_server, finance.username, finance.password)
        tab.wait_for_url(f"{live_server}/")
        toggle = tab.get_by_role("button", name="Meny")
        assert toggle.get_attribute("aria-controls") == "main-nav"
        assert not tab.locator("#main-nav").is_visible()
        toggle.focus()
        tab.keyboard.press("Enter")
        assert toggle.get_attribute("aria-expanded") == "true"
        tab.keyboard.press("Tab")  # into the first link of the menu
        assert tab.evaluate("document.activeElement.closest('#main-nav') !== null")
        tab.keyboard.press("Escape")
        assert toggle.get_attribute("aria-expanded") == "false" and not tab.locator("#main-nav").is_visible()
        assert tab.evaluate("document.activeElement.classList.contains('menu-toggle')")
    finally:
        context.close()


@pytest.mark.usefixtures("demo_pages")
def test_without_scripts_the_links_wrap_and_tables_scroll_on_a_phone(browser, live_server: str) -> None:
    finance = next(login for login in ROLES if login.username == "ekonomi")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE", java_script_enabled=False)
    try:
        tab = context.new_page()
        log_in_page(tab, live_server, finance.username, finance.password)
        for path in ("/", "/periods", "/accounts"):
            tab.goto(live_server + path)
            assert not tab.locator(".menu-toggle").is_visible()
            assert tab.locator("#main-nav a").last.is_visible()
            assert tab.evaluate("document.documentElement.scrollWidth <= innerWidth"), path
    finally:
        context.close()


@pytest.mark.usefixtures("demo_pages")
def test_a_wide_table_says_it_scrolls(browser, live_server: str) -> None:
    """The dashboard's category × month table: on a laptop December lies to the side, behind a
    line that says so; scrolled there, it is in view. On a full-HD screen it fits."""
    finance = next(login for login in ROLES if login.username == "ekonomi")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    try:
        tab = context.new_page()
        log_in_page(tab, live_server, finance.username, finance.password)
        tab.wait_for_url(f"{live_server}/")
        wrapper = tab.locator("table.costs").locator("xpath=..")
        hint = wrapper.locator("xpath=preceding-sibling::p[1]")
        assert hint.get_attribute("class") == "scroll-hint" and hint.is_visible()
        assert hint.inner_text() == "Rulla i sidled för fler kolumner"
        assert wrapper.get_attribute("tabindex") == "0"
        december = tab.locator("table.costs thead th").nth(13)
        assert december.inner_text().startswith("dec")
        wrapper.focus()
        wrapper.evaluate("el => el.scrollLeft = el.scrollWidth")
        box = december.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1280
        tab.set_viewport_size({"width": 1920, "height": 1080})
        expect(hint).to_be_hidden()
        assert wrapper.get_attribute("tabindex") is None
    finally:
        context.close()


@pytest.mark.usefixtures("demo_pages")
def test_closing_a_period_asks_first_and_a_no_keeps_it_open(browser, live_server: str) -> None:
    """The question is asked by the layout's script (the page allows no inline script)."""
    finance = next(login for login in ROLES if login.username == "ekonomi")
    context = browser.new_context(locale="sv-SE")
    try:
        tab = context.new_page()
        log_in_page(tab, live_server, finance.username, finance.password)
        tab.wait_for_url(f"{live_server}/")
        tab.goto(f"{live_server}/periods")
        asked: list[str] = []
        tab.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        close = tab.locator("button[name=action][value=close]").first
        row = close.locator("xpath=ancestor::tr")
        period = row.locator("td").first.inner_text()
        close.click()
        assert asked == [f"Stänga {period}? Perioden tar inte emot fler poster."]
        tab.goto(f"{live_server}/periods")
        assert tab.locator(f"tr:has(td:text-is('{period}')) .tag").inner_text() == "öppen"
    finally:
        context.close()


@pytest.mark.parametrize("size", SIZES, ids=[size.name for size in SIZES])
def test_the_log_in_page_fits_before_anyone_is_logged_in(browser, live_server: str, size: Size) -> None:
    context = browser.new_context(viewport={"width": size.width, "height": size.height}, locale="sv-SE")
    try:
        tab = context.new_page()
        tab.goto(f"{live_server}/login")
        assert tab.evaluate("document.documentElement.scrollWidth <= innerWidth")
        assert tab.locator("#username").is_visible() and tab.locator("button[type=submit]").is_visible()
        assert tab.locator(".menu-toggle").count() == 0  # nothing to fold away
    finally:
        context.close()


def test_a_page_whose_parameter_cannot_be_filled_fails_loudly() -> None:
    """A new route with a parameter the helper does not know stops the test, naming it."""
    rule = Rule("/widgets/<int:widget_id>", endpoint="web.widget")
    Map([rule])
    with pytest.raises(UnfillablePage, match=r"/widgets/<int:widget_id>.*'widget_id'"):
        fill(rule, user=None, today=date(2026, 5, 1))  # type: ignore[arg-type]
