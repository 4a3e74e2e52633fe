"""Budgets per unit, year, category and month."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.core.categories import BudgetCategory
from ledger.database import Model
from ledger.database.tenancy import OrganisationOwned
from ledger.database.types import Money, Timestamp, enum_column, utcnow


class _UnitMonth(OrganisationOwned):
    """What a budget month and a change to it both name: the unit, the year and the month (the
    columns come first in the table, as ``sort_order`` says)."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), comment="The municipality it belongs to", sort_order=-1
    )
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_unit.id"), index=True, comment="Unit", sort_order=-1)
    year: Mapped[int] = mapped_column(comment="Budget year", sort_order=-1)
    month: Mapped[int] = mapped_column(comment="1–12", sort_order=-1)


class Budget(_UnitMonth, Model):
    """A month's budget for one unit and category; the year's budget is the sum of 12 rows."""

    __tablename__ = "budget"
    __table_args__ = (
        sa.UniqueConstraint("unit_id", "year", "category", "month", name="uq_budget_month"),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
        sa.CheckConstraint("amount_ore >= 0", name="not_negative"),
    )

    category: Mapped[BudgetCategory] = mapped_column(
        enum_column(BudgetCategory, "budget_category"), comment="equipment, subscriptions, switchboard"
    )
    amount: Mapped[Decimal] = mapped_column("amount_ore", Money, comment="Budget excl. VAT, in öre")


class BudgetChange(_UnitMonth, Model):
    """Every change to a budget month, kept: who, when, the old and the new amount."""

    __tablename__ = "budget_change"

    category: Mapped[BudgetCategory] = mapped_column(
        enum_column(BudgetCategory, "budget_change_category"), comment="Budget category"
    )
    old_amount: Mapped[Decimal | None] = mapped_column("old_amount_ore", Money, comment="Before (NULL: new)")
    new_amount: Mapped[Decimal] = mapped_column("new_amount_ore", Money, comment="After")
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), comment="Who")
    changed_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When")
    source: Mapped[str] = mapped_column(sa.String(16), default="form", comment="form, csv or api")
