"""A finding's life: its status, owner and note, and its history.

The workflow is one explicit transition table, ``TRANSITIONS``::

    new ──acknowledge──> acknowledged ──reopen──> new
     │  └──claim (its claim is sent)──> claimed <──claim── acknowledged
     │                                    ├──credit (the claim's credit note)──> credited
     │                                    ├──reject (the supplier rejects the claim)──> rejected
     │                                    └──write_off (the claim is written off)──> written_off
     └──write_off──> written_off ──reopen──> new          acknowledged, rejected ──write_off──> written_off
    credited, rejected, written_off ──recur (found again in a later month)──> new

Finance and procurement acknowledge, write off and reopen a finding by hand (``findings.manage``).
``claim``, ``credit``, ``reject`` and the write-off of a claimed finding are fired by its claim
(``ledger.findings.claims``): a claimed finding follows its claim. ``recur`` is fired by the
compliance check (``ledger.findings.recording``) when a settled finding is found again in a month
after the last it was found in: there is new money to look at. An acknowledged finding stays
acknowledged when it recurs. A transition the table does not have, or one fired by the wrong
hand, is refused with 409; every transition is kept in the finding's history and the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from ledger.access.models import User
from ledger.access.permissions import allowed
from ledger.audit import service as audit
from ledger.core.errors import Conflict, NotFound, Refusal, ValidationFailed, refuse
from ledger.core.text import N_, Label, Phrase
from ledger.database import db
from ledger.database.types import utcnow
from ledger.findings.models import Finding, FindingEvent, FindingStatus

#: The kinds of finding a claim can collect: the excess over the contract price is money owed back.
CLAIMABLE = frozenset({"price_above_contract"})


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    REOPEN = "reopen"
    WRITE_OFF = "write_off"
    CLAIM = "claim"
    CREDIT = "credit"
    REJECT = "reject"
    RECUR = "recur"


class Actor(StrEnum):
    """Who fires a transition: a person by hand, the finding's claim, or the compliance check."""

    USER = "user"
    CLAIM = "claim"
    CHECK = "check"


Guard = Callable[[Finding], Refusal | None]


def _claimable(finding: Finding) -> Refusal | None:
    if finding.kind not in CLAIMABLE:
        return N_("Finding %(id)s is not a price above contract: only those are claimed from a supplier"), {}
    return None


@dataclass(frozen=True, slots=True)
class Transition:
    source: FindingStatus
    action: Action
    target: FindingStatus
    by: Actor
    guard: Guard | None = None


_S = FindingStatus
TRANSITIONS: dict[tuple[FindingStatus, Action], Transition] = {
    (t.source, t.action): t
    for t in (
        Transition(_S.NEW, Action.ACKNOWLEDGE, _S.ACKNOWLEDGED, Actor.USER),
        Transition(_S.NEW, Action.WRITE_OFF, _S.WRITTEN_OFF, Actor.USER),
        Transition(_S.NEW, Action.CLAIM, _S.CLAIMED, Actor.CLAIM, guard=_claimable),
        Transition(_S.ACKNOWLEDGED, Action.REOPEN, _S.NEW, Actor.USER),
        Transition(_S.ACKNOWLEDGED, Action.WRITE_OFF, _S.WRITTEN_OFF, Actor.USER),
        Transition(_S.ACKNOWLEDGED, Action.CLAIM, _S.CLAIMED, Actor.CLAIM, guard=_claimable),
        Transition(_S.CLAIMED, Action.CREDIT, _S.CREDITED, Actor.CLAIM),
        Transition(_S.CLAIMED, Action.REJECT, _S.REJECTED, Actor.CLAIM),
        Transition(_S.CLAIMED, Action.WRITE_OFF, _S.WRITTEN_OFF, Actor.CLAIM),
        Transition(_S.REJECTED, Action.WRITE_OFF, _S.WRITTEN_OFF, Actor.USER),
        Transition(_S.WRITTEN_OFF, Action.REOPEN, _S.NEW, Actor.USER),
        Transition(_S.CREDITED, Action.RECUR, _S.NEW, Actor.CHECK),
        Transition(_S.REJECTED, Action.RECUR, _S.NEW, Actor.CHECK),
        Transition(_S.WRITTEN_OFF, Action.RECUR, _S.NEW, Actor.CHECK),
    )
}

#: The actions a person fires by hand (the page's buttons, the API's ``action``).
USER_ACTIONS = tuple(a for a in Action if any(t.action == a and t.by == Actor.USER for t in TRANSITIONS.values()))
#: An action as a refusal says it was done ("it cannot be acknowledged").
DONE = {Action.ACKNOWLEDGE: N_("acknowledged"), Action.REOPEN: N_("reopened"), Action.WRITE_OFF: N_("written off"),
        Action.CLAIM: N_("claimed"), Action.CREDIT: N_("credited"), Action.REJECT: N_("rejected"),
        Action.RECUR: N_("found again")}
#: Settled: what the compliance check reopens when the finding recurs in a later month.
SETTLED = frozenset({_S.CREDITED, _S.REJECTED, _S.WRITTEN_OFF})


def check(finding: Finding, action: Action | str, by: Actor) -> Transition:
    """The transition ``action`` fires from the finding's status, or the refusal (409): the
    table has no such transition, another hand fires it, or its guard refuses."""
    action = Action(action)
    step = TRANSITIONS.get((finding.status, action))
    if step is None:
        raise Conflict(N_("Finding %(id)s is %(status)s; it cannot be %(done)s"), id=finding.id,
                       status=Label(finding.status.value), done=Phrase(DONE[action]))
    if step.by != by:
        if step.by == Actor.CLAIM:
            raise Conflict(N_("Finding %(id)s is %(done)s through its claim, not by hand"), id=finding.id,
                           done=Phrase(DONE[action]))
        raise Conflict(N_("Finding %(id)s is reopened by the compliance check when it is found again"),
                       id=finding.id)
    refuse(step.guard(finding) if step.guard else None, id=finding.id)
    return step


def fire(actor: User | None, finding: Finding, action: Action | str, by: Actor, *, note: str | None = None,
         period: str | None = None, claim_id: int | None = None) -> Finding:
    """Fire ``action`` on ``finding`` (see ``check`` for the refusals), in its history and the audit log."""
    step = check(finding, action, by)
    before = finding.status
    finding.status = step.target
    finding.changed_at = utcnow()
    note = (note or "").strip() or None
    db.session.add(FindingEvent(finding_id=finding.id, actor_id=actor.id if actor else None,
                                action=step.action.value, from_status=before, to_status=step.target,
                                period=period, claim_id=claim_id, note=note))
    after: dict[str, Any] = {"status": step.target.value}
    after.update({k: v for k, v in (("note", note), ("period", period), ("claim_id", claim_id)) if v is not None})
    audit.record(actor, f"finding.{step.action.value}", "finding", finding.id, before={"status": before.value},
                 after=after, organisation_id=finding.organisation_id)
    return finding


def allowed_actions(finding: Finding) -> list[Action]:
    """The transitions a person may fire by hand on the finding now (the page's buttons)."""
    return [action for (source, action), step in TRANSITIONS.items()
            if source == finding.status and step.by == Actor.USER and not (step.guard and step.guard(finding))]


def get_finding(user: User, finding_id: int) -> Finding:
    """One finding of the user's organisation (404 for any other)."""
    finding = db.session.get(Finding, finding_id)
    if finding is None or finding.organisation_id != user.organisation_id:
        raise NotFound(N_("No finding with id %(id)s"), id=finding_id)
    return finding


def act(actor: User, finding_id: int, action: Action | str, *, note: str | None = None) -> Finding:
    """A person's transition of one finding of their organisation (404 for another's)."""
    return fire(actor, get_finding(actor, finding_id), action, Actor.USER, note=note)


#: What ``update`` may change.
UPDATABLE = ("owner", "note")


def update(actor: User, finding: Finding, changes: dict[str, Any]) -> Finding:
    """Set the finding's owner (a user name of the organisation who may manage findings, or
    None) and its note; in its history and the audit log."""
    before = {"owner": _owner_name(finding.owner_id), "note": finding.note}
    if "owner" in changes:
        finding.owner_id = _owner(actor, changes["owner"])
    if "note" in changes:
        finding.note = (changes["note"] or "").strip() or None
    after = {"owner": _owner_name(finding.owner_id), "note": finding.note}
    if after == before:
        return finding
    db.session.add(FindingEvent(finding_id=finding.id, actor_id=actor.id, action="update",
                                from_status=finding.status, to_status=finding.status,
                                note=finding.note if after["note"] != before["note"] else None))
    audit.record(actor, "finding.update", "finding", finding.id, before=before, after=after,
                 organisation_id=finding.organisation_id)
    db.session.flush()
    return finding


def _owner(actor: User, username: str | None) -> int | None:
    if not (username or "").strip():
        return None
    owner = db.session.scalar(sa.select(User).where(User.organisation_id == actor.organisation_id,
                                                   User.username == (username or "").strip()))
    if owner is None:
        raise NotFound(N_("No user named %(name)s in your organisation"), name=username)
    if not allowed(owner, "findings.manage") or not owner.active:
        raise ValidationFailed(N_("%(name)s may not handle findings"), name=owner.display_name,
                               details=[{"field": "owner", "messages": ["may not manage findings"]}])
    return owner.id


def _owner_name(owner_id: int | None) -> str | None:
    return None if owner_id is None else db.session.scalar(sa.select(User.username).where(User.id == owner_id))


def owner_choices(user: User) -> list[User]:
    """Who may own a finding of the user's organisation: its active people who manage findings."""
    people = db.session.scalars(sa.select(User).where(User.organisation_id == user.organisation_id,
                                                      User.active.is_(True)).order_by(User.display_name))
    return [person for person in people if allowed(person, "findings.manage")]
