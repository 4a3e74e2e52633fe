"""``report allocation PERIOD`` and ``export sie|csv|xlsx PERIOD``: files for auditors and finance."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import current_app

from ledger.cli.common import ledger_organisation, organisation_option
from ledger.core import clock
from ledger.core.errors import LedgerError
from ledger.organisation.models import Organisation
from ledger.reporting import service as report_data
from ledger.reporting import sie
from reports.allocation_pdf import render_allocation_report
from reports.budget_pdf import render_budget_report
from reports.journal_csv import render_journal_csv
from reports.journal_xlsx import render_journal_xlsx

out_option = click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
                          help="The file to write.")


def _author(organisation: Organisation, by: str | None = None) -> str:
    """Who a file made here names as its maker: ``--by``, else ``LEDGER_REPORT_AUTHOR``, else
    the organisation's system user (``report_data.system_author``)."""
    return report_data.system_author(organisation, by or current_app.config.get("LEDGER_REPORT_AUTHOR"))


def _language(chosen: str | None) -> str:
    """``--lang``, else the default language of pages and reports (``LEDGER_LOCALE``)."""
    return chosen or str(current_app.config.get("BABEL_DEFAULT_LOCALE", "sv")).split("_")[0]


def _write(out: Path, render: Callable[[Organisation], bytes], orgnr: str | None, what: str) -> None:
    organisation = ledger_organisation(orgnr)
    try:
        data = render(organisation)
    except LedgerError as error:
        raise click.ClickException(error.message) from None
    except ValueError as error:  # a renderer refusing its data names what is wrong
        raise click.ClickException(f"{what}: {error}") from None
    out.write_bytes(data)
    click.echo(f"wrote {out} ({len(data):,} bytes)")


report_group = click.Group("report", help="Reports as PDF files.")
export_group = click.Group("export", help="A period's journal as a file for the financial system or a spreadsheet.")


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _period_file(group: click.Group, name: str, help: str,
                 *options: Decorator) -> Callable[[Callable[..., None]], click.Command]:
    """A command that writes PERIOD's file to ``--out``: PERIOD, --out, its own options, --organisation."""
    decorators: tuple[Decorator, ...] = (organisation_option, *reversed(options), out_option, click.argument("period"))

    def register(function: Callable[..., None]) -> click.Command:
        for option in decorators:
            function = option(function)
        return group.command(name, help=help)(function)

    return register


_LANGUAGE = click.option("--lang", type=click.Choice(["sv", "en"]), default=None,
                         help="Language (default: LEDGER_LOCALE's, Swedish unless configured).")
_BY = click.option("--by", "by", metavar="NAME",
                   help="Who the report says made it (default: LEDGER_REPORT_AUTHOR, else "
                        "\"<organisation> (system)\").")


@_period_file(report_group, "allocation", "The auditors' allocation report of PERIOD (YYYY-MM) as a PDF.", _LANGUAGE,
              _BY)
def allocation_report_command(period: str, out: Path, lang: str | None, by: str | None, orgnr: str | None) -> None:
    language = _language(lang)
    _write(out, lambda organisation: render_allocation_report(
        report_data.allocation_report(organisation, period, generated_by=_author(organisation, by)), language,
        report_data.report_translations(language)), orgnr, "report")


@report_group.command("budget", help="Budget against actual for YEAR as a PDF, for a unit or the organisation.")
@click.argument("year", type=click.IntRange(2000, 2100))
@out_option
@click.option("--unit", "unit_code",
              help="Ansvar code of one unit (default: the organisation and its administrations).")
@_LANGUAGE
@_BY
@organisation_option
def budget_report_command(year: int, out: Path, unit_code: str | None, lang: str | None, by: str | None,
                          orgnr: str | None) -> None:
    language = _language(lang)
    _write(out, lambda organisation: render_budget_report(
        report_data.budget_report(organisation, year, unit_code=unit_code, generated_by=_author(organisation, by)),
        language, report_data.report_translations(language)), orgnr, "report")


@_period_file(export_group, "sie", "PERIOD's (YYYY-MM) vouchers not exported before as SIE 4I (CP437) for the "
              "financial system; every export is recorded.",
              click.option("--all", "everything", is_flag=True,
                           help="The whole period again, also what earlier exports held (said so in #PROSA)."))
def export_sie_command(period: str, out: Path, everything: bool, orgnr: str | None) -> None:
    organisation = ledger_organisation(orgnr)
    try:
        exported = sie.export_period(None, organisation, period, everything=everything,
                                     generated_by=_author(organisation))
    except ValueError as error:  # the renderer refusing its data names what is wrong
        raise click.ClickException(f"SIE export: {error}") from None
    out.write_bytes(exported.data)
    if exported.record is None:
        earlier = sie.exports_of(organisation.id, period)
        when = earlier[0].exported_at.astimezone(clock.ZONE) if earlier else None
        since = f" since export {earlier[0].id} of {when:%Y-%m-%d %H:%M}" if earlier else ""
        click.echo(f"wrote {out}: no vouchers, nothing new in {period}{since}")
        return
    click.echo(f"wrote {out} ({len(exported.data):,} bytes): {exported.vouchers} vouchers of {exported.entries} "
               f"journal entries, {exported.record.total:.2f} SEK; recorded as export {exported.record.id} "
               f"(SHA-256 {exported.record.sha256[:16]}…)" + (" — the whole period again" if everything else ""))


@_period_file(export_group, "csv", "The journal of PERIOD (YYYY-MM) as CSV (';' and decimal comma, UTF-8 with BOM).",
              click.option("--separator", type=click.Choice([";", ","]), default=";", show_default=True,
                           help="Field separator; ',' writes a decimal point instead of a comma."))
def export_csv_command(period: str, out: Path, separator: str, orgnr: str | None) -> None:
    _write(out, lambda organisation: render_journal_csv(
        report_data.journal_export(organisation, period), separator=separator), orgnr, "CSV export")


@_period_file(export_group, "xlsx", "The journal of PERIOD (YYYY-MM) as an Excel workbook.")
def export_xlsx_command(period: str, out: Path, orgnr: str | None) -> None:
    _write(out, lambda organisation: render_journal_xlsx(report_data.journal_export(organisation, period)), orgnr,
           "XLSX export")


COMMANDS = (report_group, export_group,)
