"""``periods status PERIOD [--json]``: the month-end checklist."""

from __future__ import annotations

import json

import click

from ledger.cli.common import ledger_organisation, organisation_option, periods_group
from ledger.closing.service import MonthEnd, month_end
from ledger.core import clock


@periods_group.command("status", help="The month-end checklist of PERIOD (YYYY-MM): invoices per supplier "
                       "(missing ones listed), lines allocated, suspense, findings, SIE exports, close.")
@click.argument("period")
@click.option("--json", "as_json", is_flag=True, help="The checklist as one JSON object.")
@organisation_option
def status_command(period: str, as_json: bool, orgnr: str | None) -> None:
    status = month_end(ledger_organisation(orgnr), period)
    if as_json:
        click.echo(json.dumps(status.as_dict(), ensure_ascii=False))
        return
    for line in _lines(status):
        click.echo(line)


def _lines(s: MonthEnd) -> list[str]:
    closed = "open"
    if s.closed_at:
        closed = f"closed {s.closed_at.astimezone(clock.ZONE):%Y-%m-%d %H:%M} by {s.closed_by}"
        closed += f" (forced: {s.close_reason})" if s.close_reason else ""
    lines = [f"{s.period}: {closed}", "invoices per supplier:"]
    lines += [f"  {sup.supplier:<40} {sup.invoices:>3} {sup.net_total:>14.2f}" + ("  MISSING" if not sup.invoices
                                                                                  else "") for sup in s.suppliers]
    lines += ["  (none)"] if not s.suppliers else []
    lines.append(f"lines: {s.lines_allocated} of {s.lines} allocated" + (f", {s.unallocated} NOT ALLOCATED"
                                                                          if s.unallocated else ""))
    lines.append(f"suspense: {s.suspense_total:.2f} SEK")
    lines.append("findings: " + (", ".join(f"{kind} {n}" for kind, n in sorted(s.findings.items())) or "none"))
    lines.append("SIE exports: " + ("; ".join(f"#{e.id} {e.exported_at.astimezone(clock.ZONE):%Y-%m-%d} "
                                             f"{e.voucher_count} vouchers "
                                             f"{e.sha256[:12]}" for e in s.exports) or "none"))
    if s.status == "open":
        lines.append("ready to close" if s.ready else "not ready: allocate the month first (or close with --force)")
    return lines


COMMANDS = (periods_group,)
