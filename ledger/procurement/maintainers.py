"""Who keeps a framework contract: its lead party.

A framework contract belongs to the cooperation; every party reads it and applies its price
lists to its own invoices, and the lead party (Skövde, for most of Karlsborg's) maintains its
terms, dates, parties and prices. While the lead keeps no ledger in this deployment (it is
here only as a party), no one of it can log in, so the parties' procurement keeps the register
on its behalf, as each municipality did before the cooperation shared one deployment.
"""

from __future__ import annotations

from ledger.access.models import User
from ledger.core.errors import Forbidden
from ledger.core.text import N_
from ledger.database import db
from ledger.organisation.models import Organisation
from ledger.procurement.models import FrameworkContract

LEAD_MAINTAINS = N_("%(lead)s leads contract %(reference)s and maintains it; the other parties read it")


def ensure_maintainer(actor: User | None, contract: FrameworkContract) -> None:
    """Raise ``Forbidden`` unless ``actor`` may change ``contract`` (commands act for the lead)."""
    if actor is None or actor.organisation_id == contract.lead_organisation_id:
        return
    lead = db.session.get(Organisation, contract.lead_organisation_id)
    if lead is not None and lead.keeps_ledger:
        raise Forbidden(LEAD_MAINTAINS, lead=lead.name, reference=contract.reference)
