"""Factories for the inventory tests: an operator, subscriptions and handsets with their
assignments, closed periods. Import the fixtures into a test module with
``from tests.inventory_fixtures import *  # noqa: F403``."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

import pytest
import sqlalchemy as sa
from stdnum import luhn

from ledger.allocation.models import Period, PeriodStatus
from ledger.audit.models import AuditEvent
from ledger.inventory.assignments import add_assignment
from ledger.inventory.models import Asset, Assignment, Handset, HandsetStatus, Subscription, SubscriptionKind
from ledger.organisation.models import Supplier

__all__ = ["OPERATOR_ORGNR", "OTHER_ORGNR", "audit_actions", "count", "inventory", "make_imei", "operator"]

#: A fictional operator with a valid organisationsnummer check digit.
OPERATOR_ORGNR = "556900-0010"
OTHER_ORGNR = "556900-0028"
A = TypeVar("A", bound=Asset)


def make_imei(serial: int, tac: str = "35332011") -> str:
    body = f"{tac}{serial:06d}"
    return body + luhn.calc_check_digit(body)




def count(db, model: type) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(model))


def audit_actions(db, action: str | None = None) -> list[AuditEvent]:
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.scalars(query))


@pytest.fixture
def operator(db, org) -> Supplier:
    supplier = Supplier(name="Telia Sverige AB (demo)", organisation_number=OPERATOR_ORGNR)
    other = Supplier(name="Tre Företag (demo)", organisation_number=OTHER_ORGNR)
    db.add_all([supplier, other])
    db.commit()
    return supplier


class Inventory:
    """``inventory.subscription("070-111 22 33", unit=org.forskola, start=date(...))`` and friends."""

    def __init__(self, db, org, supplier: Supplier) -> None:
        self.db, self.org, self.supplier = db, org, supplier

    def subscription(self, number: str, unit=None, start: date = date(2025, 1, 1), *,
                     kind: SubscriptionKind = SubscriptionKind.MOBILE_VOICE, end: date | None = None,
                     commit: bool = True, **values) -> Subscription:
        from ledger.core.identifiers import phone_number

        return self._store(Subscription(organisation_id=self.org.id, number=phone_number(number), kind=kind,
                                        supplier_id=self.supplier.id, start_date=start, end_date=end, **values),
                           unit, start, commit)

    def handset(self, serial: int, unit=None, start: date = date(2025, 1, 1), *, model: str = "Doro 8100",
                status: HandsetStatus = HandsetStatus.IN_USE, commit: bool = True, **values) -> Handset:
        return self._store(Handset(organisation_id=self.org.id, imei=make_imei(serial), model=model, status=status,
                                   purchase_date=start, **values), unit, start, commit)

    def _store(self, asset: A, unit, start: date, commit: bool) -> A:
        self.db.add(asset)
        self.db.flush()
        if unit is not None:
            add_assignment(None, asset, unit, start)
        if commit:
            self.db.commit()
        return asset

    def close_period(self, period: str) -> Period:
        row = Period(organisation_id=self.org.id, period=period, status=PeriodStatus.CLOSED)
        self.db.add(row)
        self.db.commit()
        return row

    def history(self, asset) -> list[tuple[str, date, date | None]]:
        rows = self.db.scalars(sa.select(Assignment).where(Assignment.asset_id == asset.id)
                               .order_by(Assignment.valid_from))
        return [(row.unit.ansvar, row.valid_from, row.valid_to) for row in rows]


@pytest.fixture
def inventory(db, org, operator) -> Inventory:
    return Inventory(db, org, operator)


