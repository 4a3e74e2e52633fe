"""Accounting periods (months): opening on demand, closing (periodlåsning)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ledger.access.models import User
from ledger.allocation.models import JournalEntry, Period, PeriodAdministration, PeriodStatus
from ledger.audit import service as audit
from ledger.core.errors import Conflict
from ledger.core.month import Month
from ledger.core.text import N_
from ledger.database import db
from ledger.database.types import utcnow
from ledger.invoices.models import Invoice, InvoiceLine, allocated_source
from ledger.organisation.service import AdministrationHistory


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
    raise Conflict(N_("no open period within 20 years after %(period)s"), period=text)  # pragma: no cover


@dataclass(frozen=True)
class Closed:
    period: Period
    unallocated: int  #: lines of the month's invoices with no entry, closed with a reason


def close(actor: User | None, organisation_id: int, text: str, *, force_reason: str | None = None) -> Closed:
    """Lock a period: from now on it takes no entries; later corrections go to the next open one.

    Refused while lines of the month's invoices have no journal entry at all (not even
    suspense: they were never allocated), unless ``force_reason`` says why; the reason is kept
    in the audit log with the count.
    """
    period = get_or_open(organisation_id, text, lock=True)
    if period.status == PeriodStatus.CLOSED:
        raise Conflict(N_("period %(period)s is already closed"), period=text)
    unallocated = unallocated_lines(organisation_id, text)
    reason = (force_reason or "").strip()
    if unallocated and not reason:
        raise Conflict(N_("%(count)s lines of the invoices of %(period)s are not allocated: allocate %(period)s "
                          "first, or close with --force and a reason"), details=[{"unallocated_lines": unallocated}],
                       count=unallocated, period=text)
    period.status = PeriodStatus.CLOSED
    period.closed_at = utcnow()
    period.closed_by_id = actor.id if actor else None
    _keep_administrations(organisation_id, period)
    db.session.flush()
    after: dict[str, object] = {"status": "closed"}
    if unallocated:
        after |= {"unallocated_lines": unallocated, "reason": reason}
    audit.record(actor, "period.close", "period", text, before={"status": "open"}, after=after,
                 organisation_id=organisation_id)
    return Closed(period, unallocated)


def _keep_administrations(organisation_id: int, period: Period) -> None:
    """Write down each unit's administration in the month, as it stands at the close."""
    history = AdministrationHistory(organisation_id)
    first = Month.parse(period.period).first
    db.session.execute(sa.delete(PeriodAdministration).where(PeriodAdministration.period_id == period.id))
    rows = [{"period_id": period.id, "unit_id": unit_id, "administration_id": history.on(unit_id, first)}
            for unit_id in history.current]
    if rows:
        db.session.execute(sa.insert(PeriodAdministration), rows)


def closed_administrations(organisation_id: int, first: str, last: str,
                           unit_ids: Collection[int] | None = None) -> dict[str, dict[int, int]]:
    """Per closed period from ``first`` to ``last`` (YYYY-MM): unit → administration as closed
    (of ``unit_ids`` only, when given)."""
    query = (sa.select(Period.period, PeriodAdministration.unit_id, PeriodAdministration.administration_id)
             .join(Period, Period.id == PeriodAdministration.period_id)
             .where(Period.organisation_id == organisation_id, Period.status == PeriodStatus.CLOSED,
                    Period.period >= first, Period.period <= last))
    if unit_ids is not None:
        query = query.where(PeriodAdministration.unit_id.in_(unit_ids))
    rows = db.session.execute(query)
    frozen: dict[str, dict[int, int]] = {}
    for period, unit_id, administration_id in rows:
        frozen.setdefault(period, {})[unit_id] = administration_id
    return frozen


def unallocated_lines(organisation_id: int, text: str) -> int:
    """Lines of the invoices dated in the month that the allocation uses (``allocated_source``)
    and no journal entry refers to; a line of 0.00 has nothing to place."""
    month = Month.parse(text)
    entries = sa.select(JournalEntry.id).where(JournalEntry.invoice_line_id == InvoiceLine.id).exists()
    return db.session.scalar(
        sa.select(sa.func.count(InvoiceLine.id)).join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(Invoice.organisation_id == organisation_id, Invoice.issue_date >= month.first,
               Invoice.issue_date < month.after, allocated_source(), InvoiceLine.net_amount != 0, ~entries)) or 0


def list_periods(organisation_id: int) -> list[Period]:
    return list(db.session.scalars(
        sa.select(Period).where(Period.organisation_id == organisation_id).order_by(Period.period.desc())))
