"""Language and formatting: Swedish by default, English by the switch.

Amounts and dates are always formatted by Babel for an explicit locale, so that the same
functions serve pages (locale of the request) and reports or commands (locale passed in).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal
from flask import current_app, has_request_context, session
from flask_babel import force_locale, get_locale, get_translations

from ledger.allocation.rules import reason_of
from ledger.config import SUPPORTED_LANGUAGES
from ledger.core.identifiers import display_phone_number
from ledger.core.text import Label, Phrase, Said, in_source_language

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


def whole_money(amount: Decimal | int | None, language: str | None = None) -> str:
    """An amount in whole kronor, as a chart's axis says it: ``200 000 kr``, ``SEK 200,000``:
    the same form as ``money`` without the öre."""
    if amount is None:
        return ""
    locale = format_locale(language)
    pattern = "#,##0\u00a0\u00a4" if locale.language == "sv" else "\u00a4\u00a0#,##0"
    return format_currency(Decimal(amount), "SEK", format=pattern, locale=locale, currency_digits=False)


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


def said(text: str, params: Mapping[str, Any] | None = None, language: str | None = None) -> str:
    """A catalogue text (marked with ``N_``) in the reader's language (or ``language``), with its
    ``params`` put in as that reader writes them: dates, amounts (``Decimal``), phrases and
    codes (:class:`ledger.core.text.Phrase`, ``Label``) translated or formatted. A text the
    catalogue does not know is shown as it is; a translation that lost a placeholder falls back
    to the English sentence rather than failing the page."""
    if language is not None:
        with force_locale(language):
            return said(text, params)
    if isinstance(text, Said) and params is None:  # a text that carries its own values
        return said(text.text, text.params)
    translated = flask_gettext_plain(text)
    if not params:
        return translated
    shown = {name: _shown(value) for name, value in params.items()}
    try:
        return translated % shown
    except (KeyError, ValueError, TypeError):
        return in_source_language(text, params)


def _shown(value: Any) -> str:
    from ledger.labels import label

    if isinstance(value, Said):
        return said(value.text, value.params)
    if isinstance(value, Phrase):
        return flask_gettext_plain(value)
    if isinstance(value, Label):
        return label(value)
    if isinstance(value, datetime):
        return moment(value)
    if isinstance(value, date):
        return day(value)
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(item) for item in value)
    return str(value)


def flask_gettext_plain(text: str) -> str:
    """``gettext(text)`` without Flask-Babel's ``%`` formatting (a text with ``%`` in it stays whole)."""
    return str(get_translations().ugettext(text)) if text else text


def reason(value: Any, params: Any = None, reverses_id: int | None = None) -> str:
    """A stored reason in the page's language: a journal entry (``entry|reason``), a pair of
    catalogue text and values (``SuspenseLine.said``), or a code with its values and reversed
    entry as a row of a download gives them."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        return said(*value)
    pair = value.reason_said if hasattr(value, "reason_said") else reason_of(str(value), params, reverses_id)
    return said(*pair) if pair else ""


def template_helpers() -> dict[str, Callable[..., Any]]:
    """Jinja filters: templates never call ``str()`` on an amount."""
    from ledger.labels import label, rule_explanation

    return {"money": money, "number": number, "day": day, "moment": moment, "phone": display_phone_number,
            "label": label, "rule_explanation": rule_explanation, "said": said, "reason": reason}
