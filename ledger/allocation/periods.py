"""Accounting periods (months): opening on demand, closing (periodlåsning)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ledger.access.models import User
from ledger.allocation.models import Period, PeriodStatus
from ledger.audit import service as audit
from ledger.core.errors import Conflict
from ledger.core.month import Month
from ledger.database import db
from ledger.database.types import utcnow


def get_or_open(organisation_id: int, text: str, *, lock: bool = False) -> Period:
    """The period row, created open if it does not exist. ``lock`` takes a row lock on
    PostgreSQL so that two allocations of one period run one after the other.

    The row is created with ``INSERT … ON CONFLICT DO NOTHING``: two requests that both find
    no row do not fail on the unique constraint; the second waits for the first and then
    reads its row.
    """
    text = str(Month.parse(text))
    query = sa.select(Period).where(Period.organisation_id == organisation_id, Period.period == text)
    if lock:
        query = query.with_for_update()
    period = db.session.scalar(query)
    if period is None:
        dialect = db.session.connection().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        db.session.execute(
            insert(Period).values(organisation_id=organisation_id, period=text, status=PeriodStatus.OPEN)
            .on_conflict_do_nothing(index_elements=["organisation_id", "period"]))
        period = db.session.scalar(query.execution_options(populate_existing=True))
    return period  # type: ignore[return-value]


def first_open_from(organisation_id: int, text: str) -> Period:
    """The first open period at or after ``text`` (where corrections to a closed one go)."""
    month = Month.parse(text)
    for _ in range(240):
        period = get_or_open(organisation_id, str(month))
        if period.status == PeriodStatus.OPEN:
            return period
        month = month.next()
    raise Conflict(f"no open period within 20 years after {text}")  # pragma: no cover


def close(actor: User | None, organisation_id: int, text: str) -> Period:
    """Lock a period: from now on it takes no entries; later corrections go to the next open one."""
    period = get_or_open(organisation_id, text, lock=True)
    if period.status == PeriodStatus.CLOSED:
        raise Conflict(f"period {text} is already closed")
    period.status = PeriodStatus.CLOSED
    period.closed_at = utcnow()
    period.closed_by_id = actor.id if actor else None
    db.session.flush()
    audit.record(actor, "period.close", "period", text, before={"status": "open"}, after={"status": "closed"},
                 organisation_id=organisation_id)
    return period


def list_periods(organisation_id: int) -> list[Period]:
    return list(db.session.scalars(
        sa.select(Period).where(Period.organisation_id == organisation_id).order_by(Period.period.desc())))
