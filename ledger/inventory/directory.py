"""The contact centre's directory: each active number with the unit it belongs to today, its
administration and the function or shared-phone label; as a page, JSON or a CSV for Excel."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ledger.access.models import User
from ledger.database import db
from ledger.inventory.models import Assignment, Handset, Subscription
from ledger.inventory.register import day_of
from ledger.inventory.search import number_clause
from ledger.organisation.models import Administration, BudgetUnit
from reports.spreadsheet import csv_text


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
    day = day_of(today)
    current = sa.select(Assignment).where(Assignment.in_force_on(day)).subquery()
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
        query = query.where(sa.or_(number_clause(q), Subscription.label.ilike(pattern),
                                   Subscription.holder_name.ilike(pattern), BudgetUnit.name.ilike(pattern),
                                   phone.shared_label.ilike(pattern)))
    return [_entry(*row) for row in db.session.execute(query)]


def _entry(sub: Subscription, unit: BudgetUnit | None, admin: Administration | None,
           handset: Handset | None) -> DirectoryEntry:
    return DirectoryEntry(
        number=sub.number, extension=sub.extension, kind=sub.kind.value,
        unit=unit.ansvar if unit else None, unit_name=unit.name if unit else None,
        administration=admin.name if admin else None,
        function=sub.label or (handset.shared_label if handset else None),
        shared=bool(handset and handset.shared), name=sub.holder_name,
    )


def directory_csv(entries: list[DirectoryEntry]) -> bytes:
    """The directory as Swedish Excel opens it: ``;`` separated, UTF-8 with a byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(DIRECTORY_COLUMNS)
    for e in entries:
        writer.writerow([csv_text(value) for value in (e.number, e.extension, e.kind, e.unit, e.unit_name,
                                                        e.administration, e.function, e.name)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
