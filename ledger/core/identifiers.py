"""Validation and normal forms of the identifiers the ledger keys on.

Each function returns the normal form or raises ``IdentifierError`` with a message a finance
officer understands (it names the value and what is wrong with it). The checks are delegated
to python-stdnum and phonenumbers, which track the real numbering rules.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from stdnum import imei as stdnum_imei
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.se import orgnr as stdnum_orgnr

from ledger.core.text import N_, in_source_language

DEFAULT_REGION = "SE"


class IdentifierError(ValueError):
    """An identifier that fails validation. ``field`` names what was being validated; ``text``
    (a catalogue text) and ``params`` say what is wrong, ``str(error)`` in English."""

    def __init__(self, field: str, text: str, **params: Any) -> None:
        super().__init__(in_source_language(text, params))
        self.field = field
        self.text = text
        self.params = params


def organisation_number(value: str) -> str:
    """A Swedish organisationsnummer as ``NNNNNN-NNNN`` (checked with the Luhn digit)."""
    try:
        return stdnum_orgnr.format(stdnum_orgnr.validate(value))
    except InvalidChecksum:
        raise IdentifierError(
            "organisation_number", N_("organisationsnummer %(value)s: the check digit is wrong"), value=repr(value)
        ) from None
    except (InvalidLength, InvalidFormat):
        raise IdentifierError(
            "organisation_number", N_("organisationsnummer %(value)s: must be ten digits, NNNNNN-NNNN"),
            value=repr(value),
        ) from None


def imei(value: str) -> str:
    """A handset's IMEI as 15 digits (the Luhn check digit verified)."""
    try:
        number = stdnum_imei.validate(value)
    except InvalidChecksum:
        raise IdentifierError("imei", N_("IMEI %(value)s: the check digit is wrong"), value=repr(value)) from None
    except ValidationError:
        raise IdentifierError("imei", N_("IMEI %(value)s: must be 15 digits"), value=repr(value)) from None
    if len(number) == 16:
        # IMEISV (16 digits) identifies software, not the handset; ask for the IMEI itself.
        raise IdentifierError("imei", N_("IMEI %(value)s: 16 digits is an IMEISV; give the 15-digit IMEI"),
                              value=repr(value))
    if len(number) != 15:
        raise IdentifierError("imei", N_("IMEI %(value)s: must be 15 digits"), value=repr(value))
    return number


def phone_number(value: str, region: str = DEFAULT_REGION) -> str:
    """A phone number in E.164 (``+46701234567``) from any Swedish notation.

    ``070-123 45 67``, ``0701234567``, ``+46 70 123 45 67`` and ``0046701234567`` all give the
    same result; a number that is not a possible number in the Swedish plan is refused.
    """
    text = value.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise IdentifierError("number", N_("phone number %(value)s: not a phone number"),
                              value=repr(value)) from None
    if not phonenumbers.is_valid_number(parsed):
        raise IdentifierError("number", N_("phone number %(value)s: not a valid number"),
                              value=repr(value)) from None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_phone_number(e164: str) -> str:
    """The national notation Swedes read (``070-123 45 67``) for a stored E.164 number."""
    try:
        parsed = phonenumbers.parse(e164, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
