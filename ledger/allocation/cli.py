"""``allocate PERIOD``, ``periods close PERIOD`` and ``check``."""

from __future__ import annotations

import json
import sys

import click

from ledger.allocation import periods
from ledger.allocation.check import check
from ledger.allocation.engine import allocate
from ledger.cli.common import ledger_organisation, organisation_option, periods_group


@click.command("allocate", help="Allocate every imported line of the period's invoices (PERIOD: YYYY-MM).")
@click.argument("period")
@click.option("--json", "as_json", is_flag=True, help="The result as one JSON object.")
@organisation_option
def allocate_command(period: str, as_json: bool, orgnr: str | None) -> None:
    organisation = ledger_organisation(orgnr)
    with click.progressbar(length=1, label=f"allocating {period}", show_pos=True, file=sys.stderr) as bar:
        def progress(n: int) -> None:
            bar.length = max(bar.length or 0, bar.pos + n)
            bar.update(n)

        result = allocate(None, organisation, period, progress=progress)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    click.echo(f"{period}: {result.invoices} invoices, {result.lines} lines; wrote {result.entries} entries and "
               f"{result.reversals} reversals in {result.booked_in}"
               + (" (corrections: the period is closed)" if result.booked_in != period else ""))
    click.echo(f"  allocated {result.allocated_total:.2f} SEK, in suspense {result.suspense_total:.2f} SEK")
    for rule, amount in sorted(result.by_rule.items()):
        click.echo(f"  {rule:<20} {amount:>14.2f}")


@periods_group.command("close", help="Lock a period; later corrections go to the next open period. Refused "
                                      "while lines of the month are not allocated, unless --force with a reason.")
@click.argument("period")
@click.option("--force", "reason", metavar="REASON",
              help="Close although lines are not allocated; the reason is kept in the audit log.")
@organisation_option
def close_command(period: str, reason: str | None, orgnr: str | None) -> None:
    organisation = ledger_organisation(orgnr)
    closed = periods.close(None, organisation.id, period, force_reason=reason)
    click.echo(f"{period} is closed." + (f" {closed.unallocated} lines were not allocated: {reason}"
                                         if closed.unallocated else ""))


@click.command("check", help="Verify the ledger's invariants; exit status 1 lists the violations.")
def check_command() -> None:
    violations = check()
    if not violations:
        click.echo("ok: every invoice and line reconciles, reversals net to zero, closed periods untouched, "
                   "every past line allocated, the balances equal the journal, every reference exists")
        return
    for violation in violations:
        click.echo(f"{violation.rule}: {violation.message}", err=True)
    raise SystemExit(1)


COMMANDS = (allocate_command, check_command, periods_group,)
