"""``exceptions expire`` and ``compliance PERIOD``."""

from __future__ import annotations

import json
from datetime import datetime

import click

from ledger.cli.common import day_or_today, ledger_organisation, organisation_option
from ledger.procurement import compliance as compliance_service
from ledger.procurement import coverage as exception_service


@click.group(help="Coverage exceptions (undantag).")
def exceptions() -> None:
    pass


@exceptions.command("expire", help="Mark approved exceptions whose end date has passed as expired.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="The day to expire as of (default: today).")
def expire(today: datetime | None) -> None:
    expired = exception_service.expire_due(None, day_or_today(today))
    listed = f": {', '.join(map(str, expired))}" if expired else ""
    click.echo(f"Expired {len(expired)} coverage exception(s){listed}")


@click.command("compliance", help="Compliance findings of a period (YYYY-MM) and the claims list.")
@click.argument("period")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Horizon for contracts ending (default: today).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of text.")
@organisation_option
def compliance(period: str, today: datetime | None, as_json: bool, orgnr: str | None) -> None:
    # a refusal (LedgerError) ends the command with its message: ledger.cli wraps every command
    report = compliance_service.check(ledger_organisation(orgnr).id, period, day_or_today(today))
    if as_json:
        click.echo(json.dumps({
            "period": report.period, "lines_checked": report.lines_checked, "counts": report.counts,
            "claims": [{"supplier": c.supplier_name, "excess": f"{c.excess:.2f}", "line_ids": list(c.line_ids)}
                       for c in report.claims],
            "findings": [{"kind": f.kind, "reason": f.reason, "line_ids": list(f.line_ids),
                          "amount": None if f.amount is None else f"{f.amount:.2f}"} for f in report.findings],
        }, ensure_ascii=False))
        return
    click.echo(f"{report.period}: {report.lines_checked} line(s) checked, {len(report.findings)} finding(s)")
    for claim in report.claims:
        click.echo(f"  claim {claim.supplier_name}: {claim.excess:.2f} ({len(claim.line_ids)} line(s))")
    for finding in report.findings:
        click.echo(f"  [{finding.kind}] {finding.reason}")


COMMANDS = (exceptions, compliance,)
