"""``accounts show`` and ``accounts set KEY VALUE``: the organisation's accounting settings."""

from __future__ import annotations

import json

import click

from ledger.accounting import service
from ledger.accounting.plan import SETTINGS
from ledger.cli.common import ledger_organisation, organisation_option

accounts_group = click.Group("accounts", help="The organisation's accounting settings (accounts, booking method, SIE).")


@accounts_group.command("show", help="Every setting with its value.")
@click.option("--json", "as_json", is_flag=True, help="The settings as one JSON object.")
@organisation_option
def show_command(as_json: bool, orgnr: str | None) -> None:
    values = service.settings_of(ledger_organisation(orgnr).id).values()
    if as_json:
        click.echo(json.dumps(values, ensure_ascii=False))
        return
    width = max(map(len, values))
    for key, value in values.items():
        click.echo(f"{key:<{width}}  {value or '-':<10}  {SETTINGS[key].description}")


@accounts_group.command("set", help="Change one setting (KEY as `accounts show` lists it; VALUE '-' for none).")
@click.argument("key")
@click.argument("value")
@organisation_option
def set_command(key: str, value: str, orgnr: str | None) -> None:
    settings = service.update(None, ledger_organisation(orgnr), {key: value})
    click.echo(f"{key} = {settings.values()[key] or '-'}")


COMMANDS = (accounts_group,)
