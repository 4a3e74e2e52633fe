"""Today's date in the municipality's calendar.

The server's clock runs on UTC, but a Swedish day starts an hour or two earlier: between
midnight in Stockholm and midnight in UTC, ``date.today()`` on the server is still
yesterday. Every "today" the ledger asks about (what is assigned now, which exceptions have
expired, the default day of a form) is the day in Sweden, so they all come from here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Stockholm")


def today(now: datetime | None = None) -> date:
    """The calendar day it is in Sweden at ``now`` (an aware time; default: this moment)."""
    return (now or datetime.now(UTC)).astimezone(ZONE).date()
