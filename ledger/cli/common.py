"""Helpers shared by the commands."""

from __future__ import annotations

from datetime import date, datetime

import click
import sqlalchemy as sa
from flask import current_app

from ledger.core import clock
from ledger.database import db
from ledger.organisation.models import Organisation

organisation_option = click.option(
    "--organisation", "orgnr", help="Organisationsnummer, when several organisations keep a ledger here "
                                    "(default: LEDGER_ORGANISATION)."
)


def day_or_today(given: datetime | None) -> date:
    """The day a ``--today`` option names (``click.DateTime``), else today."""
    return given.date() if given is not None else clock.today()


#: ``periods``: a group several features add to (allocation: ``close``; closing: ``status``),
#: as they add pages to ``ledger.web.NAVIGATION``.
periods_group = click.Group("periods", help="Accounting periods: the month-end checklist and the close.")


def named_organisation(orgnr: str | None) -> Organisation:
    """Any organisation of the deployment, ledger or not, by organisationsnummer (the
    cooperation's administrator may work for a party that keeps no ledger here)."""
    query = sa.select(Organisation).where(Organisation.organisation_number == orgnr)
    found = db.session.scalar(query) if orgnr else None
    if found is None:
        raise click.ClickException(f"No organisation with organisationsnummer {orgnr} here (organisations list)"
                                   if orgnr else "Give --organisation NNNNNN-NNNN")
    return found


def ledger_organisation(orgnr: str | None = None) -> Organisation:
    """The organisation a command works on: the one named (``--organisation``, else
    ``LEDGER_ORGANISATION``), or the only one that keeps a ledger."""
    orgnr = orgnr or current_app.config.get("LEDGER_ORGANISATION") or None
    query = sa.select(Organisation).where(Organisation.keeps_ledger.is_(True))
    if orgnr:
        query = query.where(Organisation.organisation_number == orgnr)
    found = db.session.scalars(query).all()
    if len(found) != 1:
        raise click.ClickException(
            (f"No organisation with organisationsnummer {orgnr} keeps a ledger here (organisations list)" if orgnr
             else "No organisation keeps a ledger yet (run `demo load`)") if not found
            else "Several organisations keep a ledger here: give --organisation NNNNNN-NNNN "
                 "or set LEDGER_ORGANISATION"
        )
    return found[0]
