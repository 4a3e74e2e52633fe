"""A month of the ledger (``YYYY-MM``): the accounting period, and the one rule for reading one.

Everything that takes a period — commands, API paths and query strings, forms, services —
reads it through :meth:`Month.parse`, so that every door accepts the same months and refuses
the others with the same error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from ledger.core.errors import BadRequest
from ledger.core.text import N_

_TEXT = re.compile(r"(\d{4})-(\d{2})")

#: The years the ledger keeps. Invoices dated outside them are mistakes (0001-01-01,
#: 9999-12-31), and a period outside them could never be allocated or exported.
FIRST_YEAR, LAST_YEAR = 2000, 2100
NOT_A_MONTH = N_("period %(period)s is not a month written YYYY-MM")

def _details() -> list[object]:
    return [{"field": "period", "messages": ["YYYY-MM"]}]


@dataclass(frozen=True, order=True, slots=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        text = f"{self.year:04d}-{self.month:02d}"
        if not 1 <= self.month <= 12:
            raise BadRequest(NOT_A_MONTH, _details(), period=repr(text))
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise BadRequest(N_("period %(period)s is out of range"), _details(), period=repr(text))

    @classmethod
    def parse(cls, text: str | None) -> Month:
        """``"2026-03"`` → ``Month(2026, 3)``; anything else is a :class:`BadRequest` naming it."""
        match = _TEXT.fullmatch(text or "")
        if not match:
            raise BadRequest(NOT_A_MONTH, _details(), period=repr(text))
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        """The month ``day`` falls in."""
        return cls(day.year, day.month)

    @classmethod
    def is_valid(cls, text: str | None) -> bool:
        try:
            cls.parse(text)
        except BadRequest:
            return False
        return True

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first(self) -> date:
        """The first day of the month."""
        return date(self.year, self.month, 1)

    @property
    def after(self) -> date:
        """The first day after the month (an exclusive end, as the ledger's ranges are)."""
        return date(self.year + self.month // 12, self.month % 12 + 1, 1)

    @property
    def last(self) -> date:
        """The last day of the month (inclusive)."""
        return self.after - timedelta(days=1)

    def next(self) -> Month:
        return Month.of(self.after)

    def previous(self) -> Month:
        return Month.of(self.first - timedelta(days=1))

    def until(self, end: Month) -> Iterator[Month]:
        """This month and every month after it up to and including ``end``."""
        current = self
        while current <= end:
            yield current
            if current == end:
                return
            current = current.next()
