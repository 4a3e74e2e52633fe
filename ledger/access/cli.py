"""``users create|password|token|tokens|revoke-token``."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

import click

from ledger.access import service as user_service
from ledger.access.models import Role
from ledger.cli.common import ledger_organisation, named_organisation, organisation_option
from ledger.core import clock


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
    organisation = named_organisation(orgnr) if role == Role.COOPERATION else ledger_organisation(orgnr)
    user = user_service.create_user(
        None, organisation_id=organisation.id, username=name, password=_read_password(password_stdin),
        role=Role(role), display_name=display_name, unit_codes=units,
    )
    click.echo(f"Created {user.username} ({user.role.value}"
               + (f"; units {', '.join(u.ansvar for u in user.units)}" if user.units else "") + ")")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@users.command("password", help="Set a user's password; every session they have ends.")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def password(name: str, password_stdin: bool) -> None:
    user = user_service.get_by_username(name)
    user_service.set_password(None, user, _read_password(password_stdin))
    click.echo(f"New password for {user.username}; their sessions have ended")


@users.command("token", help="Issue an API token for a user; it is shown once.")
@click.argument("name")
@click.option("--label", help="What the token is for.")
@click.option("--expires-in-days", type=click.IntRange(1, 3650), help="Stop working after this many days.")
def token(name: str, label: str | None, expires_in_days: int | None) -> None:
    user = user_service.get_by_username(name)
    value = user_service.issue_token(None, user, label,
                                     valid_for=timedelta(days=expires_in_days) if expires_in_days else None)
    click.echo(value)


def _when(moment: datetime | None) -> str:
    return f"{moment.astimezone(clock.ZONE):%Y-%m-%d %H:%M}" if moment is not None else "–"


@users.command("tokens", help="List a user's API tokens (never the tokens themselves).")
@click.argument("name")
def tokens(name: str) -> None:
    held = user_service.tokens_of(user_service.get_by_username(name))
    if not held:
        click.echo(f"{name} holds no tokens")
        return
    click.echo(f"{'id':>5}  {'state':8} {'issued':16}  {'last used':16}  {'expires':16}  label")
    for row in held:
        click.echo(f"{row.id:>5}  {row.state:8} {_when(row.created_at):16}  {_when(row.last_used_at):16}  "
                   f"{_when(row.expires_at):16}  {row.label or ''}")


@users.command("revoke-token", help="Revoke one of a user's API tokens (its id from `users tokens`).")
@click.argument("name")
@click.argument("token_id", type=int)
def revoke_token(name: str, token_id: int) -> None:
    revoked = user_service.revoke_token(None, user_service.get_by_username(name), token_id)
    click.echo(f"Token {revoked.id} of {name} is revoked")


COMMANDS = (users,)
