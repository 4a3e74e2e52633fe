"""Moving assets between units: single moves, department requests, reorganisations, closing units.

Managers must report changes (new staff, moves, reorganisations). Finance and admin move an
asset from a date (``inventory.assignments.move`` ends the old row and starts a new one, so
history is kept); a department user's move is a *request* (``AssignmentRequest``) that
finance approves (which performs the move) or rejects. A reorganisation moves every asset of
one unit — or a listed split of them — in one unit of work with one audit event. A move
dated into a closed period is refused: it would change which unit carried a closed month's
costs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from blinker import Namespace
from sqlalchemy.orm import joinedload

from ledger.access.models import User
from ledger.access.permissions import ensure_unit_visible, visible_only
from ledger.audit import service as audit
from ledger.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ledger.core.text import N_, Label, Said
from ledger.database import db
from ledger.database.types import utcnow
from ledger.inventory import assignments as assignment_service
from ledger.inventory.models import Asset, Assignment, AssignmentRequest, Subscription
from ledger.inventory.register import (
    day_of,
    ensure_asset_visible,
    find_asset,
    invalid,
    is_department,
    lock_assets,
    normalise_imei,
    normalise_number,
    unit_by_code,
)
from ledger.organisation.models import BudgetUnit

REQUESTED, APPROVED, REJECTED = "requested", "approved", "rejected"

#: Sent once a reorganisation has moved its assets (sender: the organisation's id; ``source_unit_id``
#: the unit they left, ``valid_from`` their first day at the new units): the contact centre's
#: change feed names those moves a reorganisation.
reorganised = Namespace().signal("reorganised")


@dataclass(frozen=True, slots=True)
class MoveOutcome:
    """A move either done (the new assignment) or requested (a department user's request)."""

    asset: Asset
    assignment: Assignment | None = None
    request: AssignmentRequest | None = None

    @property
    def done(self) -> bool:
        return self.assignment is not None

NO_REQUEST = N_("No move request with id %(id)s")
MOVES_NOT_VALID = N_("Some listed moves are not valid")


def _check_target(asset: Asset, unit: BudgetUnit, valid_from: date) -> None:
    if isinstance(asset, Subscription):
        if valid_from < asset.start_date:
            raise invalid("valid_from", N_("%(number)s starts on %(day)s; a move cannot be earlier"),
                          number=asset.number, day=asset.start_date)
        if asset.end_date is not None and valid_from > asset.end_date:
            raise invalid("valid_from", N_("%(number)s ended on %(day)s; it cannot move after that"),
                          number=asset.number, day=asset.end_date)
    if not unit.is_open_on(valid_from):
        raise invalid("unit", N_("Unit %(ansvar)s is not open on %(day)s"), ansvar=unit.ansvar, day=valid_from)
    if unit.closed_on is not None:
        raise Conflict(N_("Unit %(ansvar)s closes on %(day)s; move the asset to the unit that takes over"),
                       ansvar=unit.ansvar, day=unit.closed_on)


def move_asset(actor: User, asset: Asset, unit: BudgetUnit, valid_from: date, reason: str | None = None,
               today: date | None = None) -> MoveOutcome:
    """Move ``asset`` to ``unit`` from ``valid_from``; for a department user, request it."""
    ensure_asset_visible(actor, asset, today)
    if unit.organisation_id != actor.organisation_id:
        raise NotFound(N_("No budget unit with ansvar %(ansvar)s"), ansvar=unit.ansvar)
    _check_target(asset, unit, valid_from)
    if is_department(actor):
        return MoveOutcome(asset, request=_request(actor, asset, unit, valid_from, reason, day_of(today)))
    return MoveOutcome(asset, assignment=_perform(actor, asset, unit, valid_from))


def move_by_reference(actor: User, *, number: str | None, imei: str | None, unit: str, valid_from: date,
                      reason: str | None = None, today: date | None = None) -> MoveOutcome:
    """``POST /assignments``: the asset by number or IMEI, the unit by ansvar code."""
    asset = find_asset(actor, number=number, imei=imei, today=today)
    return move_asset(actor, asset, unit_by_code(actor.organisation_id, unit), valid_from, reason, today)


def _perform(actor: User | None, asset: Asset, unit: BudgetUnit, valid_from: date) -> Assignment:
    """``assignments.move``, keeping a planned end (an ended subscription's last row) on the new row."""
    lock_assets([asset.id])
    current = assignment_service.overlapping(asset, valid_from, None)
    planned_end = next((row.valid_to for row in current if row.valid_from < valid_from and row.valid_to), None)
    row = assignment_service.move(actor, asset, unit, valid_from)
    if planned_end is not None:
        row.valid_to = planned_end
        db.session.flush()
        audit.record(actor, "assignment.end", "assignment", row.id,
                     before={"unit": unit.ansvar, "valid_from": valid_from, "valid_to": None},
                     after={"unit": unit.ansvar, "valid_from": valid_from, "valid_to": planned_end},
                     organisation_id=asset.organisation_id)
    return row


def _request(actor: User, asset: Asset, unit: BudgetUnit, valid_from: date, reason: str | None,
             today: date) -> AssignmentRequest:
    from_unit = assignment_service.unit_on(asset, valid_from) or assignment_service.unit_on(asset, today)
    if from_unit is None:
        raise Conflict(N_("%(asset)s is assigned to no unit on %(day)s; finance assigns it"), asset=asset.describe(),
                       day=valid_from)
    try:
        ensure_unit_visible(actor, from_unit)
    except Forbidden:
        raise Forbidden(N_("%(asset)s is at %(ansvar)s on %(day)s, not one of your units"), asset=asset.describe(),
                        ansvar=from_unit.ansvar, day=valid_from) from None
    if from_unit.id == unit.id:
        raise Conflict(N_("%(asset)s is already assigned to %(ansvar)s on %(day)s"), asset=asset.describe(),
                       ansvar=unit.ansvar, day=valid_from)
    pending = db.session.scalar(sa.select(AssignmentRequest.id).where(
        AssignmentRequest.status == REQUESTED, AssignmentRequest.asset_id == asset.id))
    if pending is not None:
        raise Conflict(N_("A move of %(asset)s is already requested (request %(request)s); wait for finance to "
                          "decide it"),
                       asset=asset.describe(), request=pending)
    request = AssignmentRequest(
        organisation_id=actor.organisation_id, asset_id=asset.id, from_unit_id=from_unit.id, to_unit_id=unit.id,
        valid_from=valid_from, reason=(reason or "").strip() or None, status=REQUESTED, requested_by_id=actor.id,
    )
    db.session.add(request)
    db.session.flush()
    audit.record(actor, "assignment_request.create", "assignment_request", request.id,
                 after={"asset": asset.describe(), "from": from_unit.ansvar, "to": unit.ansvar,
                        "valid_from": valid_from, "reason": request.reason, "status": REQUESTED})
    return request


# -- requests --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestRecord:
    request: AssignmentRequest
    asset: str
    from_unit: BudgetUnit
    to_unit: BudgetUnit
    requested_by: str | None
    decided_by: str | None


def list_requests(user: User, status: str | None = REQUESTED, request_id: int | None = None) -> list[RequestRecord]:
    """Move requests: finance sees all, a department user those concerning their units."""
    from ledger.access.models import User as UserModel

    from_unit, to_unit = sa.orm.aliased(BudgetUnit), sa.orm.aliased(BudgetUnit)
    requester, decider = sa.orm.aliased(UserModel), sa.orm.aliased(UserModel)
    query = (
        sa.select(AssignmentRequest, from_unit, to_unit, Asset, requester.display_name, decider.display_name)
        .join(from_unit, from_unit.id == AssignmentRequest.from_unit_id)
        .join(to_unit, to_unit.id == AssignmentRequest.to_unit_id)
        .join(Asset, Asset.id == AssignmentRequest.asset_id)
        .outerjoin(requester, requester.id == AssignmentRequest.requested_by_id)
        .outerjoin(decider, decider.id == AssignmentRequest.decided_by_id)
        .where(AssignmentRequest.organisation_id == user.organisation_id)
        .order_by(AssignmentRequest.requested_at.desc(), AssignmentRequest.id.desc())
    )
    if status:
        if status not in (REQUESTED, APPROVED, REJECTED):
            raise invalid("status", N_("Unknown status %(status)s; use requested, approved or rejected"),
                          status=repr(status))
        query = query.where(AssignmentRequest.status == status)
    if request_id is not None:
        query = query.where(AssignmentRequest.id == request_id)
    query = visible_only(query, user, lambda scope: sa.or_(
        AssignmentRequest.from_unit_id.in_(scope), AssignmentRequest.to_unit_id.in_(scope),
        AssignmentRequest.requested_by_id == user.id))
    return [
        RequestRecord(req, asset.describe(), src, dst, who, decided)
        for req, src, dst, asset, who, decided in db.session.execute(query)
    ]


def request_record(user: User, request_id: int) -> RequestRecord:
    found = list_requests(user, None, request_id)
    if not found:
        raise NotFound(NO_REQUEST, id=request_id)
    return found[0]


def decide_request(actor: User, request_id: int, approve: bool, today: date | None = None) -> AssignmentRequest:
    """Approve (perform the move from the requested date) or reject a department's request."""
    request = db.session.get(AssignmentRequest, request_id)
    if request is None or request.organisation_id != actor.organisation_id:
        raise NotFound(NO_REQUEST, id=request_id)
    if request.status != REQUESTED:
        raise Conflict(N_("Request %(id)s is already %(status)s"), id=request_id, status=Label(request.status))
    asset = request.asset
    to_unit = db.session.get(BudgetUnit, request.to_unit_id)
    assert to_unit is not None
    before = {"status": request.status}
    if approve:
        _check_target(asset, to_unit, request.valid_from)
        _perform(actor, asset, to_unit, request.valid_from)
    request.status = APPROVED if approve else REJECTED
    request.decided_by_id = actor.id
    request.decided_at = utcnow()
    db.session.flush()
    audit.record(actor, f"assignment_request.{'approve' if approve else 'reject'}", "assignment_request",
                 request.id, before=before,
                 after={"status": request.status, "asset": asset.describe(), "to": to_unit.ansvar,
                        "valid_from": request.valid_from})
    return request


# -- reorganisation --------------------------------------------------------------------------


@dataclass(slots=True)
class ReorganiseResult:
    from_unit: str
    valid_from: date
    moves: list[dict[str, Any]] = field(default_factory=list)  # asset, asset_type, from, to

    @property
    def count(self) -> int:
        return len(self.moves)


def _resolve_moves(actor: User, moves: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, str, int]]:
    """Each listed move as (kind, key, to, index); every problem is collected, then raised."""
    resolved: list[tuple[str, str, str, int]] = []
    problems: list[dict[str, Any]] = []
    for index, move in enumerate(moves):
        to = (move.get("to") or "").strip()
        try:
            if bool(move.get("number")) == bool(move.get("imei")):
                raise invalid("number", N_("Give either a number or an IMEI"))
            if not to:
                raise invalid("to", N_("Give the unit to move to"))
            if move.get("number"):
                resolved.append(("subscription", normalise_number(move["number"]), to, index))
            else:
                resolved.append(("handset", normalise_imei(move["imei"]), to, index))
        except ValidationFailed as error:
            problems.append({"index": index, "message": error.message})
    if problems:
        raise ValidationFailed(MOVES_NOT_VALID, details=problems)
    return resolved


def reorganise(actor: User, from_code: str, valid_from: date, *, to: str | None = None,
               moves: Sequence[Mapping[str, Any]] | None = None) -> ReorganiseResult:
    """Move every asset assigned to ``from_code`` on ``valid_from`` to ``to``; or, with
    ``moves``, the listed ones to their own targets (and any others to ``to`` when given).

    One unit of work and one audit event (``unit.reorganise``) for the whole change. Refused
    as a whole (nothing moves) when any asset cannot move.
    """
    org = actor.organisation_id
    source = unit_by_code(org, from_code)
    if not to and not moves:
        raise invalid("to", N_("Give the unit to move to (to) or a list of moves"))
    keyed = {(row.asset.type.value, row.asset.identifier): row for row in _assigned_on(source, valid_from)}
    targets = _targets(actor, source, valid_from, keyed, to, moves)
    units = _target_units(source, valid_from, set(targets.values()))
    chosen = [(keyed[key], units[code]) for key, code in sorted(targets.items())]
    _refuse_blocked(org, source, valid_from, [row for row, _ in chosen])
    return _reassign(actor, source, valid_from, chosen)


#: An asset as a reorganisation names it: its kind and its number or IMEI.
AssetKey = tuple[str, str]


def _assigned_on(source: BudgetUnit, valid_from: date) -> list[Assignment]:
    """The unit's assignment rows in force on ``valid_from``, with their assets locked."""
    query = (
        sa.select(Assignment)
        .where(Assignment.organisation_id == source.organisation_id, Assignment.unit_id == source.id,
               Assignment.in_force_on(valid_from))
        .options(joinedload(Assignment.asset))
    )
    rows = list(db.session.scalars(query))
    lock_assets([row.asset_id for row in rows])
    if rows:  # read again under the locks: a move may have committed meanwhile
        rows = list(db.session.scalars(query.execution_options(populate_existing=True)))
    return rows


def _targets(actor: User, source: BudgetUnit, valid_from: date, keyed: Mapping[AssetKey, Assignment],
             to: str | None, moves: Sequence[Mapping[str, Any]] | None) -> dict[AssetKey, str]:
    """Where each asset goes: the listed moves first, then every other asset to ``to``."""
    targets: dict[AssetKey, str] = {}
    if moves:
        problems = []
        for kind, key, target, index in _resolve_moves(actor, moves):
            if (kind, key) not in keyed:
                problems.append({"index": index,
                                 "message": f"{key} is not assigned to {source.ansvar} on {valid_from}"})
            elif (kind, key) in targets:
                problems.append({"index": index, "message": f"{key} is listed twice"})
            targets[(kind, key)] = target
        if problems:
            raise ValidationFailed(MOVES_NOT_VALID, details=problems)
    if to:
        for asset in keyed:
            targets.setdefault(asset, to)
    return targets


def _target_units(source: BudgetUnit, valid_from: date, codes: set[str]) -> dict[str, BudgetUnit]:
    """The units moved to, by ansvar code; each must be another unit, open on the day and staying open."""
    units = {u.ansvar: u for u in db.session.scalars(
        sa.select(BudgetUnit).where(BudgetUnit.organisation_id == source.organisation_id,
                                    BudgetUnit.ansvar.in_(codes)))}
    for code in sorted(codes):
        unit = units.get(code)
        if unit is None:
            raise NotFound(N_("No budget unit with ansvar %(ansvar)s"), details=[{"field": "to"}], ansvar=code)
        if unit.id == source.id:
            raise invalid("to", N_("The assets are already at %(ansvar)s"), ansvar=code)
        if not unit.is_open_on(valid_from):
            raise invalid("to", N_("Unit %(ansvar)s is not open on %(day)s"), ansvar=code, day=valid_from)
        if unit.closed_on is not None:
            raise Conflict(N_("Unit %(ansvar)s closes on %(day)s; reorganise into the unit that takes over"),
                           ansvar=code, day=unit.closed_on)
    return units


def _reassign(actor: User, source: BudgetUnit, valid_from: date,
              chosen: list[tuple[Assignment, BudgetUnit]]) -> ReorganiseResult:
    """End each row on ``valid_from`` and start its asset's row at the new unit, with one audit event."""
    org = source.organisation_id
    result = ReorganiseResult(source.ansvar, valid_from)
    before = []
    new_rows = []
    for row, unit in chosen:
        before.append({"asset": row.asset.describe(), "unit": source.ansvar, "valid_from": row.valid_from,
                       "valid_to": row.valid_to})
        new_rows.append(Assignment(
            organisation_id=org, asset_id=row.asset_id, unit_id=unit.id,
            valid_from=valid_from, valid_to=row.valid_to, created_by_id=actor.id,
        ))
        row.valid_to = valid_from
        result.moves.append({"asset": row.asset.describe(), "asset_type": row.asset.type.value,
                             "from": source.ansvar, "to": unit.ansvar})
    db.session.flush()  # end the old rows before the new ones start: they never overlap
    db.session.add_all(new_rows)
    db.session.flush()
    assignment_service.changed_from(actor, org, valid_from)
    reorganised.send(org, source_unit_id=source.id, valid_from=valid_from)
    if result.moves:
        audit.record(actor, "unit.reorganise", "budget_unit", source.ansvar,
                     before={"assignments": before},
                     after={"valid_from": valid_from, "moves": result.moves}, organisation_id=org)
    return result


def _refuse_blocked(org: int, source: BudgetUnit, valid_from: date, rows: list[Assignment]) -> None:
    """The same rule as a single move: a row starting on the day, or a later row, blocks it."""
    problems = [Said.of(N_("%(asset)s starts at %(ansvar)s on %(day)s"), asset=row.asset.describe(),
                        ansvar=source.ansvar, day=valid_from) for row in rows if row.valid_from >= valid_from]
    if rows:
        later = db.session.scalars(
            sa.select(Assignment).where(Assignment.organisation_id == org,
                                        Assignment.asset_id.in_([row.asset_id for row in rows]),
                                        Assignment.valid_from > valid_from)
            .options(joinedload(Assignment.asset), joinedload(Assignment.unit))
        )
        problems += [Said.of(N_("%(asset)s already has an assignment to %(ansvar)s from %(day)s"),
                             asset=row.asset.describe(), ansvar=row.unit.ansvar, day=row.valid_from) for row in later]
    if problems:
        if len(problems) == 1:
            raise Conflict(N_("Reorganisation of %(ansvar)s refused: %(first)s"), details=[{"message": problems[0]}],
                           ansvar=source.ansvar, first=problems[0])
        raise Conflict(N_("Reorganisation of %(ansvar)s refused: %(first)s (and %(more)s more)"),
                       details=[{"message": p} for p in problems], ansvar=source.ansvar, first=problems[0],
                       more=len(problems) - 1)


# -- closing a unit ----------------------------------------------------------------------------


def close_unit(actor: User, code: str, closed_on: date | None) -> BudgetUnit:
    """Close a unit from ``closed_on`` (its first day closed), or reopen it with ``None``.

    Refused while anything is assigned to it on or after that day, or a pending request would
    move something there: move the assets first (reorganise).
    """
    unit = unit_by_code(actor.organisation_id, code)
    before = {"closed_on": unit.closed_on}
    if closed_on is not None:
        if closed_on <= unit.opened_on:
            raise invalid("closed_on", N_("Unit %(ansvar)s opened on %(day)s; it must close after that"),
                          ansvar=unit.ansvar, day=unit.opened_on)
        blocking = list(db.session.scalars(
            sa.select(Assignment)
            .where(Assignment.unit_id == unit.id,
                   Assignment.not_ended_by(closed_on))
            .options(joinedload(Assignment.asset))
            .order_by(Assignment.valid_from)
        ))
        if blocking:
            names = ", ".join(row.asset.describe() for row in blocking[:5])
            raise Conflict(
                N_("Unit %(ansvar)s still has %(count)s asset(s) assigned on or after %(day)s: %(assets)s; "
                   "move them first (reorganise)"),
                ansvar=unit.ansvar, count=len(blocking), day=closed_on,
                assets=names + (" …" if len(blocking) > 5 else ""),
                details=[{"asset": row.asset.describe(), "valid_from": row.valid_from.isoformat()} for row in blocking],
            )
        pending = db.session.scalar(sa.select(sa.func.count()).select_from(AssignmentRequest).where(
            AssignmentRequest.to_unit_id == unit.id, AssignmentRequest.status == REQUESTED))
        if pending:
            raise Conflict(N_("%(count)s pending move request(s) would move assets to %(ansvar)s; decide them first"),
                           count=pending, ansvar=unit.ansvar)
    unit.closed_on = closed_on
    db.session.flush()
    audit.record(actor, "unit.close" if closed_on else "unit.reopen", "budget_unit", unit.ansvar,
                 before=before, after={"closed_on": closed_on}, organisation_id=unit.organisation_id)
    return unit
