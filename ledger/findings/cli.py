"""``findings record PERIOD``: keep a month's compliance findings and settle claims whose credit
note has come, for a scheduled run after the month's invoices are imported (the compliance
page and API record the month they show; see ``ledger.findings.recording``)."""

from __future__ import annotations

from datetime import datetime

import click

from ledger.cli.common import day_or_today, ledger_organisation, organisation_option
from ledger.findings import recording


@click.group("findings", help="Compliance findings with a status, and claims to suppliers.")
def findings() -> None:
    pass


@findings.command("record", help="Record the findings of a period (YYYY-MM) and match credit notes to claims.")
@click.argument("period")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Horizon for contracts ending (default: today).")
@organisation_option
def record(period: str, today: datetime | None, orgnr: str | None) -> None:
    # a refusal (LedgerError) ends the command with its message: ledger.cli wraps every command
    report = recording.record_period(ledger_organisation(orgnr).id, period, day_or_today(today))
    statuses: dict[str, int] = {}
    for finding in report.findings:
        status = str(getattr(finding, "status", "") or "")
        statuses[status] = statuses.get(status, 0) + 1
    counted = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    click.echo(f"{report.period}: {len(report.findings)} finding(s) recorded{': ' + counted if counted else ''}")


COMMANDS = (findings,)
