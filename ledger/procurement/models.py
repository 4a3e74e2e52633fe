"""Suppliers, framework contracts (ramavtal), price lists and coverage exceptions."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.core.categories import Category
from ledger.database import Model
from ledger.database.tenancy import OrganisationOwned
from ledger.database.types import Money, Timestamp, enum_column, utcnow
from ledger.database.validity import ValidRange
from ledger.organisation.models import Supplier


class ContractStatus(enum.StrEnum):
    """The decision state of a framework contract; its phase (upcoming, in force, ended)
    follows from its dates, see ``FrameworkContract.phase_on``."""

    DRAFT = "draft"
    SIGNED = "signed"
    TERMINATED = "terminated"


class PartyRole(enum.StrEnum):
    LEAD = "lead"  # upphandlande part, e.g. Skövde
    PARTICIPANT = "participant"


class ExceptionStatus(enum.StrEnum):
    """Coverage exception workflow: requested → approved | rejected → expired | withdrawn."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class FrameworkContract(Model):
    """A ramavtal, usually procured by Skövde as lead party on behalf of its partners."""

    __tablename__ = "framework_contract"
    __table_args__ = (sa.CheckConstraint("end_date > start_date", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(
        sa.String(40), unique=True, comment="Diarienummer / contract reference"
    )
    title: Mapped[str] = mapped_column(sa.String(200), comment="What the contract covers")
    supplier_id: Mapped[int] = mapped_column(
        sa.ForeignKey("supplier.id"), index=True, comment="The contracted supplier"
    )
    lead_organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), comment="Upphandlande part (lead), e.g. Skövde"
    )
    start_date: Mapped[date] = mapped_column(comment="First day in force")
    end_date: Mapped[date] = mapped_column(comment="Last day in force (inclusive) without extensions")
    notice_months: Mapped[int] = mapped_column(default=0, comment="Uppsägningstid in months")
    status: Mapped[ContractStatus] = mapped_column(
        enum_column(ContractStatus, "contract_status"),
        default=ContractStatus.SIGNED,
        comment="Decision state; the phase follows from the dates",
    )

    supplier: Mapped[Supplier] = relationship()
    parties: Mapped[list[ContractParty]] = relationship(back_populates="contract", cascade="all")
    categories: Mapped[list[ContractCategory]] = relationship(cascade="all")
    extension_options: Mapped[list[ContractExtensionOption]] = relationship(
        cascade="all", order_by="ContractExtensionOption.sequence"
    )

    def end_on(self) -> date:
        """The last day in force, counting extensions already used."""
        used = [o.extends_to for o in self.extension_options if o.exercised_on is not None]
        return max([self.end_date, *used])

    def phase_on(self, day: date) -> str:
        """draft, upcoming, in_force, ended or terminated on ``day``."""
        if self.status == ContractStatus.TERMINATED:
            return "terminated"
        if self.status == ContractStatus.DRAFT:
            return "draft"
        if day < self.start_date:
            return "upcoming"
        return "in_force" if day <= self.end_on() else "ended"


class ContractParty(Model):
    """A municipality that may buy on the contract (samarbetspart)."""

    __tablename__ = "contract_party"
    __table_args__ = (sa.UniqueConstraint("contract_id", "organisation_id", name="uq_contract_party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_contract.id"), comment="Contract")
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), comment="Party")
    role: Mapped[PartyRole] = mapped_column(
        enum_column(PartyRole, "party_role"), comment="lead or participant"
    )

    contract: Mapped[FrameworkContract] = relationship(back_populates="parties")


class ContractCategory(Model):
    """A cost category the contract covers (its supplier is the contracted one for it)."""

    __tablename__ = "contract_category"
    __table_args__ = (sa.UniqueConstraint("contract_id", "category", name="uq_contract_category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_contract.id"), comment="Contract")
    category: Mapped[Category] = mapped_column(
        enum_column(Category, "contract_category"), comment="Category covered"
    )


class ContractExtensionOption(Model):
    """An option to extend (förlängningsoption) with the last day to give notice of it."""

    __tablename__ = "contract_extension_option"
    __table_args__ = (sa.UniqueConstraint("contract_id", "sequence", name="uq_contract_option"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_contract.id"), comment="Contract")
    sequence: Mapped[int] = mapped_column(comment="1 for the first option, 2 for the next…")
    extends_to: Mapped[date] = mapped_column(comment="New last day in force if used")
    last_notice_date: Mapped[date] = mapped_column(comment="Last day to decide on using it")
    exercised_on: Mapped[date | None] = mapped_column(comment="When the option was used; NULL if not")


class ContractTerm(Model):
    """Append-only log of dated notes on a contract: price adjustments, options used, amendments."""

    __tablename__ = "contract_term"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        sa.ForeignKey("framework_contract.id"), index=True, comment="Contract"
    )
    noted_on: Mapped[date] = mapped_column(comment="Date the term applies from")
    kind: Mapped[str] = mapped_column(sa.String(32), comment="price_adjustment, extension, amendment, note")
    text: Mapped[str] = mapped_column(sa.Text, comment="What was agreed")
    document_reference: Mapped[str | None] = mapped_column(
        sa.String(200), comment="Where the signed document is kept (diarium, URL)"
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), comment="Author")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When written")


class ContractDocument(Model):
    """A reference to a document of the contract: the signed agreement, an annex, a price list."""

    __tablename__ = "contract_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        sa.ForeignKey("framework_contract.id"), index=True, comment="Contract"
    )
    title: Mapped[str] = mapped_column(sa.String(200), comment="What the document is")
    reference: Mapped[str] = mapped_column(sa.String(300), comment="Diarienummer, archive id or URL")
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), comment="Who added it")
    added_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When added")


class PriceListItem(ValidRange, Model):
    """An effective-dated price on a contract; a new version supersedes, the old one stays."""

    __tablename__ = "price_list_item"
    __table_args__ = (
        sa.UniqueConstraint("contract_id", "item_code", "valid_from", name="uq_price_version"),
        ValidRange.check(),
        sa.CheckConstraint("unit_price_ore >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        sa.ForeignKey("framework_contract.id"), index=True, comment="Contract"
    )
    item_code: Mapped[str] = mapped_column(sa.String(40), comment="Supplier's item code (artikelnummer)")
    description: Mapped[str] = mapped_column(sa.String(200), comment="Item text")
    category: Mapped[Category] = mapped_column(
        enum_column(Category, "price_category"), comment="Cost category of the item"
    )
    unit_price: Mapped[Decimal] = mapped_column(
        "unit_price_ore", Money, comment="Contract price per unit excl. VAT, in öre"
    )
    unit: Mapped[str] = mapped_column(sa.String(16), comment="Unit: month, minute, piece, GB…")
    valid_from: Mapped[date] = mapped_column(comment="First day the price applies")
    valid_to: Mapped[date | None] = mapped_column(comment="First day it no longer applies (exclusive)")


class CoverageException(OrganisationOwned, ValidRange, Model):
    """An approved use of a non-contract operator (undantag), e.g. weak coverage in Forsvik."""

    __tablename__ = "coverage_exception"
    __table_args__ = (
        sa.CheckConstraint("subscription_id IS NOT NULL OR area IS NOT NULL", name="has_scope"),
        ValidRange.check(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True, comment="The municipality asking"
    )
    subscription_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("subscription.id"), comment="The subscription it covers, or NULL for an area"
    )
    area: Mapped[str | None] = mapped_column(sa.String(120), comment="Area it covers, e.g. Forsvik")
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("supplier.id"), comment="Operator used instead")
    reason: Mapped[str] = mapped_column(sa.Text, comment="Why the contracted operator will not do")
    evidence: Mapped[str | None] = mapped_column(sa.Text, comment="E.g. a coverage test and its result")
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id"), comment="Who asked"
    )
    requested_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When asked")
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id"), comment="Procurement officer who approved or rejected"
    )
    decided_at: Mapped[datetime | None] = mapped_column(Timestamp, comment="When decided")
    valid_from: Mapped[date] = mapped_column(comment="First day the exception applies")
    valid_to: Mapped[date | None] = mapped_column(comment="First day it no longer applies (exclusive)")
    status: Mapped[ExceptionStatus] = mapped_column(
        enum_column(ExceptionStatus, "exception_status"),
        default=ExceptionStatus.REQUESTED,
        comment="requested, approved, rejected, expired or withdrawn",
    )

    supplier: Mapped[Supplier] = relationship()
