"""Coverage exceptions (undantag): approved use of an operator other than the contracted one.

The workflow is one explicit transition table, ``TRANSITIONS``::

    requested ──approve──> approved ──expire (by date)──> expired
        │    └──reject───> rejected       └──withdraw──> withdrawn
        └──withdraw──> withdrawn

A department user requests an exception for a subscription of one of their own units, or for
an area (e.g. Forsvik), with the reason and the evidence (a coverage test); procurement
approves or rejects it (who and when are kept); the requester or procurement may withdraw it.
An approved exception whose ``valid_to`` has passed *is* expired: ``effective_status`` says so
on every read, and ``expire_due`` (the ``exceptions expire`` command) writes that down.
Every transition is audited; a transition the table does not have is refused with 409.

Scope, as the compliance check applies it (``ledger.procurement.compliance``): a subscription
exception covers that subscription's lines from the exception's supplier; an *area* exception
covers every line of the organisation from that supplier, because invoice lines carry no
location — the area is the reason, the supplier is what can be checked. Only approved
exceptions count (and expired ones for the days they were valid); a withdrawn exception counts
for no day at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute

from ledger.access.models import Role, User
from ledger.access.permissions import visible_unit_ids
from ledger.audit import service as audit
from ledger.core import clock
from ledger.core.errors import Conflict, Forbidden, NotFound, Refusal, ValidationFailed, refuse
from ledger.core.text import N_, Label, Phrase
from ledger.database import db
from ledger.database.types import utcnow
from ledger.inventory.assignments import unit_on
from ledger.inventory.models import Subscription
from ledger.organisation.models import Supplier
from ledger.procurement.models import CoverageException, ExceptionStatus

FIELDS = ["status", "subscription_id", "area", "supplier_id", "valid_from", "valid_to", "decided_by_id",
          "decided_at"]


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    EXPIRE = "expire"


class Actor(StrEnum):
    """Who may fire a transition: procurement, the person who asked, or the system (a command)."""

    PROCUREMENT = "procurement"
    REQUESTER = "requester"
    SYSTEM = "system"


Guard = Callable[[CoverageException, date], Refusal | None]


def _not_past(exception: CoverageException, today: date) -> Refusal | None:
    if not exception.not_ended_by(today):
        return N_("Coverage exception %(id)s cannot be withdrawn: it expired on %(day)s"), {"day": exception.valid_to}
    return None


def _past(exception: CoverageException, today: date) -> Refusal | None:
    if exception.not_ended_by(today):
        if exception.valid_to is None:
            return N_("Coverage exception %(id)s cannot be expired: it is valid until further notice"), {}
        return (N_("Coverage exception %(id)s cannot be expired: it is valid until %(day)s"),
                {"day": exception.valid_to})
    return None


#: The verbs and the actors of the transitions, as a refusal names them.
ACTION_WORDS = {"approve": N_("approve"), "reject": N_("reject"), "withdraw": N_("withdraw"),
                "expire": N_("expire")}
WHO_WORDS = {"procurement": N_("procurement"), "procurement or requester": N_("procurement or requester"),
             "procurement or system": N_("procurement or system")}


@dataclass(frozen=True, slots=True)
class Transition:
    source: ExceptionStatus
    action: Action
    target: ExceptionStatus
    by: frozenset[Actor]
    guard: Guard | None = None


_S = ExceptionStatus
TRANSITIONS: dict[tuple[ExceptionStatus, Action], Transition] = {
    (t.source, t.action): t
    for t in (
        Transition(_S.REQUESTED, Action.APPROVE, _S.APPROVED, frozenset({Actor.PROCUREMENT})),
        Transition(_S.REQUESTED, Action.REJECT, _S.REJECTED, frozenset({Actor.PROCUREMENT})),
        Transition(_S.REQUESTED, Action.WITHDRAW, _S.WITHDRAWN, frozenset({Actor.REQUESTER, Actor.PROCUREMENT})),
        Transition(_S.APPROVED, Action.WITHDRAW, _S.WITHDRAWN, frozenset({Actor.REQUESTER, Actor.PROCUREMENT}),
                   guard=_not_past),
        Transition(_S.APPROVED, Action.EXPIRE, _S.EXPIRED, frozenset({Actor.SYSTEM, Actor.PROCUREMENT}),
                   guard=_past),
    )
}


def effective_status(exception: CoverageException, today: date) -> ExceptionStatus:
    """The status as of ``today``: an approved exception past its ``valid_to`` is expired."""
    if exception.status == ExceptionStatus.APPROVED and exception.valid_to is not None and exception.valid_to <= today:
        return ExceptionStatus.EXPIRED
    return exception.status


def allowed_actions(exception: CoverageException, user: User | None, today: date) -> list[Action]:
    """The transitions ``user`` may fire on ``exception`` today (for buttons on pages)."""
    result: list[Action] = []
    for (source, action), transition in TRANSITIONS.items():
        if source != exception.status or action == Action.EXPIRE:
            continue
        if transition.guard and transition.guard(exception, today):
            continue
        if _actor_kinds(exception, user) & transition.by:
            result.append(action)
    return result


def _actor_kinds(exception: CoverageException, user: User | None) -> set[Actor]:
    if user is None:
        return {Actor.SYSTEM}
    kinds = set()
    if user.role == Role.PROCUREMENT:
        kinds.add(Actor.PROCUREMENT)
    if exception.requested_by_id is not None and exception.requested_by_id == user.id:
        kinds.add(Actor.REQUESTER)
    return kinds


def check(actor: User | None, exception: CoverageException, action: Action | str, today: date) -> Transition:
    """The transition ``action`` fires from the current status, or the refusal: 409 when the
    table has no such transition (or its guard refuses), 403 when ``actor`` may not fire it."""
    action = Action(action)
    if actor is not None and actor.organisation_id != exception.organisation_id:
        raise NotFound(N_("No coverage exception with id %(id)s"), id=exception.id)
    step = TRANSITIONS.get((exception.status, action))
    if step is None:
        shown = effective_status(exception, today)
        raise Conflict(N_("Coverage exception %(id)s is %(status)s; it cannot be %(done)s"), id=exception.id,
                       status=Label(shown.value), done=Label(_past_tense(action)))
    refuse(step.guard(exception, today) if step.guard else None, id=exception.id)
    if not _actor_kinds(exception, actor) & step.by:
        who = " or ".join(sorted(kind.value for kind in step.by))
        who = Phrase(WHO_WORDS.get(who, who))
        raise Forbidden(N_("Only %(who)s may %(action)s coverage exception %(id)s"), who=who,
                        action=Phrase(ACTION_WORDS[action.value]), id=exception.id)
    return step


def transition(
    actor: User | None, exception: CoverageException, action: Action | str, today: date | None = None, *,
    note: str | None = None, changes: dict[str, date | None] | None = None,
) -> CoverageException:
    """Fire ``action`` on ``exception`` (see ``check`` for the refusals) and audit it."""
    today = today or clock.today()
    step = check(actor, exception, action, today)
    before = audit.snapshot(exception, FIELDS)
    for name, value in (changes or {}).items():
        setattr(exception, name, value)
    exception.status = step.target
    if step.action in (Action.APPROVE, Action.REJECT):
        exception.decided_by_id = actor.id if actor else None
        exception.decided_at = utcnow()
    db.session.flush()
    after = audit.snapshot(exception, FIELDS)
    if note:
        after["note"] = note
    audit.record(actor, f"coverage_exception.{step.action.value}", "coverage_exception", exception.id,
                 before=before, after=after, organisation_id=exception.organisation_id)
    return exception


def _past_tense(action: Action) -> str:
    return {"approve": "approved", "reject": "rejected", "withdraw": "withdrawn", "expire": "expired"}[action.value]


def approve(actor: User, exception: CoverageException, today: date | None = None, *,
            valid_from: date | None = None, valid_to: date | None = None, note: str | None = None) -> CoverageException:
    """Approve (procurement), optionally setting the span granted (e.g. an end date)."""
    check(actor, exception, Action.APPROVE, today or clock.today())
    start = valid_from or exception.valid_from
    end = valid_to if valid_to is not None else exception.valid_to
    _check_span(start, end)
    return transition(actor, exception, Action.APPROVE, today, note=note,
                      changes={"valid_from": start, "valid_to": end})


def reject(actor: User, exception: CoverageException, today: date | None = None, *,
           note: str | None = None) -> CoverageException:
    return transition(actor, exception, Action.REJECT, today, note=note)


def withdraw(actor: User, exception: CoverageException, today: date | None = None, *,
             note: str | None = None) -> CoverageException:
    return transition(actor, exception, Action.WITHDRAW, today, note=note)


def expire_due(actor: User | None, today: date | None = None, organisation_id: int | None = None) -> list[int]:
    """Mark every approved exception whose ``valid_to`` has passed as expired; their ids."""
    today = today or clock.today()
    query = sa.select(CoverageException).where(
        CoverageException.status == ExceptionStatus.APPROVED,
        CoverageException.valid_to.is_not(None),
        CoverageException.valid_to <= today,
    ).order_by(CoverageException.id)
    if organisation_id is not None:
        query = query.where(CoverageException.organisation_id == organisation_id)
    due = list(db.session.scalars(query))
    for exception in due:
        transition(actor, exception, Action.EXPIRE, today)
    return [e.id for e in due]


def _check_span(valid_from: date, valid_to: date | None) -> None:
    if valid_to is not None and valid_to <= valid_from:
        raise ValidationFailed(N_("valid_to %(to)s must be after valid_from %(start)s"), to=valid_to,
                               start=valid_from, details=
                               [{"field": "valid_to", "messages": ["must be after valid_from"]}])


def request_exception(
    actor: User,
    *,
    supplier_id: int,
    reason: str,
    valid_from: date,
    valid_to: date | None = None,
    subscription_id: int | None = None,
    subscription_number: str | None = None,
    area: str | None = None,
    evidence: str | None = None,
    today: date | None = None,
) -> CoverageException:
    """Ask for an exception for one subscription (of one's own unit) or for an area."""
    today = today or clock.today()
    area = (area or "").strip() or None
    subscription = _subscription(actor, subscription_id, subscription_number)
    if subscription is None and area is None:
        raise ValidationFailed(N_("Name the subscription or the area the exception is for"),
                               [{"field": "area", "messages": ["subscription or area required"]}])
    if area is not None and len(area) > 120:
        raise ValidationFailed(N_("The area name is longer than 120 characters"))
    if not reason.strip():
        raise ValidationFailed(N_("Give the reason (why the contracted operator will not do)"),
                               [{"field": "reason", "messages": ["empty"]}])
    _check_span(valid_from, valid_to)
    if db.session.get(Supplier, supplier_id) is None:
        raise NotFound(N_("No supplier with id %(id)s"), id=supplier_id)
    if subscription is not None:
        _ensure_own_subscription(actor, subscription, [today, valid_from])
    exception = CoverageException(
        organisation_id=actor.organisation_id, subscription_id=subscription.id if subscription else None,
        area=area, supplier_id=supplier_id, reason=reason.strip(), evidence=(evidence or "").strip() or None,
        requested_by_id=actor.id, valid_from=valid_from, valid_to=valid_to, status=ExceptionStatus.REQUESTED,
    )
    db.session.add(exception)
    db.session.flush()
    after = audit.snapshot(exception, FIELDS) | {"reason": exception.reason, "evidence": exception.evidence}
    audit.record(actor, "coverage_exception.request", "coverage_exception", exception.id, after=after,
                 organisation_id=exception.organisation_id)
    return exception


def _subscription(actor: User, subscription_id: int | None, number: str | None) -> Subscription | None:
    if subscription_id is None and not (number or "").strip():
        return None
    if subscription_id is not None:
        found = db.session.get(Subscription, subscription_id)
    else:
        from ledger.core.identifiers import IdentifierError, phone_number

        try:
            e164 = phone_number(number or "")
        except IdentifierError as error:
            raise ValidationFailed(error.text, [{"field": "subscription", "messages": [str(error)]}],
                                   **error.params) from None
        found = db.session.scalar(sa.select(Subscription).where(
            Subscription.organisation_id == actor.organisation_id, Subscription.number == e164))
    if found is None or found.organisation_id != actor.organisation_id:
        raise NotFound(N_("No subscription %(subscription)s in your organisation"),
                       subscription=number or subscription_id)
    return found


def _ensure_own_subscription(actor: User, subscription: Subscription, days: list[date]) -> None:
    scope = visible_unit_ids(actor)
    if scope is None:
        return
    for day in days:
        unit = unit_on(subscription, day)
        if unit is not None and unit.id in scope:
            return
    raise Forbidden(N_("Subscription %(number)s does not belong to one of your units"), number=subscription.number)


def get_exception(user: User, exception_id: int) -> CoverageException:
    """One exception of the user's organisation; department users see only their own."""
    exception = db.session.get(CoverageException, exception_id)
    if exception is None or exception.organisation_id != user.organisation_id:
        raise NotFound(N_("No coverage exception with id %(id)s"), id=exception_id)
    if user.role == Role.DEPARTMENT and exception.requested_by_id != user.id:
        raise Forbidden(N_("Coverage exception %(id)s was requested by someone else"), id=exception_id)
    return exception


@dataclass(frozen=True, slots=True)
class ExceptionView:
    """An exception as lists show it: names resolved, status as of the day asked about."""

    exception: CoverageException
    status: ExceptionStatus
    subscription_number: str | None
    supplier_name: str
    requested_by: str | None
    decided_by: str | None
    actions: tuple[Action, ...]

    @property
    def id(self) -> int:
        return self.exception.id

    @property
    def requested_at(self) -> datetime:
        return self.exception.requested_at


def list_exceptions(user: User, today: date | None = None, status: ExceptionStatus | str | None = None
                    ) -> list[ExceptionView]:
    """The organisation's exceptions, newest first; department users see their own requests.
    ``status`` filters by the effective status (``expired`` includes approved ones past date)."""
    today = today or clock.today()
    query = (
        sa.select(CoverageException)
        .where(CoverageException.organisation_id == user.organisation_id)
        .order_by(CoverageException.requested_at.desc(), CoverageException.id.desc())
    )
    if user.role == Role.DEPARTMENT:
        query = query.where(CoverageException.requested_by_id == user.id)
    rows = list(db.session.scalars(query))
    views = views_of(rows, user, today)
    if status is not None:
        views = [v for v in views if v.status == ExceptionStatus(status)]
    return views


def views_of(rows: list[CoverageException], user: User | None, today: date) -> list[ExceptionView]:
    """Resolve names for many exceptions at once (three queries, whatever the count)."""
    numbers = _names(Subscription.id, Subscription.number, {r.subscription_id for r in rows})
    names = _names(User.id, User.display_name, {i for r in rows for i in (r.requested_by_id, r.decided_by_id)})
    suppliers = _names(Supplier.id, Supplier.name, {r.supplier_id for r in rows})
    return [
        ExceptionView(
            exception=r, status=effective_status(r, today),
            subscription_number=numbers.get(r.subscription_id) if r.subscription_id else None,
            supplier_name=suppliers.get(r.supplier_id, ""),
            requested_by=names.get(r.requested_by_id) if r.requested_by_id else None,
            decided_by=names.get(r.decided_by_id) if r.decided_by_id else None,
            actions=tuple(allowed_actions(r, user, today)),
        )
        for r in rows
    ]


def _names(key: QueryableAttribute[int], name: QueryableAttribute[str], ids: set[int | None]) -> dict[int, str]:
    """``name`` by ``key`` for the ids given, in one query (none for no ids)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(sa.select(key, name).where(key.in_(wanted))).tuples().all())


def request_choices(user: User, today: date | None = None) -> list[Subscription]:
    """The subscriptions a user may ask an exception for (department: their units' today)."""
    from ledger.inventory.models import Assignment

    today = today or clock.today()
    query = sa.select(Subscription).where(Subscription.organisation_id == user.organisation_id)
    scope = visible_unit_ids(user)
    if scope is not None:
        query = query.join(Assignment, Assignment.asset_id == Subscription.id).where(
            Assignment.unit_id.in_(scope), Assignment.in_force_on(today))
    return list(db.session.scalars(query.order_by(Subscription.number)))


def act(actor: User, exception_id: int, action: Action | str, today: date | None = None, *,
        note: str | None = None, valid_from: date | None = None, valid_to: date | None = None) -> ExceptionView:
    """Find the exception (404 outside the actor's organisation) and fire ``action`` on it."""
    today = today or clock.today()
    exception = db.session.get(CoverageException, exception_id)
    if exception is None or exception.organisation_id != actor.organisation_id:
        raise NotFound(N_("No coverage exception with id %(id)s"), id=exception_id)
    if Action(action) == Action.APPROVE:
        approve(actor, exception, today, valid_from=valid_from, valid_to=valid_to, note=note)
    else:
        transition(actor, exception, action, today, note=note)
    return views_of([exception], actor, today)[0]


def view(user: User, exception: CoverageException, today: date | None = None) -> ExceptionView:
    return views_of([exception], user, today or clock.today())[0]
