"""The pages: Swedish by default, English by the switch, amounts and dates through Babel."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.access.models import Role
from ledger.i18n import day, money
from tests.conftest import csrf_token, log_in
from tests.factories import make_handset


def test_start_page_is_swedish_and_lists_administrations_and_units(client, make_user) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="sv"' in page
    for text in ("Förvaltningar och enheter", "Kommunstyrelseförvaltningen", "Kanslienheten",
                 "Bär växelkostnader", "VA-verksamheten", "Intäktsfinansierad", "Telefoniekonomi"):
        assert text in page


def test_language_switch_to_english_and_back(client, make_user) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    token = csrf_token(client, "/")
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en"' in page and "Administrations and units" in page and "Fee-funded" in page
    client.post("/language", data={"lang": "sv", "next": "/", "csrf_token": token})
    assert "Förvaltningar och enheter" in client.get("/").get_data(as_text=True)


def test_language_choice_survives_log_in(client, make_user) -> None:
    user = make_user(Role.FINANCE)
    client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": csrf_token(client)})
    assert "Log in" in client.get("/login").get_data(as_text=True)
    log_in(client, user.username)
    assert "Administrations and units" in client.get("/").get_data(as_text=True)


def test_language_switch_needs_csrf(client) -> None:
    assert client.post("/language", data={"lang": "en"}).status_code == 400


def test_unit_page_shows_assets_with_amounts_in_swedish(client, db, org, make_user) -> None:
    make_handset(org, "490154203237518", org.forskola, purchase_price=Decimal("1234.50"),
                 purchase_date=date(2026, 1, 2))
    log_in(client, make_user(Role.DEPARTMENT, ["3110"]).username)
    page = client.get("/units/3110").get_data(as_text=True)
    assert "Doro 8100" in page and "1\u00a0234,50\u00a0kr" in page and "i bruk" in page


@pytest.mark.parametrize(
    ("language", "amount", "expected"),
    [
        ("sv", Decimal("1234.50"), "1\u00a0234,50\u00a0kr"),
        ("sv", Decimal("-0.05"), "-0,05\u00a0kr"),
        ("en", Decimal("1234.50"), "SEK\u00a01,234.50"),
    ],
)
def test_money_format(app, language: str, amount: Decimal, expected: str) -> None:
    with app.app_context():
        assert money(amount, language) == expected


def test_date_format_outside_a_request(app) -> None:
    with app.app_context():
        assert day(date(2026, 11, 28), "sv") == "28 nov. 2026"
        assert day(date(2026, 11, 28), "en") == "28 Nov 2026"
