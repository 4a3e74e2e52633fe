"""Invoices: upload files, see each file's result, an invoice with its lines."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, render_template, request
from flask_babel import lazy_gettext as _l

from ledger.access.permissions import authorise, require
from ledger.core import identifiers
from ledger.core.files import upload_name
from ledger.invoices import service as invoice_service
from ledger.invoices.forms import UploadForm
from ledger.invoices.importing import UNKNOWN_SUPPLIER_RULE, import_file_alone
from ledger.invoices.models import ImportStatus
from ledger.web import NAVIGATION, blueprint

NAVIGATION.append(("web.invoices", _l("Invoices"), "invoices.read"))

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
        invoices=invoice_service.list_invoices(g.user, limit=100),
        imports=invoice_service.recent_imports(g.user),
    ), status


@blueprint.route("/invoices/<int:invoice_id>")
@require("invoices.read")
def invoice(invoice_id: int) -> Any:
    found = invoice_service.get_invoice(g.user, invoice_id)
    return render_template("invoices/detail.html", invoice=found, lines=invoice_service.allocation_lines(found))
