"""``inventory import``: the operator's subscription list into the register, in one transaction."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ledger.cli.common import ledger_organisation, organisation_option
from ledger.core.errors import LedgerError
from ledger.inventory import operator_list as inventory_import


@click.group(help="The inventory of subscriptions and handsets.")
def inventory() -> None:
    pass


@inventory.command("import", help="Import the operator's subscription list (CSV, ';'). Nothing is stored if any "
                                  "row is in error.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only show what would be created, updated and moved.")
@click.option("--supplier", help="Operator organisationsnummer for a file without that column.")
@click.option("--json", "as_json", is_flag=True, help="The result as one JSON object.")
@organisation_option
def import_command(path: Path, dry_run: bool, supplier: str | None, as_json: bool, orgnr: str | None) -> None:
    organisation = ledger_organisation(orgnr)
    try:
        parsed = inventory_import.read_list(path.read_bytes(), path.name)
    except LedgerError as error:
        raise click.ClickException(error.message) from None
    with click.progressbar(length=len(parsed.rows), label=f"Checking {path.name}", show_pos=True,
                           file=sys.stderr) as bar:
        result = inventory_import.plan(organisation.id, parsed, supplier=supplier, progress=bar.update,
                                        lock=not dry_run)
    if result.ok and not dry_run:
        inventory_import.apply(None, result)
    if as_json:
        click.echo(json.dumps(inventory_import.as_dict(result), ensure_ascii=False))
    else:
        _print(result, dry_run)
    if not result.ok:
        raise SystemExit(1)


def _print(result: inventory_import.ImportPlan, dry_run: bool) -> None:
    counts = result.counts
    mode = " (dry run)" if dry_run else "" if result.ok else " (not imported)"
    click.echo(f"{result.filename}{mode}: {counts['created']} created, {counts['updated']} updated, "
               f"{counts['moved']} moved, {counts['unchanged']} unchanged, {counts['errors']} error(s)")
    for p in result.created:
        click.echo(f"  + line {p.line}: {p.number}" + (f" → {p.to_unit} from {p.valid_from}" if p.to_unit else ""))
    for p in result.updated:
        changes = ", ".join(f"{name}: {old} → {new}" for name, (old, new) in p.fields.items())
        click.echo(f"  ~ line {p.line}: {p.number} ({changes})")
    for p in result.moved:
        click.echo(f"  > line {p.line}: {p.number} {p.from_unit or '(none)'} → {p.to_unit} from {p.valid_from}")
    if result.ignored_columns:
        click.echo(f"Ignored columns: {', '.join(result.ignored_columns)}")
    for error in result.errors:
        where = f"line {error.line}" if error.line else "file"
        click.echo(f"  ! {where}{f', {error.column}' if error.column else ''}: {error.message}", err=True)
    if not result.ok:
        click.echo(f"{len(result.errors)} error(s): nothing was imported.", err=True)
    elif dry_run:
        click.echo("Dry run: nothing was stored.")


COMMANDS = (inventory,)
