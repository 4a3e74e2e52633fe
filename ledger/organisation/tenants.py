"""Municipalities as tenants of one deployment: making a municipality that keeps its own ledger.

A municipality that only appears as a contract party (Skövde leading a framework contract)
exists already, without a ledger; creating it as a tenant gives it one. Everything of a ledger
(administrations, units, users, periods, budgets, the journal) carries its organisation, and
each service reads only the acting user's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from ledger.access.models import Role, User
from ledger.access.service import create_user
from ledger.audit import service as audit
from ledger.core.errors import Conflict, ValidationFailed
from ledger.core.text import N_
from ledger.database import db
from ledger.organisation.models import Organisation
from ledger.organisation.service import checked_organisation_number
from ledger.procurement.models import ContractParty, PartyRole

MUNICIPALITY_CODE = re.compile(r"\d{4}")
BAD_CODE = N_("%(code)s is no kommunkod: four digits, as SCB gives them (Hjo is 1497)")
ALREADY_KEEPS_LEDGER = N_("%(name)s (%(orgnr)s) already keeps a ledger here")
CODE_TAKEN = N_("Kommunkod %(code)s belongs to %(name)s")


def create_municipality(code: str, name: str, organisation_number: str, actor: User | None = None) -> Organisation:
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
    audit.record(actor, "organisation.create", "organisation", orgnr, before=before,
                 after={"name": organisation.name, "municipality_code": code, "keeps_ledger": True},
                 organisation_id=organisation.id)
    return organisation


def create_with_administrator(actor: User, *, code: str, name: str, organisation_number: str, username: str,
                              display_name: str, password: str) -> tuple[Organisation, User]:
    """What the cooperation's administrator does on the municipalities page: the municipality
    and its first administrator, who then adds the rest of its people and units."""
    organisation = create_municipality(code, name, organisation_number, actor)
    administrator = create_user(actor, organisation_id=organisation.id, username=username, password=password,
                                role=Role.ADMIN, display_name=display_name or None)
    return organisation, administrator


@dataclass(frozen=True, slots=True)
class MunicipalityRow:
    """One line of the cooperation's list: who it is, and what it takes part in (no ledger figure)."""

    organisation: Organisation
    leads: int
    takes_part_in: int


def cooperation_overview() -> list[MunicipalityRow]:
    """Every organisation with the framework contracts it leads and takes part in."""
    leads = sa.func.count(ContractParty.id).filter(ContractParty.role == PartyRole.LEAD)
    rows = db.session.execute(sa.select(ContractParty.organisation_id, leads, sa.func.count(ContractParty.id))
                              .group_by(ContractParty.organisation_id)).all()
    parties = {organisation_id: (lead, total) for organisation_id, lead, total in rows}
    return [MunicipalityRow(o, *parties.get(o.id, (0, 0))) for o in municipalities()]


def municipalities() -> list[Organisation]:
    """Every organisation of the deployment, those keeping a ledger first, then by name."""
    return list(db.session.scalars(sa.select(Organisation)
                                   .order_by(Organisation.keeps_ledger.desc(), Organisation.name)))
