"""Typed values of leaf elements (dates, percentages, quantities, amounts), each checked.

Invoice lines repeat the same texts over and over (the period, the VAT rate, the price), so
each reader keeps a bounded cache from the text to its parsed value: a 100,000-line file
parses each distinct text once. The caches are keyed by the text exactly as written, so a
repeated value costs one dictionary look-up, before any stripping or checking. A text that
fails is never cached, so its error is reported wherever it appears.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from importers.numbers import (
    MAX_AMOUNT_DIGITS,
    ORE,
    ORE_ZERO,
    AmountError,
    ValueProblem,
    decimals_of,
    parse_iso_date,
    parse_xml_decimal,
)
from importers.peppol.names import prefixed, text_of
from importers.peppol.rules import CURRENCY_RULE
from importers.problems import Problems
from importers.text import N_, Message

if TYPE_CHECKING:
    from lxml.etree import _Element as Element

    from importers.peppol.state import Document

#: Bound on each per-file cache of repeated texts (dates, amounts, names).
CACHE_LIMIT = 100_000

V = TypeVar("V")

EMPTY_DATE = N_("empty date")
TOO_LARGE = N_("%(amount)s is too large to be an amount")


def negate(value: Decimal) -> Decimal:
    """``-value`` without producing ``-0`` (which would print as a negative zero)."""
    return -value if value else value


class ValueReader:
    """Reads the values of one file's elements; every problem goes to ``problems``.

    Amounts are checked against the currency of ``document``, read before any amount.
    """

    __slots__ = ("_amounts", "_dates", "_numbers", "_rates", "_strings", "_texts", "document", "problems")

    def __init__(self, problems: Problems, document: Document) -> None:
        self.problems = problems
        self.document = document
        self._dates: dict[str | None, date] = {}
        self._rates: dict[str | None, Decimal] = {}
        self._strings: dict[str, str] = {}
        #: An element's text as written -> stripped and interned ("" when blank).
        self._texts: dict[str, str] = {}
        self._numbers: dict[str | None, Decimal] = {}
        self._amounts: dict[str | None, Decimal] = {}

    def _invalid(self, el: Element, said: Message, path: str, rule: str | None = None) -> None:
        self.problems.error(prefixed(el.tag), said, path=path, line=el.sourceline, rule=rule)

    def intern(self, s: str | None) -> str | None:
        """One shared object per distinct text (item names, unit codes repeat per line)."""
        if s is None:
            return None
        cache = self._strings
        got = cache.get(s)
        if got is not None:
            return got
        if len(cache) < CACHE_LIMIT:
            cache[s] = s
        return s

    def text(self, el: Element) -> str | None:
        """``el``'s stripped text, interned (``None`` when blank): ``intern(text_of(el))``, with
        the text as written looked up first, as item names and codes repeat on every line."""
        raw = el.text
        if raw is None:
            return None
        cache = self._texts
        got = cache.get(raw)
        if got is None:
            got = self.intern(raw.strip()) or ""
            if len(cache) < CACHE_LIMIT:
                cache[raw] = got
        return got or None

    def date(self, el: Element, path: str, suffix: str = "") -> date | None:
        """A date; ``path + suffix`` is only built when there is an error to report."""
        got = self._dates.get(el.text)
        if got is not None:
            return got
        return self._cached(el, self._dates, parse_iso_date, ValueProblem, path, suffix, EMPTY_DATE)

    def rate(self, el: Element, path: str, suffix: str = "") -> Decimal | None:
        """A VAT percentage; ``None`` without an error when the element is empty."""
        got = self._rates.get(el.text)
        if got is not None:
            return got
        return self._cached(el, self._rates, parse_xml_decimal, AmountError, path, suffix, None)

    def _cached(
        self,
        el: Element,
        cache: dict[str | None, V],
        parse: Callable[[str], V],
        failure: type[ValueProblem],
        path: str,
        suffix: str,
        empty: str | None,
    ) -> V | None:
        """The value of ``el``'s text not found in ``cache`` as written: from ``cache`` by the
        stripped text, or parsed; ``None`` for an empty element (an error when ``empty`` says
        what to report) and for a text ``parse`` refuses with ``failure`` (reported, and never
        cached)."""
        raw = el.text
        text = text_of(el)
        if text is None:
            if empty is not None:
                self._invalid(el, Message.of(empty), path + suffix)
            return None
        got = cache.get(text)
        if got is not None:
            return got
        try:
            got = parse(text)
        except failure as exc:
            self._invalid(el, exc.said, path + suffix)
            return None
        if len(cache) < CACHE_LIMIT and raw is not None:
            cache[text] = cache[raw] = got
        return got

    def number(self, el: Element, path: str, suffix: str) -> Decimal | None:
        """A quantity or price (any precision), from a cache of texts seen before."""
        text = el.text
        got = self._numbers.get(text)
        if got is None:
            try:
                got = parse_xml_decimal(text)
            except AmountError as exc:
                self._invalid(el, exc.said, path + suffix)
                return None
            if len(self._numbers) < CACHE_LIMIT:
                self._numbers[text] = got
        return got

    def amount(
        self, el: Element, path: str, suffix: str, dec_rule: str | None, currency: str | None = None
    ) -> Decimal | None:
        """A monetary amount: a decimal in the document currency with at most two decimals.

        ``currency`` overrides the expected currency (the VAT total in the tax currency).
        """
        try:
            value = parse_xml_decimal(el.text)
        except AmountError as exc:
            self._invalid(el, exc.said, path + suffix)
            return None
        self._check_currency(el, path + suffix, currency or self.document.currency)
        if dec_rule is not None and decimals_of(value) > 2:
            too_precise = Message.of(N_("%(amount)s has more than two decimals"), amount=(el.text or "").strip())
            self._invalid(el, too_precise, path + suffix, dec_rule)
            return None
        if value.adjusted() >= MAX_AMOUNT_DIGITS:
            self._invalid(el, Message.of(TOO_LARGE, amount=value), path + suffix)
            return None
        # Two decimals everywhere (53.9 -> 53.90): exact, since more is an error above.
        return value.quantize(ORE) if value else ORE_ZERO

    def _check_currency(self, el: Element, path: str, expected: str | None) -> None:
        got = el.get("currencyID")
        if got is None:
            self._invalid(el, Message.of(N_("the amount has no currencyID")), path)
        elif expected is not None and got.strip() != expected:
            message = Message.of(
                N_("currency %(currency)s differs from the document currency %(expected)s"),
                currency=got.strip(),
                expected=expected,
            )
            self._invalid(el, message, path, CURRENCY_RULE)

    def money(self, el: Element, path: str, suffix: str, dec_rule: str) -> Decimal | None:
        """``amount`` with a cache of texts seen before; the currency is still checked each time."""
        text = el.text
        got = self._amounts.get(text)
        if got is None:
            got = self.amount(el, path, suffix, dec_rule)
            if got is not None and len(self._amounts) < CACHE_LIMIT:
                self._amounts[text] = got
            return got
        currency = el.get("currencyID")
        expected = self.document.currency
        if currency != expected and (currency is None or currency.strip() != expected):
            return self.amount(el, path, suffix, dec_rule)  # reports the currency error
        return got

    def charge_indicator(self, el: Element, path: str) -> bool | None:
        """``true``/``false`` (or ``1``/``0``): whether an allowance/charge is a charge."""
        text = (text_of(el) or "").lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        said = Message.of(N_("must be true or false, not %(text)s"), text=repr(el.text))
        self.problems.error("cbc:ChargeIndicator", said, path=path, line=el.sourceline)
        return None
