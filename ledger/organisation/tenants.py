"""Municipalities as tenants of one deployment: making a municipality that keeps its own ledger.

A municipality that only appears as a contract party (Skövde leading a framework contract)
exists already, without a ledger; creating it as a tenant gives it one. Everything of a ledger
(administrations, units, users, periods, budgets, the journal) carries its organisation, and
each service reads only the acting user's.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from ledger.audit import service as audit
from ledger.core.errors import Conflict, ValidationFailed
from ledger.core.text import N_
from ledger.database import db
from ledger.organisation.models import Organisation
from ledger.organisation.service import checked_organisation_number

MUNICIPALITY_CODE = re.compile(r"\d{4}")
BAD_CODE = N_("%(code)s is no kommunkod: four digits, as SCB gives them (Hjo is 1497)")
ALREADY_KEEPS_LEDGER = N_("%(name)s (%(orgnr)s) already keeps a ledger here")
CODE_TAKEN = N_("Kommunkod %(code)s belongs to %(name)s")


def create_municipality(code: str, name: str, organisation_number: str) -> Organisation:
    """A municipality with a ledger of its own: new, or a contract party that gets one."""
    if not MUNICIPALITY_CODE.fullmatch(code):
        raise ValidationFailed(BAD_CODE, [{"field": "code"}], code=code)
    orgnr = checked_organisation_number(organisation_number, "orgnr")
    holder = db.session.scalar(sa.select(Organisation).where(Organisation.municipality_code == code,
                                                             Organisation.organisation_number != orgnr))
    if holder is not None:
        raise Conflict(CODE_TAKEN, code=code, name=holder.name)
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.organisation_number == orgnr))
    if organisation is not None and organisation.keeps_ledger:
        raise Conflict(ALREADY_KEEPS_LEDGER, name=organisation.name, orgnr=orgnr)
    before = None if organisation is None else {"name": organisation.name, "keeps_ledger": False}
    if organisation is None:
        organisation = Organisation(organisation_number=orgnr, name=name, municipality_code=code)
        db.session.add(organisation)
    organisation.name, organisation.municipality_code, organisation.keeps_ledger = name.strip(), code, True
    db.session.flush()
    audit.record(None, "organisation.create", "organisation", orgnr, before=before,
                 after={"name": organisation.name, "municipality_code": code, "keeps_ledger": True},
                 organisation_id=organisation.id)
    return organisation


def municipalities() -> list[Organisation]:
    """Every organisation of the deployment, those keeping a ledger first, then by name."""
    return list(db.session.scalars(sa.select(Organisation)
                                   .order_by(Organisation.keeps_ledger.desc(), Organisation.name)))
