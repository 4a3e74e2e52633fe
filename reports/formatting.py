"""Amounts and dates for renderers, through Babel, in a locale passed explicitly.

Renderers run outside a request (the CLI, a benchmark), so nothing here asks Flask for a
locale: a ``Formatter`` is made for a language and says everything in it. The output is the
same as the pages' (``ledger.i18n``): ``1 234,50 kr`` and ``28 nov. 2026`` in Swedish,
``SEK 1,234.50`` and ``28 Nov 2026`` in English.

A report can show 50,000 amounts, and ``babel.numbers.format_currency`` costs some 35 µs a
call. ``Formatter.money`` therefore asks Babel once per locale how a known amount looks,
learns the prefix, suffix, group and decimal symbols from that (CLDR's data, as Babel gives
it), and then only fills in digits. When the locale's pattern is not the plain "group by three,
two decimals" kind that this shortcut understands, every call goes to Babel instead; a test
compares both ways on many amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime, get_timezone
from babel.numbers import format_currency, format_decimal

__all__ = ["LANGUAGES", "Formatter", "formatter"]

#: Language → the locale used for formatting (as in ``ledger.i18n.FORMAT_LOCALES``).
LANGUAGES = {"sv": "sv_SE", "en": "en_GB"}
#: English CLDR glues the currency code to the number ("SEK1,234.50"); pages put a space.
_PATTERNS = {"en": "\u00a4\u00a0#,##0.00"}
_TIME_ZONE = get_timezone("Europe/Stockholm")
_PROBE = Decimal("1234567.89")


@dataclass(frozen=True, slots=True)
class _Shape:
    """How the locale writes an amount: ``prefix`` + digits + ``suffix``, for each sign."""

    prefix: str
    suffix: str
    negative_prefix: str
    negative_suffix: str
    group: str
    decimal: str

    def signed(self, digits: str, negative: bool) -> str:
        """``digits`` (already grouped) with the prefix and suffix for their sign."""
        if negative:
            return f"{self.negative_prefix}{digits}{self.negative_suffix}"
        return f"{self.prefix}{digits}{self.suffix}"


class Formatter:
    """Formatting in one language (``sv`` or ``en``; ``sv_SE``/``en_GB`` are accepted too)."""

    def __init__(self, language: str = "sv") -> None:
        self.language = language.split("_")[0].lower()
        if self.language not in LANGUAGES:
            raise ValueError(f"language {language!r} is not one of {', '.join(sorted(LANGUAGES))}")
        self.locale = Locale.parse(LANGUAGES[self.language])
        self._pattern = _PATTERNS.get(self.language)
        self._shape = self._learn_shape()

    # amounts --------------------------------------------------------------------------------

    def _babel_money(self, amount: Decimal) -> str:
        return format_currency(amount, "SEK", format=self._pattern, locale=self.locale)

    def _learn_shape(self) -> _Shape | None:
        from babel.numbers import get_decimal_symbol, get_group_symbol

        group, point = get_group_symbol(self.locale), get_decimal_symbol(self.locale)
        digits = f"1{group}234{group}567{point}89"
        positive, negative = self._babel_money(_PROBE), self._babel_money(-_PROBE)
        if digits not in positive or digits not in negative:
            return None
        prefix, suffix = positive.split(digits, 1)
        negative_prefix, negative_suffix = negative.split(digits, 1)
        shape = _Shape(prefix, suffix, negative_prefix, negative_suffix, group, point)
        for probe in (Decimal("0"), Decimal("-0.05"), Decimal("999.99"), Decimal("-1000"), Decimal("12345678901.2")):
            if self._fast_money(probe, shape) != self._babel_money(probe):
                return None
        return shape

    @staticmethod
    def _fast_money(amount: Decimal, shape: _Shape) -> str:
        text = f"{abs(amount):,.2f}".replace(",", "\0").replace(".", shape.decimal).replace("\0", shape.group)
        return shape.signed(text, amount < 0)

    def money(self, amount: Decimal | None) -> str:
        """``1 234,50 kr`` (sv) or ``SEK 1,234.50`` (en); an empty string for None."""
        if amount is None:
            return ""
        if self._shape is None:
            return self._babel_money(amount)
        return self._fast_money(amount, self._shape)

    def kronor(self, amount: Decimal | float | int) -> str:
        """Whole kronor, for chart axes: ``12 345 kr`` (sv) or ``SEK 12,345`` (en)."""
        whole = Decimal(round(amount))
        if self._shape is None:
            return f"{format_decimal(whole, locale=self.locale)} SEK"
        return self._shape.signed(f"{abs(whole):,}".replace(",", self._shape.group), whole < 0)

    def number(self, value: Decimal | int | None) -> str:
        return "" if value is None else format_decimal(value, locale=self.locale)

    # dates ----------------------------------------------------------------------------------

    def day(self, value: date | None, fmt: str = "medium") -> str:
        """``28 nov. 2026`` (sv) or ``28 Nov 2026`` (en)."""
        return "" if value is None else format_date(value, format=fmt, locale=self.locale)

    def moment(self, value: datetime | None) -> str:
        """A point in time in Swedish local time, with its zone: ``28 nov. 2026 10:05 CET``."""
        if value is None:
            return ""
        return format_datetime(value, format=f"{self.locale.date_formats['medium'].pattern} HH:mm zzz",
                               tzinfo=_TIME_ZONE, locale=self.locale)


@lru_cache(maxsize=4)
def formatter(language: str = "sv") -> Formatter:
    """One cached ``Formatter`` per language."""
    return Formatter(language)
