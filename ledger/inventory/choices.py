"""What the inventory's forms offer to choose from: the units an asset may move to, the
operators a subscription may be with."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ledger.access.models import User
from ledger.database import db
from ledger.inventory.register import day_of
from ledger.organisation.models import BudgetUnit, Supplier


def units_for_choice(user: User, today: date | None = None) -> list[BudgetUnit]:
    """Open units of the organisation, for a move's target (every unit, not only the user's)."""
    day = day_of(today)
    return list(db.session.scalars(
        sa.select(BudgetUnit)
        .where(BudgetUnit.organisation_id == user.organisation_id,
               sa.or_(BudgetUnit.closed_on.is_(None), BudgetUnit.closed_on > day))
        .options(selectinload(BudgetUnit.administration))
        .order_by(BudgetUnit.ansvar)
    ))


def suppliers_for_choice() -> list[Supplier]:
    return list(db.session.scalars(sa.select(Supplier).order_by(Supplier.name)))
