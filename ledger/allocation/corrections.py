"""Changes dated in a closed month become corrections in the first open one.

A closed month is never rewritten, and a real change is never refused for being late: a
subscription that really moved on 20 November is recorded as moving on 20 November, after
November was closed. Every change to assignments says so (``inventory.assignments.
assignments_changed``); this module notes the earliest day changed per organisation and, just
before the unit of work commits, allocates each closed month from that day on again. The
engine books the difference of a closed month in the first open month, marked as corrections,
exactly as it does for a resolved suspense line; the closed month's own entries, and so its
report and its content hash, stay as they were.

Open months are not touched here: they are allocated again when finance next runs them, as
after any other change. Noting first and allocating once means a reorganisation of a hundred
assets allocates each closed month once, not a hundred times.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from ledger.access.models import User
from ledger.allocation.engine import allocate
from ledger.allocation.models import Period, PeriodStatus
from ledger.core.month import Month
from ledger.database import db
from ledger.database.transaction import before_commit
from ledger.inventory.assignments import assignments_changed
from ledger.organisation.models import Organisation

_PENDING = "allocation.corrections"  # session.info key: organisation id → (earliest day, actor)


@assignments_changed.connect
def _note(organisation_id: int, *, day: date, actor: User | None = None, **_: Any) -> None:
    pending: dict[int, tuple[date, User | None]] = db.session.info.setdefault(_PENDING, {})
    earliest = pending.get(organisation_id)
    if earliest is None or day < earliest[0]:
        pending[organisation_id] = (day, actor)
    before_commit(_PENDING, book_pending)


def book_pending() -> None:
    """Allocate again every closed month a noted change reaches; the changes land as corrections."""
    pending: dict[int, tuple[date, User | None]] = db.session.info.pop(_PENDING, {})
    for organisation_id, (day, actor) in sorted(pending.items(), key=lambda item: item[0]):
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None:
            continue
        for period in closed_periods_from(organisation_id, day):
            allocate(actor, organisation, period)


def closed_periods_from(organisation_id: int, day: date) -> list[str]:
    """The closed months at or after ``day``'s month, oldest first."""
    return list(db.session.scalars(
        sa.select(Period.period).where(Period.organisation_id == organisation_id,
                                       Period.status == PeriodStatus.CLOSED,
                                       Period.period >= str(Month.of(day))).order_by(Period.period)))
