"""Compliance findings with a life, and the claims sent to suppliers for price deviations.

A ``Finding`` is one thing wrong, recognised by its fingerprint (kind, organisation and
subject, never the month: ``ledger.procurement.compliance.Finding.fingerprint``) in every month
it recurs; each month it is found in is a ``FindingOccurrence`` with that month's amount. Its
status, owner and note are the organisation's handling of it; ``FindingEvent`` is its history.
The lines of a price deviation that can be claimed are ``FindingLine``s of its occurrences.

A ``Claim`` collects such lines of one supplier (``ClaimLine``, each line claimed once), is
sent to the supplier and is settled by the supplier's credit note (an imported ``Invoice`` of
type credit_note), or rejected, or written off.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.database import Model
from ledger.database.tenancy import OrganisationOwned
from ledger.database.types import Money, Timestamp, enum_column, utcnow
from ledger.organisation.models import Supplier


class FindingStatus(enum.StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    CLAIMED = "claimed"
    CREDITED = "credited"
    REJECTED = "rejected"
    WRITTEN_OFF = "written_off"


class ClaimStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    CREDITED = "credited"
    REJECTED = "rejected"
    WRITTEN_OFF = "written_off"


class Finding(OrganisationOwned, Model):
    """One compliance finding of an organisation, the same in every month it recurs."""

    __tablename__ = "finding"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "fingerprint", name="uq_finding_fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True, comment="The municipality it concerns")
    fingerprint: Mapped[str] = mapped_column(
        sa.String(160), comment="Kind, organisation and subject (never the month): the same finding every month")
    kind: Mapped[str] = mapped_column(sa.String(40), comment="A kind of ledger.procurement.compliance.KINDS")
    status: Mapped[FindingStatus] = mapped_column(
        enum_column(FindingStatus, "finding_status"), default=FindingStatus.NEW,
        comment="new, acknowledged, claimed, credited, rejected or written_off")
    supplier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("supplier.id"), comment="The supplier, if any")
    contract_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("framework_contract.id"), comment="The contract, if any")
    asset_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("asset.id"), comment="The subscription or handset, if any")
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), comment="Who handles it")
    note: Mapped[str | None] = mapped_column(sa.Text, comment="The handler's note")
    first_period: Mapped[str] = mapped_column(sa.String(7), comment="The first month it was found in (YYYY-MM)")
    last_period: Mapped[str] = mapped_column(sa.String(7), comment="The latest month it was found in (YYYY-MM)")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When first recorded")
    changed_at: Mapped[datetime | None] = mapped_column(Timestamp, comment="When its status last changed")

    supplier: Mapped[Supplier | None] = relationship()
    occurrences: Mapped[list[FindingOccurrence]] = relationship(
        back_populates="finding", order_by="FindingOccurrence.period.desc()")
    events: Mapped[list[FindingEvent]] = relationship(order_by="FindingEvent.id")


class FindingOccurrence(OrganisationOwned, Model):
    """A finding in one month: what it came to then, and why, as the check said it."""

    __tablename__ = "finding_occurrence"
    __table_args__ = (sa.UniqueConstraint("finding_id", "period", name="uq_finding_occurrence_period"),
                      sa.Index("ix_finding_occurrence_org_period", "organisation_id", "period"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), comment="The municipality")
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("finding.id"), index=True, comment="The finding")
    period: Mapped[str] = mapped_column(sa.String(7), comment="The month (YYYY-MM)")
    amount: Mapped[Decimal | None] = mapped_column(
        "amount_ore", Money, comment="The lines' net amount, or a price deviation's excess")
    line_count: Mapped[int] = mapped_column(default=0, comment="Invoice lines behind it that month")
    reason: Mapped[str] = mapped_column(sa.Text, comment="Why, in English (for scripts and logs)")
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict, comment="The values of the reason")
    recorded_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When last recorded")

    finding: Mapped[Finding] = relationship(back_populates="occurrences")
    lines: Mapped[list[FindingLine]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="FindingLine.invoice_line_id")


class FindingLine(Model):
    """An invoice line of a price deviation that can be claimed, with its excess."""

    __tablename__ = "finding_line"
    __table_args__ = (sa.UniqueConstraint("occurrence_id", "invoice_line_id", name="uq_finding_line_line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        sa.ForeignKey("finding_occurrence.id", ondelete="CASCADE"), index=True, comment="The month's occurrence")
    invoice_line_id: Mapped[int] = mapped_column(sa.ForeignKey("invoice_line.id"), comment="The invoice line")
    amount: Mapped[Decimal] = mapped_column("amount_ore", Money, comment="Excess over the contract price")
    contract_price: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4), comment="The contract's unit price")


class FindingEvent(Model):
    """One step of a finding's history: who, when, from which status to which, and why."""

    __tablename__ = "finding_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("finding.id"), index=True, comment="The finding")
    occurred_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When")
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id"), comment="Who (NULL: the compliance check)")
    action: Mapped[str] = mapped_column(sa.String(32), comment="record, acknowledge, claim, credit, …, update")
    from_status: Mapped[FindingStatus | None] = mapped_column(
        enum_column(FindingStatus, "finding_event_from"), comment="Status before (NULL when recorded)")
    to_status: Mapped[FindingStatus] = mapped_column(
        enum_column(FindingStatus, "finding_event_to"), comment="Status after")
    period: Mapped[str | None] = mapped_column(sa.String(7), comment="The month found in, for record and recur")
    claim_id: Mapped[int | None] = mapped_column(sa.ForeignKey("claim.id"), comment="The claim that moved it")
    note: Mapped[str | None] = mapped_column(sa.Text, comment="Why")


class Claim(OrganisationOwned, Model):
    """A claim (reklamation) to one supplier for prices above contract, settled by its credit note."""

    __tablename__ = "claim"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "reference", name="uq_claim_reference"),
        sa.UniqueConstraint("credit_note_id", name="uq_claim_credit_note"),
        # One claim in preparation per supplier: the lines of the supplier go to it.
        sa.Index("uq_claim_draft", "organisation_id", "supplier_id", unique=True,
                 postgresql_where=sa.text("status = 'draft'"), sqlite_where=sa.text("status = 'draft'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True, comment="The municipality claiming")
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("supplier.id"), comment="The supplier claimed from")
    reference: Mapped[str] = mapped_column(sa.String(40), comment="Our reference, e.g. REK-2026-001")
    status: Mapped[ClaimStatus] = mapped_column(
        enum_column(ClaimStatus, "claim_status"), default=ClaimStatus.DRAFT,
        comment="draft, sent, credited, rejected or written_off")
    note: Mapped[str | None] = mapped_column(sa.Text, comment="A note to the supplier or about the claim")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), comment="Who prepared it")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When prepared")
    sent_on: Mapped[date | None] = mapped_column(comment="The day it was sent to the supplier")
    settled_on: Mapped[date | None] = mapped_column(comment="The day it was credited, rejected or written off")
    credit_note_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invoice.id"), comment="The supplier's credit note that settled it")
    recovered: Mapped[Decimal | None] = mapped_column(
        "recovered_ore", Money, comment="What the credit note gave back of the claim (at most its total)")

    supplier: Mapped[Supplier] = relationship()
    lines: Mapped[list[ClaimLine]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="ClaimLine.invoice_line_id")


class ClaimLine(OrganisationOwned, Model):
    """An invoice line claimed, with its excess over the contract price."""

    __tablename__ = "claim_line"
    __table_args__ = (sa.UniqueConstraint("invoice_line_id", name="uq_claim_line_invoice_line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), comment="The municipality")
    claim_id: Mapped[int] = mapped_column(
        sa.ForeignKey("claim.id", ondelete="CASCADE"), index=True, comment="The claim")
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("finding.id"), index=True, comment="The finding")
    invoice_line_id: Mapped[int] = mapped_column(
        sa.ForeignKey("invoice_line.id"), comment="The invoice line (claimed once)")
    amount: Mapped[Decimal] = mapped_column("amount_ore", Money, comment="Excess claimed")
    contract_price: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4), comment="The contract's unit price")

    claim: Mapped[Claim] = relationship(back_populates="lines")
