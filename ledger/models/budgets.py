"""Budgets per unit, year, category and month."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.extensions import db
from ledger.models.enums import BudgetCategory
from ledger.models.types import Money, enum_column


class Budget(db.Model):
    """A month's budget for one unit and category; the year's budget is the sum of 12 rows."""

    __tablename__ = "budget"
    __table_args__ = (
        sa.UniqueConstraint("unit_id", "year", "category", "month", name="uq_budget_month"),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
        sa.CheckConstraint("amount_ore >= 0", name="not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), comment="The municipality it belongs to"
    )
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_unit.id"), index=True, comment="Unit")
    year: Mapped[int] = mapped_column(comment="Budget year")
    month: Mapped[int] = mapped_column(comment="1–12")
    category: Mapped[BudgetCategory] = mapped_column(
        enum_column(BudgetCategory, "budget_category"), comment="equipment, subscriptions, switchboard"
    )
    amount: Mapped[Decimal] = mapped_column("amount_ore", Money, comment="Budget excl. VAT, in öre")
