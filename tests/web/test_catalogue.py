"""Every text a person reads goes through the message catalogue: no Swedish page shows a sentence
of the English source untranslated.

The demo organisation is loaded once for the module (``flask demo load``). Each demo role logs
in and opens every page it may (``tests/every_page.py``: the URL map, path parameters filled from
the demo data) in Swedish; the page's text, tags stripped, must hold no msgid of the compiled
catalogue, except those whose Swedish is the same and the very short ones (a word or two is as
likely a name or a code as an untranslated text). A text with ``%(name)s`` values is looked for
by its longer pieces between the values. Then a few refused actions: the page says them in
Swedish, the API keeps its stable code and English message.
"""

from __future__ import annotations

import gettext
import html
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from ledger.access.models import User
from ledger.access.permissions import ALL as LEDGER_ROLES
from ledger.access.permissions import allowed
from ledger.database import db as _db
from tests.conftest import csrf_token, empty_all_tables, log_in
from tests.every_page import DemoLogin, fill, load_demo, one_login_per_role, page_rules
from tests.factories import make_token

CATALOGUE = Path(__file__).resolve().parents[2] / "ledger" / "translations" / "sv" / "LC_MESSAGES" / "messages.mo"
#: A piece of English shorter than this many words is not looked for (names, codes, "IMEI", "SIE").
MIN_WORDS = 3
#: The elements whose text no reader sees.
_HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1>", re.S | re.I)
#: Attributes a reader does see or hear: tooltips, labels for screen readers, placeholders.
_SHOWN_ATTRIBUTES = re.compile(r'\s(?:title|aria-label|placeholder|alt)="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


ROLES = one_login_per_role()


def english_pieces() -> dict[str, str]:
    """Piece of English source text → the msgid it comes from, for every msgid of the compiled
    Swedish catalogue whose Swedish differs from it."""
    with CATALOGUE.open("rb") as file:
        catalog: dict[object, str] = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
    pieces: dict[str, str] = {}
    for key, swedish in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if not msgid or msgid == swedish:
            continue
        for piece in _PLACEHOLDER.split(msgid):
            piece = " ".join(piece.split()).strip(" .,:;()–-")
            if len(piece.split()) >= MIN_WORDS and piece not in swedish:
                pieces[piece] = msgid
    return pieces


PIECES = english_pieces()


def readable_text(page: str) -> str:
    """What a reader sees of ``page``: its text without tags, and the attributes read aloud."""
    page = _HIDDEN.sub(" ", page)
    attributes = " ".join(_SHOWN_ATTRIBUTES.findall(page))
    return " ".join(html.unescape(_TAG.sub(" ", page) + " " + attributes).split())


def untranslated(page: str) -> list[str]:
    text = readable_text(page)
    return sorted({PIECES[piece] for piece in PIECES if piece in text})


def pages_for(app: Flask, username: str) -> list[str]:
    """Every page ``tests/every_page.py`` finds for the user; a route open to anyone (no
    ``@require``) is read by no role in particular and left to that module to judge."""
    user = _db.session.scalars(sa.select(User).where(User.username == username)).one()
    paths = []
    for rule in page_rules(app):
        view: Any = app.view_functions[rule.endpoint]
        while view is not None and not hasattr(view, "required_permission"):
            view = getattr(view, "__wrapped__", None)
        if view is not None and allowed(user, view.required_permission):
            paths.append(fill(rule, user, date.today()))
    return paths


@pytest.fixture(scope="module")
def demo_pages(app: Flask) -> Iterator[dict[str, list[str]]]:
    """The demo organisation, loaded once, and every page path of each role."""
    with app.app_context():
        load_demo(app)
        pages = {login.username: pages_for(app, login.username) for login in ROLES}
    yield pages
    with app.app_context():
        _db.session.remove()
        empty_all_tables()  # the tests after this module start from empty tables


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    """For the test's own reads of the demo data (the requests run in contexts of their own)."""
    with app.app_context():
        yield


def test_the_catalogue_has_english_to_look_for() -> None:
    """The check below can fail: the catalogue has sentences, and one of them is found in a page."""
    assert len(PIECES) > 500
    sample = "<td>no subscription or handset matches the line&#39;s reference</td>"
    assert "no subscription or handset matches the line's reference" in untranslated(sample)


@pytest.mark.parametrize("login", ROLES, ids=[login.role.value for login in ROLES])
def test_every_page_of_every_role_is_swedish(app: Flask, demo_pages: dict[str, list[str]], login: DemoLogin) -> None:
    client = app.test_client()
    assert log_in(client, login.username, login.password).status_code == 302
    found: dict[str, list[str]] = {}
    paths = demo_pages[login.username]
    assert len(paths) >= (5 if login.role in LEDGER_ROLES else 1), paths  # outside a ledger: a page or two
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        english = untranslated(response.get_data(as_text=True))
        if english:
            found[path] = english
    assert found == {}, "English on Swedish pages:\n" + "\n".join(
        f"  {path}: {'; '.join(texts)}" for path, texts in found.items())


@pytest.mark.usefixtures("demo_pages")
def test_the_same_pages_in_english_would_be_caught(app: Flask, demo_pages: dict[str, list[str]]) -> None:
    """The check finds the English a page shows: nearly every page of finance in English is caught
    (a page of a table and a few words may hold no sentence of three words)."""
    client = _logged_in(app, "ekonomi")
    form = {"lang": "en", "next": "/", "csrf_token": csrf_token(client, "/")}
    assert client.post("/language", data=form).status_code == 302
    caught = [path for path in demo_pages["ekonomi"] if untranslated(client.get(path).get_data(as_text=True))]
    assert len(caught) >= len(demo_pages["ekonomi"]) * 3 // 4, set(demo_pages["ekonomi"]) - set(caught)


# --- refused actions: the page in Swedish, the API in English with its code ----------------------


def _logged_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert log_in(client, username, "karlsborg-demo").status_code == 302
    return client


def _bearer(username: str) -> dict[str, str]:
    user = _db.session.scalars(sa.select(User).where(User.username == username)).one()
    return {"Authorization": f"Bearer {make_token(user)}"}


@pytest.mark.usefixtures("demo_pages", "app_context")
def test_a_refused_close_is_flashed_in_swedish_and_the_api_keeps_code_and_english(app: Flask) -> None:
    client = _logged_in(app, "ekonomi")
    form = {"period": "2099-12", "action": "close", "csrf_token": csrf_token(client, "/periods")}
    assert client.post("/periods", data=form).status_code in (200, 302)  # closed: no lines in it
    page = readable_text(client.post("/periods", data=form, follow_redirects=True).get_data(as_text=True))
    assert "perioden 2099-12 är redan stängd" in page and "already closed" not in page
    answer = client.post("/api/v1/periods/2099-12/close", headers=_bearer("ekonomi"))
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "conflict"
    assert answer.json["error"]["message"] == "period 2099-12 is already closed"


@pytest.mark.usefixtures("demo_pages", "app_context")
def test_an_unknown_invoice_is_said_in_swedish_on_the_page_and_in_english_by_the_api(app: Flask) -> None:
    client = _logged_in(app, "ekonomi")
    page = client.get("/invoices/987654")
    assert page.status_code == 404
    text = readable_text(page.get_data(as_text=True))
    assert "Hittades inte" in text and "Ingen faktura 987654" in text and "No invoice" not in text
    answer = client.get("/api/v1/invoices/987654", headers=_bearer("ekonomi"))
    assert answer.status_code == 404
    assert answer.json["error"] == {"code": "not_found", "message": "No invoice 987654", "details": []}


@pytest.mark.usefixtures("demo_pages", "app_context")
def test_a_page_the_role_may_not_open_says_so_in_swedish(app: Flask) -> None:
    client = _logged_in(app, "forskola")
    page = client.get("/invoices")
    assert page.status_code == 403
    text = readable_text(page.get_data(as_text=True))
    assert "Inte tillåtet" in text and "Rollen verksamhet får inte" in text and "may not" not in text
    answer = client.get("/api/v1/invoices", headers=_bearer("forskola"))
    assert answer.status_code == 403 and answer.json["error"]["code"] == "forbidden"
    assert answer.json["error"]["message"].startswith("Role department may not ")


@pytest.mark.usefixtures("demo_pages", "app_context")
def test_werkzeugs_own_errors_are_swedish_pages(app: Flask) -> None:
    client = _logged_in(app, "ekonomi")
    missing = readable_text(client.get("/no-such-page").get_data(as_text=True))
    assert "Sidan finns inte" in missing and "The requested URL" not in missing
    wrong_method = client.delete("/periods")
    assert wrong_method.status_code == 405
    assert "Sidan kan inte användas så" in readable_text(wrong_method.get_data(as_text=True))
