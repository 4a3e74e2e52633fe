"""Reading the change feed: the organisation's changes of who answers a number, newest first.

``since`` is a day: the changes *recorded* from its first moment in Sweden on (not those taking
effect then: a move recorded today for next month is news today). Each change says the day it
takes effect, when it was recorded, the numbers it concerns and the units (or administrations)
it moves them from and to. The feed is the organisation's: another municipality's changes are
never read (and the tenancy guard beneath says the same).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from ledger.access.models import User
from ledger.contact_centre.details import FIELDS
from ledger.contact_centre.models import ChangeKind, DirectoryChange, DirectoryChangeNumber
from ledger.core import clock
from ledger.core.identifiers import display_phone_number
from ledger.core.paging import Page
from ledger.core.text import N_, Phrase, Said
from ledger.database import db
from ledger.organisation.models import Administration, BudgetUnit

#: How far back the feed reaches when no ``since`` is given.
DEFAULT_DAYS = 30

#: What each kind of change is called (pages, the feed).
KIND_NAMES: dict[ChangeKind, str] = {
    ChangeKind.MOVED: N_("Moved"),
    ChangeKind.REQUEST: N_("Move request approved"),
    ChangeKind.REORGANISATION: N_("Reorganisation"),
    ChangeKind.NEW: N_("New number"),
    ChangeKind.ENDED: N_("Subscription ended"),
    ChangeKind.REOPENED: N_("Subscription in service again"),
    ChangeKind.ADMINISTRATION: N_("Unit moved to another administration"),
    ChangeKind.CONTACT_DETAILS: N_("Contact details changed"),
}


@dataclass(frozen=True, slots=True)
class Named:
    """A unit (its ansvar code) or an administration (its code), with its name."""

    code: str
    name: str

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    id: int
    kind: ChangeKind
    effective_on: date
    recorded_at: datetime
    numbers: list[str] = field(default_factory=list)
    from_unit: Named | None = None
    to_unit: Named | None = None
    unit: Named | None = None
    from_administration: Named | None = None
    to_administration: Named | None = None
    request_id: int | None = None
    fields: list[str] = field(default_factory=list)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    @property
    def source(self) -> Named | None:
        """Where from: the unit that answered before, or a unit's administration before."""
        return self.from_unit or self.from_administration

    @property
    def target(self) -> Named | None:
        """Where to: the unit that answers now, or a unit's new administration."""
        return self.to_unit or self.to_administration


def default_since(today: date | None = None) -> date:
    return (today or clock.today()) - timedelta(days=DEFAULT_DAYS)


def first_moment(day: date) -> datetime:
    """The first moment of ``day`` in Sweden."""
    return datetime.combine(day, time(), tzinfo=clock.ZONE)


def changes_query(organisation_id: int, since: date) -> sa.Select[tuple[DirectoryChange]]:
    """The organisation's changes recorded from ``since`` on, unordered: a list sorts and pages it."""
    return sa.select(DirectoryChange).where(DirectoryChange.organisation_id == organisation_id,
                                            DirectoryChange.recorded_at >= first_moment(since))


def records(changes: Sequence[DirectoryChange]) -> list[ChangeRecord]:
    """The changes as the pages, the API and the feed show them: units, administrations and
    numbers read in one query each."""
    if not changes:
        return []
    unit_ids = {i for c in changes for i in (c.from_unit_id, c.to_unit_id, c.unit_id) if i is not None}
    admin_ids = {i for c in changes for i in (c.from_administration_id, c.to_administration_id) if i is not None}
    units = {u.id: Named(u.ansvar, u.name) for u in db.session.scalars(
        sa.select(BudgetUnit).where(BudgetUnit.id.in_(unit_ids)))} if unit_ids else {}
    admins = {a.id: Named(a.code, a.name) for a in db.session.scalars(
        sa.select(Administration).where(Administration.id.in_(admin_ids)))} if admin_ids else {}
    numbers: dict[int, list[str]] = defaultdict(list)
    for change_id, number in db.session.execute(
            sa.select(DirectoryChangeNumber.change_id, DirectoryChangeNumber.number)
            .where(DirectoryChangeNumber.change_id.in_([c.id for c in changes]))
            .order_by(DirectoryChangeNumber.number)):
        numbers[change_id].append(number)

    def one(ids: dict[int, Named], key: int | None) -> Named | None:
        return ids.get(key) if key is not None else None

    return [ChangeRecord(
        id=c.id, kind=c.kind, effective_on=c.effective_on, recorded_at=c.recorded_at, numbers=numbers[c.id],
        from_unit=one(units, c.from_unit_id), to_unit=one(units, c.to_unit_id), unit=one(units, c.unit_id),
        from_administration=one(admins, c.from_administration_id),
        to_administration=one(admins, c.to_administration_id), request_id=c.request_id,
        fields=list(c.fields or [])) for c in changes]


def newest_first(query: sa.Select[Any]) -> sa.Select[Any]:
    return query.order_by(DirectoryChange.recorded_at.desc(), DirectoryChange.id.desc())


def list_changes(user: User, since: date | None = None, page: int = 1, per_page: int = 100) -> Page[ChangeRecord]:
    """One page of the user's organisation's changes recorded since ``since`` (default: the
    last ``DEFAULT_DAYS`` days), newest first, and how many there are in all."""
    query = changes_query(user.organisation_id, since or default_since())
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(newest_first(query).offset((page - 1) * per_page).limit(per_page))
    return Page(records(list(rows)), total, page, per_page)


# -- what a change says ------------------------------------------------------------------------

#: How many numbers a title names before it says how many more there are.
NAMED_NUMBERS = 3
NONE = N_("no unit")
MOVES = (ChangeKind.MOVED, ChangeKind.REQUEST, ChangeKind.REORGANISATION)


def numbers_said(record: ChangeRecord) -> str | Said:
    """The change's numbers as Swedes write them; past a few, how many more."""
    shown = ", ".join(display_phone_number(number) for number in record.numbers[:NAMED_NUMBERS])
    more = len(record.numbers) - NAMED_NUMBERS
    return Said.of(N_("%(numbers)s and %(more)s more"), numbers=shown, more=more) if more > 0 else shown


def _place(named: Named | None) -> str | Phrase:
    return str(named) if named is not None else Phrase(NONE)


def title(record: ChangeRecord) -> Said:
    """One line: the kind of change and what it concerns (its numbers, or the unit)."""
    what = numbers_said(record) if record.numbers else _place(record.unit)
    return Said.of(N_("%(kind)s: %(what)s"), kind=Phrase(record.kind_name), what=what)


def summary(record: ChangeRecord) -> Said:
    """What the change means for the one who answers the phone, and from when."""
    day, source, target = record.effective_on, _place(record.source), _place(record.target)
    if record.kind in MOVES:
        return Said.of(N_("From %(from)s to %(to)s, from %(day)s."), **{"from": source, "to": target, "day": day})
    if record.kind == ChangeKind.NEW:
        return Said.of(N_("Answered by %(to)s from %(day)s."), to=target, day=day)
    if record.kind == ChangeKind.ENDED:
        return Said.of(N_("No longer in service from %(day)s (was %(from)s)."), day=day, **{"from": source})
    if record.kind == ChangeKind.REOPENED:
        return Said.of(N_("In service again from %(day)s."), day=day)
    if record.kind == ChangeKind.ADMINISTRATION:
        return Said.of(N_("%(unit)s belongs to %(to)s from %(day)s (before: %(from)s)."),
                       unit=_place(record.unit), to=target, day=day, **{"from": source})
    names = [Phrase(FIELDS[name][0]) for name in FIELDS if name in record.fields]
    return Said.of(N_("Changed: %(fields)s (from %(day)s)."), fields=names, day=day)
