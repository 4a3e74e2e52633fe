"""``users create`` and ``users token``."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa

from ledger.errors import LedgerError
from ledger.extensions import db
from ledger.models import Organisation, Role
from ledger.services import users as user_service


@click.group(help="Manage users and API tokens.")
def users() -> None:
    pass


def _ledger_organisation(orgnr: str | None) -> Organisation:
    query = sa.select(Organisation).where(Organisation.keeps_ledger.is_(True))
    if orgnr:
        query = query.where(Organisation.organisation_number == orgnr)
    found = db.session.scalars(query).all()
    if len(found) != 1:
        raise click.ClickException(
            "No organisation keeps a ledger yet (run `demo load`)" if not found
            else "Several organisations keep a ledger here: give --organisation NNNNNN-NNNN"
        )
    return found[0]


@users.command("create", help="Add a user. Asks for the password unless --password-stdin.")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--unit", "units", multiple=True, help="Ansvar code of a unit (department users).")
@click.option("--display-name", help="Name shown in pages and the audit log.")
@click.option("--organisation", "orgnr", help="Organisationsnummer, when several keep a ledger.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create(name: str, role: str, units: tuple[str, ...], display_name: str | None,
           orgnr: str | None, password_stdin: bool) -> None:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    organisation = _ledger_organisation(orgnr)
    try:
        user = user_service.create_user(
            None, organisation_id=organisation.id, username=name, password=password,
            role=Role(role), display_name=display_name, unit_codes=units,
        )
    except LedgerError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created {user.username} ({user.role.value}"
               + (f"; units {', '.join(u.ansvar for u in user.units)}" if user.units else "") + ")")


@users.command("token", help="Issue an API token for a user; it is shown once.")
@click.argument("name")
@click.option("--label", help="What the token is for.")
def token(name: str, label: str | None) -> None:
    try:
        user = user_service.get_by_username(name)
    except LedgerError as error:
        raise click.ClickException(error.message) from None
    value = user_service.issue_token(None, user, label)
    db.session.commit()
    click.echo(value)
