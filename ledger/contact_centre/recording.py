"""The change feed's rows, written in the same transaction as each change of who answers a number.

**Rows of their own, not a reading of the assignments and the audit log afterwards.** A feed
derived later would have to guess: an assignment's end is an update in place with no time of its
own, so *when it was recorded* is known only at the moment of the change; the audit log's
payloads are each feature's own shape, free to change with it; and a correction of history
would silently rewrite what the contact centre was already told. A row per change, written in the
change's own transaction, is a fact: kept when the change is kept, gone when it is refused or
rolled back (a savepoint too), never rewritten afterwards, and ``since`` is one indexed range over
``(organisation_id, recorded_at)``, paged like any list, instead of a union over five tables.

**Written where the data changes, not by each service.** The moves, the department requests, the
reorganisations, new and ended subscriptions, the operator's list, the suspense queue's
assignments and the organisation's memberships each change the same three tables; the features
that own them come before this one and cannot import it, and a path that forgot to write its row
would leave a hole no one sees. So the session tells this module what each flush wrote:

- a new ``assignment`` of a subscription is a *move* from the unit whose row ended that day, or a
  *new* number when none did; one that fulfils a pending move request is that request's (the
  request is still pending when its move is flushed);
- a subscription's ``end_date`` set or moved is an *end* (from the day after its last day), one
  cleared a *reopening*;
- a new ``unit_membership`` after another of the same unit is a unit's move to another
  administration;
- the operator's list does the same by ORM bulk statements, which ``do_orm_execute`` sees.

SQL that bypasses the session (``connection.execute`` of a Core statement, the driver's bulk
path) is not seen: no code writes those three tables so today (``database.bulk`` writes invoice
lines and journal entries only), and new code must not, or must write its change rows itself.

What the rows cannot tell is that a set of moves was a reorganisation: ``inventory.moves``
says so (``reorganised``) and those moves are named so. Numbers that move together (a
reorganisation, one operator's list) are one change with several numbers. Handsets have no
number: their moves are not in the feed. A row that was already over when it was written (the
demo's history, an ended subscription's old assignment) says nothing about who answers now
and is left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from ledger.contact_centre.models import ChangeKind, DirectoryChange, DirectoryChangeNumber
from ledger.core import clock
from ledger.database import db
from ledger.database.types import utcnow
from ledger.inventory.models import Asset, AssetType, Assignment, AssignmentRequest, Subscription
from ledger.inventory.moves import REQUESTED, reorganised
from ledger.organisation.models import UnitMembership

#: ``session.info`` key: the ids of the changes written in this transaction (a reorganisation
#: renames its moves; the demo dates its history).
WRITTEN = "contact_centre.changes"


def _table(model: type[Any]) -> sa.Table:
    return cast(sa.Table, sa.inspect(model).local_table)


ASSETS, SUBSCRIPTIONS, ASSIGNMENTS = _table(Asset), _table(Subscription), _table(Assignment)
REQUESTS, MEMBERSHIPS = _table(AssignmentRequest), _table(UnitMembership)
CHANGES, NUMBERS = _table(DirectoryChange), _table(DirectoryChangeNumber)


@dataclass(frozen=True, slots=True)
class Start:
    """An assignment row as written: an asset at a unit from a day."""

    organisation_id: int
    asset_id: int
    unit_id: int
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True, slots=True)
class EndDate:
    """A subscription's end date as it is now set (``None``: cleared, in service again)."""

    organisation_id: int
    asset_id: int
    new: date | None


@dataclass(frozen=True, slots=True)
class Membership:
    organisation_id: int
    unit_id: int
    administration_id: int
    valid_from: date


#: What groups numbers into one change: organisation, kind, effective day, from, to, request.
Key = tuple[int, ChangeKind, date, int | None, int | None, int | None]


# -- what a flush wrote ----------------------------------------------------------------------


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    """Read what the flush wrote of the three tables; the new, dirty and history are still those
    of before the flush here, and the rows are in the database."""
    starts, memberships, ends = [], [], []
    for obj in session.new:
        if isinstance(obj, Assignment):
            starts.append(Start(obj.organisation_id, obj.asset_id, obj.unit_id, obj.valid_from, obj.valid_to))
        elif isinstance(obj, UnitMembership):
            memberships.append(Membership(obj.organisation_id, obj.unit_id, obj.administration_id, obj.valid_from))
    for obj in session.dirty:
        if isinstance(obj, Subscription):
            history = sa.inspect(obj).attrs.end_date.history
            if history.added or history.deleted:
                ends.append(EndDate(obj.organisation_id, obj.id, obj.end_date))
    if starts or memberships or ends:
        connection = session.connection()
        written = record_starts(connection, starts) + record_ends(connection, ends)
        written += record_memberships(connection, memberships)
        session.info.setdefault(WRITTEN, []).extend(written)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> None:
    """The ORM bulk statements of the operator's list: new assignments, and end dates by id."""
    if not state.is_executemany or not (state.is_insert or state.is_update) or state.bind_mapper is None:
        return
    rows: Sequence[dict[str, Any]] = state.parameters  # type: ignore[assignment]
    model = state.bind_mapper.class_
    connection = state.session.connection()
    written: list[int] = []
    if state.is_insert and model is Assignment:
        written = record_starts(connection, [
            Start(row["organisation_id"], row["asset_id"], row["unit_id"], row["valid_from"], row.get("valid_to"))
            for row in rows])
    elif state.is_update and model is Subscription:
        written = _bulk_ends(connection, rows)
    state.session.info.setdefault(WRITTEN, []).extend(written)


def _bulk_ends(connection: sa.Connection, rows: Sequence[dict[str, Any]]) -> list[int]:
    """End dates of a bulk update by id that differ from the stored ones (read before it runs)."""
    asked = {row["id"]: row["end_date"] for row in rows if "end_date" in row}
    ids = list(asked)
    stored = [row for at in range(0, len(ids), CHUNK) for row in connection.execute(
        sa.select(SUBSCRIPTIONS.c.id, ASSETS.c.organisation_id, SUBSCRIPTIONS.c.end_date)
        .join(ASSETS, ASSETS.c.id == SUBSCRIPTIONS.c.id).where(SUBSCRIPTIONS.c.id.in_(ids[at:at + CHUNK])))]
    return record_ends(connection, [EndDate(org, sub_id, asked[sub_id]) for sub_id, org, end in stored
                                    if end != asked[sub_id]])


def written_in_this_unit_of_work() -> list[int]:
    """The ids of the changes this module wrote in the current transaction (the demo dates its history by them)."""
    return list(db.session.info.get(WRITTEN, []))


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(WRITTEN, None)


@reorganised.connect
def _name_reorganisation(organisation_id: int, *, source_unit_id: int, valid_from: date, **_: Any) -> None:
    """The moves a reorganisation wrote (already flushed) are named as one."""
    ids = db.session.info.get(WRITTEN, [])
    if ids:
        db.session.connection().execute(
            sa.update(CHANGES).where(CHANGES.c.id.in_(ids), CHANGES.c.organisation_id == organisation_id,
                                     CHANGES.c.kind == ChangeKind.MOVED,
                                     CHANGES.c.from_unit_id == source_unit_id, CHANGES.c.effective_on == valid_from)
            .values(kind=ChangeKind.REORGANISATION))


# -- the changes they make -------------------------------------------------------------------


def _numbers(connection: sa.Connection, asset_ids: Iterable[int]) -> dict[int, str]:
    """The subscriptions among ``asset_ids``, with their numbers (a handset has none)."""
    ids = set(asset_ids)
    if not ids:
        return {}
    return {asset_id: number for asset_id, number in connection.execute(sa.select(ASSETS.c.id, ASSETS.c.identifier)
            .where(ASSETS.c.id.in_(ids), ASSETS.c.type == AssetType.SUBSCRIPTION))}


#: The most rows one statement asks about (an operator's list may hold thousands).
CHUNK = 2000


def record_starts(connection: sa.Connection, starts: Sequence[Start]) -> list[int]:
    """New assignment rows of subscriptions: a move from the unit whose row ended on the day
    (a request's, when it fulfils a pending one), or a new number."""
    if len(starts) > CHUNK:
        return [i for at in range(0, len(starts), CHUNK) for i in record_starts(connection, starts[at:at + CHUNK])]
    today = clock.today()
    numbers = _numbers(connection, (s.asset_id for s in starts))
    starts = [s for s in starts if s.asset_id in numbers and (s.valid_to is None or s.valid_to > today)]
    if not starts:
        return []
    ids = {s.asset_id for s in starts}
    ended = {(asset, day): unit for asset, day, unit in connection.execute(
        sa.select(ASSIGNMENTS.c.asset_id, ASSIGNMENTS.c.valid_to, ASSIGNMENTS.c.unit_id).where(
            ASSIGNMENTS.c.asset_id.in_(ids), ASSIGNMENTS.c.valid_to.in_({s.valid_from for s in starts})))}
    pending = {(asset, day, unit): request for request, asset, day, unit in connection.execute(
        sa.select(REQUESTS.c.id, REQUESTS.c.asset_id, REQUESTS.c.valid_from, REQUESTS.c.to_unit_id).where(
            REQUESTS.c.asset_id.in_(ids), REQUESTS.c.status == REQUESTED))}
    groups: dict[Key, list[tuple[int, str]]] = defaultdict(list)
    for s in starts:
        before = ended.get((s.asset_id, s.valid_from))
        if before == s.unit_id:
            continue
        request = pending.get((s.asset_id, s.valid_from, s.unit_id)) if before is not None else None
        kind = ChangeKind.REQUEST if request else ChangeKind.MOVED if before is not None else ChangeKind.NEW
        groups[(s.organisation_id, kind, s.valid_from, before, s.unit_id, request)].append(
            (s.asset_id, numbers[s.asset_id]))
    return _write(connection, groups)


def _unit_on(rows: Sequence[Any], day: date) -> int | None:
    return next((unit for start, end, unit in rows if start <= day and (end is None or end > day)), None)


def record_ends(connection: sa.Connection, ends: Sequence[EndDate]) -> list[int]:
    """End dates set, moved or cleared: the number is no longer answered from the day after
    its last day (by the unit it was at on that day), or is in service again from today."""
    if len(ends) > CHUNK:
        return [i for at in range(0, len(ends), CHUNK) for i in record_ends(connection, ends[at:at + CHUNK])]
    numbers = _numbers(connection, (e.asset_id for e in ends))
    ends = [e for e in ends if e.asset_id in numbers]
    if not ends:
        return []
    history: dict[int, list[Any]] = defaultdict(list)
    for asset, start, end, unit in connection.execute(
            sa.select(ASSIGNMENTS.c.asset_id, ASSIGNMENTS.c.valid_from, ASSIGNMENTS.c.valid_to, ASSIGNMENTS.c.unit_id)
            .where(ASSIGNMENTS.c.asset_id.in_({e.asset_id for e in ends}))):
        history[asset].append((start, end, unit))
    today = clock.today()
    groups: dict[Key, list[tuple[int, str]]] = defaultdict(list)
    for e in ends:
        if e.new is None:
            key: Key = (e.organisation_id, ChangeKind.REOPENED, today, None, _unit_on(history[e.asset_id], today), None)
        else:
            key = (e.organisation_id, ChangeKind.ENDED, e.new + timedelta(days=1),
                   _unit_on(history[e.asset_id], e.new), None, None)
        groups[key].append((e.asset_id, numbers[e.asset_id]))
    return _write(connection, groups)


def record_memberships(connection: sa.Connection, memberships: Sequence[Membership]) -> list[int]:
    """A unit's new membership after another one that ended that day: a move to another
    administration (a unit's first membership is none)."""
    if not memberships:
        return []
    before = {(unit, day): administration for unit, day, administration in connection.execute(
        sa.select(MEMBERSHIPS.c.unit_id, MEMBERSHIPS.c.valid_to, MEMBERSHIPS.c.administration_id).where(
            MEMBERSHIPS.c.unit_id.in_({m.unit_id for m in memberships}),
            MEMBERSHIPS.c.valid_to.in_({m.valid_from for m in memberships})))}
    written = []
    for m in memberships:
        old = before.get((m.unit_id, m.valid_from))
        if old is not None and old != m.administration_id:
            written.append(_insert(connection, organisation_id=m.organisation_id, kind=ChangeKind.ADMINISTRATION,
                                   effective_on=m.valid_from, unit_id=m.unit_id, from_administration_id=old,
                                   to_administration_id=m.administration_id))
    return written


def _insert(connection: sa.Connection, **values: Any) -> int:
    result = connection.execute(sa.insert(CHANGES).values(recorded_at=utcnow(), **values))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def _write(connection: sa.Connection, groups: dict[Key, list[tuple[int, str]]]) -> list[int]:
    """One change per group, with its numbers."""
    written = []
    for (organisation_id, kind, day, from_unit, to_unit, request), numbers in groups.items():
        change_id = _insert(connection, organisation_id=organisation_id, kind=kind, effective_on=day,
                            from_unit_id=from_unit, to_unit_id=to_unit, request_id=request)
        connection.execute(sa.insert(NUMBERS), [
            {"change_id": change_id, "asset_id": asset_id, "organisation_id": organisation_id, "number": number}
            for asset_id, number in dict(numbers).items()])
        written.append(change_id)
    return written
