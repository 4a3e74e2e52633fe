"""The coverage check: what the register does not map today. Active subscriptions assigned to
no unit, assignments running past their unit's closing day, and handsets in use assigned to no
unit; the total should be zero, or some costs have nowhere to go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ledger.access.models import User
from ledger.core.text import N_, Said
from ledger.database import db
from ledger.inventory.models import Asset, Assignment, Handset, HandsetStatus, Subscription
from ledger.inventory.register import assigned, day_of
from ledger.organisation.models import BudgetUnit


@dataclass(frozen=True, slots=True)
class Gap:
    """One thing the register does not map: what, which asset, and why."""

    kind: str  # subscription_unassigned, assigned_to_closed_unit, handset_unassigned
    asset: str  # number or IMEI
    asset_type: str  # subscription or handset
    asset_id: int
    reason: Said  #: the English sentence, with its catalogue text and values for a page
    unit: str | None = None
    closed_on: date | None = None
    valid_from: date | None = None


@dataclass(frozen=True, slots=True)
class CoverageReport:
    day: date
    subscriptions_unassigned: list[Gap]
    assigned_to_closed_units: list[Gap]
    handsets_unassigned: list[Gap]

    @property
    def total(self) -> int:
        return len(self.subscriptions_unassigned) + len(self.assigned_to_closed_units) + len(self.handsets_unassigned)

    @property
    def gaps(self) -> list[Gap]:
        return self.subscriptions_unassigned + self.assigned_to_closed_units + self.handsets_unassigned


def _gap(kind: str, asset: Asset, reason: Said, **details: Any) -> Gap:
    return Gap(kind, asset.describe(), asset.type.value, asset.id, reason, **details)


def coverage(user: User, today: date | None = None) -> CoverageReport:
    """What is not mapped today: active subscriptions with no assignment, assignments running
    past their unit's closing day, handsets in use with no unit. The total should be zero."""
    day = day_of(today)
    org = user.organisation_id
    return CoverageReport(day, _subscriptions_unassigned(org, day), _assigned_to_closed_units(org),
                          _handsets_unassigned(org, day))


def _subscriptions_unassigned(organisation_id: int, day: date) -> list[Gap]:
    rows = db.session.scalars(
        sa.select(Subscription)
        .where(Subscription.organisation_id == organisation_id, Subscription.start_date <= day,
               sa.or_(Subscription.end_date.is_(None), Subscription.end_date >= day),
               ~assigned(Assignment.in_force_on(day)))
        .order_by(Subscription.number)
    )
    return [_gap("subscription_unassigned", s, Said.of(N_("active since %(day)s but assigned to no unit today"),
                                                       day=s.start_date)) for s in rows]


def _assigned_to_closed_units(organisation_id: int) -> list[Gap]:
    rows = db.session.scalars(
        sa.select(Assignment)
        .join(BudgetUnit, BudgetUnit.id == Assignment.unit_id)
        .where(Assignment.organisation_id == organisation_id, BudgetUnit.closed_on.is_not(None),
               Assignment.not_ended_by(BudgetUnit.closed_on))
        .options(joinedload(Assignment.unit), joinedload(Assignment.asset))
        .order_by(BudgetUnit.ansvar, Assignment.valid_from)
    )
    return [_closed_unit_gap(row) for row in rows]


def _closed_unit_gap(row: Assignment) -> Gap:
    closed_on = row.unit.closed_on
    assert closed_on is not None  # the query reads only units with a closing day
    return _gap("assigned_to_closed_unit", row.asset,
                Said.of(N_("assigned to %(ansvar)s beyond its closing day %(day)s"), ansvar=row.unit.ansvar,
                        day=closed_on),
                unit=row.unit.ansvar, closed_on=closed_on, valid_from=row.valid_from)


def _handsets_unassigned(organisation_id: int, day: date) -> list[Gap]:
    rows = db.session.scalars(
        sa.select(Handset)
        .where(Handset.organisation_id == organisation_id, Handset.status == HandsetStatus.IN_USE,
               ~assigned(Assignment.in_force_on(day)))
        .order_by(Handset.imei)
    )
    in_use = N_("%(model)s is in use but assigned to no unit today")
    return [_gap("handset_unassigned", h, Said.of(in_use, model=h.model)) for h in rows]
