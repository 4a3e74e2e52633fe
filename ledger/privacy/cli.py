"""``privacy purge [--dry-run]`` and ``privacy extract PERSON``: personal data (docs/privacy.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app

from ledger.cli.common import ledger_organisation, organisation_option
from ledger.database import db
from ledger.organisation.models import Organisation
from ledger.privacy import extract as extracts
from ledger.privacy import purge as purges
from ledger.reporting import service as report_data
from reports.privacy_pdf import render_privacy_extract

privacy_group = click.Group("privacy", help="Personal data: names past the retention period become pseudonyms; "
                                            "a person's extract (registerutdrag).")


def _months() -> int:
    return int(current_app.config["LEDGER_PRIVACY_RETENTION_MONTHS"])


def _every_ledger() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).where(Organisation.keeps_ledger.is_(True))
                                   .order_by(Organisation.organisation_number)))


def _said(organisation: Organisation, result: purges.PurgeResult) -> str:
    done = "would pseudonymise" if result.dry_run else "pseudonymised"
    return (f"{organisation.name}: {result.assets} subscriptions and handsets ended on or before "
            f"{result.ended_by.isoformat()} ({result.retention_months} months' retention); {done} "
            f"{result.holder_names} holder names and {result.signers} private-use signers on "
            f"{result.subscriptions} subscriptions, {result.managers} managers on {result.handsets} handsets, and "
            f"the names in {result.audit_events} audit events ({result.people} people)"
            + ("; nothing was changed (--dry-run)" if result.dry_run else ""))


@privacy_group.command("purge", help="Replace the names of subscriptions and handsets that ended "
                                     "LEDGER_PRIVACY_RETENTION_MONTHS (24) months ago or more by pseudonyms, in the "
                                     "register and its audit history; figures and events stay.")
@click.option("--dry-run", is_flag=True, help="Count what would be pseudonymised; change nothing.")
@click.option("--every-organisation", "every", is_flag=True,
              help="Every organisation that keeps a ledger here (for a timer in a shared deployment).")
@organisation_option
def purge_command(dry_run: bool, every: bool, orgnr: str | None) -> None:
    organisations = _every_ledger() if every else [ledger_organisation(orgnr)]
    for organisation in organisations:
        with click.progressbar(length=1, label=f"{organisation.name}: names past the retention period",
                               show_pos=True, file=sys.stderr) as bar:
            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

            result = purges.purge(None, organisation.id, secret_key=current_app.config["SECRET_KEY"],
                                  months=_months(), dry_run=dry_run, progress=progress)
        click.echo(_said(organisation, result))


@privacy_group.command("extract", help="Everything the ledger holds about PERSON (each word of the name as a "
                                       "whole word, in any order and case), as JSON or PDF.")
@click.argument("person")
@click.option("--format", "fmt", type=click.Choice(["json", "pdf"]), default="json", show_default=True)
@click.option("-o", "--out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="The file to write (JSON goes to standard output without it; a PDF needs it).")
@click.option("--lang", type=click.Choice(["sv", "en"]), default=None,
              help="The PDF's language (default: LEDGER_LOCALE's).")
@click.option("--by", "by", metavar="NAME", help="Who the extract says made it (default: LEDGER_REPORT_AUTHOR).")
@organisation_option
def extract_command(person: str, fmt: str, out: Path | None, lang: str | None, by: str | None,
                    orgnr: str | None) -> None:
    if fmt == "pdf" and out is None:
        raise click.UsageError("--format pdf needs -o FILE")
    organisation = ledger_organisation(orgnr)
    author = report_data.system_author(organisation, by or current_app.config.get("LEDGER_REPORT_AUTHOR"))
    result = extracts.extract(None, organisation, person, generated_by=author, retention_months=_months())
    if fmt == "json":
        data = extracts.as_json(result)
    else:
        language = lang or str(current_app.config.get("BABEL_DEFAULT_LOCALE", "sv")).split("_")[0]
        data = render_privacy_extract(result, language, report_data.report_translations(language))
    if out is None:
        click.echo(data.decode())
        return
    out.write_bytes(data)
    found = ", ".join(f"{count} {name}" for name, count in extracts.counts(result).items())
    click.echo(f"wrote {out} ({len(data):,} bytes): {found}")


COMMANDS = (privacy_group,)
