"""Recording who changed what. Every service that changes data calls ``record``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa

from ledger.access.models import User
from ledger.audit.models import AuditEvent
from ledger.core import clock
from ledger.core.errors import ValidationFailed
from ledger.core.paging import Page
from ledger.core.text import N_
from ledger.database import db

SYSTEM = "system"


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """A JSON-safe picture of ``fields`` of ``obj`` for the before/after of an event."""
    return {name: _json_safe(getattr(obj, name)) for name in fields}


def _json_safe(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


def record(
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    organisation_id: int | None = None,
) -> AuditEvent:
    """Add an audit event to the current unit of work (it commits with the change itself)."""
    event = AuditEvent(
        organisation_id=organisation_id if organisation_id is not None else getattr(actor, "organisation_id", None),
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.username if actor is not None else SYSTEM,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        before=_json_safe(before) if before is not None else None,
        after=_json_safe(after) if after is not None else None,
    )
    db.session.add(event)
    return event


# -- reading the log -----------------------------------------------------------------------------

SINCE_FORMAT = N_("Write the date as YYYY-MM-DD, or a time as YYYY-MM-DDTHH:MM.")
#: The years ``since`` may name: any log falls within them, and a moment outside them could not
#: be turned into UTC at either end of the calendar.
_YEARS = range(1900, 10000 - 1)


def parse_since(text: str) -> datetime:
    """``since`` as a moment: a date is its first moment in Sweden; a time without a zone is
    Swedish time; a time with an offset (ISO 8601) is that moment."""
    text = text.strip()
    try:
        moment = datetime.combine(date.fromisoformat(text), time())
    except ValueError:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationFailed(SINCE_FORMAT) from None
    if moment.year not in _YEARS:
        raise ValidationFailed(SINCE_FORMAT)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=clock.ZONE)


@dataclass(frozen=True, slots=True)
class Filters:
    """What to look for in the log; every field is optional.

    ``kind`` is an action (``user.create``) or the start of one: ``user`` and ``user.`` both mean
    every ``user.…`` event. ``entity_type`` and ``entity_id`` name what was changed."""

    since: datetime | None = None
    actor: str | None = None
    kind: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None


def parse_object(text: str) -> tuple[str, str | None]:
    """``object`` as (entity type, id): ``user`` or ``user:42``."""
    entity_type, _, entity_id = text.strip().partition(":")
    return entity_type.strip(), (entity_id.strip() or None)


def _kind_clause(kind: str) -> sa.ColumnElement[bool]:
    family = kind.rstrip(".")
    return sa.or_(AuditEvent.action == kind, AuditEvent.action.startswith(family + ".", autoescape=True))


def _filtered(organisation_id: int, filters: Filters) -> sa.Select[tuple[AuditEvent]]:
    query = sa.select(AuditEvent).where(AuditEvent.organisation_id == organisation_id)
    if filters.since is not None:
        query = query.where(AuditEvent.occurred_at >= filters.since)
    if filters.actor:
        query = query.where(AuditEvent.actor_name == filters.actor)
    if filters.kind:
        query = query.where(_kind_clause(filters.kind))
    if filters.entity_type:
        query = query.where(AuditEvent.entity_type == filters.entity_type)
    if filters.entity_id:
        query = query.where(AuditEvent.entity_id == filters.entity_id)
    return query


def events(organisation_id: int, filters: Filters, page: int, per_page: int) -> Page:
    """One page of the organisation's events that meet ``filters``, newest first, and how many
    there are in all."""
    query = _filtered(organisation_id, filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
                              .offset((page - 1) * per_page).limit(per_page))
    return Page(list(rows), total, page, per_page)


def events_query(organisation_id: int, filters: Filters) -> sa.Select[tuple[AuditEvent]]:
    """The query of the organisation's events that meet ``filters``, unordered: a list sorts and pages it."""
    return _filtered(organisation_id, filters)


def event_rows(query: sa.Select[tuple[AuditEvent]]) -> sa.Select[Any]:
    """``events_query``'s events as plain rows (no model object per event), for a download."""
    return query.with_only_columns(AuditEvent.occurred_at, AuditEvent.actor_name, AuditEvent.action,
                                   AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.before, AuditEvent.after)


@dataclass(frozen=True, slots=True)
class Change:
    """One field of an event: its value before and after, and whether the event changed it."""

    field: str
    before: Any
    after: Any
    changed: bool


def changes(event: AuditEvent) -> list[Change]:
    """The event's fields, in the order the service wrote them (before's first, then any new in
    after), each with its old and new value. A field missing on one side is ``None`` there."""
    before, after = event.before or {}, event.after or {}
    fields = list(before) + [name for name in after if name not in before]
    return [Change(name, before.get(name), after.get(name),
                   event.before is None or event.after is None or before.get(name) != after.get(name))
            for name in fields]
