"""The contact centre's directory: each active number with the unit it belongs to today, its
administration and the function or shared-phone label (else what the unit answers for), and
beside it how the unit is reached (``contact_centre``: opening hours, phone times, e-mail and
web form); as a page, JSON or a CSV for Excel."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ledger.access.models import User
from ledger.contact_centre.models import UnitContactDetails
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
    opening_hours: str | None = None
    phone_hours: str | None = None
    email: str | None = None
    web_form_url: str | None = None


#: The CSV's columns: scripts read them by position, so new ones go at the end.
DIRECTORY_COLUMNS = ("Nummer", "Anknytning", "Typ", "Ansvar", "Enhet", "Förvaltning", "Funktion", "Namn",
                     "Öppettider", "Telefontider", "E-post", "Webbformulär")


def directory(user: User, *, unit: str | None = None, q: str | None = None,
              today: date | None = None) -> list[DirectoryEntry]:
    """Active numbers with the unit they belong to today, its administration, the function or
    shared-phone label (else the unit's function) and the unit's contact details. Personal names
    only where the organisation stores them."""
    day = day_of(today)
    current = sa.select(Assignment).where(Assignment.in_force_on(day)).subquery()
    phone = aliased(Handset, flat=True)  # an asset of its own: the subscription's asset row is another
    query = (
        sa.select(Subscription, BudgetUnit, Administration, phone, UnitContactDetails)
        .outerjoin(current, current.c.asset_id == Subscription.id)
        .outerjoin(BudgetUnit, BudgetUnit.id == current.c.unit_id)
        .outerjoin(UnitContactDetails, UnitContactDetails.unit_id == BudgetUnit.id)
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
                                   phone.shared_label.ilike(pattern), UnitContactDetails.function.ilike(pattern)))
    return [_entry(*row) for row in db.session.execute(query)]


def _entry(sub: Subscription, unit: BudgetUnit | None, admin: Administration | None,
           handset: Handset | None, contact: UnitContactDetails | None) -> DirectoryEntry:
    return DirectoryEntry(
        number=sub.number, extension=sub.extension, kind=sub.kind.value,
        unit=unit.ansvar if unit else None, unit_name=unit.name if unit else None,
        administration=admin.name if admin else None,
        function=sub.label or (handset.shared_label if handset else None) or (contact.function if contact else None),
        shared=bool(handset and handset.shared), name=sub.holder_name,
        opening_hours=contact.opening_hours if contact else None, phone_hours=contact.phone_hours if contact else None,
        email=contact.email if contact else None, web_form_url=contact.web_form_url if contact else None,
    )


def directory_csv(entries: list[DirectoryEntry]) -> bytes:
    """The directory as Swedish Excel opens it: ``;`` separated, UTF-8 with a byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(DIRECTORY_COLUMNS)
    for e in entries:
        writer.writerow([csv_text(value) for value in (e.number, e.extension, e.kind, e.unit, e.unit_name,
                                                        e.administration, e.function, e.name, e.opening_hours,
                                                        e.phone_hours, e.email, e.web_form_url)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
