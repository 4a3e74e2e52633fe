"""How each unit is reached, the change feed of who answers a number, and the feed's tokens.

``unit_contact_details`` holds, beside a budget unit (one row per unit, in this package rather
than as columns of ``budget_unit``, so that the organisation's table stays the ledger's), what the
contact centre tells a caller: what the unit answers for, its opening hours, its phone times and
its other ways in (e-mail, a web form). ``directory_change`` is one change of who answers a
number (or of how a unit is reached), recorded in the transaction that made it, with the numbers
it concerns in ``directory_change_number`` (``ledger.contact_centre.recording`` says why rows of
their own). ``feed_token`` is a user's secret address of the Atom feed, for mail clients, which
send no session cookie (only its SHA-256 is stored).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.database import Model
from ledger.database.tenancy import OrganisationOwned
from ledger.database.types import Timestamp, enum_column, utcnow
from ledger.organisation.models import BudgetUnit


class UnitContactDetails(OrganisationOwned, Model):
    """What the contact centre tells a caller about a unit: what it answers for and how and when
    it is reached. Kept by the unit's own department users and the administrator."""

    __tablename__ = "unit_contact_details"

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_unit.id"), primary_key=True, comment="The unit")
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True,
                                                 comment="The municipality it belongs to")
    function: Mapped[str | None] = mapped_column(sa.String(500), comment="What the unit answers for (funktion)")
    opening_hours: Mapped[str | None] = mapped_column(sa.String(200), comment="Öppettider, as the unit words them")
    phone_hours: Mapped[str | None] = mapped_column(sa.String(200), comment="Telefontider, as the unit words them")
    email: Mapped[str | None] = mapped_column(sa.String(254), comment="The unit's e-mail address (a functional box)")
    web_form_url: Mapped[str | None] = mapped_column(sa.String(500), comment="Its web form: an http(s) address")
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When last changed")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), comment="Who changed it last")

    unit: Mapped[BudgetUnit] = relationship()


class ChangeKind(enum.StrEnum):
    """What changed of who answers a number, or of how a unit is reached."""

    #: a number moved to another unit (finance's or the administrator's move, the operator's list)
    MOVED = "moved"
    #: a department's move request, approved: the number moved as asked
    REQUEST = "request"
    #: numbers moved out of a unit in a reorganisation
    REORGANISATION = "reorganisation"
    #: a number got a unit after none (a new subscription)
    NEW = "new"
    #: a subscription ended (uppsagt): from the day after its last day no one answers it
    ENDED = "ended"
    #: an ended subscription is in service again
    REOPENED = "reopened"
    #: a unit moved to another administration (förvaltning)
    ADMINISTRATION = "administration"
    #: a unit's function, hours or contact paths changed
    CONTACT_DETAILS = "contact_details"


class DirectoryChange(OrganisationOwned, Model):
    """One change of who answers numbers, or of a unit: append-only, written in the same
    transaction as the change itself (``ledger.contact_centre.recording``)."""

    __tablename__ = "directory_change"
    __table_args__ = (sa.Index("ix_directory_change_recorded", "organisation_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"),
                                                 comment="The municipality it belongs to")
    kind: Mapped[ChangeKind] = mapped_column(enum_column(ChangeKind, "directory_change_kind"),
                                             comment="moved, request, reorganisation, new, ended, …")
    effective_on: Mapped[date] = mapped_column(comment="First day the change holds")
    recorded_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When it was recorded")
    from_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("budget_unit.id"),
                                                     comment="The unit that answered before (moves, ends)")
    to_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("budget_unit.id"),
                                                   comment="The unit that answers from effective_on (moves, new)")
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("budget_unit.id"),
                                                comment="The unit a change of a unit is about")
    from_administration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("administration.id"), comment="A unit's administration before")
    to_administration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("administration.id"), comment="A unit's administration from effective_on")
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignment_request.id"),
                                                   comment="The approved move request it carried out")
    fields: Mapped[list[Any] | None] = mapped_column(sa.JSON, comment="The contact details that changed")

    numbers: Mapped[list[DirectoryChangeNumber]] = relationship(order_by="DirectoryChangeNumber.number")


class DirectoryChangeNumber(OrganisationOwned, Model):
    """A number a change concerns, as it was written then."""

    __tablename__ = "directory_change_number"

    change_id: Mapped[int] = mapped_column(sa.ForeignKey("directory_change.id", ondelete="CASCADE"),
                                           primary_key=True, comment="The change")
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("asset.id"), primary_key=True, comment="The subscription")
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True,
                                                 comment="The municipality it belongs to")
    number: Mapped[str] = mapped_column(sa.String(32), comment="The number (E.164) when the change was recorded")


class FeedToken(OrganisationOwned, Model):
    """A user's secret address of the change feed (``/directory/changes.atom?token=…``): it reads
    that feed and nothing else, for as long as its user may. One per user; a new one replaces it."""

    __tablename__ = "feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True,
                                                 comment="The municipality of its user")
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), unique=True, comment="Whose feed it is")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, comment="SHA-256 of the token")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When made")
    last_used_at: Mapped[datetime | None] = mapped_column(Timestamp, comment="Last read of the feed with it")
