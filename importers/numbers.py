"""Numbers, dates and organisation numbers as they appear in invoice files.

Two dialects meet here. XML (``xs:decimal``) writes ``-1234.50``; Swedish spreadsheets write
``-1 234,50`` with a decimal comma and a space (often a no-break space) between thousands.
Both end up as an exact ``Decimal``: a float never appears, because a ledger that reconciles
"almost" does not reconcile.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from importers.text import N_, Message

#: One öre, the precision of every amount; zero, and zero written in öre (``0.00``).
ORE = Decimal("0.01")
ZERO = Decimal("0")
ORE_ZERO = Decimal("0.00")
#: Amounts have at most this many digits before the decimal point (far above any invoice,
#: far below where ``Decimal`` arithmetic would start rounding).
MAX_AMOUNT_DIGITS = 15

__all__ = [
    "MAX_AMOUNT_DIGITS",
    "ORE",
    "ORE_ZERO",
    "ZERO",
    "AmountError",
    "DateError",
    "ValueProblem",
    "decimals_of",
    "normalise_amount",
    "normalise_organisation_number",
    "parse_iso_date",
    "parse_xml_decimal",
    "round_ore",
]


class ValueProblem(ValueError):
    """Text that is not the value it should be; ``said`` tells why, for a page to translate,
    and the exception's text is the same in English."""

    def __init__(self, said: Message) -> None:
        super().__init__(str(said))
        self.said = said


class AmountError(ValueProblem):
    """Text that is not an amount; the message quotes the text."""


class DateError(ValueProblem):
    """Text that is not a date; the message quotes the text."""


NOT_AN_AMOUNT = N_("not an amount: %(text)s")


# Grouping characters Swedish software puts between thousands: space, no-break space,
# narrow no-break space and thin space.
_GROUP_CHARS = " \u00a0\u202f\u2009"
_GROUPED = re.compile(r"\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+")
_PLAIN = re.compile(r"\d*")
_MINUS_SIGNS = "-\u2212\u2013"  # ASCII hyphen-minus, MINUS SIGN, EN DASH (spreadsheet exports)
_XML_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
#: Longer than any quantity or amount an invoice can hold; stops absurd numbers early, before
#: ``Decimal`` arithmetic on them could overflow.
_MAX_NUMBER_LENGTH = 40


def normalise_amount(text: str) -> Decimal:
    """Parse an amount written the Swedish way, or the XML way, into an exact ``Decimal``.

    Accepted: ``1 234,50``, ``1\\u00a0234,50`` (no-break space), ``1\\u202f234,50`` (narrow
    no-break space), ``-12,5``, ``\\u221212,5`` (minus sign), ``12,50-`` (trailing minus, as
    some operator systems print credits), ``+3``, ``1234.50`` (a point is the decimal
    separator when there is no comma) and a trailing ``kr``. Thousands groups must be whole
    groups of three, so ``12 34`` (two numbers run together) is refused, not read as 1234.
    The precision given is kept; callers decide whether more than two decimals is an error.
    """
    s = text.strip()
    if len(s) > _MAX_NUMBER_LENGTH:
        raise AmountError(Message.of(N_("not an amount: %(start)s... is too long"), start=repr(text[:20])))
    if s[-2:].lower() == "kr":
        s = s[:-2].rstrip()
    negative, s = _split_sign(s)
    whole, fraction = _split_decimals(s, text)
    whole = _ungrouped(whole, text)
    _check_digits(whole, fraction, text)
    sign = "-" if negative else ""
    return Decimal(f"{sign}{whole or '0'}.{fraction}" if fraction else f"{sign}{whole}")


def _split_sign(s: str) -> tuple[bool, str]:
    """Whether the amount is negative, and the amount without its sign (leading or trailing)."""
    if s and s[0] in _MINUS_SIGNS:
        return True, s[1:].lstrip()
    if s and s[0] == "+":
        return False, s[1:].lstrip()
    if s and s[-1] in _MINUS_SIGNS:
        return True, s[:-1].rstrip()
    return False, s


def _split_decimals(s: str, text: str) -> tuple[str, str]:
    """The whole part and the decimals: a comma separates them, else a point."""
    if "," in s:
        if "." in s:
            both = N_("not an amount: %(text)s (both a decimal comma and a point)")
            raise AmountError(Message.of(both, text=repr(text)))
        whole, _, fraction = s.partition(",")
    else:
        whole, _, fraction = s.partition(".")
    if not whole and not fraction:
        raise AmountError(Message.of(NOT_AN_AMOUNT, text=repr(text)))
    return whole, fraction


def _ungrouped(whole: str, text: str) -> str:
    """The whole part without its thousands separators, which must group by three."""
    if _PLAIN.fullmatch(whole):
        return whole
    if not _GROUPED.fullmatch(whole):
        raise AmountError(Message.of(NOT_AN_AMOUNT, text=repr(text)))
    return "".join(ch for ch in whole if ch not in _GROUP_CHARS)


def _check_digits(whole: str, fraction: str, text: str) -> None:
    # Other scripts' digits pass isdigit(): refuse them too.
    if (fraction and not fraction.isdigit()) or not (whole.isascii() and fraction.isascii()):
        raise AmountError(Message.of(NOT_AN_AMOUNT, text=repr(text)))


def parse_xml_decimal(text: str | None) -> Decimal:
    """An ``xs:decimal`` (``-12.50``, ``+0.10``, ``.5``) as a ``Decimal``.

    ``Decimal()`` alone would also accept ``NaN``, ``1E3`` and ``1_000``, none of which is an
    amount in an invoice, so the lexical form is checked first.
    """
    s = (text or "").strip()
    if len(s) > _MAX_NUMBER_LENGTH:
        raise AmountError(Message.of(N_("not a decimal number: %(start)s... is too long"), start=repr(s[:20])))
    if not _XML_DECIMAL.fullmatch(s):
        raise AmountError(Message.of(N_("not a decimal number: %(text)s"), text=repr(text)))
    return Decimal(s)


def decimals_of(value: Decimal) -> int:
    """How many decimals ``value`` was written with (``Decimal('1.50')`` → 2)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def round_ore(value: Decimal) -> Decimal:
    """Round half up to whole öre, the Swedish convention for VAT per line."""
    return value.quantize(ORE, rounding=ROUND_HALF_UP)


_DATE_TZ = re.compile(r"(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})?")


def parse_iso_date(text: str | None) -> date:
    """A ``YYYY-MM-DD`` date (an ``xs:date`` time-zone suffix is allowed and dropped).

    ``date.fromisoformat`` alone accepts ``20260201`` and week dates in Python 3.11; invoice
    files use neither, and accepting them would hide a wrong column.
    """
    s = (text or "").strip()
    m = _DATE_TZ.fullmatch(s)
    if m is None:
        raise DateError(Message.of(N_("not a date (YYYY-MM-DD): %(text)s"), text=repr(text)))
    try:
        return date.fromisoformat(m.group(1))
    except ValueError:
        raise DateError(Message.of(N_("no such date: %(text)s"), text=repr(text))) from None


_ORG_SEPARATORS = str.maketrans("", "", " -\u00a0\u2010\u2011\u2212")


def normalise_organisation_number(text: str | None) -> str | None:
    """A Swedish organisationsnummer in the form ``NNNNNN-NNNN``, or ``None``.

    Takes ``5566778899``, ``556677-8899``, the 12-digit form with the century prefix ``16``
    (``165566778899``) and a VAT number ``SE556677889901``. The Luhn check digit is not
    verified here: the public sample invoices use dummy numbers that fail it, and whether
    such a supplier is acceptable is the ledger's decision, not the parser's.
    """
    if not text:
        return None
    s = text.strip().upper().translate(_ORG_SEPARATORS)
    if s.startswith("SE") and len(s) == 14 and s.endswith("01"):
        s = s[2:12]
    elif len(s) == 12 and s.startswith("16"):
        s = s[2:]
    if len(s) != 10 or not s.isdigit() or not s.isascii():
        return None
    return f"{s[:6]}-{s[6:]}"
