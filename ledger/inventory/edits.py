"""Registering and editing subscriptions and handsets, with the policy fields the telephony
policy asks for; ending a subscription and retiring a handset end their assignments.

Each field a create or an edit may set is read by its own setter (``_SUBSCRIPTION_SETTERS``,
``_HANDSET_SETTERS``); a field without one is stored as given. Every change is audited with
its before and after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from ledger.access.models import User
from ledger.audit import service as audit
from ledger.core.errors import Conflict
from ledger.core.text import N_, Phrase
from ledger.database import db
from ledger.inventory import assignments as assignment_service
from ledger.inventory.models import Asset, Handset, HandsetStatus, Subscription, SubscriptionKind
from ledger.inventory.register import (
    KIND_WORDS,
    day_of,
    ensure_asset_visible,
    invalid,
    kind_of,
    lock_assets,
    normalise_imei,
    normalise_number,
    supplier_by_orgnr,
    unit_by_code,
)
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
SUBSCRIPTION_AUDIT = [
    "number", "kind", "operator_reference", "extension", "supplier_id", "contract_id", "handset_id",
    "start_date", "end_date", "label", "holder_name",
    "private_use_reference", "private_use_signed_on", "private_use_signed_by",
]
HANDSET_AUDIT = [
    *HANDSET_FIELDS, "reported_to_manager", "reported_to_manager_at", "loss_reported_by_id", "subscription_blocked",
]
#: Statuses only the loss report may set: it records when, to whom and whether the SIM was blocked.
LOSS_STATUSES = (HandsetStatus.LOST, HandsetStatus.STOLEN)

REQUIRED = N_("%(name)s is required")


def _required(values: Mapping[str, Any], fields: Iterable[str]) -> None:
    for name in fields:
        if not values.get(name):
            raise invalid(name, REQUIRED, name=name)


def _refuse_unknown(values: Mapping[str, Any], fields: Iterable[str]) -> None:
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise invalid(unknown[0], N_("Unknown field %(name)s"), name=unknown[0])


# -- setting fields --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Edit(Generic[A]):
    """One create or edit of an asset: who makes it, the values given and the day it is made."""

    actor: User
    asset: A
    values: Mapping[str, Any]
    today: date


Setter = Callable[[_Edit[A], Any], None]


def _apply(edit: _Edit[A], fields: Iterable[str], setters: Mapping[str, Setter[A]]) -> None:
    """Set the given values in the order given, each through its setter when it has one."""
    _refuse_unknown(edit.values, fields)
    for name, value in edit.values.items():
        setter = setters.get(name)
        if setter is None:
            setattr(edit.asset, name, value)
        else:
            setter(edit, value)


def _claim_identifier(organisation_id: int, asset: Asset, identifier: str, field: str, name: str) -> None:
    """Give ``asset`` its number or IMEI; 409 when another asset of its kind has it."""
    model = type(asset)
    taken = db.session.scalar(sa.select(model.id).where(
        model.organisation_id == organisation_id, model.identifier == identifier, model.id != (asset.id or 0)))
    if taken is not None:
        raise Conflict(N_("%(name)s %(identifier)s is already registered (%(kind)s %(id)s)"),
                       details=[{"field": field}], name=name, identifier=identifier,
                       kind=Phrase(KIND_WORDS[kind_of(model).value]), id=taken)
    asset.identifier = identifier


def _set_contract(edit: _Edit[A], contract_id: int | None) -> None:
    if contract_id is not None and db.session.get(FrameworkContract, contract_id) is None:
        raise invalid("contract_id", N_("No framework contract with id %(id)s"), id=contract_id)
    edit.asset.contract_id = contract_id


def _set_text(name: str) -> Setter[Any]:
    """Free text, stored trimmed; blank is none."""
    def set_text(edit: _Edit[Any], value: str | None) -> None:
        setattr(edit.asset, name, (value or "").strip() or None)

    return set_text


def _set_number(edit: _Edit[Subscription], value: str | None) -> None:
    _claim_identifier(edit.actor.organisation_id, edit.asset, normalise_number(value or ""), "number", "Number")


def _set_kind(edit: _Edit[Subscription], value: str) -> None:
    try:
        edit.asset.kind = SubscriptionKind(value)
    except ValueError:
        raise invalid("kind", N_("Unknown kind %(kind)s"), kind=repr(value)) from None


def _set_supplier(edit: _Edit[Subscription], value: str | None) -> None:
    edit.asset.supplier_id = supplier_by_orgnr(value or "").id


def _set_handset(edit: _Edit[Subscription], imei: str | None) -> None:
    """The handset the SIM sits in, by IMEI (none when blank)."""
    if not imei:
        edit.asset.handset_id = None
        return
    value = normalise_imei(imei, "handset")
    handset_id = db.session.scalar(sa.select(Handset.id).where(
        Handset.organisation_id == edit.actor.organisation_id, Handset.imei == value))
    if handset_id is None:
        raise invalid("handset", N_("No handset with IMEI %(imei)s; register the handset first"), imei=value)
    edit.asset.handset_id = handset_id


_SUBSCRIPTION_SETTERS: dict[str, Setter[Subscription]] = {
    "number": _set_number,
    "kind": _set_kind,
    "supplier": _set_supplier,
    "handset": _set_handset,
    "contract_id": _set_contract,
    **{name: _set_text(name) for name in ("operator_reference", "extension", "label", "holder_name",
                                          "private_use_reference", "private_use_signed_by")},
}


def _set_imei(edit: _Edit[Handset], value: str | None) -> None:
    _claim_identifier(edit.actor.organisation_id, edit.asset, normalise_imei(value or ""), "imei", "IMEI")


def _set_status(edit: _Edit[Handset], value: str) -> None:
    handset, status = edit.asset, HandsetStatus(value)
    if status in LOSS_STATUSES and handset.status != status:
        raise invalid("status", N_("Report a lost or stolen handset with the loss report "
                                   "(when, to which manager, whether the subscription was blocked)"))
    if status != handset.status:
        handset.status = status
        handset.status_changed_on = edit.values.get("status_changed_on") or edit.today


def _set_purchase_price(edit: _Edit[Handset], value: Decimal | None) -> None:
    if value is not None and Decimal(value) < 0:
        raise invalid("purchase_price", N_("The purchase price cannot be negative"))
    edit.asset.purchase_price = value


def _set_model(edit: _Edit[Handset], value: str | None) -> None:
    if not (value or "").strip():
        raise invalid("model", REQUIRED, name="model")
    edit.asset.model = (value or "").strip()


def _status_changed_on(edit: _Edit[Handset], value: date | None) -> None:
    """Set together with the status (``_set_status``): a day alone changes nothing."""


_HANDSET_SETTERS: dict[str, Setter[Handset]] = {
    "imei": _set_imei,
    "status": _set_status,
    "contract_id": _set_contract,
    "purchase_price": _set_purchase_price,
    "model": _set_model,
    "shared_label": _set_text("shared_label"),
    "status_changed_on": _status_changed_on,
}


# -- subscriptions ---------------------------------------------------------------------------


def _check_dates(sub: Subscription, end_date: date | None) -> None:
    if end_date is not None and sub.start_date is not None and end_date < sub.start_date:
        raise invalid("end_date", N_("The end date %(end)s is before the start date %(start)s"), end=end_date,
                      start=sub.start_date)


def _check_private_use(sub: Subscription) -> None:
    parts = (sub.private_use_reference, sub.private_use_signed_on, sub.private_use_signed_by)
    if any(p is not None for p in parts) and not all(p not in (None, "") for p in parts):
        raise invalid("private_use_reference",
                      N_("A private-use agreement needs its reference, the date it was signed and who signed it"))


def _apply_subscription_fields(actor: User, sub: Subscription, values: Mapping[str, Any], today: date) -> None:
    _apply(_Edit(actor, sub, values, today), SUBSCRIPTION_FIELDS, _SUBSCRIPTION_SETTERS)
    _check_dates(sub, sub.end_date)
    _check_private_use(sub)


def create_subscription(actor: User, values: Mapping[str, Any], *, unit: str | None = None,
                        valid_from: date | None = None) -> Subscription:
    """Register a subscription; with ``unit``, assign it from ``valid_from`` (default: its start)."""
    _required(values, ("number", "kind", "supplier", "start_date"))
    end_date = values.get("end_date")
    sub = Subscription(organisation_id=actor.organisation_id)
    _apply_subscription_fields(actor, sub, {k: v for k, v in values.items() if k != "end_date"}, day_of(None))
    sub.end_date = end_date
    _check_dates(sub, end_date)
    return _register(actor, sub, SUBSCRIPTION_AUDIT, unit, valid_from or sub.start_date,
                     end_date + timedelta(days=1) if end_date else None)


def update_subscription(actor: User, sub: Subscription, values: Mapping[str, Any],
                        today: date | None = None) -> Subscription:
    """Edit a subscription; a new ``end_date`` ends it (see ``end_subscription``)."""
    ensure_asset_visible(actor, sub, today)
    before = audit.snapshot(sub, SUBSCRIPTION_AUDIT)
    changes = dict(values)
    end_given = "end_date" in changes
    end_date = changes.pop("end_date", None)
    _apply_subscription_fields(actor, sub, changes, day_of(today))
    if end_given and end_date != sub.end_date:
        if end_date is None:
            sub.end_date = None  # reopened: assignments are not touched; the coverage check shows a gap
        else:
            _end(actor, sub, end_date)
    _audit_update(actor, sub, before, SUBSCRIPTION_AUDIT)
    return sub


def end_subscription(actor: User, sub: Subscription, end_date: date, today: date | None = None) -> Subscription:
    """End (säga upp) a subscription on ``end_date`` (its last day): its assignment ends too."""
    return update_subscription(actor, sub, {"end_date": end_date}, today)


def _end(actor: User, sub: Subscription, end_date: date) -> None:
    _check_dates(sub, end_date)
    _end_assignments(actor, sub, end_date + timedelta(days=1), "ending",
                     N_("%(asset)s is assigned to %(unit)s from %(day)s, after the end date %(end)s; correct that "
                        "assignment first"), end=end_date)
    sub.end_date = end_date


# -- handsets --------------------------------------------------------------------------------


def _apply_handset_fields(actor: User, handset: Handset, values: Mapping[str, Any], today: date) -> None:
    _apply(_Edit(actor, handset, values, today), HANDSET_FIELDS, _HANDSET_SETTERS)
    if handset.shared_label and not handset.shared:
        raise invalid("shared_label", N_("Only a shared phone (verksamhetstelefon) has a shared-phone label"))


def create_handset(actor: User, values: Mapping[str, Any], *, unit: str | None = None,
                   valid_from: date | None = None, today: date | None = None) -> Handset:
    day = day_of(today)
    _required(values, ("imei", "model"))
    handset = Handset(organisation_id=actor.organisation_id, shared=False, mdm_enrolled=False,
                      status=HandsetStatus.IN_USE)
    _apply_handset_fields(actor, handset, values, day)
    if handset.status in LOSS_STATUSES:
        raise invalid("status", N_("A new handset cannot be lost or stolen"))
    return _register(actor, handset, HANDSET_AUDIT, unit, valid_from or handset.purchase_date or day)


def update_handset(actor: User, handset: Handset, values: Mapping[str, Any], today: date | None = None) -> Handset:
    """Edit a handset. Retiring it (status ``retired``) ends its assignment on that day."""
    day = day_of(today)
    ensure_asset_visible(actor, handset, day)
    before = audit.snapshot(handset, HANDSET_AUDIT)
    was = handset.status
    _apply_handset_fields(actor, handset, values, day)
    if handset.status == HandsetStatus.RETIRED and was != HandsetStatus.RETIRED:
        on = handset.status_changed_on or day
        _end_assignments(actor, handset, on, "retiring",
                         N_("%(asset)s is assigned to %(unit)s from %(day)s; it cannot be retired on %(end)s "
                            "before that"),
                         end=on)
    _audit_update(actor, handset, before, HANDSET_AUDIT)
    return handset


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


def _end_assignments(actor: User, asset: Asset, on: date, doing: str, refusal: str, **params: Any) -> None:
    """End the asset's assignments so that ``on`` is its first day without one. A row that
    starts on or after ``on`` refuses it (409, ``refusal`` naming the asset, the row's unit and day)."""
    lock_assets([asset.id])
    rows = assignment_service.overlapping(asset, on, None)
    later = [row for row in rows if row.valid_from >= on]
    if later:
        raise Conflict(refusal, asset=asset.describe(), unit=later[0].unit.ansvar, day=later[0].valid_from, **params)
    if rows:
        assignment_service.changed_from(actor, asset.organisation_id, on)
    for row in rows:
        before = {"unit": row.unit.ansvar, "valid_from": row.valid_from, "valid_to": row.valid_to}
        row.valid_to = on
        audit.record(actor, "assignment.end", "assignment", row.id, before=before,
                     after={**before, "valid_to": on}, organisation_id=asset.organisation_id)
