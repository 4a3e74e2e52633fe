"""The inventory: assets (subscriptions and handsets), and which unit each belongs to when."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from ledger.database import Model
from ledger.database.tenancy import OrganisationOwned
from ledger.database.types import Money, Timestamp, enum_column, utcnow
from ledger.database.validity import ValidRange
from ledger.organisation.models import BudgetUnit


class SubscriptionKind(enum.StrEnum):
    """Abonnemangstyp."""

    MOBILE_VOICE = "mobile_voice"
    MOBILE_DATA = "mobile_data"
    SWITCHBOARD_EXTENSION = "switchboard_extension"  # växelanknytning
    OPERATOR_SEAT = "operator_seat"  # telefonistplats
    FIXED_LINE = "fixed_line"


class HandsetStatus(enum.StrEnum):
    IN_USE = "in_use"
    IN_STOCK = "in_stock"
    LOST = "lost"
    STOLEN = "stolen"
    RETIRED = "retired"


class AssetType(enum.StrEnum):
    """Which kind of asset a row of ``asset`` is, and so which table holds the rest of it."""

    SUBSCRIPTION = "subscription"
    HANDSET = "handset"


class Asset(OrganisationOwned, Model):
    """What is assigned to a budget unit and billed on invoice lines: a subscription or a handset.

    Joined-table inheritance: ``asset`` holds what both kinds share, ``subscription`` and
    ``handset`` what only one kind has, with the same id. Assignments, move requests and
    invoice lines refer to the asset, whichever kind it is.
    """

    __tablename__ = "asset"
    __table_args__: tuple[Any, ...] = (
        sa.UniqueConstraint("organisation_id", "type", "identifier", name="uq_asset_identifier"),
    )
    __mapper_args__: Mapping[str, Any] = {"polymorphic_on": "type", "polymorphic_abstract": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True, comment="The municipality it belongs to"
    )
    type: Mapped[AssetType] = mapped_column(
        enum_column(AssetType, "asset_type"), comment="subscription or handset: the table with the rest of it"
    )
    identifier: Mapped[str] = mapped_column(
        sa.String(20), comment="A subscription's phone number in E.164 (+46…); a handset's IMEI (15 digits)"
    )
    contract_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("framework_contract.id"),
        comment="Framework contract it was ordered or bought on; NULL if off contract",
    )

    assignments: Mapped[list[Assignment]] = relationship(back_populates="asset", order_by="Assignment.valid_from")

    def describe(self) -> str:
        """How messages and the audit log name the asset: its number, or ``IMEI …``."""
        return Asset.describe_as(self.type, self.identifier)

    @staticmethod
    def describe_as(kind: AssetType, identifier: str) -> str:
        """``describe()`` for an asset read as its kind and identifier."""
        return identifier if kind == AssetType.SUBSCRIPTION else f"IMEI {identifier}"


class Subscription(Asset):
    """An abonnemang: a mobile or fixed number, a switchboard extension or an operator seat."""

    __tablename__ = "subscription"
    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
    )
    __mapper_args__: Mapping[str, Any] = {"polymorphic_identity": AssetType.SUBSCRIPTION}

    id: Mapped[int] = mapped_column(sa.ForeignKey("asset.id"), primary_key=True, comment="The asset it is")
    #: The phone number in E.164, +46… (the asset's identifier).
    number: Mapped[str] = synonym("identifier")
    kind: Mapped[SubscriptionKind] = mapped_column(
        enum_column(SubscriptionKind, "subscription_kind"), comment="mobile_voice, mobile_data, …"
    )
    operator_reference: Mapped[str | None] = mapped_column(
        sa.String(40), index=True, comment="The operator's own subscription id (abonnemangs-id)"
    )
    extension: Mapped[str | None] = mapped_column(
        sa.String(10), comment="Internal switchboard extension (anknytning), e.g. 5123"
    )
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("supplier.id"), comment="Operator")
    handset_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("handset.id"), comment="The handset the SIM sits in, when known"
    )
    start_date: Mapped[date] = mapped_column(comment="First day of the subscription")
    end_date: Mapped[date | None] = mapped_column(comment="Last day (inclusive); NULL while active")
    label: Mapped[str | None] = mapped_column(
        sa.String(120), comment="Function or shared-phone label for the directory (e.g. Jour VA)"
    )
    holder_name: Mapped[str | None] = mapped_column(
        sa.String(120), comment="User's name, only where the organisation chose to store it"
    )
    private_use_reference: Mapped[str | None] = mapped_column(
        sa.String(40), comment="Särskilt avtal om privat användning: agreement reference"
    )
    private_use_signed_on: Mapped[date | None] = mapped_column(comment="Date the agreement was signed")
    private_use_signed_by: Mapped[str | None] = mapped_column(
        sa.String(120), comment="Who signed the private-use agreement"
    )


class Handset(Asset):
    """A tjänstemobil (or a shared verksamhetstelefon), identified by its IMEI."""

    __tablename__ = "handset"
    __table_args__ = (
        sa.CheckConstraint("purchase_price_ore IS NULL OR purchase_price_ore >= 0", name="price_not_negative"),
    )
    __mapper_args__: Mapping[str, Any] = {"polymorphic_identity": AssetType.HANDSET}

    id: Mapped[int] = mapped_column(sa.ForeignKey("asset.id"), primary_key=True, comment="The asset it is")
    #: IMEI, 15 digits, Luhn-checked (the asset's identifier).
    imei: Mapped[str] = synonym("identifier")
    model: Mapped[str] = mapped_column(sa.String(80), comment="Make and model")
    purchase_date: Mapped[date | None] = mapped_column(comment="When bought")
    purchase_price: Mapped[Decimal | None] = mapped_column(
        "purchase_price_ore", Money, comment="Price paid excl. VAT, in öre"
    )
    shared: Mapped[bool] = mapped_column(
        default=False, comment="Verksamhetstelefon: shared by a team rather than one person"
    )
    shared_label: Mapped[str | None] = mapped_column(sa.String(120), comment="Label of a shared phone")
    mdm_enrolled: Mapped[bool] = mapped_column(default=False, comment="Enrolled in mobile device management")
    status: Mapped[HandsetStatus] = mapped_column(
        enum_column(HandsetStatus, "handset_status"),
        default=HandsetStatus.IN_USE,
        comment="in_use, in_stock, lost, stolen, retired",
    )
    status_changed_on: Mapped[date | None] = mapped_column(comment="When the status last changed")
    reported_to_manager_at: Mapped[datetime | None] = mapped_column(
        Timestamp, comment="When a loss or theft was reported to the manager"
    )
    reported_to_manager: Mapped[str | None] = mapped_column(
        sa.String(120), comment="The manager it was reported to"
    )
    loss_reported_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id"), comment="Who reported the loss or theft in the ledger"
    )
    subscription_blocked: Mapped[bool | None] = mapped_column(
        comment="On a loss or theft: whether the SIM/subscription was blocked (NULL: not reported)"
    )


class Assignment(OrganisationOwned, ValidRange, Model):
    """Which budget unit an asset (a subscription or a handset) belongs to, from ``valid_from``
    up to (not including) ``valid_to``. Never overwritten: a move ends one row and starts
    another. No two rows of the same asset overlap (checked by ``inventory.assignments``)."""

    __tablename__ = "assignment"
    __table_args__ = (
        ValidRange.check(),
        sa.Index("ix_assignment_asset_period", "asset_id", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True, comment="The municipality it belongs to"
    )
    asset_id: Mapped[int] = mapped_column(
        sa.ForeignKey("asset.id"), comment="The subscription or handset assigned"
    )
    unit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("budget_unit.id"), index=True, comment="The unit that pays"
    )
    valid_from: Mapped[date] = mapped_column(comment="First day of the assignment")
    valid_to: Mapped[date | None] = mapped_column(
        comment="First day after the assignment (exclusive); NULL while current"
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id"), comment="Who made the assignment"
    )
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When made")

    unit: Mapped[BudgetUnit] = relationship()
    asset: Mapped[Asset] = relationship(back_populates="assignments")


class AssignmentRequest(OrganisationOwned, Model):
    """A department user's request to move an asset out of their unit; finance decides."""

    __tablename__ = "assignment_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True, comment="The municipality it belongs to"
    )
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("asset.id"), comment="The subscription or handset to move")
    from_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_unit.id"), comment="Unit it leaves")
    to_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_unit.id"), comment="Unit it should go to")
    valid_from: Mapped[date] = mapped_column(comment="Requested first day at the new unit")
    reason: Mapped[str | None] = mapped_column(sa.Text, comment="Why (new staff, move, reorganisation)")
    status: Mapped[str] = mapped_column(
        sa.String(16), default="requested", comment="requested, approved or rejected"
    )
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), comment="Who asked")
    requested_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When asked")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), comment="Who decided")
    decided_at: Mapped[datetime | None] = mapped_column(Timestamp, comment="When decided")

    asset: Mapped[Asset] = relationship()
