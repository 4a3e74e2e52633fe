"""Hjo kommun in the demo: a second municipality keeping a small ledger of its own in the same
deployment (administration, units, subscriptions, budgets, users), so that the pages, the
commands and the tests meet two tenants. Karlsborg's people see nothing of it, and Hjo's
nothing of Karlsborg's, except the framework contracts both are parties to.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
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


def load_hjo_invoices(mobile_operator: Supplier, today: date) -> tuple[int, int, int]:
    """Hjo's own costs: the mobile operator's invoice of each month so far, imported through
    the same path as finance's uploads, allocated, and the months before last closed, as
    Karlsborg's are. Returns (files imported, lines, journal entries written). Hjo's invoices
    to Karlsborg for its operators are in Karlsborg's ledger (``ledger.demo.invoices``); those
    to Tibro are not here, as Tibro keeps no ledger in this deployment."""
    from ledger.allocation import periods
    from ledger.allocation.engine import allocate

    hjo = db.session.scalar(sa.select(Organisation).where(Organisation.organisation_number == data.PARTNERS[1][1]))
    assert hjo is not None and hjo.keeps_ledger, "load_hjo first"
    subscriptions = db.session.scalars(sa.select(Subscription).filter_by(organisation_id=hjo.id)
                                       .order_by(Subscription.number)).all()
    files = lines = entries = 0
    for month in range(1, today.month + 1):
        imported = _import_month(hjo, mobile_operator, list(subscriptions), today.year, month, today)
        files, lines = files + (imported > 0), lines + imported
        result = allocate(None, hjo, f"{today.year}-{month:02d}")
        entries += result.entries + result.reversals
    for month in range(1, today.month - 1):
        period = periods.get_or_open(hjo.id, f"{today.year}-{month:02d}")
        if period.status.value == "open":
            periods.close(None, hjo.id, period.period)
    return files, lines, entries


def _import_month(hjo: Organisation, operator: Supplier, subscriptions: list[Subscription], year: int, month: int,
                  today: date) -> int:
    """One month's invoice: a fee per number in advance and the previous month's calls."""
    from importers.ubl_writer import DraftInvoice, DraftLine, Party, write_invoice
    from ledger.demo.invoices import ONE, PRICES, month_bounds
    from ledger.invoices.importing import import_file
    from ledger.invoices.models import ImportStatus

    first, last = month_bounds(year, month)
    previous = month_bounds(year - (month == 1), 12 if month == 1 else month - 1)
    rng = random.Random(f"hjo invoices {year}-{month:02d}")
    lines = []
    for subscription in subscriptions:
        lines.append(DraftLine("Abonnemang Obegränsad", ONE, PRICES["MOB-OBG"], "MON", "MOB-OBG",
                               subscription.number, period=(first, last)))
        if month > 1:
            lines.append(DraftLine("Samtal inom Sverige", Decimal(rng.randint(20, 300)), PRICES["MOB-SAMTAL"],
                                   "MIN", "MOB-SAMTAL", subscription.number, period=previous))
    number = f"DM-HJO-{year}{month:02d}"
    issued = min(first + timedelta(days=4), today)
    draft = DraftInvoice(number, issued, Party(operator.name, operator.organisation_number),
                         Party(hjo.name, hjo.organisation_number), lines, due_date=issued + timedelta(days=30),
                         period=(first, last))
    outcome = import_file(None, hjo, write_invoice(draft), f"{number}.xml")
    if outcome.status == ImportStatus.REJECTED:
        raise RuntimeError(f"demo invoice {number} was rejected: {outcome.errors}")
    return outcome.lines if outcome.status == ImportStatus.IMPORTED else 0
