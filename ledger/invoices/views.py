"""Invoices: upload files, see each file's result, an invoice with its lines."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ledger.access.permissions import authorise, require
from ledger.core import identifiers
from ledger.core.files import upload_name
from ledger.core.identifiers import display_phone_number
from ledger.inventory.models import AssetType
from ledger.invoices import service as invoice_service
from ledger.invoices.forms import UploadForm
from ledger.invoices.importing import UNKNOWN_SUPPLIER_RULE, import_file_alone
from ledger.invoices.models import ImportStatus, Invoice, InvoiceLine
from ledger.labels import label
from ledger.organisation.models import Supplier
from ledger.web import NAVIGATION, blueprint, listing
from ledger.web.listing import Column, Listing

NAVIGATION.append(("web.invoices", _l("Invoices"), "invoices.read"))


@blueprint.app_template_filter("line_reference")
def line_reference(row: Any) -> str:
    """A line's reference as the inventory shows it: the matched subscription's number, else the
    reference read as a phone number where it is one (070-…), else as the file has it."""
    if row.asset_type == AssetType.SUBSCRIPTION:
        return display_phone_number(row.asset_identifier)
    return listing.shown_reference(row.reference)


def asset_kind(row: Any) -> str:
    """What a line was matched to: a subscription, a handset, or nothing."""
    if row.asset_type is None:
        return _("not matched")
    return _("subscription") if row.asset_type == AssetType.SUBSCRIPTION else _("handset")


#: The imported invoices: newest first unless the reader sorts otherwise; ``?type=`` one kind.
INVOICE_LIST = Listing("fakturor", (
    Column("number", _l("Invoice"), Invoice.number, lambda r: r.number),
    Column("supplier", _l("Supplier"), Supplier.name, lambda r: r.supplier),
    Column("date", _l("Date"), Invoice.issue_date, lambda r: r.issue_date),
    Column("type", _l("Type"), Invoice.document_type, lambda r: label(r.document_type)),
    Column("net", _l("Net total"), Invoice.net_total, lambda r: r.net_total, css="num"),
    Column("vat", _l("VAT"), Invoice.vat_total, lambda r: r.vat_total, css="num"),
), default_sort="date", default_descending=True, filters=("type",), tiebreak=(Invoice.id,))

#: An invoice's lines, in file order unless the reader sorts otherwise; ``?matched=yes|no``.
LINE_LIST = Listing("fakturarader", (
    Column("position", "#", InvoiceLine.position, lambda r: r.position, css="num"),
    Column("text", _l("Text"), InvoiceLine.description, lambda r: r.description),
    Column("category", _l("Category"), InvoiceLine.category, lambda r: label(r.category)),
    Column("reference", _l("Reference"), InvoiceLine.reference, lambda r: line_reference(r)),
    Column("source", _l("Found in"), None, lambda r: r.reference_source),
    Column("asset", _l("Asset"), None, lambda r: asset_kind(r)),
    Column("period", _l("Period"), InvoiceLine.period_start, lambda r: r.period_start),
    Column("period_end", _l("Period end"), None, lambda r: r.period_end, shown=False),
    Column("amount", _l("Amount"), InvoiceLine.net_amount, lambda r: r.net_amount, css="num"),
), default_sort="position", filters=("matched",), tiebreak=(InvoiceLine.id,))


@blueprint.app_template_filter("unknown_supplier")
def unknown_supplier(error: dict[str, Any]) -> str | None:
    """The organisationsnummer of an unknown-supplier error (``importing.UNKNOWN_SUPPLIER_RULE``),
    so that the page can offer to register it; ``None`` for any other error."""
    if error.get("rule") != UNKNOWN_SUPPLIER_RULE:
        return None
    number = (error.get("params") or {}).get("organisation_number")
    try:
        return identifiers.organisation_number(number) if number else None
    except identifiers.IdentifierError:
        return None


@blueprint.route("/invoices", methods=["GET", "POST"])
@require("invoices.read")
def invoices() -> Any:
    asked = listing.read(INVOICE_LIST)
    listed = invoice_service.invoice_list_query(g.user, text=asked.q, document_type=asked.filters.get("type"))
    if asked.format and request.method == "GET":
        return listing.download_query(invoice_service.invoice_rows(listed), asked)
    form = UploadForm()
    outcomes = []
    status = 200
    if request.method == "POST":
        authorise(g.user, "invoices.import")
        if form.validate_on_submit():
            organisation = g.user.organisation
            for upload in request.files.getlist(form.files.name):
                outcomes.append(import_file_alone(
                    g.user, organisation, upload.read(), upload_name(upload.filename, "file"), format=form.format.data,
                    mapping=form.mapping.data or "generic", supplier=form.supplier.data or None,
                    max_bytes=current_app.config["MAX_CONTENT_LENGTH"]))
            if any(o.status == ImportStatus.REJECTED for o in outcomes):
                status = 422
            elif any(o.status == ImportStatus.CONFLICT for o in outcomes):
                status = 409
        else:
            status = 400
    return render_template(
        "invoices/index.html", form=form, outcomes=outcomes,
        invoices=listing.page_of(listed, asked, scalars=True), asked=asked,
        imports=invoice_service.recent_imports(g.user),
    ), status


@blueprint.route("/invoices/<int:invoice_id>")
@require("invoices.read")
def invoice(invoice_id: int) -> Any:
    found = invoice_service.get_invoice(g.user, invoice_id)
    asked = listing.read(LINE_LIST)
    lines = invoice_service.line_list_query(found, text=asked.q, matched=asked.filters.get("matched"))
    if asked.format:
        return listing.download_query(lines, asked)
    return render_template("invoices/detail.html", invoice=found, lines=listing.page_of(lines, asked), asked=asked,
                           all_lines=listing.count(invoice_service.line_list_query(found)))
