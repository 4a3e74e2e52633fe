"""A service's refusal and a stored reason are said in the reader's language: Swedish by default,
English after the language switch; the API says them in English with their stable codes."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import session
from flask.testing import FlaskClient

from ledger.access.models import Role
from ledger.allocation.engine import allocate
from ledger.core.errors import Conflict
from ledger.core.text import N_, Label, Phrase
from ledger.i18n import said
from ledger.web.errors import shown
from tests.conftest import csrf_token, log_in
from tests.factories import MARCH, SUPPLIER, Org, import_invoice, line, make_subscription, make_supplier


@pytest.fixture
def ledger(db, org) -> Org:
    """A March invoice with a number nobody has: its line waits in suspense."""
    make_supplier("Operatören AB", SUPPLIER)
    make_subscription(org, "0701234567", org.forskola)
    import_invoice(org, [line("0701234567", "100.00", period=MARCH), line("0709999999", "7.00", period=MARCH)])
    allocate(None, org.organisation, "2026-03")
    return org


def _in_english(client: FlaskClient) -> None:
    form = {"lang": "en", "next": "/", "csrf_token": csrf_token(client, "/")}
    assert client.post("/language", data=form).status_code == 302


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).replace("&#39;", "'").split())


def test_an_error_keeps_its_text_and_values_and_says_them_per_reader(app) -> None:
    error = Conflict(N_("Unit %(ansvar)s closes on %(day)s; move the asset to the unit that takes over"),
                     ansvar="3110", day=date(2026, 4, 30))
    assert error.message == "Unit 3110 closes on 2026-04-30; move the asset to the unit that takes over"
    assert (error.status, error.code, error.params["ansvar"]) == (409, "conflict", "3110")
    with app.test_request_context():
        assert shown(error) == "Enhet 3110 stängs 30 apr. 2026; flytta tillgången till enheten som tar över"
    with app.test_request_context():
        session["lang"] = "en"
        assert shown(error) == "Unit 3110 closes on 30 Apr 2026; move the asset to the unit that takes over"


def test_phrases_and_codes_inside_a_text_are_translated_too(app) -> None:
    text = N_("Coverage exception %(id)s is %(status)s; it cannot be %(done)s")
    with app.test_request_context():
        assert said(text, {"id": 4, "status": Label("approved"), "done": Label("rejected")}) == (
            "Täckningsundantag 4 är godkänd; det kan inte bli avvisad")
        assert said(N_("Only %(who)s may %(action)s coverage exception %(id)s"),
                    {"who": Phrase(N_("procurement")), "action": Phrase(N_("approve")), "id": 4}).startswith("Bara ")


def test_a_refused_page_action_is_flashed_in_the_readers_language(client, ledger, make_user) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    close = {"period": "2026-03", "action": "close", "csrf_token": csrf_token(client, "/periods")}
    assert "2026-03 är stängd" in _text(client.post("/periods", data=close, follow_redirects=True))
    swedish = _text(client.post("/periods", data=close, follow_redirects=True))
    assert "perioden 2026-03 är redan stängd" in swedish and "already closed" not in swedish
    _in_english(client)
    close["csrf_token"] = csrf_token(client, "/periods")
    assert "period 2026-03 is already closed" in _text(client.post("/periods", data=close, follow_redirects=True))


def test_a_service_error_page_is_swedish_then_english(client, ledger, make_user) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    swedish = client.get("/invoices/987654")
    assert swedish.status_code == 404 and "Ingen faktura 987654" in _text(swedish)
    _in_english(client)
    assert "No invoice 987654" in _text(client.get("/invoices/987654"))


def test_a_suspense_reason_is_shown_in_swedish_and_english_and_the_api_gives_english_and_its_code(
        client, ledger, make_user, api_headers) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    swedish = _text(client.get("/suspense?period=2026-03"))
    assert "inget abonnemang eller ingen telefon matchar radens referens" in swedish
    assert "no subscription or handset" not in swedish
    _in_english(client)
    english = _text(client.get("/suspense?period=2026-03"))
    assert "no subscription or handset matches the line's reference" in english
    listed = client.get("/api/v1/suspense?period=2026-03", headers=api_headers(Role.AUDITOR)).json
    assert [(s["reason"], s["reason_code"]) for s in listed] == [
        ("no subscription or handset matches the line's reference", "no_asset")]
    entries = client.get("/api/v1/journal?period=2026-03&rule=suspense", headers=api_headers(Role.AUDITOR)).json
    assert [(e["reason"], e["reason_code"]) for e in entries] == [
        ("no subscription or handset matches the line's reference", "no_asset")]
