"""Hjo kommun in the demo: a second municipality keeping a small ledger of its own in the same
deployment (administration, units, subscriptions, budgets, users), so that the pages, the
commands and the tests meet two tenants. Karlsborg's people see nothing of it, and Hjo's
nothing of Karlsborg's, except the framework contracts both are parties to.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from ledger.access.models import Role, User
from ledger.access.service import create_user
from ledger.budgets.models import Budget
from ledger.core.categories import BudgetCategory
from ledger.core.money import split
from ledger.database import db
from ledger.demo import data
from ledger.inventory.models import Assignment, Subscription, SubscriptionKind
from ledger.organisation.models import Administration, BudgetUnit, Organisation, Supplier, UnitMembership


def load_hjo(mobile_operator: Supplier, year: int, counts: dict[str, int]) -> Organisation:
    """Hjo's ledger, whatever of it is missing (``counts`` says what was added)."""
    hjo = db.session.scalar(sa.select(Organisation).where(Organisation.organisation_number == data.PARTNERS[1][1]))
    assert hjo is not None, "Hjo is one of the demo's partners"
    hjo.keeps_ledger = True
    units = _units(hjo, counts)
    _subscriptions(hjo, units, mobile_operator, counts)
    _budgets(hjo, units, year, counts)
    _users(hjo, counts)
    db.session.flush()
    return hjo


def _add(counts: dict[str, int], what: str, row: object) -> None:
    db.session.add(row)
    counts[what] = counts.get(what, 0) + 1


def _units(hjo: Organisation, counts: dict[str, int]) -> dict[str, BudgetUnit]:
    code, name = data.HJO_ADMINISTRATION
    administration = db.session.scalar(sa.select(Administration).filter_by(organisation_id=hjo.id, code=code))
    if administration is None:
        administration = Administration(organisation_id=hjo.id, code=code, name=name)
        _add(counts, "administrations", administration)
        db.session.flush()
    units: dict[str, BudgetUnit] = {}
    for ansvar, unit_name, carries_switchboard, _phones in data.HJO_UNITS:
        unit = db.session.scalar(sa.select(BudgetUnit).filter_by(organisation_id=hjo.id, ansvar=ansvar))
        if unit is None:
            unit = BudgetUnit(organisation_id=hjo.id, administration_id=administration.id, ansvar=ansvar,
                              name=unit_name, carries_switchboard=carries_switchboard, activity_code=ansvar[:2] + "0")
            _add(counts, "budget_units", unit)
            db.session.flush()
            db.session.add(UnitMembership(organisation_id=hjo.id, unit_id=unit.id,
                                          administration_id=administration.id, valid_from=unit.opened_on))
        units[ansvar] = unit
    return units


def _subscriptions(hjo: Organisation, units: dict[str, BudgetUnit], operator: Supplier,
                   counts: dict[str, int]) -> None:
    serial = 0
    for ansvar, _name, _switchboard, phones in data.HJO_UNITS:
        for _ in range(phones):
            serial += 1
            number = f"{data.HJO_NUMBER_PREFIX}{serial:03d}"
            if db.session.scalar(sa.select(Subscription.id).filter_by(organisation_id=hjo.id, number=number)):
                continue
            subscription = Subscription(organisation_id=hjo.id, number=number, kind=SubscriptionKind.MOBILE_VOICE,
                                        supplier_id=operator.id, start_date=date(2024, 1, 1))
            _add(counts, "subscriptions", subscription)
            db.session.flush()
            db.session.add(Assignment(organisation_id=hjo.id, asset_id=subscription.id, unit_id=units[ansvar].id,
                                      valid_from=subscription.start_date))


def _budgets(hjo: Organisation, units: dict[str, BudgetUnit], year: int, counts: dict[str, int]) -> None:
    if db.session.scalar(sa.select(Budget.id).filter_by(organisation_id=hjo.id, year=year).limit(1)):
        return
    for ansvar, _name, _switchboard, phones in data.HJO_UNITS:
        yearly = Decimal(phones * 12 * 175)
        for month, part in enumerate(split(yearly, [1] * 12), start=1):
            _add(counts, "budget_rows", Budget(organisation_id=hjo.id, unit_id=units[ansvar].id, year=year,
                                               month=month, category=BudgetCategory.SUBSCRIPTIONS, amount=part))


def _users(hjo: Organisation, counts: dict[str, int]) -> None:
    for ansvar, username, display_name, role in data.HJO_USERS:
        if db.session.scalar(sa.select(User.id).where(User.username == username)) is None:
            create_user(None, organisation_id=hjo.id, username=username, password=data.DEMO_PASSWORD,
                        role=Role(role), display_name=display_name, unit_codes=ansvar)
            counts["users"] = counts.get("users", 0) + 1
