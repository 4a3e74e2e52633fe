"""``demo load``: the demo organisation, printed as a summary."""

from __future__ import annotations

import click
import sqlalchemy as sa

from ledger.database import db
from ledger.demo import loader as demo_service
from ledger.organisation.models import Organisation


@click.group(help="Demo data.")
def demo() -> None:
    pass


@demo.command("load", help="Create the demo organisation (Karlsborgs kommun); safe to run twice.")
@click.option("--if-empty", is_flag=True, help="Do nothing when an organisation already keeps a ledger.")
def load(if_empty: bool) -> None:
    if if_empty and db.session.scalar(sa.select(Organisation.id).where(Organisation.keeps_ledger.is_(True))):
        click.echo("The database already holds a ledger; demo data not loaded.")
        return
    summary = demo_service.load()
    added = ", ".join(f"{n} {what}" for what, n in summary.added.items()) or "nothing (already loaded)"
    click.echo(f"Added: {added}")
    click.echo("The ledger now holds: " + ", ".join(f"{n} {what}" for what, n in summary.totals.items()))
    click.echo(f"Demo users (password {summary.password!r}):")
    name_width = max((len(username) for username, _, _ in summary.users), default=0)
    role_width = max((len(role) for _, role, _ in summary.users), default=0)
    for username, role, units in summary.users:
        click.echo(f"  {username:<{name_width}}  {role:<{role_width}}  {units}".rstrip())


COMMANDS = (demo,)
