"""People who use the ledger, their units in scope and their API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.database import Model, db
from ledger.database.tenancy import OrganisationOwned
from ledger.database.types import Timestamp, enum_column, utcnow
from ledger.organisation.models import BudgetUnit, Organisation

user_unit = sa.Table(
    "user_unit",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("user_account.id"), primary_key=True, comment="User"),
    sa.Column("unit_id", sa.ForeignKey("budget_unit.id"), primary_key=True, comment="Unit in scope"),
    comment="The budget units a department user may see and act on",
)


class Role(enum.StrEnum):
    """What a user may do (see docs/architecture.md, "People and what they may do")."""

    ADMIN = "admin"
    FINANCE = "finance"
    PROCUREMENT = "procurement"
    DEPARTMENT = "department"
    AUDITOR = "auditor"
    #: the cooperation's administrator: organisations and the contract register, no ledger
    COOPERATION = "cooperation"
    #: the contact centre: the directory and its changes, nothing of costs
    CONTACT_CENTRE = "contact_centre"


class User(OrganisationOwned, UserMixin, Model):
    """A person with one role. Department users see only the units in ``units``."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True, comment="The municipality they work for"
    )
    username: Mapped[str] = mapped_column(sa.String(64), unique=True, comment="Log-in name")
    display_name: Mapped[str] = mapped_column(sa.String(120), comment="Name shown in pages and the audit log")
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"), comment="admin, finance, …")
    password_hash: Mapped[str] = mapped_column(sa.String(255), comment="Salted scrypt hash (werkzeug)")
    active: Mapped[bool] = mapped_column(default=True, comment="False blocks log-in and tokens")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When created")
    last_login_at: Mapped[datetime | None] = mapped_column(Timestamp, comment="Last successful log-in")
    session_generation: Mapped[int] = mapped_column(
        default=0, server_default="0", comment="Raised on log-out and password change: ends every session")

    units: Mapped[list[BudgetUnit]] = relationship(secondary=user_unit, order_by="BudgetUnit.ansvar")
    organisation: Mapped[Organisation] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.active

    def get_id(self) -> str:
        """What the session cookie holds: the id and the session generation, so that raising
        the generation (log-out, a new password) ends every session issued before, on the
        server's side, whatever cookies were saved."""
        return f"{self.id}.{self.session_generation}"


class ApiToken(Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True, comment="Owner")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, comment="SHA-256 of the token")
    label: Mapped[str | None] = mapped_column(sa.String(80), comment="What the token is for")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When issued")
    last_used_at: Mapped[datetime | None] = mapped_column(Timestamp, comment="Last request with it")
    expires_at: Mapped[datetime | None] = mapped_column(Timestamp, comment="When it stops working; NULL: never")
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp, comment="When revoked; NULL if valid")

    user: Mapped[User] = relationship()


sso_group_unit = sa.Table(
    "sso_group_unit",
    db.metadata,
    sa.Column("mapping_id", sa.ForeignKey("sso_group_mapping.id", ondelete="CASCADE"), primary_key=True,
              comment="Group mapping"),
    sa.Column("unit_id", sa.ForeignKey("budget_unit.id"), primary_key=True, comment="Unit its members see"),
    comment="The budget units a directory group's department users see",
)


class SsoGroupMapping(OrganisationOwned, Model):
    """A directory group (a claim of the single sign-on provider) and what its members are here:
    a role and, for department users, units. The administrator keeps the table; each log-in
    through the provider sets the user's role and units from their groups."""

    __tablename__ = "sso_group_mapping"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "group_name", name="uq_sso_group_mapping_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True,
                                                 comment="The municipality whose people the group holds")
    group_name: Mapped[str] = mapped_column(sa.String(256),
                                            comment="The group as the provider names it (a claim value)")
    role: Mapped[Role] = mapped_column(enum_column(Role, "sso_group_role"), comment="The role its members get")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When added")

    units: Mapped[list[BudgetUnit]] = relationship(secondary=sso_group_unit, order_by="BudgetUnit.ansvar")
