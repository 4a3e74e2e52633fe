"""Budgets per unit, year and category, phased by month; every change kept (who, when, old, new)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from importers.csv_spec import detect_encoding
from ledger.access.models import User
from ledger.access.permissions import ensure_unit_visible
from ledger.budgets.models import Budget, BudgetChange
from ledger.core.categories import BudgetCategory
from ledger.core.errors import LedgerError, ValidationFailed
from ledger.core.money import AmountError, is_ore_exact, parse_amount, split
from ledger.core.text import N_
from ledger.database import db
from ledger.organisation.models import BudgetUnit

MONTHS = range(1, 13)


def allowed_categories(unit: BudgetUnit) -> tuple[BudgetCategory, ...]:
    """Switchboard is budgeted only by the unit that carries it and by fee-funded units."""
    if unit.carries_switchboard or unit.fee_funded:
        return tuple(BudgetCategory)
    return (BudgetCategory.EQUIPMENT, BudgetCategory.SUBSCRIPTIONS)


def phase(annual: Decimal, weights: Sequence[int | Decimal] | None = None) -> list[Decimal]:
    """Twelve monthly amounts that sum exactly to ``annual`` (even unless weights are given)."""
    return split(annual, list(weights) if weights else [1] * 12)


def budget_of(unit: BudgetUnit, year: int) -> dict[BudgetCategory, list[Decimal]]:
    """The unit's twelve monthly amounts per category (zeros where nothing is budgeted)."""
    result = {c: [Decimal("0.00")] * 12 for c in allowed_categories(unit)}
    for category, month, amount in db.session.execute(
        sa.select(Budget.category, Budget.month, Budget.amount).where(Budget.unit_id == unit.id, Budget.year == year)
    ):
        result.setdefault(category, [Decimal("0.00")] * 12)[month - 1] = amount
    return result


def set_budget(actor: User, unit: BudgetUnit, year: int, category: BudgetCategory, months: Sequence[Decimal],
               source: str = "form") -> int:
    """Set the twelve months of one category; returns how many months changed. History is kept."""
    ensure_unit_visible(actor, unit)
    if category not in allowed_categories(unit):
        raise ValidationFailed(N_("%(ansvar)s does not budget for switchboard: only the unit that carries "
                                  "switchboard costs and fee-funded units do"), ansvar=unit.ansvar)
    if len(months) != 12:
        raise ValidationFailed(N_("a budget needs twelve monthly amounts"))
    for month, amount in zip(MONTHS, months, strict=True):
        if amount < 0 or not is_ore_exact(amount):
            raise ValidationFailed(N_("month %(month)s: %(amount)s is not an amount in whole öre ≥ 0"), month=month,
                                   amount=str(amount))
    existing = {row.month: row for row in db.session.scalars(sa.select(Budget).where(
        Budget.unit_id == unit.id, Budget.year == year, Budget.category == category))}
    changed = 0
    for month, amount in zip(MONTHS, months, strict=True):
        row = existing.get(month)
        old = row.amount if row else None
        if old == amount:
            continue
        if row is None:
            db.session.add(Budget(organisation_id=unit.organisation_id, unit_id=unit.id, year=year, month=month,
                                  category=category, amount=amount))
        else:
            row.amount = amount
        db.session.add(BudgetChange(organisation_id=unit.organisation_id, unit_id=unit.id, year=year, month=month,
                                    category=category, old_amount=old, new_amount=amount,
                                    changed_by_id=actor.id, source=source))
        changed += 1
    db.session.flush()
    return changed


def history(unit: BudgetUnit, year: int) -> list[BudgetChange]:
    return list(db.session.scalars(sa.select(BudgetChange).where(
        BudgetChange.unit_id == unit.id, BudgetChange.year == year).order_by(BudgetChange.id.desc())))


@dataclass
class BudgetImport:
    """What a budget CSV did (or would do): rows read, months changed, errors by line."""

    rows: int = 0
    changed: int = 0
    errors: list[dict[str, object]] = field(default_factory=list)


CSV_CATEGORY = {"utrustning": BudgetCategory.EQUIPMENT, "equipment": BudgetCategory.EQUIPMENT,
                "abonnemang": BudgetCategory.SUBSCRIPTIONS, "subscriptions": BudgetCategory.SUBSCRIPTIONS,
                "växel": BudgetCategory.SWITCHBOARD, "switchboard": BudgetCategory.SWITCHBOARD}
MONTH_COLUMNS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def import_csv(actor: User, data: bytes, filename: str) -> BudgetImport:
    """``Ansvar;År;Kategori;Belopp`` (phased evenly) or with ``Jan;…;Dec`` columns instead of
    ``Belopp``. ``;`` separated, decimal comma. Any error: nothing is stored (the caller rolls back)."""
    from ledger.organisation.service import get_unit

    result = BudgetImport()
    text = data.decode(detect_encoding(data))
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    header = [h.strip().lower() for h in next(reader, [])]
    needed = {"ansvar", "år", "kategori"}
    if not needed <= set(header) or not ("belopp" in header or set(MONTH_COLUMNS) <= set(header)):
        raise ValidationFailed(N_("%(file)s: line 1 must name Ansvar;År;Kategori and Belopp or Jan…Dec"),
                               file=filename)
    column = {name: header.index(name) for name in header}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        result.rows += 1
        try:
            unit = get_unit(actor, cells[column["ansvar"]].strip())
            year = int(cells[column["år"]])
            category = CSV_CATEGORY[cells[column["kategori"]].strip().lower()]
            if "belopp" in column:
                months = phase(parse_amount(cells[column["belopp"]]))
            else:
                months = [parse_amount(cells[column[m]]) for m in MONTH_COLUMNS]
            result.changed += set_budget(actor, unit, year, category, months, source="csv")
        except (KeyError, IndexError, ValueError, AmountError) as error:
            result.errors.append({"line": line, "field": "row", "message": f"not understood: {error}"})
        except LedgerError as error:
            result.errors.append({"line": line, "field": "row", "message": error.message})
    return result
