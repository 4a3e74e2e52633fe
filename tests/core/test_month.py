"""One rule for a period: ``Month`` reads YYYY-MM the same way for every command, page and API."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.core.errors import BadRequest
from ledger.core.month import Month


def test_a_month_knows_its_days_and_neighbours() -> None:
    december = Month.parse("2026-12")
    assert (december.first, december.after, december.last) == (date(2026, 12, 1), date(2027, 1, 1),
                                                               date(2026, 12, 31))
    assert str(december.next()) == "2027-01" and str(december.previous()) == "2026-11"
    assert Month.of(date(2024, 2, 29)).last == date(2024, 2, 29)
    assert [str(m) for m in Month.parse("2026-11").until(Month.parse("2027-02"))] == [
        "2026-11", "2026-12", "2027-01", "2027-02"]


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-3", "26-03", "march", "", None, " 2026-03",
                                  "1999-12", "2101-01", "0001-01", "9999-12"])
def test_anything_but_a_month_the_ledger_keeps_is_a_bad_request(text: str | None) -> None:
    with pytest.raises(BadRequest) as refused:
        Month.parse(text)
    assert refused.value.status == 400 and repr(text) in refused.value.message
    assert not Month.is_valid(text)


def test_the_years_the_ledger_keeps() -> None:
    assert Month.is_valid("2000-01") and Month.is_valid("2100-12")
    assert Month.parse("2100-12").previous() == Month(2100, 11)
