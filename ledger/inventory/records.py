"""What a reader sees of an asset: a subscription or handset with its operator, its handset
or subscriptions, the unit it belongs to today and its assignment history.

Records are built for many assets at once, with a fixed number of batched look-ups, never one
query per asset (a search page shows fifty).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ledger.database import db
from ledger.inventory.models import Assignment, Handset, Subscription
from ledger.inventory.register import day_of
from ledger.organisation.models import BudgetUnit, Supplier
from ledger.procurement.models import FrameworkContract

M = TypeVar("M", Supplier, Handset)


@dataclass(frozen=True, slots=True)
class SubscriptionRecord:
    """A subscription with what a reader needs beside it: operator, handset, unit now, history."""

    subscription: Subscription
    supplier: Supplier | None
    handset: Handset | None
    unit: BudgetUnit | None
    history: list[Assignment]

    @property
    def status(self) -> str:
        return subscription_status(self.subscription)


@dataclass(frozen=True, slots=True)
class HandsetRecord:
    handset: Handset
    unit: BudgetUnit | None
    history: list[Assignment]
    subscriptions: list[Subscription]
    supplier: Supplier | None


def subscription_status(sub: Subscription, today: date | None = None) -> str:
    """``active`` until the end date has passed, then ``ended`` (``upcoming`` before the start)."""
    day = day_of(today)
    if sub.end_date is not None and sub.end_date < day:
        return "ended"
    if sub.start_date > day:
        return "upcoming"
    return "active"


def _current(history: Iterable[Assignment], day: date) -> BudgetUnit | None:
    for row in history:
        if row.in_force_on(day):
            return row.unit
    return None


def _by_id(model: type[M], ids: set[int]) -> dict[int, M]:
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(sa.select(model).where(model.id.in_(ids)))}


def subscription_records(subs: list[Subscription], today: date | None = None) -> list[SubscriptionRecord]:
    """Records for ``subs`` with three batched look-ups, never one per subscription."""
    day = day_of(today)
    suppliers = _by_id(Supplier, {s.supplier_id for s in subs})
    handsets = _by_id(Handset, {s.handset_id for s in subs if s.handset_id})
    history = _histories([s.id for s in subs])
    return [
        SubscriptionRecord(s, suppliers.get(s.supplier_id), handsets.get(s.handset_id) if s.handset_id else None,
                           _current(history.get(s.id, []), day), history.get(s.id, []))
        for s in subs
    ]


def handset_records(handsets: list[Handset], today: date | None = None) -> list[HandsetRecord]:
    day = day_of(today)
    ids = [h.id for h in handsets]
    subs = _subscriptions_in(ids)
    suppliers = _contract_suppliers({h.contract_id for h in handsets if h.contract_id})
    history = _histories(ids)
    return [
        HandsetRecord(h, _current(history.get(h.id, []), day), history.get(h.id, []), subs.get(h.id, []),
                      suppliers.get(h.contract_id) if h.contract_id else None)
        for h in handsets
    ]


def _subscriptions_in(handset_ids: list[int]) -> dict[int, list[Subscription]]:
    """The subscriptions whose SIM sits in each handset, by number."""
    subs: dict[int, list[Subscription]] = {}
    if handset_ids:
        for sub in db.session.scalars(
            sa.select(Subscription).where(Subscription.handset_id.in_(handset_ids)).order_by(Subscription.number)
        ):
            subs.setdefault(sub.handset_id or 0, []).append(sub)
    return subs


def _contract_suppliers(contract_ids: set[int]) -> dict[int, Supplier]:
    """The supplier of each framework contract a handset was bought on."""
    if not contract_ids:
        return {}
    rows = db.session.execute(
        sa.select(FrameworkContract.id, Supplier)
        .join(Supplier, Supplier.id == FrameworkContract.supplier_id)
        .where(FrameworkContract.id.in_(contract_ids))
    )
    return {contract_id: supplier for contract_id, supplier in rows}


def _histories(ids: list[int]) -> dict[int, list[Assignment]]:
    """The assignment history of each asset in ``ids``, oldest first, in one query."""
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(Assignment)
        .where(Assignment.asset_id.in_(ids))
        .options(joinedload(Assignment.unit).joinedload(BudgetUnit.administration))
        .order_by(Assignment.valid_from)
    )
    result: dict[int, list[Assignment]] = {}
    for row in rows:
        result.setdefault(row.asset_id, []).append(row)
    return result


def subscription_record(sub: Subscription, today: date | None = None) -> SubscriptionRecord:
    return subscription_records([sub], today)[0]


def handset_record(handset: Handset, today: date | None = None) -> HandsetRecord:
    return handset_records([handset], today)[0]
