"""The inventory register: subscriptions (abonnemang) and handsets (tjänstemobiler), as the
acting user may see them. This module holds what every inventory service shares: the
identifiers read as they are stored, which assets a user may see, and the look-ups by id,
number, IMEI and ansvar code.

The rest of the register is in modules named for what they do: ``records`` (an asset with its
supplier, handset, unit and history), ``search``, ``edits`` (registering and editing assets),
``losses`` (loss reports), ``unmapped`` (the coverage check), ``directory`` (the contact
centre's) and ``choices`` (what forms offer). Which unit an asset belongs to lives in
``Assignment`` rows (``inventory.assignments``); moves, reorganisations and requests are in
``inventory.moves``, the operator's subscription list in ``inventory.operator_list``.

Department users see an asset while it is assigned to one of their units today or later;
finance, admin, procurement and auditors see every asset of their organisation. Every
change is audited with its before and after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.sql.elements import SQLCoreOperations

from ledger.access.models import Role, User
from ledger.access.permissions import visible_unit_ids
from ledger.core import clock
from ledger.core.errors import Forbidden, NotFound, ValidationFailed
from ledger.core.identifiers import IdentifierError, organisation_number, phone_number
from ledger.core.identifiers import imei as normal_imei
from ledger.core.text import N_, Phrase
from ledger.database import db
from ledger.inventory.models import Asset, AssetType, Assignment, Handset, Subscription
from ledger.organisation.models import BudgetUnit, Supplier

A = TypeVar("A", bound=Asset)


def day_of(today: date | None) -> date:
    """The day a service is asked about: ``today`` when given (tests pin it), else today."""
    return today or clock.today()


# -- identifiers as they are stored ------------------------------------------------------------


#: The two kinds of asset as a message names them.
KIND_WORDS = {"subscription": N_("subscription"), "handset": N_("handset")}
KIND_TITLES = {"subscription": N_("Subscription"), "handset": N_("Handset")}


def invalid(field: str, text: str, **params: Any) -> ValidationFailed:
    """A 422 naming the field, in the details shape of the API's validation errors (``text`` a
    catalogue text, ``params`` its values)."""
    error = ValidationFailed(text, **params)
    error.details = [{"field": field, "messages": [error.message]}]
    return error


def _normalised(normalise: Callable[[str], str], value: str, field: str) -> str:
    """``normalise(value)``, or a 422 naming ``field`` with the identifier's own complaint."""
    try:
        return normalise(value)
    except IdentifierError as error:
        raise invalid(field, error.text, **error.params) from None


def normalise_number(value: str) -> str:
    return _normalised(phone_number, value, "number")


def normalise_imei(value: str, field: str = "imei") -> str:
    return _normalised(normal_imei, value, field)


def normalise_orgnr(value: str, field: str = "supplier") -> str:
    return _normalised(organisation_number, value, field)


# -- scope -----------------------------------------------------------------------------------


def kind_of(model: type[Asset]) -> AssetType:
    """``subscription`` or ``handset``: the kind of asset a model holds."""
    identity = model.__mapper__.polymorphic_identity
    assert identity is not None, f"{model.__name__} is not a kind of asset"
    return AssetType(identity)


def assigned(*conditions: SQLCoreOperations[bool]) -> sa.ColumnElement[bool]:
    """The asset of the enclosing query has an assignment that meets ``conditions``."""
    return sa.exists().where(Assignment.asset_id == Asset.id, *conditions).correlate(Asset)


def scope_clause(scope: set[int], today: date) -> sa.ColumnElement[bool]:
    """Assets assigned to one of ``scope``'s units today or from a later day."""
    return assigned(Assignment.unit_id.in_(sorted(scope)), Assignment.not_ended_by(today))


def is_department(user: User) -> bool:
    return user.role == Role.DEPARTMENT


def is_asset_visible(user: User, asset: Asset, today: date | None = None) -> bool:
    if asset.organisation_id != user.organisation_id:
        return False
    scope = visible_unit_ids(user)
    if scope is None:
        return True
    return bool(db.session.scalar(
        sa.select(sa.literal(True)).where(scope_clause(scope, day_of(today)), Asset.id == asset.id)
    ))


def ensure_asset_visible(user: User, asset: Asset, today: date | None = None) -> None:
    """404 for another organisation's asset, 403 for one outside a department user's units."""
    if asset.organisation_id != user.organisation_id:
        raise NotFound(N_("No %(kind)s %(asset)s"), kind=Phrase(KIND_WORDS[asset.type.value]), asset=asset.describe())
    if not is_asset_visible(user, asset, today):
        raise Forbidden(N_("%(kind)s %(asset)s is not assigned to one of your units"),
                        kind=Phrase(KIND_TITLES[asset.type.value]), asset=asset.describe())


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
        raise NotFound(N_("No %(kind)s with id %(id)s"), kind=Phrase(KIND_WORDS[kind_of(model).value]), id=asset_id)
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
        raise invalid("number", N_("Give either a number or an IMEI"))
    model: type[Asset]
    if number:
        model, name_word, identifier = Subscription, N_("number"), normalise_number(number)
    else:
        model, name_word, identifier = Handset, "IMEI", normalise_imei(imei or "")
    asset = db.session.scalar(sa.select(model).where(
        model.organisation_id == user.organisation_id, model.identifier == identifier))
    if asset is None:
        raise NotFound(N_("No %(kind)s with %(name)s %(identifier)s"), kind=Phrase(KIND_WORDS[kind_of(model).value]),
                       name=Phrase(name_word), identifier=identifier)
    ensure_asset_visible(user, asset, today)
    return asset


def unit_by_code(organisation_id: int, code: str, field: str = "unit") -> BudgetUnit:
    """A unit of the organisation by its ansvar code (404 when there is none)."""
    unit = db.session.scalar(sa.select(BudgetUnit).where(
        BudgetUnit.organisation_id == organisation_id, BudgetUnit.ansvar == code.strip()))
    if unit is None:
        raise NotFound(N_("No budget unit with ansvar %(ansvar)s"), details=[{"field": field}], ansvar=code)
    return unit


def supplier_by_orgnr(value: str, field: str = "supplier") -> Supplier:
    orgnr = normalise_orgnr(value, field)
    supplier = db.session.scalar(sa.select(Supplier).where(Supplier.organisation_number == orgnr))
    if supplier is None:
        raise invalid(field, N_("No supplier with organisationsnummer %(orgnr)s; register the supplier first"),
                      orgnr=orgnr)
    return supplier
