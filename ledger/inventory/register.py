"""The inventory register: subscriptions (abonnemang) and handsets (tjänstemobiler), as the
acting user may see them, with the policy fields the telephony policy asks for.

Which unit an asset belongs to lives in ``Assignment`` rows (``services.assignments``);
moves, reorganisations and requests are in ``services.inventory_moves``, the operator's
subscription list in ``services.inventory_import``.

Department users see an asset while it is assigned to one of their units today or later;
finance, admin, procurement and auditors see every asset of their organisation. Every
change is audited with its before and after.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload

from ledger.access.models import Role, User
from ledger.access.permissions import visible_unit_ids
from ledger.allocation.models import Period, PeriodStatus
from ledger.audit import service as audit
from ledger.core.errors import Conflict, Forbidden, NotFound, PeriodClosed, ValidationFailed
from ledger.core.identifiers import IdentifierError, organisation_number, phone_number
from ledger.core.identifiers import imei as normal_imei
from ledger.database import db
from ledger.database.types import utcnow
from ledger.inventory import assignments as assignment_service
from ledger.inventory.models import (
    Asset,
    AssetType,
    Assignment,
    Handset,
    HandsetStatus,
    Subscription,
    SubscriptionKind,
)
from ledger.organisation.models import Administration, BudgetUnit, Supplier
from ledger.procurement.models import FrameworkContract

A = TypeVar("A", bound=Asset)

#: Subscription fields a create or an edit may set (the rest are derived or have a service).
SUBSCRIPTION_FIELDS = (
    "number", "kind", "operator_reference", "extension", "supplier", "contract_id", "handset",
    "start_date", "end_date", "label", "holder_name",
    "private_use_reference", "private_use_signed_on", "private_use_signed_by",
)
HANDSET_FIELDS = (
    "imei", "model", "purchase_date", "purchase_price", "contract_id", "shared", "shared_label",
    "mdm_enrolled", "status", "status_changed_on",
)
_SUBSCRIPTION_AUDIT = [
    "number", "kind", "operator_reference", "extension", "supplier_id", "contract_id", "handset_id",
    "start_date", "end_date", "label", "holder_name",
    "private_use_reference", "private_use_signed_on", "private_use_signed_by",
]
_HANDSET_AUDIT = [
    *HANDSET_FIELDS, "reported_to_manager", "reported_to_manager_at", "loss_reported_by_id", "subscription_blocked",
]
#: Statuses only the loss report may set: it records when, to whom and whether the SIM was blocked.
LOSS_STATUSES = (HandsetStatus.LOST, HandsetStatus.STOLEN)


def _today(today: date | None) -> date:
    return today or date.today()


def invalid(field: str, message: str) -> ValidationFailed:
    """A 422 naming the field, in the details shape of the API's validation errors."""
    return ValidationFailed(message, details=[{"field": field, "messages": [message]}])


def normalise_number(value: str) -> str:
    try:
        return phone_number(value)
    except IdentifierError as error:
        raise invalid("number", str(error)) from None


def normalise_imei(value: str, field: str = "imei") -> str:
    try:
        return normal_imei(value)
    except IdentifierError as error:
        raise invalid(field, str(error)) from None


def normalise_orgnr(value: str, field: str = "supplier") -> str:
    try:
        return organisation_number(value)
    except IdentifierError as error:
        raise invalid(field, str(error)) from None


# -- scope -----------------------------------------------------------------------------------


def _kind_of(model: type[Asset]) -> AssetType:
    """``subscription`` or ``handset``: the kind of asset a model holds."""
    return AssetType(model.__mapper__.polymorphic_identity)


def covering(day: date) -> sa.ColumnElement[bool]:
    """Assignment rows in force on ``day`` (``valid_to`` is exclusive)."""
    return sa.and_(Assignment.valid_from <= day, sa.or_(Assignment.valid_to.is_(None), Assignment.valid_to > day))


def _assigned(*conditions: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """The asset of the enclosing query has an assignment that meets ``conditions``."""
    return sa.exists().where(Assignment.asset_id == Asset.id, *conditions).correlate(Asset)


def _scope_clause(scope: set[int], today: date) -> sa.ColumnElement[bool]:
    """Assets assigned to one of ``scope``'s units today or from a later day."""
    return _assigned(Assignment.unit_id.in_(sorted(scope)),
                     sa.or_(Assignment.valid_to.is_(None), Assignment.valid_to > today))


def is_asset_visible(user: User, asset: Asset, today: date | None = None) -> bool:
    if asset.organisation_id != user.organisation_id:
        return False
    scope = visible_unit_ids(user)
    if scope is None:
        return True
    return bool(db.session.scalar(
        sa.select(sa.literal(True)).where(_scope_clause(scope, _today(today)), Asset.id == asset.id)
    ))


def ensure_asset_visible(user: User, asset: Asset, today: date | None = None) -> None:
    """404 for another organisation's asset, 403 for one outside a department user's units."""
    if asset.organisation_id != user.organisation_id:
        raise NotFound(f"No {describe(asset)}")
    if not is_asset_visible(user, asset, today):
        raise Forbidden(f"{describe(asset).capitalize()} is not assigned to one of your units")


def lock_assets(ids: Iterable[int]) -> None:
    """Row locks on the assets (PostgreSQL; SQLite serialises writers anyway), taken before their
    assignments are read, so that two moves of one asset run one after the other."""
    wanted = sorted(set(ids))
    if wanted:
        db.session.execute(sa.select(Asset.id).where(Asset.id.in_(wanted)).order_by(Asset.id).with_for_update())


def describe(asset: Asset) -> str:
    """The asset with its kind: ``subscription +46…`` or ``handset IMEI …``."""
    return f"{asset.type.value} {asset.describe()}"


# -- lookups ---------------------------------------------------------------------------------


def get_asset(user: User, model: type[A], asset_id: int, today: date | None = None) -> A:
    """The organisation's subscription or handset with ``asset_id``, if the user may see it."""
    asset = db.session.get(model, asset_id)
    if asset is None or asset.organisation_id != user.organisation_id:
        raise NotFound(f"No {_kind_of(model).value} with id {asset_id}")
    ensure_asset_visible(user, asset, today)
    return asset


def get_subscription(user: User, subscription_id: int, today: date | None = None) -> Subscription:
    return get_asset(user, Subscription, subscription_id, today)


def get_handset(user: User, handset_id: int, today: date | None = None) -> Handset:
    return get_asset(user, Handset, handset_id, today)


def find_asset(user: User, *, number: str | None = None, imei: str | None = None,
               today: date | None = None) -> Asset:
    """The subscription with ``number`` or the handset with ``imei`` (exactly one given)."""
    if bool(number) == bool(imei):
        raise invalid("number", "Give either a number or an IMEI")
    model: type[Asset]
    if number:
        model, name, identifier = Subscription, "number", normalise_number(number)
    else:
        model, name, identifier = Handset, "IMEI", normalise_imei(imei or "")
    asset = db.session.scalar(sa.select(model).where(
        model.organisation_id == user.organisation_id, model.identifier == identifier))
    if asset is None:
        raise NotFound(f"No {_kind_of(model).value} with {name} {identifier}")
    ensure_asset_visible(user, asset, today)
    return asset


def unit_by_code(organisation_id: int, code: str, field: str = "unit") -> BudgetUnit:
    """A unit of the organisation by its ansvar code (404 when there is none)."""
    unit = db.session.scalar(sa.select(BudgetUnit).where(
        BudgetUnit.organisation_id == organisation_id, BudgetUnit.ansvar == code.strip()))
    if unit is None:
        raise NotFound(f"No budget unit with ansvar {code}", details=[{"field": field}])
    return unit


def supplier_by_orgnr(value: str, field: str = "supplier") -> Supplier:
    orgnr = normalise_orgnr(value, field)
    supplier = db.session.scalar(sa.select(Supplier).where(Supplier.organisation_number == orgnr))
    if supplier is None:
        raise invalid(field, f"No supplier with organisationsnummer {orgnr}; register the supplier first")
    return supplier


def ensure_period_open(organisation_id: int, day: date, what: str) -> None:
    """Refuse (409) a change effective from ``day`` when that month, or a later one, is closed:
    the change would alter which unit carried costs in a closed period (periodlåsning)."""
    closed = db.session.scalar(
        sa.select(Period.period)
        .where(Period.organisation_id == organisation_id, Period.status == PeriodStatus.CLOSED,
               Period.period >= day.strftime("%Y-%m"))
        .order_by(Period.period)
        .limit(1)
    )
    if closed is not None:
        raise PeriodClosed(
            f"Period {closed} is closed: {what} from {day.isoformat()} would change it; "
            "date the change in an open period",
            details=[{"field": "valid_from", "period": closed}],
        )


# -- read models -----------------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def subscription_status(sub: Subscription, today: date | None = None) -> str:
    """``active`` until the end date has passed, then ``ended`` (``upcoming`` before the start)."""
    day = _today(today)
    if sub.end_date is not None and sub.end_date < day:
        return "ended"
    if sub.start_date > day:
        return "upcoming"
    return "active"


def _current(history: Iterable[Assignment], day: date) -> BudgetUnit | None:
    for row in history:
        if row.covers(day):
            return row.unit
    return None


def subscription_records(subs: list[Subscription], today: date | None = None) -> list[SubscriptionRecord]:
    """Records for ``subs`` with three batched look-ups, never one per subscription."""
    day = _today(today)
    supplier_ids = {s.supplier_id for s in subs}
    handset_ids = {s.handset_id for s in subs if s.handset_id}
    suppliers = {s.id: s for s in db.session.scalars(sa.select(Supplier).where(Supplier.id.in_(supplier_ids)))} \
        if supplier_ids else {}
    handsets = {h.id: h for h in db.session.scalars(sa.select(Handset).where(Handset.id.in_(handset_ids)))} \
        if handset_ids else {}
    history = _histories([s.id for s in subs])
    return [
        SubscriptionRecord(s, suppliers.get(s.supplier_id), handsets.get(s.handset_id) if s.handset_id else None,
                           _current(history.get(s.id, []), day), history.get(s.id, []))
        for s in subs
    ]


def handset_records(handsets: list[Handset], today: date | None = None) -> list[HandsetRecord]:
    day = _today(today)
    ids = [h.id for h in handsets]
    subs: dict[int, list[Subscription]] = {}
    if ids:
        for sub in db.session.scalars(
            sa.select(Subscription).where(Subscription.handset_id.in_(ids)).order_by(Subscription.number)
        ):
            subs.setdefault(sub.handset_id or 0, []).append(sub)
    contract_ids = {h.contract_id for h in handsets if h.contract_id}
    suppliers: dict[int, Supplier] = {}
    if contract_ids:
        rows = db.session.execute(
            sa.select(FrameworkContract.id, Supplier)
            .join(Supplier, Supplier.id == FrameworkContract.supplier_id)
            .where(FrameworkContract.id.in_(contract_ids))
        )
        suppliers = {contract_id: supplier for contract_id, supplier in rows}
    history = _histories(ids)
    return [
        HandsetRecord(h, _current(history.get(h.id, []), day), history.get(h.id, []), subs.get(h.id, []),
                      suppliers.get(h.contract_id) if h.contract_id else None)
        for h in handsets
    ]


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


# -- search ----------------------------------------------------------------------------------


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


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _number_clause(text: str) -> sa.ColumnElement[bool]:
    """A full number in any Swedish notation matches exactly; a fragment matches its digits."""
    try:
        return Subscription.number == phone_number(text)
    except IdentifierError:
        digits = _digits(text)
        if not digits:
            return sa.false()
        if digits.startswith("0") and not digits.startswith("00"):
            digits = "46" + digits[1:]  # national trunk prefix → country code, as stored
        return Subscription.number.contains(digits, autoescape=True)


def _unit_clause(organisation_id: int, code: str, day: date) -> sa.ColumnElement[bool]:
    return _assigned(covering(day), Assignment.unit_id == BudgetUnit.id,
                     BudgetUnit.organisation_id == organisation_id, BudgetUnit.ansvar == code.strip())


def _supplier_match(text: str) -> sa.ColumnElement[bool]:
    try:
        return Supplier.organisation_number == organisation_number(text)
    except IdentifierError:
        return Supplier.name.ilike(f"%{text.strip()}%")


def _visible(user: User, model: type[Asset], search: Search, day: date) -> sa.Select[Any]:
    """The organisation's assets of ``model`` the user may see; at ``search.unit`` when asked."""
    query = sa.select(model).where(model.organisation_id == user.organisation_id)
    scope = visible_unit_ids(user)
    if scope is not None:
        query = query.where(_scope_clause(scope, day))
    if search.unit:
        query = query.where(_unit_clause(user.organisation_id, search.unit, search.on or day))
    return query


def search_subscriptions(user: User, search: Search, page: int = 1, per_page: int = 50,
                         today: date | None = None) -> Page:
    day = _today(today)
    query = _visible(user, Subscription, search, day)
    if search.number:
        query = query.where(_number_clause(search.number))
    if search.imei:
        query = query.where(Subscription.handset_id.in_(
            sa.select(Handset.id).where(Handset.organisation_id == user.organisation_id,
                                        Handset.imei.startswith(_digits(search.imei), autoescape=True))))
    if search.supplier:
        suppliers = sa.select(Supplier.id).where(_supplier_match(search.supplier))
        query = query.where(Subscription.supplier_id.in_(suppliers))
    if search.status == "active":
        query = query.where(sa.or_(Subscription.end_date.is_(None), Subscription.end_date >= day))
    elif search.status == "ended":
        query = query.where(Subscription.end_date < day)
    elif search.status:
        raise invalid("status", f"Unknown status {search.status!r}; use active or ended")
    if search.kind:
        try:
            query = query.where(Subscription.kind == SubscriptionKind(search.kind))
        except ValueError:
            raise invalid("kind", f"Unknown kind {search.kind!r}") from None
    if search.q:
        pattern = f"%{search.q.strip()}%"
        query = query.where(sa.or_(Subscription.label.ilike(pattern), Subscription.holder_name.ilike(pattern),
                                   Subscription.operator_reference.ilike(pattern),
                                   Subscription.extension.ilike(pattern)))
    return _page(query, Subscription.number, page, per_page, lambda rows: subscription_records(rows, day))


def search_handsets(user: User, search: Search, page: int = 1, per_page: int = 50,
                    today: date | None = None) -> Page:
    day = _today(today)
    query = _visible(user, Handset, search, day)
    if search.imei:
        query = query.where(Handset.imei.startswith(_digits(search.imei), autoescape=True))
    if search.number:
        query = query.where(Handset.id.in_(
            sa.select(Subscription.handset_id).where(Subscription.organisation_id == user.organisation_id,
                                                     _number_clause(search.number))))
    if search.supplier:
        query = query.where(Handset.contract_id.in_(
            sa.select(FrameworkContract.id).join(Supplier, Supplier.id == FrameworkContract.supplier_id)
            .where(_supplier_match(search.supplier))))
    if search.status:
        try:
            query = query.where(Handset.status == HandsetStatus(search.status))
        except ValueError:
            raise invalid("status", f"Unknown status {search.status!r}") from None
    if search.shared is not None:
        query = query.where(Handset.shared.is_(search.shared))
    if search.mdm_enrolled is not None:
        query = query.where(Handset.mdm_enrolled.is_(search.mdm_enrolled))
    if search.q:
        pattern = f"%{search.q.strip()}%"
        query = query.where(sa.or_(Handset.model.ilike(pattern), Handset.shared_label.ilike(pattern)))
    return _page(query, Handset.imei, page, per_page, lambda rows: handset_records(rows, day))


def _page(query: sa.Select[Any], order: Any, page: int, per_page: int, build: Any) -> Page:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = list(db.session.scalars(query.order_by(order).limit(per_page).offset((page - 1) * per_page)))
    return Page(build(rows), total, page, per_page)


# -- subscriptions ---------------------------------------------------------------------------


def _check_private_use(sub: Subscription) -> None:
    parts = (sub.private_use_reference, sub.private_use_signed_on, sub.private_use_signed_by)
    if any(p is not None for p in parts) and not all(p not in (None, "") for p in parts):
        raise invalid("private_use_reference",
                      "A private-use agreement needs its reference, the date it was signed and who signed it")


def _handset_for_link(user: User, imei: str | None) -> int | None:
    if not imei:
        return None
    value = normalise_imei(imei, "handset")
    handset_id = db.session.scalar(sa.select(Handset.id).where(
        Handset.organisation_id == user.organisation_id, Handset.imei == value))
    if handset_id is None:
        raise invalid("handset", f"No handset with IMEI {value}; register the handset first")
    return handset_id


def _claim_identifier(organisation_id: int, asset: Asset, identifier: str, field: str, name: str) -> None:
    """Give ``asset`` its number or IMEI; 409 when another asset of its kind has it."""
    model = type(asset)
    taken = db.session.scalar(sa.select(model.id).where(
        model.organisation_id == organisation_id, model.identifier == identifier, model.id != (asset.id or 0)))
    if taken is not None:
        raise Conflict(f"{name} {identifier} is already registered ({_kind_of(model).value} {taken})",
                       details=[{"field": field}])
    asset.identifier = identifier


def _contract(contract_id: int | None) -> int | None:
    if contract_id is not None and db.session.get(FrameworkContract, contract_id) is None:
        raise invalid("contract_id", f"No framework contract with id {contract_id}")
    return contract_id


def _refuse_unknown(values: Mapping[str, Any], fields: Iterable[str]) -> None:
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise invalid(unknown[0], f"Unknown field {unknown[0]}")


def _apply_subscription_fields(user: User, sub: Subscription, values: Mapping[str, Any]) -> None:
    _refuse_unknown(values, SUBSCRIPTION_FIELDS)
    for name, value in values.items():
        if name == "number":
            _claim_identifier(user.organisation_id, sub, normalise_number(value or ""), "number", "Number")
        elif name == "kind":
            try:
                sub.kind = SubscriptionKind(value)
            except ValueError:
                raise invalid("kind", f"Unknown kind {value!r}") from None
        elif name == "supplier":
            sub.supplier_id = supplier_by_orgnr(value or "").id
        elif name == "handset":
            sub.handset_id = _handset_for_link(user, value)
        elif name == "contract_id":
            sub.contract_id = _contract(value)
        elif name in ("operator_reference", "extension", "label", "holder_name", "private_use_reference",
                      "private_use_signed_by"):
            setattr(sub, name, (value or "").strip() or None)
        else:
            setattr(sub, name, value)
    if sub.end_date is not None and sub.start_date is not None and sub.end_date < sub.start_date:
        raise invalid("end_date", f"The end date {sub.end_date} is before the start date {sub.start_date}")
    _check_private_use(sub)


def create_subscription(actor: User, values: Mapping[str, Any], *, unit: str | None = None,
                        valid_from: date | None = None) -> Subscription:
    """Register a subscription; with ``unit``, assign it from ``valid_from`` (default: its start)."""
    for required in ("number", "kind", "supplier", "start_date"):
        if not values.get(required):
            raise invalid(required, f"{required} is required")
    end_date = values.get("end_date")
    sub = Subscription(organisation_id=actor.organisation_id)
    _apply_subscription_fields(actor, sub, {k: v for k, v in values.items() if k != "end_date"})
    sub.end_date = end_date
    if end_date is not None and end_date < sub.start_date:
        raise invalid("end_date", f"The end date {end_date} is before the start date {sub.start_date}")
    return _register(actor, sub, _SUBSCRIPTION_AUDIT, unit, valid_from or sub.start_date,
                     end_date + timedelta(days=1) if end_date else None)


def update_subscription(actor: User, sub: Subscription, values: Mapping[str, Any],
                        today: date | None = None) -> Subscription:
    """Edit a subscription; a new ``end_date`` ends it (see ``end_subscription``)."""
    ensure_asset_visible(actor, sub, today)
    before = audit.snapshot(sub, _SUBSCRIPTION_AUDIT)
    changes = dict(values)
    end_given = "end_date" in changes
    end_date = changes.pop("end_date", None)
    _apply_subscription_fields(actor, sub, changes)
    if end_given and end_date != sub.end_date:
        if end_date is None:
            sub.end_date = None  # reopened: assignments are not touched; the coverage check shows a gap
        else:
            _end(actor, sub, end_date)
    _audit_update(actor, sub, before, _SUBSCRIPTION_AUDIT)
    return sub


def end_subscription(actor: User, sub: Subscription, end_date: date, today: date | None = None) -> Subscription:
    """End (säga upp) a subscription on ``end_date`` (its last day): its assignment ends too."""
    return update_subscription(actor, sub, {"end_date": end_date}, today)


def _end(actor: User, sub: Subscription, end_date: date) -> None:
    if end_date < sub.start_date:
        raise invalid("end_date", f"The end date {end_date} is before the start date {sub.start_date}")
    _end_assignments(actor, sub, end_date + timedelta(days=1), "ending",
                     f", after the end date {end_date}; correct that assignment first")
    sub.end_date = end_date


# -- both kinds ------------------------------------------------------------------------------


def _register(actor: User, asset: A, fields: list[str], unit: str | None, valid_from: date,
              valid_to: date | None = None) -> A:
    """Store a new asset with its audit event; with ``unit``, assign it from ``valid_from``."""
    db.session.add(asset)
    db.session.flush()
    kind = asset.type.value
    audit.record(actor, f"{kind}.create", kind, asset.id, after=audit.snapshot(asset, fields))
    if unit:
        assignment_service.add_assignment(actor, asset, unit_by_code(actor.organisation_id, unit), valid_from,
                                          valid_to)
    return asset


def _audit_update(actor: User, asset: Asset, before: dict[str, Any], fields: list[str]) -> None:
    """Flush an edit and audit the fields it changed, with their old and new values."""
    db.session.flush()
    after = audit.snapshot(asset, fields)
    if after != before:
        kind = asset.type.value
        audit.record(actor, f"{kind}.update", kind, asset.id,
                     before={k: v for k, v in before.items() if after[k] != v},
                     after={k: v for k, v in after.items() if before[k] != v})


def _end_assignments(actor: User, asset: Asset, on: date, doing: str, refusal: str) -> None:
    """End the asset's assignments so that ``on`` is its first day without one. A row that
    starts on or after ``on`` refuses it (409, the message ending in ``refusal``)."""
    lock_assets([asset.id])
    rows = assignment_service.overlapping(asset, on, None)
    later = [row for row in rows if row.valid_from >= on]
    if later:
        raise Conflict(f"{asset.describe()} is assigned to {later[0].unit.ansvar} from {later[0].valid_from}"
                       f"{refusal}")
    if rows:
        ensure_period_open(asset.organisation_id, on, f"{doing} {asset.describe()}")
    for row in rows:
        before = {"unit": row.unit.ansvar, "valid_from": row.valid_from, "valid_to": row.valid_to}
        row.valid_to = on
        audit.record(actor, "assignment.end", "assignment", row.id, before=before,
                     after={**before, "valid_to": on}, organisation_id=asset.organisation_id)


# -- handsets --------------------------------------------------------------------------------


def _apply_handset_fields(actor: User, handset: Handset, values: Mapping[str, Any], today: date) -> None:
    _refuse_unknown(values, HANDSET_FIELDS)
    for name, value in values.items():
        if name == "imei":
            _claim_identifier(actor.organisation_id, handset, normalise_imei(value or ""), "imei", "IMEI")
        elif name == "status":
            status = HandsetStatus(value)
            if status in LOSS_STATUSES and handset.status != status:
                raise invalid("status", "Report a lost or stolen handset with the loss report "
                                        "(when, to which manager, whether the subscription was blocked)")
            if status != handset.status:
                handset.status = status
                handset.status_changed_on = values.get("status_changed_on") or today
        elif name == "contract_id":
            handset.contract_id = _contract(value)
        elif name == "purchase_price":
            if value is not None and Decimal(value) < 0:
                raise invalid("purchase_price", "The purchase price cannot be negative")
            handset.purchase_price = value
        elif name == "model":
            if not (value or "").strip():
                raise invalid("model", "model is required")
            handset.model = value.strip()
        elif name == "shared_label":
            handset.shared_label = (value or "").strip() or None
        elif name == "status_changed_on":
            continue  # set together with status above
        else:
            setattr(handset, name, value)
    if handset.shared_label and not handset.shared:
        raise invalid("shared_label", "Only a shared phone (verksamhetstelefon) has a shared-phone label")


def create_handset(actor: User, values: Mapping[str, Any], *, unit: str | None = None,
                   valid_from: date | None = None, today: date | None = None) -> Handset:
    day = _today(today)
    for required in ("imei", "model"):
        if not values.get(required):
            raise invalid(required, f"{required} is required")
    handset = Handset(organisation_id=actor.organisation_id, shared=False, mdm_enrolled=False,
                      status=HandsetStatus.IN_USE)
    _apply_handset_fields(actor, handset, values, day)
    if handset.status in LOSS_STATUSES:
        raise invalid("status", "A new handset cannot be lost or stolen")
    return _register(actor, handset, _HANDSET_AUDIT, unit, valid_from or handset.purchase_date or day)


def update_handset(actor: User, handset: Handset, values: Mapping[str, Any], today: date | None = None) -> Handset:
    """Edit a handset. Retiring it (status ``retired``) ends its assignment on that day."""
    day = _today(today)
    ensure_asset_visible(actor, handset, day)
    before = audit.snapshot(handset, _HANDSET_AUDIT)
    was = handset.status
    _apply_handset_fields(actor, handset, values, day)
    if handset.status == HandsetStatus.RETIRED and was != HandsetStatus.RETIRED:
        on = handset.status_changed_on or day
        _end_assignments(actor, handset, on, "retiring", f"; it cannot be retired on {on} before that")
    _audit_update(actor, handset, before, _HANDSET_AUDIT)
    return handset


def report_loss(actor: User, handset: Handset, *, status: str, occurred_on: date, reported_to_manager: str,
                subscription_blocked: bool, reported_to_manager_at: datetime | None = None,
                today: date | None = None) -> Handset:
    """A lost or stolen handset: when, reported to which manager, whether the SIM was blocked.

    The policy asks staff to report a loss at once; department users report for their own
    units' handsets, finance for any.
    """
    day = _today(today)
    ensure_asset_visible(actor, handset, day)
    try:
        new_status = HandsetStatus(status)
    except ValueError:
        new_status = None
    if new_status not in LOSS_STATUSES:
        raise invalid("status", "A loss report sets the status lost or stolen")
    if handset.status == HandsetStatus.RETIRED:
        raise Conflict(f"IMEI {handset.imei} is retired; a retired handset cannot be reported lost")
    if occurred_on > day:
        raise invalid("occurred_on", f"{occurred_on} is in the future")
    manager = (reported_to_manager or "").strip()
    if not manager:
        raise invalid("reported_to_manager", "Name the manager the loss was reported to")
    reported_at = reported_to_manager_at or utcnow()
    if reported_at.tzinfo is None:
        raise invalid("reported_to_manager_at", "Give the time with its time zone")
    before = audit.snapshot(handset, _HANDSET_AUDIT)
    handset.status = new_status  # type: ignore[assignment]
    handset.status_changed_on = occurred_on
    handset.reported_to_manager = manager
    handset.reported_to_manager_at = reported_at.astimezone(UTC)  # as stored, before and after a commit
    handset.loss_reported_by_id = actor.id
    handset.subscription_blocked = subscription_blocked
    db.session.flush()
    audit.record(actor, "handset.report_loss", "handset", handset.id, before=before,
                 after=audit.snapshot(handset, _HANDSET_AUDIT))
    return handset


def shared_not_enrolled(user: User, today: date | None = None) -> list[HandsetRecord]:
    """For IT: shared phones (verksamhetstelefoner) in use or in stock that are not in MDM."""
    day = _today(today)
    query = (
        sa.select(Handset)
        .where(Handset.organisation_id == user.organisation_id, Handset.shared.is_(True),
               Handset.mdm_enrolled.is_(False),
               Handset.status.in_([HandsetStatus.IN_USE, HandsetStatus.IN_STOCK]))
        .order_by(Handset.shared_label, Handset.imei)
    )
    scope = visible_unit_ids(user)
    if scope is not None:
        query = query.where(_scope_clause(scope, day))
    return handset_records(list(db.session.scalars(query)), day)


# -- coverage check --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Gap:
    """One thing the register does not map: what, which asset, and why."""

    kind: str  # subscription_unassigned, assigned_to_closed_unit, handset_unassigned
    asset: str  # number or IMEI
    asset_type: str  # subscription or handset
    asset_id: int
    reason: str
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


def _gap(kind: str, asset: Asset, reason: str, **details: Any) -> Gap:
    return Gap(kind, asset.describe(), asset.type.value, asset.id, reason, **details)


def coverage(user: User, today: date | None = None) -> CoverageReport:
    """What is not mapped today: active subscriptions with no assignment, assignments running
    past their unit's closing day, handsets in use with no unit. The total should be zero."""
    day = _today(today)
    org = user.organisation_id
    unassigned_subs = db.session.scalars(
        sa.select(Subscription)
        .where(Subscription.organisation_id == org, Subscription.start_date <= day,
               sa.or_(Subscription.end_date.is_(None), Subscription.end_date >= day), ~_assigned(covering(day)))
        .order_by(Subscription.number)
    )
    subs = [_gap("subscription_unassigned", s, f"active since {s.start_date.isoformat()} but assigned to no unit today")
            for s in unassigned_subs]
    closed_rows = db.session.scalars(
        sa.select(Assignment)
        .join(BudgetUnit, BudgetUnit.id == Assignment.unit_id)
        .where(Assignment.organisation_id == org, BudgetUnit.closed_on.is_not(None),
               sa.or_(Assignment.valid_to.is_(None), Assignment.valid_to > BudgetUnit.closed_on))
        .options(joinedload(Assignment.unit), joinedload(Assignment.asset))
        .order_by(BudgetUnit.ansvar, Assignment.valid_from)
    )
    closed = [
        _gap("assigned_to_closed_unit", row.asset,
             f"assigned to {row.unit.ansvar} beyond its closing day {row.unit.closed_on.isoformat()}",
             unit=row.unit.ansvar, closed_on=row.unit.closed_on, valid_from=row.valid_from)
        for row in closed_rows
    ]
    unassigned_handsets = db.session.scalars(
        sa.select(Handset)
        .where(Handset.organisation_id == org, Handset.status == HandsetStatus.IN_USE, ~_assigned(covering(day)))
        .order_by(Handset.imei)
    )
    handsets = [_gap("handset_unassigned", h, f"{h.model} is in use but assigned to no unit today")
                for h in unassigned_handsets]
    return CoverageReport(day, subs, closed, handsets)


# -- directory for the contact centre ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    number: str
    extension: str | None
    kind: str
    unit: str | None
    unit_name: str | None
    administration: str | None
    function: str | None
    shared: bool
    name: str | None


DIRECTORY_COLUMNS = ("Nummer", "Anknytning", "Typ", "Ansvar", "Enhet", "Förvaltning", "Funktion", "Namn")


def directory(user: User, *, unit: str | None = None, q: str | None = None,
              today: date | None = None) -> list[DirectoryEntry]:
    """Active numbers with the unit they belong to today, its administration and the function
    or shared-phone label. Personal names only where the organisation stores them."""
    day = _today(today)
    current = sa.select(Assignment).where(covering(day)).subquery()
    phone = aliased(Handset, flat=True)  # an asset of its own: the subscription's asset row is another
    query = (
        sa.select(Subscription, BudgetUnit, Administration, phone)
        .outerjoin(current, current.c.asset_id == Subscription.id)
        .outerjoin(BudgetUnit, BudgetUnit.id == current.c.unit_id)
        .outerjoin(Administration, Administration.id == BudgetUnit.administration_id)
        .outerjoin(phone, phone.id == Subscription.handset_id)
        .where(Subscription.organisation_id == user.organisation_id, Subscription.start_date <= day,
               sa.or_(Subscription.end_date.is_(None), Subscription.end_date >= day))
        .order_by(Subscription.number)
    )
    if unit:
        query = query.where(BudgetUnit.ansvar == unit.strip())
    if q:
        pattern = f"%{q.strip()}%"
        query = query.where(sa.or_(_number_clause(q), Subscription.label.ilike(pattern),
                                   Subscription.holder_name.ilike(pattern), BudgetUnit.name.ilike(pattern),
                                   phone.shared_label.ilike(pattern)))
    entries = []
    for sub, budget_unit, admin, handset in db.session.execute(query):
        shared = bool(handset and handset.shared)
        entries.append(DirectoryEntry(
            number=sub.number, extension=sub.extension, kind=sub.kind.value,
            unit=budget_unit.ansvar if budget_unit else None, unit_name=budget_unit.name if budget_unit else None,
            administration=admin.name if admin else None,
            function=sub.label or (handset.shared_label if handset else None),
            shared=shared, name=sub.holder_name,
        ))
    return entries


def _text_cell(value: str | None) -> str:
    """Free text for a spreadsheet: a leading ``=``, ``+``, ``-`` or ``@`` would start a formula."""
    text = value or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def directory_csv(entries: list[DirectoryEntry]) -> bytes:
    """The directory as Swedish Excel opens it: ``;`` separated, UTF-8 with a byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(DIRECTORY_COLUMNS)
    for e in entries:
        writer.writerow([e.number, e.extension or "", e.kind, e.unit or "", _text_cell(e.unit_name),
                         _text_cell(e.administration), _text_cell(e.function), _text_cell(e.name)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def is_department(user: User) -> bool:
    return user.role == Role.DEPARTMENT


def units_for_choice(user: User, today: date | None = None) -> list[BudgetUnit]:
    """Open units of the organisation, for a move's target (every unit, not only the user's)."""
    day = _today(today)
    return list(db.session.scalars(
        sa.select(BudgetUnit)
        .where(BudgetUnit.organisation_id == user.organisation_id,
               sa.or_(BudgetUnit.closed_on.is_(None), BudgetUnit.closed_on > day))
        .options(selectinload(BudgetUnit.administration))
        .order_by(BudgetUnit.ansvar)
    ))


def suppliers_for_choice() -> list[Supplier]:
    return list(db.session.scalars(sa.select(Supplier).order_by(Supplier.name)))
