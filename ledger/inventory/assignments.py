"""Effective-dated assignments of subscriptions and handsets to budget units.

An asset belongs to at most one unit on any day: rows of the same asset never overlap.
Moving an asset ends the current row the day before the new one starts (``valid_to`` is
exclusive, so the old row gets ``valid_to = valid_from`` of the new one). History is never
rewritten: a row that already started before the move is ended, not changed in place.

A change may be dated in a closed month. It is never refused for that: every change says so
through ``assignments_changed``, and ``allocation.corrections`` books what it means for the
closed months in the first open one.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from blinker import Namespace

from ledger.access.models import User
from ledger.audit import service as audit
from ledger.core.errors import Conflict, ValidationFailed
from ledger.core.text import N_
from ledger.database import db
from ledger.inventory.models import Asset, Assignment
from ledger.organisation.models import BudgetUnit

#: Sent whenever an organisation's assignments change from a day on (a move, a reorganisation, a
#: new or ended assignment): the sender is the organisation's id, ``day`` the first day changed,
#: ``actor`` who changed it.
assignments_changed = Namespace().signal("assignments-changed")


def changed_from(actor: User | None, organisation_id: int, day: date) -> None:
    """Say that the organisation's assignments changed from ``day`` on."""
    assignments_changed.send(organisation_id, day=day, actor=actor)


def assignments_of(asset: Asset) -> list[Assignment]:
    return list(
        db.session.scalars(sa.select(Assignment).where(Assignment.asset_id == asset.id).order_by(Assignment.valid_from))
    )


def overlapping(asset: Asset, valid_from: date, valid_to: date | None) -> list[Assignment]:
    """Rows of ``asset`` that share at least one day with [valid_from, valid_to)."""
    query = sa.select(Assignment).where(
        Assignment.asset_id == asset.id,
        Assignment.not_ended_by(valid_from),
    )
    if valid_to is not None:
        query = query.where(Assignment.valid_from < valid_to)
    return list(db.session.scalars(query.order_by(Assignment.valid_from)))


def add_assignment(
    actor: User | None,
    asset: Asset,
    unit: BudgetUnit,
    valid_from: date,
    valid_to: date | None = None,
) -> Assignment:
    """Add a period for ``asset`` at ``unit``; refuses any overlap with existing rows."""
    if valid_to is not None and valid_to <= valid_from:
        raise ValidationFailed(N_("The end date %(to)s must be after the start date %(start)s"), to=valid_to,
                               start=valid_from)
    if unit.organisation_id != asset.organisation_id:
        raise ValidationFailed(N_("Unit %(ansvar)s belongs to another organisation"), ansvar=unit.ansvar)
    if not unit.is_open_on(valid_from):
        raise ValidationFailed(N_("Unit %(ansvar)s is closed on %(day)s"), ansvar=unit.ansvar, day=valid_from)
    if unit.closed_on is not None and (valid_to is None or valid_to > unit.closed_on):
        raise ValidationFailed(N_("Unit %(ansvar)s closes on %(day)s; the assignment must end by then"),
                               ansvar=unit.ansvar, day=unit.closed_on)
    clash = overlapping(asset, valid_from, valid_to)
    if clash:
        first = clash[0]
        if first.valid_to is None:
            raise Conflict(N_("%(asset)s is already assigned to %(ansvar)s from %(start)s; that overlaps %(day)s"),
                           asset=asset.describe(), ansvar=first.unit.ansvar, start=first.valid_from, day=valid_from)
        raise Conflict(N_("%(asset)s is already assigned to %(ansvar)s from %(start)s to %(end)s; that overlaps "
                          "%(day)s"), asset=asset.describe(), ansvar=first.unit.ansvar, start=first.valid_from,
                       end=first.valid_to, day=valid_from)
    row = Assignment(
        organisation_id=asset.organisation_id,
        asset_id=asset.id,
        unit_id=unit.id,
        valid_from=valid_from,
        valid_to=valid_to,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor, "assignment.create", "assignment", row.id,
        after={"asset": asset.describe(), "unit": unit.ansvar, "valid_from": valid_from, "valid_to": valid_to},
        organisation_id=asset.organisation_id,
    )
    changed_from(actor, asset.organisation_id, valid_from)
    return row


def move(actor: User | None, asset: Asset, unit: BudgetUnit, valid_from: date) -> Assignment:
    """Assign ``asset`` to ``unit`` from ``valid_from`` on, ending the current assignment.

    Refused when a later assignment already exists (that would rewrite planned history) or
    when the asset already sits at ``unit`` on that day.
    """
    current = overlapping(asset, valid_from, None)
    later = [row for row in current if row.valid_from >= valid_from]
    if later:
        raise Conflict(N_("%(asset)s already has an assignment from %(day)s; end or correct that one first"),
                       asset=asset.describe(), day=later[0].valid_from)
    for row in current:  # at most one: rows never overlap
        if row.unit_id == unit.id:
            raise Conflict(N_("%(asset)s is already assigned to %(ansvar)s on %(day)s"), asset=asset.describe(),
                           ansvar=unit.ansvar, day=valid_from)
        before = {"unit": row.unit.ansvar, "valid_from": row.valid_from, "valid_to": row.valid_to}
        row.valid_to = valid_from
        audit.record(
            actor, "assignment.end", "assignment", row.id,
            before=before, after={**before, "valid_to": valid_from},
            organisation_id=asset.organisation_id,
        )
    db.session.flush()
    return add_assignment(actor, asset, unit, valid_from)


def unit_on(asset: Asset, day: date) -> BudgetUnit | None:
    """The unit ``asset`` belongs to on ``day``, if any."""
    row = db.session.scalar(
        sa.select(Assignment).where(
            Assignment.asset_id == asset.id,
            Assignment.in_force_on(day),
        )
    )
    return row.unit if row else None
