"""Budget versus actual: per unit, month and category, rolled up per administration and for
the organisation, with a forecast to year end.

Actual is what the journal booked in the month (entries and reversals net), on the unit that
carried it then; an administration's roll-up uses the administration recorded on each entry
and, for budgets, the administration the unit belonged to that month — a reorganisation does
not move past months. Forecast: the year's actual so far plus, for each month left, the
average of the last three months (one-off fees excluded from that average, since they do not
recur).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ledger.allocation import periods
from ledger.allocation.models import Balance, JournalEntry, Period
from ledger.budgets.models import Budget
from ledger.core import clock
from ledger.core.categories import BudgetCategory, Category
from ledger.core.money import ZERO, from_ore
from ledger.database import db
from ledger.database.types import raw_ore
from ledger.invoices.models import InvoiceLine
from ledger.organisation.models import Administration, BudgetUnit
from ledger.organisation.service import AdministrationHistory

BUDGET_CATEGORY = {
    Category.EQUIPMENT: BudgetCategory.EQUIPMENT,
    Category.SUBSCRIPTION: BudgetCategory.SUBSCRIPTIONS,
    Category.USAGE: BudgetCategory.SUBSCRIPTIONS,
    Category.ONE_OFF: BudgetCategory.SUBSCRIPTIONS,
    Category.OTHER: BudgetCategory.SUBSCRIPTIONS,
    Category.SWITCHBOARD_EXTENSION: BudgetCategory.SWITCHBOARD,
    Category.OPERATOR_SERVICE: BudgetCategory.SWITCHBOARD,
}
MONTHS = tuple(range(1, 13))


@dataclass
class CostTable:
    """Budget and actual per category and month for one unit, administration or organisation."""

    year: int
    current_month: int  # months after this one are the future (12 for a past year)
    budget: dict[BudgetCategory, list[Decimal]] = field(default_factory=dict)
    actual: dict[BudgetCategory, list[Decimal]] = field(default_factory=dict)
    recurring: dict[BudgetCategory, list[Decimal]] = field(default_factory=dict)

    def _row(self, table: dict[BudgetCategory, list[Decimal]], category: BudgetCategory) -> list[Decimal]:
        return table.setdefault(category, [ZERO] * 12)

    def add(self, other: CostTable) -> None:
        for mine, theirs in ((self.budget, other.budget), (self.actual, other.actual),
                             (self.recurring, other.recurring)):
            for category, months in theirs.items():
                row = self._row(mine, category)
                for index, amount in enumerate(months):
                    row[index] += amount

    @property
    def categories(self) -> list[BudgetCategory]:
        present = set(self.budget) | set(self.actual)
        return [c for c in BudgetCategory if c in present]

    def month_budget(self, month: int) -> Decimal:
        return sum((self.budget.get(c, [ZERO] * 12)[month - 1] for c in self.budget), ZERO)

    def month_actual(self, month: int) -> Decimal:
        return sum((self.actual.get(c, [ZERO] * 12)[month - 1] for c in self.actual), ZERO)

    def total_budget(self, category: BudgetCategory | None = None) -> Decimal:
        rows = [self.budget.get(category, [])] if category else list(self.budget.values())
        return sum((sum(r, ZERO) for r in rows), ZERO)

    def ytd_budget(self, category: BudgetCategory | None = None) -> Decimal:
        rows = [self.budget.get(category, [])] if category else list(self.budget.values())
        return sum((sum(r[: self.current_month], ZERO) for r in rows), ZERO)

    def ytd_actual(self, category: BudgetCategory | None = None) -> Decimal:
        rows = [self.actual.get(category, [])] if category else list(self.actual.values())
        return sum((sum(r[: self.current_month], ZERO) for r in rows), ZERO)

    def forecast(self, category: BudgetCategory | None = None) -> Decimal:
        """Actual so far plus the recent monthly run rate for each month left."""
        categories = [category] if category else self.categories
        total = ZERO
        for c in categories:
            recurring = self.recurring.get(c, [ZERO] * 12)
            window = recurring[max(0, self.current_month - 3): self.current_month]
            rate = (sum(window, ZERO) / len(window)) if window else ZERO
            total += self.ytd_actual(c) + rate * (12 - self.current_month)
        return total.quantize(Decimal("0.01"))


def _current_month(year: int, today: date) -> int:
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month


def cost_tables(organisation_id: int, year: int, today: date | None = None, *, unit_ids: set[int] | None = None,
                administrations: bool = True) -> tuple[dict[int, CostTable], dict[int, CostTable]]:
    """Per unit and per administration (the second empty unless ``administrations``): two grouped
    queries, and two more for the units' administrations when they are asked for."""
    today = today or clock.today()
    current = _current_month(year, today)
    by_unit: dict[int, CostTable] = defaultdict(lambda: CostTable(year, current))
    by_admin: dict[int, CostTable] = defaultdict(lambda: CostTable(year, current))
    administration = _administration_in(organisation_id, year, unit_ids) if administrations else None

    def tables(unit_id: int, month: int, admin_id: int | None = None) -> list[CostTable]:
        """The unit's table, and its administration's (as booked, or as it was that month)."""
        if administration is None:
            return [by_unit[unit_id]]
        return [by_unit[unit_id], by_admin[admin_id or administration(unit_id, month)]]

    for unit_id, category, month, ore in db.session.execute(_budget_query(organisation_id, year, unit_ids)):
        amount = from_ore(ore)
        for table in tables(unit_id, month):
            table._row(table.budget, category)[month - 1] += amount
    for unit_id, admin_id, period, category, ore in db.session.execute(_actual_query(organisation_id, year, unit_ids)):
        amount = from_ore(ore or 0)
        month = int(period[5:7])
        budget_category = BUDGET_CATEGORY[category]
        for table in tables(unit_id, month, admin_id):
            table._row(table.actual, budget_category)[month - 1] += amount
            if category != Category.ONE_OFF:
                table._row(table.recurring, budget_category)[month - 1] += amount
    return dict(by_unit), dict(by_admin)


def _administration_in(organisation_id: int, year: int,
                       unit_ids: set[int] | None) -> Callable[[int, int], int]:
    """Which administration a unit belonged to in a month of ``year``: as the month was closed,
    if it is; else as the history says (a later move stays out)."""
    history = AdministrationHistory(organisation_id, unit_ids)
    frozen = periods.closed_administrations(organisation_id, f"{year}-01", f"{year}-12", unit_ids)

    def administration(unit_id: int, month: int) -> int:
        as_closed = frozen.get(f"{year}-{month:02d}", {}).get(unit_id)
        return as_closed if as_closed is not None else history.on(unit_id, date(year, month, 1))

    return administration


def _budget_query(organisation_id: int, year: int, unit_ids: set[int] | None) -> sa.Select[Any]:
    query = (sa.select(Budget.unit_id, Budget.category, Budget.month, raw_ore(Budget.amount))
             .where(Budget.organisation_id == organisation_id, Budget.year == year))
    return query.where(Budget.unit_id.in_(unit_ids)) if unit_ids is not None else query


def _actual_query(organisation_id: int, year: int, unit_ids: set[int] | None) -> sa.Select[Any]:
    query = (  # the balance table: a few rows per unit and month, however long the journal
        sa.select(Balance.unit_id, Balance.administration_id, Period.period, Balance.category,
                  sa.func.sum(raw_ore(Balance.amount)))
        .join(Period, Period.id == Balance.period_id)
        .where(Balance.organisation_id == organisation_id, Period.period >= f"{year}-01",
               Period.period <= f"{year}-12")
        .group_by(Balance.unit_id, Balance.administration_id, Period.period, Balance.category)
    )
    return query.where(Balance.unit_id.in_(unit_ids)) if unit_ids is not None else query


@dataclass(frozen=True)
class Rollup:
    organisation: CostTable
    administrations: list[tuple[Administration, CostTable]]
    units: list[tuple[BudgetUnit, CostTable]]


def rollup(organisation_id: int, year: int, today: date | None = None,
           unit_ids: set[int] | None = None) -> Rollup:
    """The organisation, its administrations and its units (or only ``unit_ids``)."""
    today = today or clock.today()
    by_unit, by_admin = cost_tables(organisation_id, year, today, unit_ids=unit_ids)
    organisation = CostTable(year, _current_month(year, today))
    for table in by_unit.values():
        organisation.add(table)
    admins = db.session.scalars(sa.select(Administration).where(Administration.organisation_id == organisation_id)
                                .order_by(Administration.code)).all()
    units_query = sa.select(BudgetUnit).where(BudgetUnit.organisation_id == organisation_id).order_by(BudgetUnit.ansvar)
    if unit_ids is not None:
        units_query = units_query.where(BudgetUnit.id.in_(unit_ids))
    units = db.session.scalars(units_query).all()
    empty = CostTable(year, _current_month(year, today))
    return Rollup(
        organisation,
        [(a, by_admin.get(a.id, empty)) for a in admins if unit_ids is None or a.id in by_admin],
        [(u, by_unit.get(u.id, CostTable(year, _current_month(year, today)))) for u in units],
    )


def unit_table(unit: BudgetUnit, year: int, today: date | None = None) -> CostTable:
    by_unit, _ = cost_tables(unit.organisation_id, year, today, unit_ids={unit.id}, administrations=False)
    return by_unit.get(unit.id, CostTable(year, _current_month(year, today or clock.today())))


def entries_behind(unit: BudgetUnit, year: int, month: int, category: BudgetCategory) -> sa.Select:
    """The query for the journal entries behind one figure (for the drill-down)."""
    categories = [c for c, b in BUDGET_CATEGORY.items() if b == category]
    return (
        sa.select(JournalEntry.id)
        .join(Period, Period.id == JournalEntry.period_id)
        .join(InvoiceLine, InvoiceLine.id == JournalEntry.invoice_line_id)
        .where(JournalEntry.unit_id == unit.id, Period.period == f"{year}-{month:02d}",
               InvoiceLine.category.in_(categories))
        .order_by(JournalEntry.id)
    )
