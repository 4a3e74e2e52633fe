"""``/api/v1/reports/allocation`` and ``/api/v1/exports/{sie,csv,xlsx}``: files for finance and auditors.

Each route reads the period's data through ``ledger.reporting.service`` and returns the
rendered file as an attachment. Finance and auditors only (permission ``reports.read``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import Response, g
from flask_smorest import Blueprint

from ledger.access.permissions import allowed, require
from ledger.api.openapi import file_response
from ledger.api.pagination import paginated
from ledger.api.schemas import Amount, PeriodField
from ledger.organisation.models import Organisation
from ledger.reporting import service as report_data
from ledger.reporting import sie
from reports.allocation_pdf import render_allocation_report
from reports.journal_csv import render_journal_csv
from reports.journal_xlsx import render_journal_xlsx

reports_blp = Blueprint("reports", __name__, url_prefix="/reports", description="Reports for auditors (PDF)")
exports_blp = Blueprint("exports", __name__, url_prefix="/exports",
                        description="A period's journal for the financial system (SIE 4I) or a spreadsheet")
BLUEPRINTS = (reports_blp, exports_blp)

PDF = "application/pdf"
SIE = "text/plain; charset=IBM437"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PeriodQuery(ma.Schema):
    period = PeriodField(required=True)


class AllocationReportQuery(PeriodQuery):
    lang = ma.fields.String(load_default="sv", validate=ma.validate.OneOf(["sv", "en"]))


class CsvQuery(PeriodQuery):
    separator = ma.fields.String(load_default=";", validate=ma.validate.OneOf([";", ","]),
                                 metadata={"description": "';' with decimal comma (default) or ',' with point"})


def signature() -> str:
    """Who asked, as the report and the SIE file's #GEN name them."""
    return f"{g.user.display_name} ({g.user.username})"


def attachment(data: bytes, mimetype: str, filename: str) -> Response:
    """The file as a download; never cached (journals are not for shared caches)."""
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


def file_name(organisation: Organisation, stem: str, period: str, suffix: str) -> str:
    """``journal-2120001629-2026-03.si``: what, whose, which month."""
    code = "".join(ch for ch in organisation.organisation_number if ch.isdigit())
    return f"{stem}-{code}-{period}.{suffix}"


def _download(blueprint: Blueprint, path: str, query: type[ma.Schema], content_type: str,
              description: str) -> Callable[[Callable[..., Any]], Any]:
    """A file download route: finance and auditors, the period in the query string."""
    def register(view: Callable[..., Any]) -> Any:
        view = blueprint.response(200, content_type=content_type, description=description)(view)
        view = blueprint.doc(responses=file_response(content_type))(view)
        view = blueprint.arguments(query, location="query")(view)
        return blueprint.route(path)(require("reports.read")(view))

    return register


@_download(reports_blp, "/allocation", AllocationReportQuery, PDF, "The allocation report (PDF)")
def allocation_report(query: dict[str, Any]) -> Any:
    """The auditors' allocation report of a period: summary, reconciliation, findings, every entry."""
    organisation, period = g.user.organisation, query["period"]
    data = report_data.allocation_report(organisation, period, generated_by=signature())
    pdf = render_allocation_report(data, query["lang"], report_data.report_translations(query["lang"]))
    return attachment(pdf, PDF, file_name(organisation, "fordelning", period, "pdf"))


class SieQuery(PeriodQuery):
    all = ma.fields.Boolean(load_default=False, metadata={
        "description": "The whole period again, also the vouchers earlier exports held"})
    preview = ma.fields.Boolean(load_default=False, metadata={
        "description": "Look without handing over: nothing is recorded (always so for auditors)"})


class SieExportSchema(ma.Schema):
    id = ma.fields.Integer()
    period = ma.fields.String()
    everything = ma.fields.Boolean(metadata={"description": "The whole period again (--all)"})
    voucher_count = ma.fields.Integer()
    entry_count = ma.fields.Integer()
    total = Amount(metadata={"description": "Sum of the debit rows"})
    sha256 = ma.fields.String()
    exported_by = ma.fields.String(attribute="exported_by_name")
    exported_at = ma.fields.DateTime()


class HistoryQuery(ma.Schema):
    period = PeriodField(load_default=None)


@_download(exports_blp, "/sie", SieQuery, SIE, "SIE 4I (CP437)")
def export_sie(query: dict[str, Any]) -> Any:
    """The period's vouchers not exported before (all of them with `all=true`) as SIE 4I, recorded
    as an export. An auditor, or `preview=true`, gets the file without recording it."""
    organisation, period = g.user.organisation, query["period"]
    hand_over = allowed(g.user, "exports.sie") and not query["preview"]
    exported = sie.export_period(g.user, organisation, period, everything=query["all"], generated_by=signature(),
                                 record=hand_over)
    response = attachment(exported.data, SIE, file_name(organisation, "journal", period, "si"))
    response.headers["X-Vouchers"] = str(exported.vouchers)
    if exported.record is not None:
        response.headers["X-Export-Id"] = str(exported.record.id)
    return response


@exports_blp.route("/sie/history")
@exports_blp.arguments(HistoryQuery, location="query")
@exports_blp.response(200, SieExportSchema(many=True))
@paginated(exports_blp)
@require("reports.read")
def sie_history(query: dict[str, Any]) -> Any:
    """Every recorded SIE export, newest first (of one period, when given), with its file's SHA-256."""
    return sie.exports_of(g.user.organisation_id, query["period"])


@_download(exports_blp, "/csv", CsvQuery, CSV, "CSV, UTF-8 with BOM")
def export_csv(query: dict[str, Any]) -> Any:
    """The period's journal as CSV (';' and decimal comma unless `separator=,`)."""
    organisation, period = g.user.organisation, query["period"]
    data = render_journal_csv(report_data.journal_export(organisation, period), separator=query["separator"])
    return attachment(data, CSV, file_name(organisation, "journal", period, "csv"))


@_download(exports_blp, "/xlsx", PeriodQuery, XLSX, "Excel workbook")
def export_xlsx(query: dict[str, Any]) -> Any:
    """The period's journal as an Excel workbook (amounts as numbers)."""
    organisation, period = g.user.organisation, query["period"]
    data = render_journal_xlsx(report_data.journal_export(organisation, period))
    return attachment(data, XLSX, file_name(organisation, "journal", period, "xlsx"))
