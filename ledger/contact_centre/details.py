"""Each unit's contact details: what it answers for, its opening hours and phone times, and its
other ways in (an e-mail address, a web form). The unit's own department users and the
administrator keep them (the manager tells the contact centre); everyone who reads the
directory sees them beside the unit's numbers.

Every text is one line (runs of white space, line breaks too, become one space) without control
characters; an e-mail address must look like one, and a web form's address must be an
``http``/``https`` address of a site (a ``javascript:`` or ``data:`` address would run in the
contact centre's browser when clicked). Each change is in the audit log and in the change feed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from ledger.access.models import User
from ledger.access.permissions import ensure_unit_visible
from ledger.audit import service as audit
from ledger.contact_centre.models import ChangeKind, DirectoryChange, UnitContactDetails
from ledger.core import clock
from ledger.core.errors import ValidationFailed
from ledger.core.text import N_, Phrase
from ledger.database import db
from ledger.database.types import utcnow
from ledger.organisation.models import BudgetUnit

#: The fields, in the order forms and the API show them, with what they are called and how long
#: each may be.
FIELDS: dict[str, tuple[str, int]] = {
    "function": (N_("Function"), 500),
    "opening_hours": (N_("Opening hours"), 200),
    "phone_hours": (N_("Phone times"), 200),
    "email": (N_("E-mail"), 254),
    "web_form_url": (N_("Web form"), 500),
}

NOT_AN_EMAIL = N_("%(value)s is not an e-mail address; write it as name@example.se")
NOT_A_WEB_FORM = N_("%(value)s is not the address of a web page; write it as https://…, e.g. "
                    "https://www.karlsborg.se/kontakt")
TOO_LONG = N_("%(field)s is at most %(limit)s characters")
CONTROL_CHARACTER = N_("%(field)s holds a control character")

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[^\W_](?:[\w-]{0,61}[^\W_])?$")  # letters (å, ä, ö too), digits, inner hyphens
_TLD = re.compile(r"^[^\W\d_]{2,63}$")


def _invalid(name: str, text: str, **params: Any) -> ValidationFailed:
    """The error, naming the field ``name`` in its details (a form shows it beside the field)."""
    error = ValidationFailed(text, **params)
    error.details = [{"field": name, "messages": [error.message]}]
    return error


def _is_domain(host: str) -> bool:
    labels = host.split(".")
    return len(labels) >= 2 and all(_LABEL.match(label) for label in labels) and bool(_TLD.match(labels[-1]))


def checked_email(value: str) -> str:
    """``value`` as an e-mail address (``name@domain.tld``), or ``ValidationFailed``."""
    local, at, domain = value.rpartition("@")
    if not at or len(local) > 64 or not _LOCAL.match(local) or not _is_domain(domain):
        raise _invalid("email", NOT_AN_EMAIL, value=value)
    return value


def checked_web_form(value: str) -> str:
    """``value`` as an ``http(s)://host/…`` address without a user or password, or ``ValidationFailed``."""
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a port that is no number is refused here
    except ValueError:
        raise _invalid("web_form_url", NOT_A_WEB_FORM, value=value) from None
    if (parts.scheme.lower() not in ("http", "https") or parts.username is not None or " " in value
            or not _is_domain(host)):
        raise _invalid("web_form_url", NOT_A_WEB_FORM, value=value)
    return value


def checked_text(field: str, value: str | None) -> str | None:
    """A field's value as stored: one line, trimmed, ``None`` when empty; refused when too long,
    with a control character, or (e-mail, web form) not what it should be."""
    if value is None:
        return None
    name, limit = FIELDS[field]
    text = " ".join(value.split())
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise _invalid(field, CONTROL_CHARACTER, field=Phrase(name))
    if len(text) > limit:
        raise _invalid(field, TOO_LONG, field=Phrase(name), limit=limit)
    if not text:
        return None
    if field == "email":
        return checked_email(text)
    if field == "web_form_url":
        return checked_web_form(text)
    return text


# -- reading ---------------------------------------------------------------------------------


def details_of(unit: BudgetUnit) -> UnitContactDetails | None:
    return db.session.get(UnitContactDetails, unit.id)


def values_of(details: UnitContactDetails | None) -> dict[str, str | None]:
    """The fields as a mapping (every one ``None`` for a unit without details)."""
    return {name: getattr(details, name) if details is not None else None for name in FIELDS}


def by_unit(organisation_id: int, unit_ids: Iterable[int] | None = None) -> dict[int, UnitContactDetails]:
    """The organisation's contact details by unit id (of ``unit_ids`` only, when given)."""
    query = sa.select(UnitContactDetails).where(UnitContactDetails.organisation_id == organisation_id)
    if unit_ids is not None:
        query = query.where(UnitContactDetails.unit_id.in_(set(unit_ids)))
    return {details.unit_id: details for details in db.session.scalars(query)}


def units_with_details(organisation_id: int,
                       today: date | None = None) -> list[tuple[BudgetUnit, UnitContactDetails | None]]:
    """The organisation's units open today (or later), by ansvar, each with its details if it has any."""
    day = today or clock.today()
    query = (sa.select(BudgetUnit, UnitContactDetails)
             .outerjoin(UnitContactDetails, UnitContactDetails.unit_id == BudgetUnit.id)
             .where(BudgetUnit.organisation_id == organisation_id,
                    sa.or_(BudgetUnit.closed_on.is_(None), BudgetUnit.closed_on > day))
             .order_by(BudgetUnit.ansvar))
    return [(unit, contact) for unit, contact in db.session.execute(query)]


# -- keeping them ----------------------------------------------------------------------------


def update(actor: User, unit: BudgetUnit, values: Mapping[str, str | None], *,
           replace: bool = False) -> UnitContactDetails:
    """Set the unit's contact details: the fields in ``values`` (and, with ``replace``, every
    other one emptied). The unit must be one of the actor's (``ensure_unit_visible``); a change
    is audited and written to the change feed, an unchanged one writes nothing."""
    ensure_unit_visible(actor, unit)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationFailed(N_("Unknown field %(field)s"), field=sorted(unknown)[0])
    wanted = {name: checked_text(name, values.get(name)) for name in FIELDS if replace or name in values}
    details = details_of(unit)
    if details is None:
        details = UnitContactDetails(unit_id=unit.id, organisation_id=unit.organisation_id)
        db.session.add(details)
    before = values_of(details)
    changed = [name for name, value in wanted.items() if before[name] != value]
    if not changed:
        return details
    for name in changed:
        setattr(details, name, wanted[name])
    details.updated_at, details.updated_by_id = utcnow(), actor.id
    db.session.add(DirectoryChange(organisation_id=unit.organisation_id, kind=ChangeKind.CONTACT_DETAILS,
                                   effective_on=clock.today(), unit_id=unit.id, fields=changed))
    db.session.flush()
    audit.record(actor, "unit.contact_details", "budget_unit", unit.ansvar,
                 before={name: before[name] for name in changed}, after={name: wanted[name] for name in changed},
                 organisation_id=unit.organisation_id)
    return details
