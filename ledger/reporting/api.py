"""``/api/v1/reports/allocation`` and ``/api/v1/exports/{sie,csv,xlsx}``: files for finance and auditors.

Each route reads the period's data through ``ledger.services.report_data`` and returns the
rendered file as an attachment. Finance and auditors only (permission ``reports.read``).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, g
from flask_smorest import Blueprint

from ledger.access.permissions import require
from ledger.organisation.models import Organisation
from ledger.reporting import service as report_data
from reports.allocation_pdf import render_allocation_report
from reports.journal_csv import render_journal_csv
from reports.journal_xlsx import render_journal_xlsx
from reports.sie import render_sie4i

reports_blp = Blueprint("reports", __name__, url_prefix="/reports", description="Reports for auditors (PDF)")
exports_blp = Blueprint("exports", __name__, url_prefix="/exports",
                        description="A period's journal for the financial system (SIE 4I) or a spreadsheet")
BLUEPRINTS = (reports_blp, exports_blp)

PDF = "application/pdf"
SIE = "text/plain; charset=IBM437"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PERIOD = ma.validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="use YYYY-MM")


class PeriodQuery(ma.Schema):
    period = ma.fields.String(required=True, validate=_PERIOD, metadata={"description": "YYYY-MM"})


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


@reports_blp.route("/allocation")
@require("reports.read")
@reports_blp.arguments(AllocationReportQuery, location="query")
@reports_blp.response(200, content_type=PDF, description="The allocation report (PDF)")
def allocation_report(query: dict[str, Any]) -> Any:
    """The auditors' allocation report of a period: summary, reconciliation, findings, every entry."""
    organisation = g.user.organisation
    data = report_data.allocation_report(organisation, query["period"], generated_by=signature())
    return attachment(render_allocation_report(data, query["lang"]), PDF,
                      file_name(organisation, "fordelning", query["period"], "pdf"))


@exports_blp.route("/sie")
@require("reports.read")
@exports_blp.arguments(PeriodQuery, location="query")
@exports_blp.response(200, content_type=SIE, description="SIE 4I (CP437)")
def export_sie(query: dict[str, Any]) -> Any:
    """The period's journal as SIE 4I: one balanced voucher per invoice, ansvar as dimension 1."""
    organisation = g.user.organisation
    export = report_data.sie_export(organisation, query["period"], generated_by=signature())
    return attachment(render_sie4i(export), SIE, file_name(organisation, "journal", query["period"], "si"))


@exports_blp.route("/csv")
@require("reports.read")
@exports_blp.arguments(CsvQuery, location="query")
@exports_blp.response(200, content_type=CSV, description="CSV, UTF-8 with BOM")
def export_csv(query: dict[str, Any]) -> Any:
    """The period's journal as CSV (';' and decimal comma unless `separator=,`)."""
    organisation = g.user.organisation
    export = report_data.journal_export(organisation, query["period"])
    return attachment(render_journal_csv(export, separator=query["separator"]), CSV,
                      file_name(organisation, "journal", query["period"], "csv"))


@exports_blp.route("/xlsx")
@require("reports.read")
@exports_blp.arguments(PeriodQuery, location="query")
@exports_blp.response(200, content_type=XLSX, description="Excel workbook")
def export_xlsx(query: dict[str, Any]) -> Any:
    """The period's journal as an Excel workbook (amounts as numbers)."""
    organisation = g.user.organisation
    export = report_data.journal_export(organisation, query["period"])
    return attachment(render_journal_xlsx(export), XLSX, file_name(organisation, "journal", query["period"], "xlsx"))
