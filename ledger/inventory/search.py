"""Searching the register: subscriptions and handsets by number, IMEI, unit, operator, status
and free text, a page at a time, limited to what the user may see; and IT's list of shared
phones outside MDM."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute

from ledger.access.models import User
from ledger.access.permissions import visible_only
from ledger.core.identifiers import IdentifierError, organisation_number, phone_number
from ledger.core.paging import Page
from ledger.core.text import N_
from ledger.database import db
from ledger.inventory.models import Asset, Assignment, Handset, HandsetStatus, Subscription, SubscriptionKind
from ledger.inventory.records import HandsetRecord, handset_records, subscription_records
from ledger.inventory.register import assigned, day_of, invalid, scope_clause
from ledger.organisation.models import BudgetUnit, Supplier
from ledger.procurement.models import FrameworkContract

A = TypeVar("A", bound=Asset)


@dataclass(frozen=True, slots=True)
class Search:
    """What to look for. Every field is optional; text fields match as users type them."""

    number: str | None = None
    imei: str | None = None
    unit: str | None = None
    supplier: str | None = None
    status: str | None = None
    kind: str | None = None
    q: str | None = None
    shared: bool | None = None
    mdm_enrolled: bool | None = None
    on: date | None = None


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def number_clause(text: str) -> sa.ColumnElement[bool]:
    """A full number in any Swedish notation matches exactly; a fragment matches its digits."""
    try:
        return Subscription.number == phone_number(text)
    except IdentifierError:
        found = digits(text)
        if not found:
            return sa.false()
        if found.startswith("0") and not found.startswith("00"):
            found = "46" + found[1:]  # national trunk prefix → country code, as stored
        return Subscription.number.contains(found, autoescape=True)


def _unit_clause(organisation_id: int, code: str, day: date) -> sa.ColumnElement[bool]:
    return assigned(Assignment.in_force_on(day), Assignment.unit_id == BudgetUnit.id,
                    BudgetUnit.organisation_id == organisation_id, BudgetUnit.ansvar == code.strip())


def _supplier_match(text: str) -> sa.ColumnElement[bool]:
    try:
        return Supplier.organisation_number == organisation_number(text)
    except IdentifierError:
        return Supplier.name.ilike(f"%{text.strip()}%")


def _visible(user: User, model: type[A], search: Search, day: date) -> sa.Select[tuple[A]]:
    """The organisation's assets of ``model`` the user may see; at ``search.unit`` when asked."""
    query = sa.select(model).where(model.organisation_id == user.organisation_id)
    query = visible_only(query, user, lambda scope: scope_clause(scope, day))
    if search.unit:
        query = query.where(_unit_clause(user.organisation_id, search.unit, search.on or day))
    return query


def _text(query: sa.Select[tuple[A]], text: str | None, *columns: QueryableAttribute[Any]) -> sa.Select[tuple[A]]:
    """Free text: any of ``columns`` contains it."""
    if not text:
        return query
    pattern = f"%{text.strip()}%"
    return query.where(sa.or_(*(column.ilike(pattern) for column in columns)))


def subscriptions_found(user: User, search: Search, day: date) -> sa.Select[tuple[Subscription]]:
    """The query of the subscriptions ``search`` finds on ``day``, unordered."""
    query = _visible(user, Subscription, search, day)
    if search.number:
        query = query.where(number_clause(search.number))
    if search.imei:
        query = query.where(Subscription.handset_id.in_(
            sa.select(Handset.id).where(Handset.organisation_id == user.organisation_id,
                                        Handset.imei.startswith(digits(search.imei), autoescape=True))))
    if search.supplier:
        suppliers = sa.select(Supplier.id).where(_supplier_match(search.supplier))
        query = query.where(Subscription.supplier_id.in_(suppliers))
    query = _subscription_status(query, search.status, day)
    if search.kind:
        try:
            query = query.where(Subscription.kind == SubscriptionKind(search.kind))
        except ValueError:
            raise invalid("kind", N_("Unknown kind %(kind)s"), kind=repr(search.kind)) from None
    return _text(query, search.q, Subscription.label, Subscription.holder_name, Subscription.operator_reference,
                 Subscription.extension)


def _subscription_status(query: sa.Select[tuple[Subscription]], status: str | None, day: date
                         ) -> sa.Select[tuple[Subscription]]:
    if status == "active":
        return query.where(sa.or_(Subscription.end_date.is_(None), Subscription.end_date >= day))
    if status == "ended":
        return query.where(Subscription.end_date < day)
    if status:
        raise invalid("status", N_("Unknown status %(status)s; use active or ended"), status=repr(status))
    return query


def handsets_found(user: User, search: Search, day: date) -> sa.Select[tuple[Handset]]:
    """The query of the handsets ``search`` finds on ``day``, unordered."""
    query = _visible(user, Handset, search, day)
    if search.imei:
        query = query.where(Handset.imei.startswith(digits(search.imei), autoescape=True))
    if search.number:
        query = query.where(Handset.id.in_(
            sa.select(Subscription.handset_id).where(Subscription.organisation_id == user.organisation_id,
                                                     number_clause(search.number))))
    if search.supplier:
        query = query.where(Handset.contract_id.in_(
            sa.select(FrameworkContract.id).join(Supplier, Supplier.id == FrameworkContract.supplier_id)
            .where(_supplier_match(search.supplier))))
    if search.status:
        try:
            query = query.where(Handset.status == HandsetStatus(search.status))
        except ValueError:
            raise invalid("status", N_("Unknown status %(status)s"), status=repr(search.status)) from None
    if search.shared is not None:
        query = query.where(Handset.shared.is_(search.shared))
    if search.mdm_enrolled is not None:
        query = query.where(Handset.mdm_enrolled.is_(search.mdm_enrolled))
    return _text(query, search.q, Handset.model, Handset.shared_label)


def _page(query: sa.Select[tuple[A]], order: Sequence[Any], page: int, per_page: int,
          build: Callable[[list[A]], list[Any]]) -> Page:
    """A page past the end is the last one."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
    page = min(page, max(1, -(-total // per_page)))
    rows = list(db.session.scalars(query.order_by(*order).limit(per_page).offset((page - 1) * per_page)))
    return Page(build(rows), total, page, per_page)


def _found_page(found: Callable[[User, Search, date], sa.Select[tuple[A]]],
                records: Callable[[list[A], date], list[Any]], user: User, search: Search, page: int, per_page: int,
                today: date | None, order: Sequence[Any]) -> Page:
    """One page of the assets ``found`` selects on the day (today unless told), in ``order``."""
    day = day_of(today)
    return _page(found(user, search, day), order, page, per_page, lambda rows: records(rows, day))


def search_subscriptions(user: User, search: Search, page: int = 1, per_page: int = 50,
                         today: date | None = None, order: Sequence[Any] = ()) -> Page:
    """One page of the subscriptions ``search`` finds, in ``order`` (by number unless told)."""
    return _found_page(subscriptions_found, subscription_records, user, search, page, per_page, today,
                       order or [Subscription.number])


def search_handsets(user: User, search: Search, page: int = 1, per_page: int = 50,
                    today: date | None = None, order: Sequence[Any] = ()) -> Page:
    """One page of the handsets ``search`` finds, in ``order`` (by IMEI unless told)."""
    return _found_page(handsets_found, handset_records, user, search, page, per_page, today, order or [Handset.imei])


def unit_code_on(asset: Any, day: date) -> sa.ScalarSelect[Any]:
    """The ansvar of the unit ``asset`` (a model's id column's owner) is assigned to on ``day``,
    as a value to sort by."""
    return (sa.select(BudgetUnit.ansvar).join(Assignment, Assignment.unit_id == BudgetUnit.id)
            .where(Assignment.asset_id == asset.id, Assignment.in_force_on(day)).limit(1).scalar_subquery())


def supplier_name_of(subscription: type[Subscription]) -> sa.ScalarSelect[Any]:
    """The subscription's operator's name, as a value to sort by."""
    return sa.select(Supplier.name).where(Supplier.id == subscription.supplier_id).scalar_subquery()


def shared_not_enrolled(user: User, today: date | None = None) -> list[HandsetRecord]:
    """For IT: shared phones (verksamhetstelefoner) in use or in stock that are not in MDM."""
    day = day_of(today)
    query = (
        sa.select(Handset)
        .where(Handset.organisation_id == user.organisation_id, Handset.shared.is_(True),
               Handset.mdm_enrolled.is_(False),
               Handset.status.in_([HandsetStatus.IN_USE, HandsetStatus.IN_STOCK]))
        .order_by(Handset.shared_label, Handset.imei)
    )
    query = visible_only(query, user, lambda scope: scope_clause(scope, day))
    return handset_records(list(db.session.scalars(query)), day)
