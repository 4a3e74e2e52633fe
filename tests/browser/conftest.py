"""Browser tests: the app served on 127.0.0.1 in a thread, driven by Debian's Chromium
through playwright (which downloads no browser of its own: ``executable_path``)."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Quiet flags: this machine has no network beyond loopback, so background services only fail.
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The application served over real HTTP on a free loopback port."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request drowns failures
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (make test installs it with apt-get when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, db) -> Iterator[object]:
    """A fresh browser context (no cookies) per test; the database is emptied after it."""
    context = browser.new_context(locale="sv-SE")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def log_in_page(page, live_server: str, username: str, password: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
