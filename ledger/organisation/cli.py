"""``units move CODE --administration CODE --from DATE``: a unit to another administration;
``suppliers add ORGNR --name NAME`` and ``suppliers list``: the suppliers invoices are imported from."""

from __future__ import annotations

import json
from datetime import datetime

import click
import sqlalchemy as sa

from ledger.cli.common import ledger_organisation, organisation_option
from ledger.database import db
from ledger.organisation import service, tenants
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


suppliers_group = click.Group("suppliers", help="Suppliers (leverantörer): invoices are imported only from these.")


@suppliers_group.command("add", help="Register the supplier with organisationsnummer ORGNR (NNNNNN-NNNN).")
@click.argument("orgnr")
@click.option("--name", required=True, help="Registered name.")
@click.option("--peppol-id", help="PEPPOL participant id, e.g. 0007:5566778899.")
@click.option("--vat-number", help="Momsregistreringsnummer, e.g. SE556677889901.")
@click.option("--counterparty", help="Motpart code in Kommun-Bas (else the default motpart).")
def add_supplier_command(orgnr: str, name: str, peppol_id: str | None, vat_number: str | None,
                         counterparty: str | None) -> None:
    supplier = service.create_supplier(None, name=name, organisation_number=orgnr, peppol_id=peppol_id,
                                                   vat_number=vat_number, counterparty_code=counterparty)
    click.echo(f"Registered {supplier.organisation_number} {supplier.name}")


#: What ``suppliers list`` shows of each supplier, in order.
SUPPLIER_COLUMNS = ("organisation_number", "name", "peppol_id", "vat_number", "counterparty_code")


@suppliers_group.command("list", help="Every supplier, by name.")
@click.option("--json", "as_json", is_flag=True, help="The suppliers as a JSON list.")
def list_suppliers_command(as_json: bool) -> None:
    rows = [{"id": s.id} | {column: getattr(s, column) for column in SUPPLIER_COLUMNS}
            for s in service.list_suppliers()]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    width = max((len(row["name"]) for row in rows), default=0)
    for row in rows:  # organisationsnummer, name, PEPPOL id, VAT number, motpart; '-' for none
        click.echo("  ".join([row["organisation_number"], f"{row['name']:<{width}}",
                              *(row[column] or "-" for column in SUPPLIER_COLUMNS[2:])]))
    if not rows:
        click.echo("No suppliers registered yet (suppliers add ORGNR --name NAME)")


organisations_group = click.Group("organisations", help="Municipalities of this deployment, each with its own ledger.")


@organisations_group.command("create", help="Make municipality CODE (kommunkod, e.g. 1497) keep a ledger of its own "
                                            "here: its administrations, units, users, periods and journal.")
@click.argument("code")
@click.option("--name", required=True, help="Name, e.g. Hjo kommun.")
@click.option("--orgnr", required=True, help="Organisationsnummer NNNNNN-NNNN.")
def create_organisation_command(code: str, name: str, orgnr: str) -> None:
    organisation = tenants.create_municipality(code, name, orgnr)
    click.echo(f"{organisation.name} ({organisation.organisation_number}, kommunkod {code}) keeps a ledger here. "
               f"Next: users create NAME --role admin --organisation {organisation.organisation_number}")


@organisations_group.command("list", help="Every organisation: those keeping a ledger, then contract parties.")
def list_organisations_command() -> None:
    for organisation in tenants.municipalities():
        click.echo(f"{organisation.organisation_number}  {organisation.municipality_code or '-':<4}  "
                   f"{'ledger' if organisation.keeps_ledger else 'party ':<6}  {organisation.name}")


COMMANDS = (units_group, suppliers_group, organisations_group)
