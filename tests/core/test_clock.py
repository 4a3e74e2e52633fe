"""Today is the day in Sweden, not on the server's UTC clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ledger.core.clock import today


def test_a_winter_evening_in_utc_is_already_tomorrow_in_sweden() -> None:
    assert today(datetime(2026, 12, 1, 22, 59, tzinfo=UTC)) == date(2026, 12, 1)
    assert today(datetime(2026, 12, 1, 23, 0, tzinfo=UTC)) == date(2026, 12, 2)


def test_summer_time_moves_the_day_two_hours() -> None:
    assert today(datetime(2026, 6, 30, 21, 59, tzinfo=UTC)) == date(2026, 6, 30)
    assert today(datetime(2026, 6, 30, 22, 0, tzinfo=UTC)) == date(2026, 7, 1)


def test_the_new_year_starts_in_sweden_first() -> None:
    assert today(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2027, 1, 1)
