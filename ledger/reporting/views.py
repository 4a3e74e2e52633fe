"""The reports page: the allocation report (PDF) and the journal exports (SIE, CSV, XLSX) of a period.

Downloads are plain GET links (nothing changes), behind the session like every page; the API
offers the same files with a bearer token. Finance and auditors only (``reports.read``). The
one change is the hand-over to the financial system: finance posts the form, the file holds
the vouchers not handed over before, and the export is recorded (``reporting.sie``). A GET of
the SIE file is a look at the whole period, recorded nowhere.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, render_template, request
from flask_babel import force_locale, get_locale, get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from ledger.access.permissions import authorise, require
from ledger.allocation import periods
from ledger.core import clock
from ledger.core.errors import BadRequest
from ledger.core.month import Month
from ledger.reporting import service as report_data
from ledger.reporting import sie
from ledger.reporting.api import CSV, PDF, SIE, XLSX, attachment, file_name, signature
from ledger.web import NAVIGATION, blueprint
from reports.allocation_pdf import render_allocation_report
from reports.journal_csv import render_journal_csv
from reports.journal_xlsx import render_journal_xlsx
from reports.text import Translations

NAVIGATION.append(("web.reports", _l("Reports"), "reports.read"))
LANGUAGES = {"sv": "Svenska", "en": "English"}


def _period() -> str:
    """The ``period`` argument, checked (400 for anything but YYYY-MM)."""
    period = request.args.get("period", "")
    Month.parse(period)
    return period


def _language() -> str:
    chosen = request.args.get("lang")
    return chosen if chosen in LANGUAGES else str(get_locale() or "sv").split("_")[0]


def _translations(language: str) -> Translations:
    """The request's catalogue in ``language``: the page's own, or the other one when the
    report is asked for in the other language (``?lang=``)."""
    with force_locale(language):
        return get_translations()


@blueprint.route("/reports", endpoint="reports")
@require("reports.read")
def reports_page() -> Any:
    listed = periods.list_periods(g.user.organisation_id)
    period = request.args.get("period") or (listed[0].period if listed else str(Month.of(clock.today())))
    Month.parse(period)
    chosen = next((p for p in listed if p.period == period), None)
    language = _language()
    exports = sie.exports_of(g.user.organisation_id, period)
    return render_template("reports/index.html", periods=listed, period=period, chosen=chosen, language=language,
                           languages=LANGUAGES, form=FlaskForm(), exports=exports)


@blueprint.route("/reports/allocation.pdf", endpoint="report_allocation")
@require("reports.read")
def allocation_pdf() -> Response:
    organisation, period = g.user.organisation, _period()
    data = report_data.allocation_report(organisation, period, generated_by=signature())
    language = _language()
    return attachment(render_allocation_report(data, language, _translations(language)), PDF,
                      file_name(organisation, "fordelning", period, "pdf"))


@blueprint.route("/reports/journal.si", methods=["GET", "POST"], endpoint="export_sie")
@require("reports.read")
def journal_sie() -> Response:
    organisation, period = g.user.organisation, _period()
    hand_over = request.method == "POST"
    if hand_over:
        authorise(g.user, "exports.sie")
        if not FlaskForm().validate_on_submit():
            raise BadRequest("The form has expired; reload the page and try again")
    everything = not hand_over or request.form.get("all") == "1"
    exported = sie.export_period(g.user, organisation, period, everything=everything, generated_by=signature(),
                                 record=hand_over)
    return attachment(exported.data, SIE, file_name(organisation, "journal", period, "si"))


@blueprint.route("/reports/journal.csv", endpoint="export_csv")
@require("reports.read")
def journal_csv() -> Response:
    organisation, period = g.user.organisation, _period()
    separator = "," if request.args.get("separator") == "," else ";"
    data = render_journal_csv(report_data.journal_export(organisation, period), separator=separator)
    return attachment(data, CSV, file_name(organisation, "journal", period, "csv"))


@blueprint.route("/reports/journal.xlsx", endpoint="export_xlsx")
@require("reports.read")
def journal_xlsx() -> Response:
    organisation, period = g.user.organisation, _period()
    data = render_journal_xlsx(report_data.journal_export(organisation, period))
    return attachment(data, XLSX, file_name(organisation, "journal", period, "xlsx"))
