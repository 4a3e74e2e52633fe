"""Identifiers: organisationsnummer, IMEI and phone numbers, normalised or refused with a reason."""

from __future__ import annotations

import pytest

from ledger.core.identifiers import IdentifierError, imei, organisation_number, phone_number


@pytest.mark.parametrize(
    ("func", "value", "message"),
    [
        (organisation_number, "212000-1628", "check digit is wrong"),
        (organisation_number, "21200016", "must be ten digits"),
        (imei, "490154203237519", "check digit is wrong"),
        (imei, "49015420323", "must be 15 digits"),
        (phone_number, "070-123", "not a valid number"),
        (phone_number, "hello", "not a phone number"),
    ],
)
def test_invalid_identifiers_are_refused_with_a_clear_message(func, value: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message) as caught:
        func(value)
    assert value in str(caught.value)


@pytest.mark.parametrize("notation", ["070-123 45 67", "0701234567", "+46 70 123 45 67", "0046701234567",
                                      "070 - 123 45 67"])
def test_any_swedish_notation_gives_e164(notation: str) -> None:
    assert phone_number(notation) == "+46701234567"


def test_valid_identifiers_normalise() -> None:
    assert organisation_number("2120001629") == "212000-1629"
    assert imei("49-015420-323751-8") == "490154203237518"
