"""Budget units and administrations, as the acting user may see them; changes to a supplier."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ledger.access.models import User
from ledger.access.permissions import ensure_unit_visible, visible_only
from ledger.audit import service as audit
from ledger.core import clock, identifiers
from ledger.core.errors import Conflict, NotFound, ValidationFailed
from ledger.core.text import N_
from ledger.database import db
from ledger.inventory.models import Asset, AssetType, Assignment, Handset, Subscription
from ledger.organisation.models import Administration, BudgetUnit, Supplier, UnitMembership

A = TypeVar("A", bound=Asset)


def list_units(user: User) -> list[BudgetUnit]:
    """Units of the user's organisation, limited to their own for department users."""
    query = (
        sa.select(BudgetUnit)
        .where(BudgetUnit.organisation_id == user.organisation_id)
        .options(selectinload(BudgetUnit.administration))
        .order_by(BudgetUnit.ansvar)
    )
    return list(db.session.scalars(visible_only(query, user, BudgetUnit.id.in_)))


def get_unit(user: User, ansvar: str) -> BudgetUnit:
    """One unit by its ansvar code: 404 if there is none, 403 if it is not the user's."""
    unit = db.session.scalar(
        sa.select(BudgetUnit).where(
            BudgetUnit.organisation_id == user.organisation_id, BudgetUnit.ansvar == ansvar
        )
    )
    if unit is None:
        raise NotFound(N_("No budget unit with ansvar %(ansvar)s"), ansvar=ansvar)
    ensure_unit_visible(user, unit)
    return unit


def administrations_with_units(user: User) -> list[tuple[Administration, list[BudgetUnit]]]:
    """The start page's tree: each administration with the units the user may see."""
    units = list_units(user)
    by_admin: dict[int, list[BudgetUnit]] = {}
    for unit in units:
        by_admin.setdefault(unit.administration_id, []).append(unit)
    admins = db.session.scalars(
        sa.select(Administration)
        .where(Administration.id.in_(by_admin))
        .order_by(Administration.code)
    )
    return [(admin, by_admin[admin.id]) for admin in admins]


def switchboard_carrier(organisation_id: int) -> BudgetUnit:
    """The unit that carries switchboard costs (kanslienheten). There is always exactly one."""
    unit = db.session.scalar(
        sa.select(BudgetUnit).where(
            BudgetUnit.organisation_id == organisation_id, BudgetUnit.carries_switchboard.is_(True)
        )
    )
    if unit is None:
        raise Conflict(N_("No budget unit carries switchboard costs; mark one (admin)"))
    return unit


def set_switchboard_carrier(actor: User | None, unit: BudgetUnit) -> None:
    """Make ``unit`` the one that carries switchboard costs, taking the flag off the previous
    one in the same transaction, so that the organisation always has exactly one."""
    previous = db.session.scalar(
        sa.select(BudgetUnit).where(
            BudgetUnit.organisation_id == unit.organisation_id,
            BudgetUnit.carries_switchboard.is_(True),
            BudgetUnit.id != unit.id,
        )
    )
    if previous is not None:
        previous.carries_switchboard = False
        db.session.flush()  # the partial unique index allows one carrier at a time
    unit.carries_switchboard = True
    db.session.flush()
    audit.record(
        actor, "unit.switchboard_carrier", "budget_unit", unit.ansvar,
        before={"carrier": previous.ansvar if previous else None}, after={"carrier": unit.ansvar},
        organisation_id=unit.organisation_id,
    )


@dataclass(frozen=True, slots=True)
class UnitSummary:
    """What a unit page shows: the assets assigned to the unit today."""

    subscriptions: list[Subscription]
    handsets: list[Handset]


def _assigned_to(model: type[A], unit: BudgetUnit, day: date, *order: Any) -> list[A]:
    return list(db.session.scalars(
        sa.select(model)
        .join(Assignment, Assignment.asset_id == model.id)
        .where(Assignment.unit_id == unit.id, Assignment.in_force_on(day))
        .order_by(*order)
    ))


def unit_summary(unit: BudgetUnit, day: date | None = None) -> UnitSummary:
    day = day or clock.today()
    return UnitSummary(_assigned_to(Subscription, unit, day, Subscription.number),
                       _assigned_to(Handset, unit, day, Handset.model, Handset.imei))


def asset_counts(organisation_id: int, day: date | None = None) -> dict[int, tuple[int, int]]:
    """Per unit id: (subscriptions, handsets) assigned on ``day``, in one grouped query."""
    day = day or clock.today()
    rows = db.session.execute(
        sa.select(
            Assignment.unit_id,
            sa.func.count(sa.case((Asset.type == AssetType.SUBSCRIPTION, Assignment.id))),
            sa.func.count(sa.case((Asset.type == AssetType.HANDSET, Assignment.id))),
        )
        .join(Asset, Asset.id == Assignment.asset_id)
        .where(Assignment.organisation_id == organisation_id, Assignment.in_force_on(day))
        .group_by(Assignment.unit_id)
    )
    return {unit_id: (subs, handsets) for unit_id, subs, handsets in rows}


class AdministrationHistory:
    """Which administration each unit belonged to on a day (from ``UnitMembership``; a unit
    without recorded history belongs to its current administration)."""

    def __init__(self, organisation_id: int, unit_ids: Collection[int] | None = None) -> None:
        """The history of the organisation's units (of ``unit_ids`` only, when given)."""
        units = sa.select(BudgetUnit.id, BudgetUnit.administration_id).where(
            BudgetUnit.organisation_id == organisation_id)
        spans = (sa.select(UnitMembership.unit_id, UnitMembership.valid_from, UnitMembership.valid_to,
                           UnitMembership.administration_id)
                 .where(UnitMembership.organisation_id == organisation_id).order_by(UnitMembership.valid_from))
        if unit_ids is not None:
            units = units.where(BudgetUnit.id.in_(unit_ids))
            spans = spans.where(UnitMembership.unit_id.in_(unit_ids))
        self.current: dict[int, int] = dict(db.session.execute(units).tuples().all())
        self.spans: dict[int, list[tuple[date, date | None, int]]] = {}
        for unit_id, valid_from, valid_to, admin_id in db.session.execute(spans):
            self.spans.setdefault(unit_id, []).append((valid_from, valid_to, admin_id))

    def on(self, unit_id: int, day: date) -> int:
        for valid_from, valid_to, admin_id in self.spans.get(unit_id, ()):
            if valid_from <= day and (valid_to is None or day < valid_to):
                return admin_id
        return self.current[unit_id]


def administrations(organisation_id: int) -> list[Administration]:
    return list(db.session.scalars(sa.select(Administration).where(
        Administration.organisation_id == organisation_id).order_by(Administration.code)))


def get_administration(organisation_id: int, code: str) -> Administration:
    """The organisation's administration with ``code``, or ``NotFound``."""
    administration = db.session.scalar(sa.select(Administration).where(
        Administration.organisation_id == organisation_id, Administration.code == code.strip()))
    if administration is None:
        raise NotFound(N_("No administration with code %(code)s"), code=code)
    return administration


def move_to_administration(actor: User | None, unit: BudgetUnit, administration: Administration,
                           valid_from: date) -> UnitMembership:
    """Move a unit to another administration from ``valid_from``; earlier months stay where they were.

    ``valid_from`` may lie in a closed month: the move is true from that day, but a closed
    month's figures per administration stay as closed (its entries carry the administration
    they were booked under, its budget follows ``allocation.periods``' snapshot)."""
    if administration.id == unit.administration_id:
        raise Conflict(N_("%(ansvar)s already belongs to %(administration)s"), ansvar=unit.ansvar,
                       administration=administration.code)
    if administration.organisation_id != unit.organisation_id:
        raise Conflict(N_("The administration belongs to another organisation"))
    current = db.session.scalar(sa.select(UnitMembership).where(
        UnitMembership.unit_id == unit.id, UnitMembership.valid_to.is_(None)))
    if current is None:  # no history yet: the unit has been in its administration since it opened
        current = UnitMembership(organisation_id=unit.organisation_id, unit_id=unit.id,
                                 administration_id=unit.administration_id, valid_from=unit.opened_on)
        db.session.add(current)
    if valid_from <= current.valid_from:
        raise Conflict(N_("%(ansvar)s has been in its administration only since %(day)s"),
                       ansvar=unit.ansvar, day=current.valid_from)
    before = unit.administration_id
    current.valid_to = valid_from
    row = UnitMembership(organisation_id=unit.organisation_id, unit_id=unit.id,
                         administration_id=administration.id, valid_from=valid_from)
    db.session.add(row)
    unit.administration_id = administration.id
    db.session.flush()
    audit.record(actor, "unit.move_administration", "budget_unit", unit.ansvar,
                 before={"administration_id": before}, after={"administration_id": administration.id,
                                                              "valid_from": valid_from},
                 organisation_id=unit.organisation_id)
    return row


# --- suppliers -------------------------------------------------------------------------------

#: What a supplier's audit events show before and after.
SUPPLIER_FIELDS = ["name", "organisation_number", "peppol_id", "vat_number", "counterparty_code"]


def checked_organisation_number(value: str, field: str = "organisation_number") -> str:
    """``value`` as NNNNNN-NNNN, or ``ValidationFailed`` naming ``field``."""
    try:
        return identifiers.organisation_number(value)
    except identifiers.IdentifierError as error:
        raise ValidationFailed(error.text, [{"field": field, "messages": [str(error)]}], **error.params) from None


def list_suppliers() -> list[Supplier]:
    return list(db.session.scalars(sa.select(Supplier).order_by(Supplier.name)))


def get_supplier(supplier_id: int) -> Supplier:
    supplier = db.session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound(N_("No supplier with id %(id)s"), id=supplier_id)
    return supplier


def _checked_name_and_number(name: str, organisation_number: str, supplier_id: int | None = None) -> tuple[str, str]:
    """The name trimmed and the number as NNNNNN-NNNN, refused when either is not one, or when
    another supplier than ``supplier_id`` has the number (invoices find their supplier by it)."""
    number = checked_organisation_number(organisation_number)
    if not name.strip() or len(name.strip()) > 120:
        raise ValidationFailed(N_("A supplier needs a name of at most 120 characters"),
                               [{"field": "name", "messages": ["1 to 120 characters"]}])
    other = db.session.scalar(sa.select(Supplier).where(Supplier.organisation_number == number,
                                                        Supplier.id != (supplier_id or -1)))
    if other is not None:
        raise Conflict(N_("Supplier %(number)s is already registered as %(name)s"),
                       [{"field": "organisation_number", "messages": [f"already registered as {other.name}"]}],
                       number=number, name=other.name)
    return name.strip(), number


#: The optional details of a supplier and the longest each column holds.
_DETAIL_LENGTHS = {"peppol_id": 64, "vat_number": 20, "counterparty_code": 8}


def _checked_details(**details: str | None) -> dict[str, str | None]:
    """The optional details trimmed (``None`` for none), refused by name when one is too long:
    every door (page, API, command line) gets the same answer, not a database error."""
    checked: dict[str, str | None] = {}
    for field, value in details.items():
        text = (value or "").strip()
        if len(text) > _DETAIL_LENGTHS[field]:
            limit = _DETAIL_LENGTHS[field]
            raise ValidationFailed(N_("%(field)s may have at most %(limit)s characters"),
                                   [{"field": field, "messages": [f"at most {limit} characters"]}],
                                   field=field, limit=limit)
        checked[field] = text or None
    return checked


def _stored(supplier: Supplier) -> None:
    """Flush ``supplier``; another registering the same number at the same moment is a 409."""
    try:
        with db.session.begin_nested():
            db.session.add(supplier)
            db.session.flush()
    except IntegrityError:
        raise Conflict(N_("Supplier %(number)s was registered by someone else just now"),
                       number=supplier.organisation_number, details=
                       [{"field": "organisation_number", "messages": ["already registered"]}]) from None


def create_supplier(
    actor: User | None,
    *,
    name: str,
    organisation_number: str,
    peppol_id: str | None = None,
    vat_number: str | None = None,
    counterparty_code: str | None = None,
) -> Supplier:
    """Register a supplier; the organisationsnummer is checked and stored as NNNNNN-NNNN."""
    name, number = _checked_name_and_number(name, organisation_number)
    details = _checked_details(peppol_id=peppol_id, vat_number=vat_number, counterparty_code=counterparty_code)
    supplier = Supplier(name=name, organisation_number=number, **details)
    _stored(supplier)
    audit.record(actor, "supplier.create", "supplier", supplier.id, after=audit.snapshot(supplier, SUPPLIER_FIELDS))
    return supplier


def update_supplier(
    actor: User | None,
    supplier: Supplier,
    *,
    name: str,
    organisation_number: str,
    peppol_id: str | None = None,
    vat_number: str | None = None,
    counterparty_code: str | None = None,
) -> Supplier:
    """Correct a supplier's name, organisationsnummer (checked, stored as NNNNNN-NNNN), PEPPOL
    id, VAT number or motpart. Invoices find their supplier by the organisationsnummer, so a
    number another supplier has is refused (409). A change is audited with before and after;
    the same values again change nothing and record nothing."""
    name, number = _checked_name_and_number(name, organisation_number, supplier.id)
    details = _checked_details(peppol_id=peppol_id, vat_number=vat_number, counterparty_code=counterparty_code)
    before = audit.snapshot(supplier, SUPPLIER_FIELDS)
    supplier.name, supplier.organisation_number = name, number
    supplier.peppol_id, supplier.vat_number = details["peppol_id"], details["vat_number"]
    supplier.counterparty_code = details["counterparty_code"]
    after = audit.snapshot(supplier, SUPPLIER_FIELDS)
    if after != before:
        _stored(supplier)
        audit.record(actor, "supplier.update", "supplier", supplier.id,
                     before={k: v for k, v in before.items() if after[k] != v},
                     after={k: v for k, v in after.items() if before[k] != v})
    return supplier
