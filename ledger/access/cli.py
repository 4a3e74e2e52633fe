"""``users create`` and ``users token``."""

from __future__ import annotations

import sys

import click

from ledger.access import service as user_service
from ledger.access.models import Role
from ledger.cli.common import ledger_organisation, organisation_option


@click.group(help="Manage users and API tokens.")
def users() -> None:
    pass


@users.command("create", help="Add a user. Asks for the password unless --password-stdin.")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--unit", "units", multiple=True, help="Ansvar code of a unit (department users).")
@click.option("--display-name", help="Name shown in pages and the audit log.")
@organisation_option
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create(name: str, role: str, units: tuple[str, ...], display_name: str | None,
           orgnr: str | None, password_stdin: bool) -> None:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    organisation = ledger_organisation(orgnr)
    user = user_service.create_user(
        None, organisation_id=organisation.id, username=name, password=password,
        role=Role(role), display_name=display_name, unit_codes=units,
    )
    click.echo(f"Created {user.username} ({user.role.value}"
               + (f"; units {', '.join(u.ansvar for u in user.units)}" if user.units else "") + ")")


@users.command("token", help="Issue an API token for a user; it is shown once.")
@click.argument("name")
@click.option("--label", help="What the token is for.")
def token(name: str, label: str | None) -> None:
    user = user_service.get_by_username(name)
    value = user_service.issue_token(None, user, label)
    click.echo(value)


COMMANDS = (users,)
