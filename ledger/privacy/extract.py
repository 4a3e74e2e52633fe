"""A person's extract (registerutdrag): everything one organisation's ledger holds that names them.

Found by name (``privacy.names``: each word of the name asked for as a whole word, in any order
and case) in the texts that hold people: subscriptions' holders and private-use signers,
handsets' managers a loss was reported to, users' names and log-in names, invoices' buyer
references, and the audit log's before and after. With them: the units that paid for each
subscription they held and when, the handsets their SIMs sat in, and the events made by their
user account or concerning it. Names of other people in the events are replaced by ``***``.
The extract is the data of ``reports.privacy_pdf``, written as JSON or PDF; that one was made
is audited (``privacy.extract``) with its counts, naming no one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ledger.access.models import User
from ledger.audit import service as audit
from ledger.audit.models import AuditEvent
from ledger.database import db
from ledger.database.types import utcnow
from ledger.inventory.models import Assignment, Handset, Subscription
from ledger.invoices.models import Invoice
from ledger.organisation.models import BudgetUnit, Organisation, Supplier
from ledger.privacy.names import may_name, mentions_person, names_person, person_words
from ledger.privacy.purge import PERSONAL_FIELDS
from reports import privacy_pdf as report

#: Fields of audit events that hold a person: other people's are hidden in an extract.
PEOPLE_FIELDS = PERSONAL_FIELDS | {"display_name", "username", "user"}
HIDDEN = "***"


def extract(actor: User | None, organisation: Organisation, person: str, *, generated_by: str,
            retention_months: int, now: datetime | None = None) -> report.PersonalDataExtract:
    """What ``organisation``'s ledger holds about ``person`` (422 for a name of fewer than three
    letters). Only that organisation's rows are read."""
    wanted = person_words(person)
    org = organisation.id
    found: set[str] = set()
    subscriptions = _subscriptions(org, wanted, found)
    accounts, users = _accounts(org, wanted, found)
    result = report.PersonalDataExtract(
        person=" ".join(person.split()), organisation=organisation.name,
        generated_at=now or utcnow(), generated_by=generated_by,
        retention_months=retention_months, names_found=(),
        subscriptions=tuple(sub for sub, _ in subscriptions),
        handsets=_handsets(org, wanted, found, [row for _, row in subscriptions if row.handset_id]),
        agreements=_agreements(subscriptions), accounts=accounts, invoices=_invoices(org, wanted, found),
        events=_events(org, wanted, users))
    result = replace(result, names_found=tuple(sorted(found, key=str.casefold)))
    audit.record(actor, "privacy.extract", "organisation", org, organisation_id=org, after=counts(result))
    db.session.flush()
    return result


def counts(result: report.PersonalDataExtract) -> dict[str, int]:
    """How much the extract holds, by kind (what the audit event records)."""
    return {name: len(getattr(result, name)) for name in
            ("subscriptions", "handsets", "agreements", "accounts", "invoices", "events")}


def as_json(result: report.PersonalDataExtract) -> bytes:
    """The extract as UTF-8 JSON: dates and times in ISO 8601, codes as stored."""
    def plain(value: Any) -> str:
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        raise TypeError(type(value).__name__)

    return json.dumps(asdict(result), ensure_ascii=False, indent=2, default=plain).encode()


# -- subscriptions, handsets, agreements -------------------------------------------------------


def _subscriptions(org: int, wanted: list[str], found: set[str]) -> list[tuple[report.Subscription, Any]]:
    rows = [row for row in db.session.execute(
        sa.select(Subscription.id, Subscription.identifier, Subscription.kind, Subscription.start_date,
                  Subscription.end_date, Subscription.holder_name, Subscription.private_use_signed_by,
                  Subscription.private_use_reference, Subscription.private_use_signed_on, Subscription.handset_id)
        .where(Subscription.organisation_id == org,
               sa.or_(may_name(Subscription.holder_name, wanted), may_name(Subscription.private_use_signed_by, wanted)))
        .order_by(Subscription.start_date, Subscription.identifier))
        if names_person(row.holder_name, wanted) or names_person(row.private_use_signed_by, wanted)]
    units = _units(org, [row.id for row in rows])
    held = []
    for row in rows:
        as_holder, as_signer = names_person(row.holder_name, wanted), names_person(row.private_use_signed_by, wanted)
        found.update(name for name, named in ((row.holder_name, as_holder), (row.private_use_signed_by, as_signer))
                     if named)
        held.append((report.Subscription(
            number=row.identifier, kind=row.kind.value, start_date=row.start_date, end_date=row.end_date,
            holder_name=row.holder_name if as_holder else None, as_holder=as_holder, as_signer=as_signer,
            units=tuple(units.get(row.id, ()))), row))
    return held


def _units(org: int, subscription_ids: list[int]) -> dict[int, list[report.UnitPeriod]]:
    """The units each subscription was assigned to, oldest first (``valid_to`` is exclusive)."""
    units: dict[int, list[report.UnitPeriod]] = {}
    if not subscription_ids:
        return units
    rows = db.session.execute(
        sa.select(Assignment.asset_id, BudgetUnit.ansvar, BudgetUnit.name, Assignment.valid_from, Assignment.valid_to)
        .join(BudgetUnit, BudgetUnit.id == Assignment.unit_id)
        .where(Assignment.organisation_id == org, Assignment.asset_id.in_(subscription_ids))
        .order_by(Assignment.asset_id, Assignment.valid_from))
    for asset_id, ansvar, name, valid_from, valid_to in rows:
        units.setdefault(asset_id, []).append(report.UnitPeriod(
            ansvar, name, valid_from, valid_to - timedelta(days=1) if valid_to else None))
    return units


def _handsets(org: int, wanted: list[str], found: set[str], held: list[Any]) -> tuple[report.Handset, ...]:
    """The handsets the SIMs of their subscriptions sat in, and those whose loss was reported to them."""
    through = {row.handset_id: row.identifier for row in held}
    query = (sa.select(Handset.id, Handset.identifier, Handset.model, Handset.status, Handset.purchase_date,
                       Handset.status_changed_on, Handset.reported_to_manager)
             .where(Handset.organisation_id == org, sa.or_(Handset.id.in_(list(through)),
                                                          may_name(Handset.reported_to_manager, wanted)))
             .order_by(Handset.identifier))
    handsets = []
    for row in db.session.execute(query):
        manager = row.reported_to_manager if names_person(row.reported_to_manager, wanted) else None
        if manager is None and row.id not in through:
            continue
        if manager:
            found.add(manager)
        handsets.append(report.Handset(row.identifier, row.model, row.status.value, row.purchase_date,
                                       row.status_changed_on, through.get(row.id), manager))
    return tuple(handsets)


def _agreements(subscriptions: list[tuple[report.Subscription, Any]]) -> tuple[report.Agreement, ...]:
    return tuple(report.Agreement(row.identifier, row.private_use_reference, row.private_use_signed_on,
                                  row.private_use_signed_by)
                 for _, row in subscriptions
                 if row.private_use_reference or row.private_use_signed_on or row.private_use_signed_by)


# -- users, invoices, the audit log --------------------------------------------------------------


def _accounts(org: int, wanted: list[str], found: set[str]) -> tuple[tuple[report.Account, ...], list[User]]:
    users = [user for user in db.session.scalars(
        sa.select(User).where(User.organisation_id == org,
                              sa.or_(may_name(User.display_name, wanted), may_name(User.username, wanted)))
        .order_by(User.username))
        if names_person(user.display_name, wanted) or names_person(user.username, wanted)]
    found.update(user.display_name for user in users if names_person(user.display_name, wanted))
    accounts = tuple(report.Account(user.username, user.display_name, user.role.value, user.active, user.created_at,
                                    user.last_login_at, tuple(unit.ansvar for unit in user.units)) for user in users)
    return accounts, users


def _invoices(org: int, wanted: list[str], found: set[str]) -> tuple[report.InvoiceReference, ...]:
    rows = db.session.execute(
        sa.select(Supplier.name, Invoice.number, Invoice.issue_date, Invoice.buyer_reference)
        .join(Supplier, Supplier.id == Invoice.supplier_id)
        .where(Invoice.organisation_id == org, may_name(Invoice.buyer_reference, wanted))
        .order_by(Invoice.issue_date, Invoice.number))
    named = [report.InvoiceReference(*row) for row in rows if names_person(row.buyer_reference, wanted)]
    found.update(invoice.buyer_reference for invoice in named)
    return tuple(named)


def _events(org: int, wanted: list[str], users: list[User]) -> tuple[report.Event, ...]:
    ids = [user.id for user in users]
    usernames = {user.username for user in users}
    account_keys = [str(user_id) for user_id in ids] + sorted(usernames)
    which = [may_name(AuditEvent.before, wanted), may_name(AuditEvent.after, wanted)]
    if users:
        which += [sa.and_(AuditEvent.entity_type == "user", AuditEvent.entity_id.in_(account_keys)),
                  AuditEvent.actor_id.in_(ids), AuditEvent.actor_name.in_(sorted(usernames))]
    query = (sa.select(AuditEvent).where(AuditEvent.organisation_id == org, sa.or_(*which))
             .order_by(AuditEvent.occurred_at, AuditEvent.id))
    events = []
    for event in db.session.scalars(query):
        reasons = tuple(reason for reason, holds in (
            ("names", mentions_person(event.before, wanted) or mentions_person(event.after, wanted)),
            ("by", event.actor_id in ids or event.actor_name in usernames),
            ("account", event.entity_type == "user" and event.entity_id in account_keys)) if holds)
        if reasons:
            events.append(report.Event(event.occurred_at, event.actor_name, event.action,
                                       f"{event.entity_type} {event.entity_id or ''}".strip(), reasons,
                                       _others_hidden(event.before, wanted), _others_hidden(event.after, wanted)))
    return tuple(events)


def _others_hidden(value: Any, wanted: list[str], personal: bool = False) -> Any:
    """A JSON value with the texts under people's fields that do not name the person hidden."""
    if isinstance(value, dict):
        return {key: _others_hidden(item, wanted, personal or key in PEOPLE_FIELDS) for key, item in value.items()}
    if isinstance(value, list):
        return [_others_hidden(item, wanted, personal) for item in value]
    if personal and isinstance(value, str) and value and not names_person(value, wanted):
        return HIDDEN
    return value
