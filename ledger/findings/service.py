"""Reading findings and claims as the pages, the API and the reports show them: names resolved,
a few queries whatever the count, always within the reader's organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute

from ledger.access.models import User
from ledger.core.money import ZERO
from ledger.core.month import Month
from ledger.database import db
from ledger.findings import claims as claim_service
from ledger.findings import lifecycle
from ledger.findings.models import (
    Claim,
    ClaimLine,
    ClaimStatus,
    Finding,
    FindingEvent,
    FindingLine,
    FindingOccurrence,
    FindingStatus,
)
from ledger.inventory.models import Asset
from ledger.invoices.models import Invoice, InvoiceLine
from ledger.organisation.models import Supplier
from ledger.procurement.models import FrameworkContract
from reports.claim_data import ClaimDocument, ClaimRow

# --- findings ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FindingRow:
    """A finding as a list shows it: with the amount of the month asked (else its latest month)."""

    finding: Finding
    supplier_name: str | None
    owner_name: str | None
    period: str
    amount: Decimal | None
    reason: str
    params: dict[str, Any]
    months: int

    @property
    def id(self) -> int:
        return self.finding.id

    @property
    def kind(self) -> str:
        return self.finding.kind

    @property
    def status(self) -> FindingStatus:
        return self.finding.status


def list_findings(user: User, *, period: str | None = None, status: FindingStatus | str | None = None,
                  kind: str | None = None) -> list[FindingRow]:
    """The organisation's findings (found in ``period``, of ``status`` and ``kind`` when given),
    the latest found first: three queries."""
    occurrence = sa.select(FindingOccurrence).where(FindingOccurrence.organisation_id == user.organisation_id)
    if period is not None:
        occurrence = occurrence.where(FindingOccurrence.period == str(Month.parse(period)))
    query = sa.select(Finding).where(Finding.organisation_id == user.organisation_id)
    if status is not None:
        query = query.where(Finding.status == FindingStatus(status))
    if kind:
        query = query.where(Finding.kind == kind)
    found = list(db.session.scalars(query))
    latest: dict[int, FindingOccurrence] = {}
    months: dict[int, int] = {}
    for row in db.session.scalars(occurrence.where(FindingOccurrence.finding_id.in_([f.id for f in found]))):
        months[row.finding_id] = months.get(row.finding_id, 0) + 1
        if row.finding_id not in latest or row.period > latest[row.finding_id].period:
            latest[row.finding_id] = row
    suppliers = names(Supplier.id, Supplier.name, {f.supplier_id for f in found})
    owners = names(User.id, User.display_name, {f.owner_id for f in found})
    rows = [FindingRow(f, suppliers.get(f.supplier_id or 0), owners.get(f.owner_id or 0), latest[f.id].period,
                       latest[f.id].amount, latest[f.id].reason, latest[f.id].params, months[f.id])
            for f in found if f.id in latest]
    return sorted(rows, key=lambda r: (r.period, r.finding.id), reverse=True)


def names(key: QueryableAttribute[int], name: QueryableAttribute[str], ids: set[int | None]) -> dict[int, str]:
    """``name`` by ``key`` for the ids given, in one query (none for no ids)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(sa.select(key, name).where(key.in_(wanted))).tuples().all())


@dataclass(frozen=True, slots=True)
class EventView:
    at: datetime
    actor: str | None  # None: the compliance check
    action: str
    from_status: FindingStatus | None
    to_status: FindingStatus
    period: str | None
    claim_id: int | None
    claim_reference: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class LineView:
    """An invoice line of a price deviation: what it says, its excess, and the claim holding it."""

    invoice_line_id: int
    invoice_id: int
    invoice_number: str
    issue_date: date
    position: int
    reference: str | None
    item_code: str | None
    description: str | None
    quantity: Decimal | None
    unit_price: Decimal | None
    contract_price: Decimal | None
    amount: Decimal
    claim_id: int | None = None
    claim_reference: str | None = None


@dataclass(frozen=True, slots=True)
class FindingDetail:
    finding: Finding
    supplier_name: str | None
    contract_reference: str | None
    asset: str | None
    owner_name: str | None
    owner_username: str | None
    occurrences: list[FindingOccurrence]
    lines: list[LineView]
    history: list[EventView]
    actions: list[lifecycle.Action]

    @property
    def latest(self) -> FindingOccurrence | None:
        return self.occurrences[0] if self.occurrences else None

    @property
    def unclaimed(self) -> Decimal:
        """The excess of its lines no claim holds yet."""
        return sum((line.amount for line in self.lines if line.claim_id is None), ZERO)


def finding_detail(user: User, finding_id: int) -> FindingDetail:
    """One finding of the user's organisation with its months, lines, history and the actions
    open to a person now (404 for another organisation's)."""
    finding = lifecycle.get_finding(user, finding_id)
    occurrences = list(db.session.scalars(sa.select(FindingOccurrence).where(
        FindingOccurrence.finding_id == finding.id).order_by(FindingOccurrence.period.desc())))
    owner = db.session.get(User, finding.owner_id) if finding.owner_id else None
    contract = db.session.get(FrameworkContract, finding.contract_id) if finding.contract_id else None
    asset = db.session.get(Asset, finding.asset_id) if finding.asset_id else None
    return FindingDetail(
        finding=finding, supplier_name=finding.supplier.name if finding.supplier else None,
        contract_reference=contract.reference if contract else None,
        asset=Asset.describe_as(asset.type, asset.identifier) if asset else None,
        owner_name=owner.display_name if owner else None, owner_username=owner.username if owner else None,
        occurrences=occurrences, lines=_finding_lines(finding.id), history=_history(finding.id),
        actions=lifecycle.allowed_actions(finding),
    )


def _invoice_columns() -> tuple[Any, ...]:
    return (InvoiceLine.id, Invoice.id, Invoice.number, Invoice.issue_date, InvoiceLine.position,
            InvoiceLine.reference, InvoiceLine.item_code, InvoiceLine.description, InvoiceLine.quantity,
            InvoiceLine.unit_price)


def _finding_lines(finding_id: int) -> list[LineView]:
    rows = db.session.execute(
        sa.select(*_invoice_columns(), FindingLine.contract_price, FindingLine.amount, Claim.id, Claim.reference)
        .join(FindingOccurrence, FindingOccurrence.id == FindingLine.occurrence_id)
        .join(InvoiceLine, InvoiceLine.id == FindingLine.invoice_line_id)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .outerjoin(ClaimLine, ClaimLine.invoice_line_id == FindingLine.invoice_line_id)
        .outerjoin(Claim, Claim.id == ClaimLine.claim_id)
        .where(FindingOccurrence.finding_id == finding_id)
        .order_by(Invoice.issue_date, Invoice.number, InvoiceLine.position))
    return [LineView(*row) for row in rows]


def _history(finding_id: int) -> list[EventView]:
    events = list(db.session.scalars(sa.select(FindingEvent).where(FindingEvent.finding_id == finding_id)
                                     .order_by(FindingEvent.occurred_at.desc(), FindingEvent.id.desc())))
    actors = names(User.id, User.display_name, {e.actor_id for e in events})
    references = names(Claim.id, Claim.reference, {e.claim_id for e in events})
    return [EventView(e.occurred_at, actors.get(e.actor_id) if e.actor_id else None, e.action, e.from_status,
                      e.to_status, e.period, e.claim_id, references.get(e.claim_id or 0), e.note) for e in events]


# --- claims -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClaimView:
    claim: Claim
    supplier_name: str
    line_count: int
    total: Decimal
    credit_note_number: str | None
    created_by: str | None

    @property
    def id(self) -> int:
        return self.claim.id

    @property
    def actions(self) -> list[claim_service.Action]:
        return [t.action for (source, _), t in claim_service.TRANSITIONS.items()
                if source == self.claim.status and not t.by_credit_note]

    @property
    def outstanding(self) -> Decimal:
        return self.total if self.claim.status == ClaimStatus.SENT else ZERO


def list_claims(user: User, status: ClaimStatus | str | None = None) -> list[ClaimView]:
    """The organisation's claims, newest first, with their totals: two queries."""
    query = (sa.select(Claim, sa.func.count(ClaimLine.id), sa.func.coalesce(sa.func.sum(ClaimLine.amount), ZERO))
             .outerjoin(ClaimLine, ClaimLine.claim_id == Claim.id)
             .where(Claim.organisation_id == user.organisation_id)
             .group_by(Claim.id).order_by(Claim.created_at.desc(), Claim.id.desc()))
    if status is not None:
        query = query.where(Claim.status == ClaimStatus(status))
    rows = db.session.execute(query).tuples().all()
    return _views([(claim, count, total) for claim, count, total in rows])


def _views(rows: list[tuple[Claim, int, Decimal]]) -> list[ClaimView]:
    claims = [claim for claim, _, _ in rows]
    suppliers = names(Supplier.id, Supplier.name, {c.supplier_id for c in claims})
    notes = names(Invoice.id, Invoice.number, {c.credit_note_id for c in claims})
    people = names(User.id, User.display_name, {c.created_by_id for c in claims})
    return [ClaimView(claim, suppliers.get(claim.supplier_id, ""), count, Decimal(total),
                      notes.get(claim.credit_note_id or 0), people.get(claim.created_by_id or 0))
            for claim, count, total in rows]


def claim_view(claim: Claim) -> ClaimView:
    return _views([(claim, len(claim.lines), claim_service.total_of(claim))])[0]


@dataclass(frozen=True, slots=True)
class ClaimDetail:
    view: ClaimView
    lines: list[LineView]
    contracts: list[str]
    credit_notes: list[Invoice]

    @property
    def claim(self) -> Claim:
        return self.view.claim

    def __getattr__(self, name: str) -> Any:
        """What the claim's view says (its id, supplier, total, actions …)."""
        return getattr(self.view, name)


def claim_detail(user: User, claim_id: int) -> ClaimDetail:
    """One claim of the user's organisation with its lines (404 for another organisation's)."""
    claim = claim_service.get_claim(user, claim_id)
    rows = db.session.execute(
        sa.select(FrameworkContract.reference, *_invoice_columns(), ClaimLine.contract_price, ClaimLine.amount,
                  Claim.id, Claim.reference)
        .join(Claim, Claim.id == ClaimLine.claim_id)
        .join(InvoiceLine, InvoiceLine.id == ClaimLine.invoice_line_id)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .join(Finding, Finding.id == ClaimLine.finding_id)
        .outerjoin(FrameworkContract, FrameworkContract.id == Finding.contract_id)
        .where(ClaimLine.claim_id == claim.id)
        .order_by(Invoice.issue_date, Invoice.number, InvoiceLine.position)).all()
    lines = [LineView(*row[1:]) for row in rows]
    contracts = sorted({row[0] for row in rows if row[0]})
    choices = claim_service.credit_note_choices(claim) if claim.status == ClaimStatus.SENT else []
    return ClaimDetail(claim_view(claim), lines, contracts, choices)


def claim_document(detail: ClaimDetail, organisation: Any, generated_at: datetime, generated_by: str) -> ClaimDocument:
    """The claim as its PDF and CSV print it."""
    claim = detail.claim
    return ClaimDocument(
        reference=claim.reference, status=claim.status.value, organisation=organisation.name,
        organisation_number=organisation.organisation_number, supplier=claim.supplier.name,
        supplier_number=claim.supplier.organisation_number, contracts=tuple(detail.contracts),
        sent_on=claim.sent_on, generated_at=generated_at, generated_by=generated_by, note=claim.note,
        rows=tuple(ClaimRow(invoice_number=line.invoice_number, invoice_date=line.issue_date,
                            position=line.position, reference=line.reference, item_code=line.item_code,
                            description=line.description, quantity=line.quantity, unit_price=line.unit_price,
                            contract_price=line.contract_price, excess=line.amount) for line in detail.lines))
