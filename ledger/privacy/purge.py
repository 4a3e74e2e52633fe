"""Retention of personal data: once a subscription or handset has ended longer ago than the
retention period, the names it holds become pseudonyms (``privacy purge``, docs/privacy.md).

What is replaced, for each such asset of one organisation:

* its own columns: a subscription's holder (``holder_name``) and the signer of its private-use
  agreement (``private_use_signed_by``); a lost, stolen or retired handset's manager the loss
  was reported to (``reported_to_manager``);
* the same fields wherever its audit history holds them: the before and after of its own events
  (``subscription.*``, ``handset.*``) and its rows in the operator-list imports
  (``inventory.import``). The events stay, with their time, actor and action.

Figures are not touched: no invoice, line, journal entry or balance names a holder. A
subscription has ended when it has an end date; a handset when it is retired, lost or stolen,
on the day its status changed. Each asset done is noted in ``pseudonymised_asset``, so the next
run passes it by unless a name is written on it again. Rows are read as plain tuples and written
with one ``executemany`` per table and chunk, never an ORM object per row; the purge itself is
recorded as one audit event of counts (``privacy.purge``), naming no one.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, cast

import sqlalchemy as sa

from ledger.access.models import User
from ledger.audit import service as audit
from ledger.audit.models import AuditEvent
from ledger.core import clock
from ledger.core.errors import ValidationFailed
from ledger.core.text import N_
from ledger.database import db
from ledger.database.types import utcnow
from ledger.inventory.models import Handset, HandsetStatus, Subscription
from ledger.privacy.models import PseudonymisedAsset
from ledger.privacy.names import folded, is_pseudonym, not_hidden, pseudonymiser

#: The fields that hold a person's name, in an asset's columns and in its audit events.
PERSONAL_FIELDS = frozenset({"holder_name", "private_use_signed_by", "reported_to_manager"})
SUBSCRIPTION_FIELDS = ("holder_name", "private_use_signed_by")
HANDSET_FIELDS = ("reported_to_manager",)
#: A handset has ended when it is out of use for good: retired, lost or stolen.
ENDED_STATUSES = (HandsetStatus.RETIRED, HandsetStatus.LOST, HandsetStatus.STOLEN)
DEFAULT_MONTHS = 24
CHUNK = 500

#: ``progress(done, total)``: assets done so far of those past the retention period.
Progress = Callable[[int, int], None]


def ended_by(today: date, months: int) -> date:
    """The last end date past a retention of ``months`` on ``today``: the same day ``months``
    earlier (the month's last day where that month is shorter)."""
    if months < 1:
        raise ValidationFailed(N_("The retention period is at least one month, not %(months)s"), months=months)
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(slots=True)
class PurgeResult:
    """What a purge did (or, on a dry run, would do) in one organisation."""

    organisation_id: int
    retention_months: int
    ended_by: date
    dry_run: bool
    #: subscriptions and handsets past the retention period, not done before (or named again)
    assets: int = 0
    subscriptions: int = 0
    holder_names: int = 0
    signers: int = 0
    handsets: int = 0
    managers: int = 0
    audit_events: int = 0
    #: how many different names were replaced
    people: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ended_by": self.ended_by.isoformat()}

    def counts(self) -> dict[str, Any]:
        """The audit event's after: counts and the rule, no name."""
        return {key: value for key, value in self.as_dict().items() if key not in ("organisation_id", "dry_run")}


@dataclass(frozen=True, slots=True)
class _Asset:
    id: int
    identifier: str
    values: dict[str, str | None]
    marked: bool


@dataclass(slots=True)
class _Purge:
    """One purge in progress: whose, how names are hidden, whether it writes, what it did."""

    organisation_id: int
    pseudonym: Callable[[str], str]
    write: bool
    result: PurgeResult
    now: datetime = field(default_factory=utcnow)
    people: set[str] = field(default_factory=set)

    def hide(self, value: Any) -> Any:
        if not isinstance(value, str) or not value.strip() or is_pseudonym(value):
            return value
        self.people.add(folded(value))
        return self.pseudonym(value)

    def hidden(self, value: Any, personal: bool = False) -> Any:
        """A JSON value with every text under a personal field replaced by its pseudonym."""
        if isinstance(value, dict):
            return {key: self.hidden(item, personal or key in PERSONAL_FIELDS) for key, item in value.items()}
        if isinstance(value, list):
            return [self.hidden(item, personal) for item in value]
        return self.hide(value) if personal else value


# -- which assets ----------------------------------------------------------------------------


def _due_subscriptions(organisation_id: int, last_end: date) -> sa.Select[Any]:
    mark = PseudonymisedAsset
    return (sa.select(Subscription.id, Subscription.identifier, Subscription.holder_name,
                      Subscription.private_use_signed_by, mark.asset_id.is_not(None).label("marked"))
            .outerjoin(mark, mark.asset_id == Subscription.id)
            .where(Subscription.organisation_id == organisation_id, Subscription.end_date <= last_end,
                   sa.or_(mark.asset_id.is_(None), not_hidden(Subscription.holder_name),
                          not_hidden(Subscription.private_use_signed_by)))
            .order_by(Subscription.id))


def _due_handsets(organisation_id: int, last_end: date) -> sa.Select[Any]:
    mark = PseudonymisedAsset
    return (sa.select(Handset.id, Handset.identifier, Handset.reported_to_manager,
                      mark.asset_id.is_not(None).label("marked"))
            .outerjoin(mark, mark.asset_id == Handset.id)
            .where(Handset.organisation_id == organisation_id, Handset.status.in_(ENDED_STATUSES),
                   Handset.status_changed_on <= last_end,
                   sa.or_(mark.asset_id.is_(None), not_hidden(Handset.reported_to_manager)))
            .order_by(Handset.id))


def _assets(query: sa.Select[Any], fields: Sequence[str]) -> list[_Asset]:
    return [_Asset(row[0], row[1], dict(zip(fields, row[2:-1], strict=True)), bool(row[-1]))
            for row in db.session.execute(query)]


def due(organisation_id: int, months: int, today: date | None = None) -> int:
    """How many subscriptions and handsets the next purge would take (the privacy page's count)."""
    last_end = ended_by(today or clock.today(), months)
    return sum(db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
               for query in (_due_subscriptions(organisation_id, last_end), _due_handsets(organisation_id, last_end)))


# -- the purge -------------------------------------------------------------------------------


def purge(actor: User | None, organisation_id: int, *, secret_key: str, months: int = DEFAULT_MONTHS,
          today: date | None = None, dry_run: bool = False, progress: Progress | None = None) -> PurgeResult:
    """Pseudonymise the names of the organisation's assets that ended ``months`` or more ago.
    On a dry run nothing is written; the counts say what a purge would do."""
    last_end = ended_by(today or clock.today(), months)
    work = _Purge(organisation_id, pseudonymiser(secret_key, organisation_id), not dry_run,
                  PurgeResult(organisation_id, months, last_end, dry_run))
    subscriptions = _assets(_due_subscriptions(organisation_id, last_end), SUBSCRIPTION_FIELDS)
    handsets = _assets(_due_handsets(organisation_id, last_end), HANDSET_FIELDS)
    total = work.result.assets = len(subscriptions) + len(handsets)
    done = 0
    if progress:
        progress(0, total)
    for kind, assets in (("subscription", subscriptions), ("handset", handsets)):
        for chunk in _chunks(assets):
            _purge_chunk(work, kind, chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
    _operator_lists(work, {asset.identifier for asset in subscriptions})
    work.result.people = len(work.people)
    if work.write and total:
        db.session.expire_all()  # the statements went past the session's objects
        audit.record(actor, "privacy.purge", "organisation", organisation_id, after=work.result.counts(),
                     organisation_id=organisation_id)
        db.session.flush()
    return work.result


def _table(model: type[Any]) -> sa.Table:
    return cast(sa.Table, model.__table__)


def _chunks(assets: list[_Asset]) -> Iterator[list[_Asset]]:
    for start in range(0, len(assets), CHUNK):
        yield assets[start:start + CHUNK]


def _purge_chunk(work: _Purge, kind: str, assets: list[_Asset]) -> None:
    if kind == "subscription":
        _subscription_columns(work, assets)
    else:
        _handset_columns(work, assets)
    _asset_events(work, kind, assets)
    if work.write:
        _mark(work, assets)


def _hidden_columns(work: _Purge, asset: _Asset) -> dict[str, str | None]:
    return {name: work.hide(value) for name, value in asset.values.items()}


def _subscription_columns(work: _Purge, assets: list[_Asset]) -> None:
    rows = []
    for asset in assets:
        new = _hidden_columns(work, asset)
        changed = [name for name in SUBSCRIPTION_FIELDS if new[name] != asset.values[name]]
        if not changed:
            continue
        work.result.subscriptions += 1
        work.result.holder_names += "holder_name" in changed
        work.result.signers += "private_use_signed_by" in changed
        rows.append({"row_id": asset.id, "new_holder": new["holder_name"],
                     "new_signer": new["private_use_signed_by"]})
    table = _table(Subscription)
    _execute(work, sa.update(table).where(table.c.id == sa.bindparam("row_id")).values(
        holder_name=sa.bindparam("new_holder"), private_use_signed_by=sa.bindparam("new_signer")), rows)


def _handset_columns(work: _Purge, assets: list[_Asset]) -> None:
    rows = []
    for asset in assets:
        new = _hidden_columns(work, asset)
        if new["reported_to_manager"] != asset.values["reported_to_manager"]:
            rows.append({"row_id": asset.id, "new_manager": new["reported_to_manager"]})
    work.result.handsets += len(rows)
    work.result.managers += len(rows)
    table = _table(Handset)
    _execute(work, sa.update(table).where(table.c.id == sa.bindparam("row_id")).values(
        reported_to_manager=sa.bindparam("new_manager")), rows)


def _execute(work: _Purge, statement: Any, rows: list[dict[str, Any]]) -> None:
    if work.write and rows:
        db.session.execute(statement, rows)


def _of_organisation(organisation_id: int) -> sa.ColumnElement[bool]:
    # an event written without an organisation still belongs to the asset it names
    return sa.or_(AuditEvent.organisation_id == organisation_id, AuditEvent.organisation_id.is_(None))


def _asset_events(work: _Purge, kind: str, assets: list[_Asset]) -> None:
    """The before and after of the assets' own events, their personal fields pseudonymised."""
    query = (sa.select(AuditEvent.id, AuditEvent.before, AuditEvent.after)
             .where(_of_organisation(work.organisation_id), AuditEvent.entity_type == kind,
                    AuditEvent.entity_id.in_([str(asset.id) for asset in assets])))
    _rewrite(work, list(db.session.execute(query)), work.hidden)


def _operator_lists(work: _Purge, numbers: set[str]) -> None:
    """The operator-list imports' audit events: the rows of the numbers purged."""
    if not numbers:
        return
    query = (sa.select(AuditEvent.id, AuditEvent.before, AuditEvent.after)
             .where(_of_organisation(work.organisation_id), AuditEvent.action == "inventory.import",
                    sa.cast(AuditEvent.after, sa.Text).like("%holder_name%")))

    def hidden(value: Any) -> Any:
        if not isinstance(value, dict) or not isinstance(value.get("updated"), list):
            return value
        return {**value, "updated": [work.hidden(row) if isinstance(row, dict) and row.get("number") in numbers
                                     else row for row in value["updated"]]}

    _rewrite(work, list(db.session.execute(query)), hidden)


def _rewrite(work: _Purge, events: list[Any], hidden: Callable[[Any], Any]) -> None:
    """Write the events whose before or after changed: one ``executemany`` for each side."""
    befores, afters = [], []
    for event_id, before, after in events:
        new_before, new_after = hidden(before), hidden(after)
        if new_before != before:
            befores.append({"event_id": event_id, "new_value": new_before})
        if new_after != after:
            afters.append({"event_id": event_id, "new_value": new_after})
        work.result.audit_events += new_before != before or new_after != after
    table = _table(AuditEvent)
    for column, rows in (("before", befores), ("after", afters)):
        _execute(work, sa.update(table).where(table.c.id == sa.bindparam("event_id")).values(
            {column: sa.bindparam("new_value", type_=sa.JSON)}), rows)


def _mark(work: _Purge, assets: list[_Asset]) -> None:
    table = _table(PseudonymisedAsset)
    new = [{"asset_id": a.id, "organisation_id": work.organisation_id, "pseudonymised_at": work.now}
           for a in assets if not a.marked]
    again = [{"row_id": a.id, "new_time": work.now} for a in assets if a.marked]
    _execute(work, sa.insert(table), new)
    _execute(work, sa.update(table).where(table.c.asset_id == sa.bindparam("row_id")).values(
        pseudonymised_at=sa.bindparam("new_time")), again)
