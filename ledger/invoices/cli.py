"""``invoices import``: PEPPOL e-invoices and operator CSV specifications, one transaction per file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ledger.cli.common import ledger_organisation, organisation_option
from ledger.invoices.importing import ImportOutcome, import_file_alone
from ledger.invoices.models import ImportStatus


@click.group(help="Supplier invoices.")
def invoices() -> None:
    pass


@invoices.command("import", help="Import invoice files; each file is one transaction.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "file_format", type=click.Choice(["auto", "peppol", "csv"]), default="auto",
              show_default=True)
@click.option("--mapping", default="generic", show_default=True, help="CSV column layout (importers/mappings).")
@click.option("--supplier", help="Supplier organisationsnummer for CSV files without that column.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file instead of text.")
@organisation_option
def import_command(paths: tuple[Path, ...], file_format: str, mapping: str, supplier: str | None,
                   as_json: bool, orgnr: str | None) -> None:
    organisation = ledger_organisation(orgnr)
    results = []
    for path in paths:
        data = path.read_bytes()
        with click.progressbar(length=_expected_lines(data), label=path.name, show_pos=True,
                               file=sys.stderr) as bar:
            outcome = import_file_alone(None, organisation, data, path.name, format=file_format, mapping=mapping,
                                        supplier=supplier, progress=bar.update)
        results.append(outcome)
        if as_json:
            click.echo(json.dumps(outcome.as_dict(), ensure_ascii=False))
        else:
            _print(outcome)
    if any(r.status == ImportStatus.REJECTED for r in results):
        raise SystemExit(1)


def _expected_lines(data: bytes) -> int:
    """A cheap count of the lines a file will give, for the progress bar's length."""
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return (data.count(b"InvoiceLine>") + data.count(b"CreditNoteLine>")) // 2
    return max(data.count(b"\n") - 1, 0)


def _print(outcome: ImportOutcome) -> None:
    head = f"{outcome.file}: {outcome.status.value}"
    if outcome.status == ImportStatus.IMPORTED:
        ids = ", ".join(str(i) for i in outcome.invoice_ids)
        click.echo(f"{head} — invoice {ids}, {outcome.lines} lines ({outcome.matched_lines} matched), "
                   f"net {outcome.net_total:.2f} SEK")
    elif outcome.status == ImportStatus.DUPLICATE:
        click.echo(f"{head} — {outcome.message}")
    else:
        click.echo(head, err=True)
        for error in outcome.errors:
            where = ":".join(str(p) for p in (outcome.file, error.get("line")) if p)
            path = f" {error['path']}" if error.get("path") else ""
            click.echo(f"  {where}{path}: {error['field']}: {error['message']}", err=True)


COMMANDS = (invoices,)
