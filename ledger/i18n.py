"""Language and formatting: Swedish by default, English by the switch.

Amounts and dates are always formatted by Babel for an explicit locale, so that the same
functions serve pages (locale of the request) and reports or commands (locale passed in).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal
from flask import current_app, has_request_context, session
from flask_babel import get_locale

from ledger.config import SUPPORTED_LANGUAGES
from ledger.core.identifiers import display_phone_number

#: The language → locale used for formatting (sv → sv_SE gives "1 234,50 kr").
FORMAT_LOCALES = {"sv": "sv_SE", "en": "en_GB"}


def select_locale() -> str:
    """The language of this request: the user's choice in the session, else the default."""
    if has_request_context():
        chosen = session.get("lang")
        if chosen in SUPPORTED_LANGUAGES:
            return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


@lru_cache(maxsize=8)
def _locale(name: str) -> Locale:
    return Locale.parse(name)


def format_locale(language: str | None = None) -> Locale:
    """The Babel locale for formatting in ``language`` (or the request's language)."""
    if language is None:
        language = str(get_locale() or "sv")
    return _locale(FORMAT_LOCALES.get(language.split("_")[0], "sv_SE"))


def money(amount: Decimal | None, language: str | None = None) -> str:
    """``1 234,50 kr`` in Swedish, ``SEK 1,234.50`` in English."""
    if amount is None:
        return ""
    locale = format_locale(language)
    # Swedish CLDR already gives "1 234,50 kr". English CLDR glues the code to the number
    # ("SEK1,234.50"); a space reads better in tables.
    pattern = None if locale.language == "sv" else "\u00a4\u00a0#,##0.00"
    return format_currency(amount, "SEK", format=pattern, locale=locale)


def number(value: Decimal | int | None, language: str | None = None) -> str:
    if value is None:
        return ""
    return format_decimal(value, locale=format_locale(language))


def day(value: date | None, language: str | None = None, fmt: str = "medium") -> str:
    """``28 nov. 2026`` in Swedish."""
    if value is None:
        return ""
    return babel_format_date(value, format=fmt, locale=format_locale(language))


def moment(value: datetime | None, fmt: str = "short") -> str:
    """A point in time as the reader's clock shows it (Europe/Stockholm), in their language."""
    if value is None:
        return ""
    from flask_babel import format_datetime

    return format_datetime(value, fmt)


def template_helpers() -> dict[str, Callable[..., Any]]:
    """Jinja filters: templates never call ``str()`` on an amount."""
    from ledger.labels import label, rule_explanation

    return {"money": money, "number": number, "day": day, "moment": moment, "phone": display_phone_number,
            "label": label, "rule_explanation": rule_explanation}
