"""Claims (reklamationer): prices above contract claimed back from one supplier.

A claim collects the lines of one supplier's price-deviation findings that no claim holds yet
(``prepare``: one claim in preparation per supplier, each line claimed once), is printed (PDF,
CSV) and sent, and ends by one transition of ``TRANSITIONS``::

    draft ──send──> sent ──credit (its credit note)──> credited
      │                ├──reject (the supplier says no)──> rejected
      └─(discard)      └──write_off──> written_off

Each transition moves the findings in it along (``lifecycle``: claim, credit, reject,
write_off), except a finding another sent claim still holds lines of. A claim is credited by
the supplier's credit note, an imported invoice of type credit_note: ``match_credit_notes``
links one by reference (its billing reference names an invoice the claim's lines are on, it
is the supplier's, issued on or after the day the claim was sent, and settles no other claim),
and ``link_credit_note`` links one by hand. ``recovered`` is what the credit note gave back of
the claim: its amount, at most the claim's total. ``summary`` sums, per supplier and year (of
sending), what was claimed, recovered and is still outstanding (sent, not yet answered).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ledger.access.models import User
from ledger.audit import service as audit
from ledger.core import clock
from ledger.core.errors import Conflict, NotFound, ValidationFailed
from ledger.core.money import ZERO
from ledger.core.text import N_, Label, Phrase
from ledger.database import db
from ledger.findings import lifecycle
from ledger.findings.models import Claim, ClaimLine, ClaimStatus, Finding, FindingLine, FindingOccurrence, FindingStatus
from ledger.invoices.models import DocumentType, Invoice, InvoiceLine
from ledger.organisation.models import Supplier


class Action(StrEnum):
    SEND = "send"
    CREDIT = "credit"
    REJECT = "reject"
    WRITE_OFF = "write_off"


@dataclass(frozen=True, slots=True)
class Transition:
    source: ClaimStatus
    action: Action
    target: ClaimStatus
    #: What the transition does to each finding in the claim.
    finding_action: lifecycle.Action
    #: Fired only by a credit note (matched by reference or linked by hand), never by a button.
    by_credit_note: bool = False


_S = ClaimStatus
TRANSITIONS: dict[tuple[ClaimStatus, Action], Transition] = {
    (t.source, t.action): t
    for t in (
        Transition(_S.DRAFT, Action.SEND, _S.SENT, lifecycle.Action.CLAIM),
        Transition(_S.SENT, Action.CREDIT, _S.CREDITED, lifecycle.Action.CREDIT, by_credit_note=True),
        Transition(_S.SENT, Action.REJECT, _S.REJECTED, lifecycle.Action.REJECT),
        Transition(_S.SENT, Action.WRITE_OFF, _S.WRITTEN_OFF, lifecycle.Action.WRITE_OFF),
    )
}
#: The actions fired by hand (buttons, the API's ``action``).
USER_ACTIONS = tuple(t.action for t in TRANSITIONS.values() if not t.by_credit_note)
DONE = {Action.SEND: N_("sent"), Action.CREDIT: N_("credited"), Action.REJECT: N_("rejected"),
        Action.WRITE_OFF: N_("written off")}
#: The findings whose unclaimed lines a claim may take.
CLAIMING = frozenset({FindingStatus.NEW, FindingStatus.ACKNOWLEDGED, FindingStatus.CLAIMED})
REFERENCE = "REK-{year}-{number:03d}"


def get_claim(user: User, claim_id: int) -> Claim:
    """One claim of the user's organisation (404 for any other)."""
    claim = db.session.get(Claim, claim_id)
    if claim is None or claim.organisation_id != user.organisation_id:
        raise NotFound(N_("No claim with id %(id)s"), id=claim_id)
    return claim


def total_of(claim: Claim) -> Decimal:
    return sum((line.amount for line in claim.lines), ZERO)


# --- preparing ---------------------------------------------------------------------------------


def prepare(actor: User, supplier_id: int, finding_ids: list[int] | None = None, *, note: str | None = None,
            today: date | None = None) -> Claim:
    """Put the unclaimed lines of the supplier's price deviations (those of ``finding_ids``, or
    all that are new, acknowledged or claimed) into the supplier's claim in preparation, a new
    one if it has none. 409 when there is nothing left to claim."""
    supplier = db.session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound(N_("No supplier with id %(id)s"), id=supplier_id)
    findings = _claimable_findings(actor, supplier, finding_ids)
    lines = _unclaimed_lines([f.id for f in findings])
    if not lines:
        raise Conflict(N_("Nothing to claim from %(supplier)s: every line of its prices above contract is claimed "
                          "already"), supplier=supplier.name)
    claim = db.session.scalar(sa.select(Claim).where(Claim.organisation_id == actor.organisation_id,
                                                     Claim.supplier_id == supplier.id,
                                                     Claim.status == ClaimStatus.DRAFT))
    new = claim is None
    if claim is None:
        claim = Claim(organisation_id=actor.organisation_id, supplier_id=supplier.id, status=ClaimStatus.DRAFT,
                      reference=_next_reference(actor.organisation_id, (today or clock.today()).year),
                      created_by_id=actor.id)
        db.session.add(claim)
    if (note or "").strip():
        claim.note = (note or "").strip()
    claim.lines.extend(ClaimLine(organisation_id=actor.organisation_id, finding_id=finding_id,
                                 invoice_line_id=line.invoice_line_id, amount=line.amount,
                                 contract_price=line.contract_price) for finding_id, line in lines)
    db.session.flush()
    audit.record(actor, "claim.prepare" if new else "claim.add", "claim", claim.id,
                 organisation_id=claim.organisation_id,
                 after={"reference": claim.reference, "supplier": supplier.name, "lines_added": len(lines),
                        "total": total_of(claim), "findings": sorted({f for f, _ in lines})})
    return claim


def _claimable_findings(actor: User, supplier: Supplier, finding_ids: list[int] | None) -> list[Finding]:
    query = sa.select(Finding).where(Finding.organisation_id == actor.organisation_id)
    if finding_ids is None:
        return list(db.session.scalars(query.where(
            Finding.supplier_id == supplier.id, Finding.kind.in_(lifecycle.CLAIMABLE),
            Finding.status.in_(CLAIMING)).order_by(Finding.id)))
    found = {f.id: f for f in db.session.scalars(query.where(Finding.id.in_(finding_ids)))}
    for finding_id in finding_ids:
        finding = found.get(finding_id)
        if finding is None:
            raise NotFound(N_("No finding with id %(id)s"), id=finding_id)
        if finding.kind not in lifecycle.CLAIMABLE:
            raise ValidationFailed(N_("Finding %(id)s is not a price above contract: only those are claimed from a "
                                      "supplier"), id=finding.id)
        if finding.supplier_id != supplier.id:
            raise ValidationFailed(N_("Finding %(id)s is not of %(supplier)s"), id=finding.id, supplier=supplier.name)
        if finding.status not in CLAIMING:
            raise Conflict(N_("Finding %(id)s is %(status)s; it cannot be %(done)s"), id=finding.id,
                           status=Label(finding.status.value), done=Phrase(lifecycle.DONE[lifecycle.Action.CLAIM]))
    return [found[i] for i in dict.fromkeys(finding_ids)]


def _unclaimed_lines(finding_ids: list[int]) -> list[tuple[int, FindingLine]]:
    """The findings' claimable lines no claim holds yet: (finding id, line), each line once."""
    if not finding_ids:
        return []
    rows = db.session.execute(
        sa.select(FindingOccurrence.finding_id, FindingLine)
        .join(FindingLine, FindingLine.occurrence_id == FindingOccurrence.id)
        .where(FindingOccurrence.finding_id.in_(finding_ids),
               ~sa.exists().where(ClaimLine.invoice_line_id == FindingLine.invoice_line_id))
        .order_by(FindingOccurrence.period, FindingLine.invoice_line_id)).tuples()
    chosen: dict[int, tuple[int, FindingLine]] = {}
    for finding_id, line in rows:
        chosen.setdefault(line.invoice_line_id, (finding_id, line))
    return list(chosen.values())


def _next_reference(organisation_id: int, year: int) -> str:
    prefix = REFERENCE.format(year=year, number=0)[:-3]
    taken = db.session.scalars(sa.select(Claim.reference).where(Claim.organisation_id == organisation_id,
                                                                Claim.reference.startswith(prefix)))
    numbers = [int(ref[len(prefix):]) for ref in taken if ref[len(prefix):].isdigit()]
    return REFERENCE.format(year=year, number=max(numbers, default=0) + 1)


def discard(actor: User, claim: Claim) -> None:
    """Delete a claim in preparation: nothing was sent, so nothing of it is kept but the audit log."""
    if claim.status != ClaimStatus.DRAFT:
        raise Conflict(N_("Claim %(reference)s is %(status)s; only a claim in preparation is discarded"),
                       reference=claim.reference, status=Label(claim.status.value))
    audit.record(actor, "claim.discard", "claim", claim.id, organisation_id=claim.organisation_id,
                 before={"reference": claim.reference, "lines": len(claim.lines), "total": total_of(claim)})
    db.session.delete(claim)
    db.session.flush()


# --- its transitions ----------------------------------------------------------------------------


def check(claim: Claim, action: Action | str, *, by_credit_note: bool = False) -> Transition:
    """The transition ``action`` fires from the claim's status, or the refusal (409)."""
    action = Action(action)
    step = TRANSITIONS.get((claim.status, action))
    if step is None:
        raise Conflict(N_("Claim %(reference)s is %(status)s; it cannot be %(done)s"), reference=claim.reference,
                       status=Label(claim.status.value), done=Phrase(DONE[action]))
    if step.by_credit_note and not by_credit_note:
        raise Conflict(N_("Claim %(reference)s is credited by linking the supplier's credit note"),
                       reference=claim.reference)
    if step.action == Action.SEND and not claim.lines:
        raise Conflict(N_("Claim %(reference)s has no lines to send"), reference=claim.reference)
    return step


def _fire(actor: User | None, claim: Claim, action: Action | str, *, on: date | None = None, note: str | None = None,
          by_credit_note: bool = False, extra: dict[str, Any] | None = None) -> Claim:
    step = check(claim, action, by_credit_note=by_credit_note)
    before = {"status": claim.status.value}
    claim.status = step.target
    day = on or clock.today()
    if step.action == Action.SEND:
        claim.sent_on = day
    else:
        claim.settled_on = day
    moved = _move_findings(actor, claim, step, note)
    after: dict[str, Any] = {"status": step.target.value, "on": day, "findings": moved, **(extra or {})}
    if note:
        after["note"] = note
    audit.record(actor, f"claim.{step.action.value}", "claim", claim.id, before=before, after=after,
                 organisation_id=claim.organisation_id)
    db.session.flush()
    return claim


def _move_findings(actor: User | None, claim: Claim, step: Transition, note: str | None) -> list[int]:
    """Fire the step's finding action on each finding of the claim that can follow it: on sending
    those not yet claimed; on settling the claimed ones no other sent claim holds lines of."""
    ids = sorted({line.finding_id for line in claim.lines})
    findings = list(db.session.scalars(sa.select(Finding).where(Finding.id.in_(ids)).order_by(Finding.id)))
    if step.action == Action.SEND:
        due = [f for f in findings if f.status in (FindingStatus.NEW, FindingStatus.ACKNOWLEDGED)]
    else:
        elsewhere = set(db.session.scalars(
            sa.select(ClaimLine.finding_id).join(Claim, Claim.id == ClaimLine.claim_id)
            .where(ClaimLine.finding_id.in_(ids), Claim.id != claim.id, Claim.status == ClaimStatus.SENT)))
        due = [f for f in findings if f.status == FindingStatus.CLAIMED and f.id not in elsewhere]
    for finding in due:
        lifecycle.fire(actor, finding, step.finding_action, lifecycle.Actor.CLAIM, note=note, claim_id=claim.id)
    return [f.id for f in due]


def act(actor: User, claim_id: int, action: Action | str, *, on: date | None = None,
        note: str | None = None) -> Claim:
    """Send, reject or write off one claim of the actor's organisation (404 for another's)."""
    return _fire(actor, get_claim(actor, claim_id), action, on=on, note=(note or "").strip() or None)


# --- credit notes -----------------------------------------------------------------------------


def link_credit_note(actor: User | None, claim: Claim, invoice_id: int, *, note: str | None = None,
                     matched: bool = False) -> Claim:
    """Settle a sent claim by the supplier's credit note ``invoice_id`` (by hand, or ``matched``
    by reference): credited, with what the credit note gave back, on the credit note's day."""
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None or invoice.organisation_id != claim.organisation_id:
        raise NotFound(N_("No invoice %(id)s"), id=invoice_id)
    check(claim, Action.CREDIT, by_credit_note=True)
    if invoice.document_type != DocumentType.CREDIT_NOTE:
        raise ValidationFailed(N_("Invoice %(number)s is not a credit note"), number=invoice.number)
    if invoice.supplier_id != claim.supplier_id:
        raise ValidationFailed(N_("Credit note %(number)s is not from %(supplier)s"), number=invoice.number,
                               supplier=claim.supplier.name)
    if invoice.replaced_at is not None:
        raise Conflict(N_("Credit note %(number)s was replaced by a corrected one"), number=invoice.number)
    other = db.session.scalar(sa.select(Claim.reference).where(Claim.credit_note_id == invoice.id))
    if other is not None:
        raise Conflict(N_("Credit note %(number)s already settles claim %(reference)s"), number=invoice.number,
                       reference=other)
    claim.credit_note_id = invoice.id
    claim.recovered = min(total_of(claim), abs(invoice.net_total))
    return _fire(actor, claim, Action.CREDIT, on=invoice.issue_date, note=note, by_credit_note=True,
                 extra={"credit_note": invoice.number, "recovered": claim.recovered,
                        "matched": "by reference" if matched else "by hand"})


def link(actor: User, claim_id: int, invoice_id: int, *, note: str | None = None) -> Claim:
    return link_credit_note(actor, get_claim(actor, claim_id), invoice_id, note=(note or "").strip() or None)


def match_credit_notes(organisation_id: int) -> list[Claim]:
    """Settle the organisation's sent claims whose supplier's credit note has come (see the
    module); the claims credited."""
    credited, note, other = aliased(Invoice), aliased(Invoice), aliased(Claim)
    pairs = db.session.execute(
        sa.select(Claim.id, note.id)
        .join(ClaimLine, ClaimLine.claim_id == Claim.id)
        .join(InvoiceLine, InvoiceLine.id == ClaimLine.invoice_line_id)
        .join(credited, credited.id == InvoiceLine.invoice_id)
        .join(note, sa.and_(note.organisation_id == Claim.organisation_id, note.supplier_id == Claim.supplier_id,
                            note.document_type == DocumentType.CREDIT_NOTE, note.replaced_at.is_(None),
                            note.credited_number == credited.number, note.issue_date >= Claim.sent_on))
        .where(Claim.organisation_id == organisation_id, Claim.status == ClaimStatus.SENT,
               ~sa.exists().where(other.credit_note_id == note.id))
        .group_by(Claim.id, note.id, Claim.sent_on, note.issue_date)
        .order_by(Claim.sent_on, Claim.id, note.issue_date, note.id)).tuples().all()
    settled: list[Claim] = []
    used: set[int] = set()
    for claim_id, note_id in pairs:
        if note_id in used or any(c.id == claim_id for c in settled):
            continue
        claim = db.session.get(Claim, claim_id)
        assert claim is not None
        settled.append(link_credit_note(None, claim, note_id, matched=True))
        used.add(note_id)
    return settled


def credit_note_choices(claim: Claim) -> list[Invoice]:
    """The supplier's credit notes a claim could be settled by: current, settling no claim."""
    return list(db.session.scalars(
        sa.select(Invoice).where(Invoice.organisation_id == claim.organisation_id,
                                 Invoice.supplier_id == claim.supplier_id,
                                 Invoice.document_type == DocumentType.CREDIT_NOTE, Invoice.replaced_at.is_(None),
                                 ~sa.exists().where(Claim.credit_note_id == Invoice.id))
        .order_by(Invoice.issue_date.desc(), Invoice.number)))


# --- what was claimed and recovered --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recovery:
    """A supplier's claims of one year (the year they were sent)."""

    year: int
    supplier_id: int
    supplier_name: str
    claims: int
    claimed: Decimal
    recovered: Decimal
    outstanding: Decimal

    @property
    def not_recovered(self) -> Decimal:
        """What was claimed and will not come back: rejected, written off, or credited short.
        With it a row adds up: claimed = recovered + not recovered + outstanding."""
        return self.claimed - self.recovered - self.outstanding


def summary(organisation_id: int) -> list[Recovery]:
    """Claimed (sent), recovered (credited), outstanding (sent, unanswered) and so not recovered
    per supplier and year, newest year first: one query."""
    rows = db.session.execute(
        sa.select(Claim.status, Claim.sent_on, Claim.recovered, Claim.supplier_id, Supplier.name,
                  sa.func.sum(ClaimLine.amount))
        .join(Supplier, Supplier.id == Claim.supplier_id)
        .join(ClaimLine, ClaimLine.claim_id == Claim.id)
        .where(Claim.organisation_id == organisation_id, Claim.status != ClaimStatus.DRAFT)
        .group_by(Claim.id, Claim.status, Claim.sent_on, Claim.recovered, Claim.supplier_id, Supplier.name))
    sums: dict[tuple[int, int, str], list[Any]] = defaultdict(lambda: [0, ZERO, ZERO, ZERO])
    for status, sent_on, recovered, supplier_id, name, total in rows:
        row = sums[(sent_on.year, supplier_id, name)]
        row[0] += 1
        row[1] += total or ZERO
        row[2] += recovered or ZERO
        row[3] += (total or ZERO) if status == ClaimStatus.SENT else ZERO
    return [Recovery(year, supplier_id, name, *values)
            for (year, supplier_id, name), values in sorted(sums.items(), key=lambda kv: (-kv[0][0], kv[0][2]))]
