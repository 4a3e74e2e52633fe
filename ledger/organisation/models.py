"""Who is who: municipalities, their administrations and budget units, and the suppliers that invoice them."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.database import Model
from ledger.database.tenancy import OrganisationOwned
from ledger.database.types import Timestamp, utcnow
from ledger.database.validity import ValidRange


class Organisation(Model):
    """A municipality (kommun). Karlsborg keeps its ledger here; partners such as Skövde
    appear as contract parties. One deployment can hold the whole cooperation."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), comment="Name, e.g. Karlsborgs kommun")
    organisation_number: Mapped[str] = mapped_column(
        sa.String(11), unique=True, comment="Organisationsnummer NNNNNN-NNNN (Luhn-checked)"
    )
    municipality_code: Mapped[str | None] = mapped_column(
        sa.String(4), comment="Kommunkod from SCB, e.g. 1446 for Karlsborg"
    )
    keeps_ledger: Mapped[bool] = mapped_column(
        default=False, comment="True when this organisation's costs are allocated here"
    )
    counterparty_code: Mapped[str | None] = mapped_column(
        sa.String(8), comment="Motpart code in Kommun-Bas when invoicing another municipality (82)"
    )

    administrations: Mapped[list[Administration]] = relationship(back_populates="organisation")


class Administration(OrganisationOwned, Model):
    """A förvaltning, e.g. Kommunstyrelseförvaltningen."""

    __tablename__ = "administration"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "code", name="uq_administration_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True, comment="The municipality it belongs to"
    )
    code: Mapped[str] = mapped_column(sa.String(16), comment="Short code, e.g. KS, SBF")
    name: Mapped[str] = mapped_column(sa.String(120), comment="Name in Swedish")

    organisation: Mapped[Organisation] = relationship(back_populates="administrations")
    units: Mapped[list[BudgetUnit]] = relationship(
        back_populates="administration", order_by="BudgetUnit.ansvar"
    )


class BudgetUnit(OrganisationOwned, Model):
    """A budget unit (enhet / ansvar) that budgets for and carries telephony costs."""

    __tablename__ = "budget_unit"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "ansvar", name="uq_budget_unit_ansvar"),
        # At most one switchboard carrier per organisation; the service keeps it exactly one.
        sa.Index(
            "uq_budget_unit_switchboard_carrier",
            "organisation_id",
            unique=True,
            sqlite_where=sa.text("carries_switchboard"),
            postgresql_where=sa.text("carries_switchboard"),
        ),
        sa.CheckConstraint("closed_on IS NULL OR closed_on > opened_on", name="closed_after_opened"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True, comment="The municipality it belongs to"
    )
    administration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("administration.id"), index=True, comment="The förvaltning it belongs to now"
    )
    ansvar: Mapped[str] = mapped_column(sa.String(16), comment="Ansvar code (dimension 1 in SIE)")
    name: Mapped[str] = mapped_column(sa.String(120), comment="Name in Swedish")
    fee_funded: Mapped[bool] = mapped_column(
        default=False,
        comment="Intäktsfinansierad (e.g. VA, renhållning): carries its own switchboard costs",
    )
    carries_switchboard: Mapped[bool] = mapped_column(
        default=False, comment="Pays switchboard and operator services centrally (kanslienheten)"
    )
    activity_code: Mapped[str | None] = mapped_column(
        sa.String(16), comment="Verksamhet code used as the second coding dimension"
    )
    opened_on: Mapped[date] = mapped_column(
        default=date(2000, 1, 1), comment="First day the unit may carry costs"
    )
    closed_on: Mapped[date | None] = mapped_column(
        comment="First day the unit may no longer carry costs (exclusive end); NULL while open"
    )

    administration: Mapped[Administration] = relationship(back_populates="units")

    def is_open_on(self, day: date) -> bool:
        return self.opened_on <= day and (self.closed_on is None or day < self.closed_on)


class UnitMembership(OrganisationOwned, ValidRange, Model):
    """Which administration a unit belonged to when: reorganisations move units between
    förvaltningar, and past months' budgets and costs stay with the administration of then."""

    __tablename__ = "unit_membership"
    __table_args__ = (ValidRange.check(),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True, comment="The municipality it belongs to"
    )
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_unit.id"), index=True, comment="The unit")
    administration_id: Mapped[int] = mapped_column(sa.ForeignKey("administration.id"), comment="Its förvaltning")
    valid_from: Mapped[date] = mapped_column(comment="First day in that administration")
    valid_to: Mapped[date | None] = mapped_column(comment="First day no longer in it (exclusive); NULL: still")


class Supplier(Model):
    """An operator or another municipality that invoices us. Shared by every organisation."""

    __tablename__ = "supplier"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), comment="Registered name")
    organisation_number: Mapped[str] = mapped_column(
        sa.String(11), unique=True, comment="Organisationsnummer NNNNNN-NNNN; matches invoices"
    )
    peppol_id: Mapped[str | None] = mapped_column(
        sa.String(64), comment="PEPPOL participant id, e.g. 0007:5560000001"
    )
    vat_number: Mapped[str | None] = mapped_column(sa.String(20), comment="Momsregistreringsnummer")
    counterparty_code: Mapped[str | None] = mapped_column(
        sa.String(8), comment="Motpart code in Kommun-Bas (82 for another municipality)"
    )
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When registered")
