"""``units move CODE --administration CODE --from DATE``: a unit to another administration."""

from __future__ import annotations

from datetime import datetime

import click
import sqlalchemy as sa

from ledger.cli.common import ledger_organisation, organisation_option
from ledger.database import db
from ledger.organisation import service
from ledger.organisation.models import BudgetUnit

units_group = click.Group("units", help="Budget units (ansvar).")


@units_group.command("move", help="Move unit CODE to another administration from a date (YYYY-MM-DD); a date in "
                                  "a closed month leaves that month's figures as they were closed.")
@click.argument("code")
@click.option("--administration", "administration_code", required=True, help="Code of the administration.")
@click.option("--from", "valid_from", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day in it.")
@organisation_option
def move_command(code: str, administration_code: str, valid_from: datetime, orgnr: str | None) -> None:
    organisation = ledger_organisation(orgnr)
    unit = db.session.scalar(sa.select(BudgetUnit).where(BudgetUnit.organisation_id == organisation.id,
                                                         BudgetUnit.ansvar == code))
    if unit is None:
        raise click.ClickException(f"No budget unit with ansvar {code}")
    administration = service.get_administration(organisation.id, administration_code)
    before = unit.administration.code
    service.move_to_administration(None, unit, administration, valid_from.date())
    click.echo(f"{unit.ansvar} {unit.name}: {before} → {administration.code} from {valid_from:%Y-%m-%d}")


COMMANDS = (units_group,)
