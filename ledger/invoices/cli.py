"""``invoices import``: PEPPOL e-invoices and operator CSV specifications, one transaction per file;
``invoices replace``: an invoice by its supplier's corrected re-issue."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import current_app

from ledger.cli.common import ledger_organisation, organisation_option
from ledger.core.files import upload_name
from ledger.invoices.importing import ImportOutcome, import_file_alone
from ledger.invoices.models import ImportStatus
from ledger.invoices.replacing import Replacement, replace_invoice

#: The outcomes that make ``invoices import`` end with exit status 1.
FAILED = (ImportStatus.REJECTED, ImportStatus.CONFLICT)


@click.group(help="Supplier invoices.")
def invoices() -> None:
    pass


def _file_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--format``, ``--mapping`` and ``--supplier``: how to read an invoice file."""
    command = click.option("--supplier", help="Supplier organisationsnummer for CSV files without that column.")(
        command)
    command = click.option("--mapping", default="generic", show_default=True,
                           help="CSV column layout (importers/mappings).")(command)
    return click.option("--format", "file_format", type=click.Choice(["auto", "peppol", "csv"]), default="auto",
                        show_default=True)(command)


@invoices.command("import", help="Import invoice files; each file is one transaction. Exit status 1 when a file "
                                 "was rejected or conflicts with an imported invoice (same number, other content).")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_file_options
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file instead of text.")
@organisation_option
def import_command(paths: tuple[Path, ...], file_format: str, mapping: str, supplier: str | None,
                   as_json: bool, orgnr: str | None) -> None:
    organisation = ledger_organisation(orgnr)
    max_bytes = current_app.config["MAX_CONTENT_LENGTH"]
    results = []
    for path in paths:
        name = upload_name(path.name, "file")
        outcome = _too_large(path, name, max_bytes)
        if outcome is None:
            data = path.read_bytes()
            with click.progressbar(length=_expected_lines(data), label=name, show_pos=True, file=sys.stderr) as bar:
                outcome = import_file_alone(None, organisation, data, name, format=file_format, mapping=mapping,
                                            supplier=supplier, progress=bar.update, max_bytes=max_bytes)
        results.append(outcome)
        if as_json:
            click.echo(json.dumps(outcome.as_dict(), ensure_ascii=False))
        else:
            _print(outcome)
    if any(r.status in FAILED for r in results):
        raise SystemExit(1)


def _too_large(path: Path, name: str, max_bytes: int) -> ImportOutcome | None:
    """A rejection for a file over the upload limit (``LEDGER_MAX_UPLOAD_MB``), told by its size
    before a byte of it is read, as the API answers 413 before reading the body."""
    size = path.stat().st_size
    if size <= max_bytes:
        return None
    message = f"the file is {size:,} bytes, over the limit of {max_bytes:,} bytes"
    error = {"line": None, "path": None, "field": "file", "message": message, "rule": None}
    return ImportOutcome(name, ImportStatus.REJECTED, errors=[error], message=message)


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
    elif outcome.status == ImportStatus.CONFLICT:
        click.echo(f"{head} — {outcome.message}", err=True)
    else:
        click.echo(head, err=True)
        for error in outcome.errors:
            where = ":".join(str(p) for p in (outcome.file, error.get("line")) if p)
            path = f" {error['path']}" if error.get("path") else ""
            click.echo(f"  {where}{path}: {error['field']}: {error['message']}", err=True)
    for warning in outcome.warnings:
        click.echo(f"  warning: {warning['field']}: {warning['message']}", err=True)


@invoices.command("replace", help="Replace invoice ID by the supplier's corrected re-issue in FILE, while ID has no "
                                  "journal entries in a closed period: its entries are reversed, the re-issue is "
                                  "imported (and allocated, when ID was). One transaction; exit status 1 if refused.")
@click.argument("invoice_id", type=int, metavar="ID")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE")
@_file_options
@click.option("--json", "as_json", is_flag=True, help="The result as one JSON object.")
@organisation_option
def replace_command(invoice_id: int, path: Path, file_format: str, mapping: str, supplier: str | None,
                    as_json: bool, orgnr: str | None) -> None:
    organisation = ledger_organisation(orgnr)
    too_large = _too_large(path, path.name, current_app.config["MAX_CONTENT_LENGTH"])
    if too_large is not None:
        raise click.ClickException(f"{path.name}: {too_large.message}")
    replaced = replace_invoice(None, organisation, invoice_id, path.read_bytes(), upload_name(path.name, "file"),
                               format=file_format, mapping=mapping, supplier=supplier)
    if as_json:
        click.echo(json.dumps(replaced.as_dict(), ensure_ascii=False))
    else:
        _print_replacement(replaced)


def _print_replacement(replaced: Replacement) -> None:
    invoice = replaced.invoice
    click.echo(f"invoice {replaced.original.id} ({invoice.number}) is replaced by invoice {invoice.id} from "
               f"{replaced.outcome.file}: {replaced.outcome.lines} lines, net {invoice.net_total:.2f} SEK")
    for difference in replaced.differences:
        click.echo(f"  {difference['field']}: {difference['old']} → {difference['new']}")
    if replaced.reversed_entries:
        click.echo(f"  reversed {replaced.reversed_entries} journal entries of invoice {replaced.original.id}")
    if replaced.allocation is not None:
        click.echo(f"  allocated {replaced.allocation.period}: {replaced.allocation.entries} entries in "
                   f"{replaced.allocation.booked_in}")
    else:
        click.echo(f"  not allocated yet: allocate {invoice.issue_date:%Y-%m} books it")


COMMANDS = (invoices,)
