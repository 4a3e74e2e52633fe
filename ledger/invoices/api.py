"""``/api/v1/invoices``: import (multipart) and read invoices with their lines."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app, g, request
from flask_smorest import Blueprint

from ledger.access.permissions import require
from ledger.api.openapi import upload_body
from ledger.api.pagination import paged_by_view
from ledger.api.routes import guarded
from ledger.api.schemas import Amount
from ledger.core.errors import BadRequest, Conflict, ValidationFailed
from ledger.core.files import upload_name
from ledger.core.text import N_
from ledger.inventory.models import AssetType
from ledger.invoices import service as invoice_service
from ledger.invoices.importing import import_file
from ledger.invoices.models import ImportStatus

blp = Blueprint("invoices", __name__, url_prefix="/invoices", description="Supplier invoices")


class AssetId(ma.fields.Integer):
    """The id of the line's asset when it is of ``kind``, else null: the JSON keeps a field per kind."""

    def __init__(self, kind: AssetType, **kwargs: Any) -> None:
        super().__init__(allow_none=True, **kwargs)
        self.kind = kind

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = ma.missing) -> Any:
        asset = obj.asset
        return asset.id if asset is not None and asset.type == self.kind else None


class InvoiceLineSchema(ma.Schema):
    id = ma.fields.Integer()
    source = ma.fields.String(metadata={"description": "document or specification"})
    position = ma.fields.Integer()
    description = ma.fields.String(allow_none=True)
    item_code = ma.fields.String(allow_none=True)
    category = ma.fields.Function(lambda line: line.category.value)
    quantity = ma.fields.Decimal(as_string=True, allow_none=True)
    unit_price = ma.fields.Decimal(as_string=True, allow_none=True)
    net_amount = Amount()
    vat_rate = ma.fields.Decimal(as_string=True, allow_none=True)
    period_start = ma.fields.Date(allow_none=True)
    period_end = ma.fields.Date(allow_none=True)
    reference = ma.fields.String(allow_none=True)
    reference_source = ma.fields.String(allow_none=True, metadata={"description": "Where the reference was found"})
    location = ma.fields.String(allow_none=True)
    subscription_id = AssetId(AssetType.SUBSCRIPTION)
    handset_id = AssetId(AssetType.HANDSET)


class InvoiceSchema(ma.Schema):
    id = ma.fields.Integer()
    supplier = ma.fields.Function(lambda inv: {"name": inv.supplier.name,
                                               "organisation_number": inv.supplier.organisation_number})
    document_type = ma.fields.Function(lambda inv: inv.document_type.value)
    number = ma.fields.String()
    issue_date = ma.fields.Date()
    period_start = ma.fields.Date(allow_none=True)
    period_end = ma.fields.Date(allow_none=True)
    currency = ma.fields.String()
    credited_number = ma.fields.String(allow_none=True)
    net_total = Amount()
    vat_total = Amount()
    rounding = Amount()
    payable = Amount()
    has_specification = ma.fields.Function(lambda inv: inv.specification_import_id is not None)


class InvoiceDetailSchema(InvoiceSchema):
    lines = ma.fields.Function(lambda inv: InvoiceLineSchema(many=True).dump(invoice_service.allocation_lines(inv)))


class ImportQuerySchema(ma.Schema):
    format = ma.fields.String(load_default="auto", validate=ma.validate.OneOf(["auto", "peppol", "csv"]))
    mapping = ma.fields.String(load_default="generic")
    supplier = ma.fields.String(load_default=None)


class ListQuerySchema(ma.Schema):
    number = ma.fields.String(load_default=None)


@blp.route("", methods=["POST"])
@require("invoices.import")
@blp.arguments(ImportQuerySchema, location="query")
@blp.response(201)
@blp.alt_response(409, description="The file or invoice is already imported (the details: the import), or an "
                                   "invoice of that number with other content is (code conflict; the details: "
                                   "each field that differs, with its old and new value)")
@blp.alt_response(422, description="The file was rejected; details name line and field")
@blp.alt_response(413, description="The file is larger than the limit")
@blp.alt_response(400, description="No multipart field `file`")
@blp.doc(requestBody=upload_body("A PEPPOL invoice or credit note (UBL XML), or an operator's CSV specification"))
def import_invoice(args: dict[str, Any]) -> Any:
    """Import one file (multipart field ``file``): a PEPPOL invoice or an operator CSV."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadRequest(N_("Send the invoice file as multipart form field 'file'"))
    data = upload.read()
    outcome = import_file(g.user, g.user.organisation, data, upload_name(upload.filename, "file"),
                          format=args["format"], mapping=args["mapping"], supplier=args["supplier"],
                          max_bytes=current_app.config["MAX_CONTENT_LENGTH"])
    if outcome.status == ImportStatus.DUPLICATE:
        raise Conflict(outcome.message, [outcome.as_dict()])
    if outcome.status == ImportStatus.CONFLICT:
        raise Conflict(outcome.message, outcome.as_dict()["differences"])
    if outcome.status == ImportStatus.REJECTED:
        raise ValidationFailed(N_("%(file)s was rejected: %(why)s"), outcome.errors, file=outcome.file,
                               why=outcome.message)
    return outcome.as_dict()


@guarded(blp, "GET", "", "invoices.read", 200, InvoiceSchema(many=True), arguments=ListQuerySchema,
         location="query", paging=paged_by_view)
def list_invoices(args: dict[str, Any], pagination_parameters: Any) -> Any:
    """Invoices, newest first."""
    pagination_parameters.item_count = invoice_service.count_invoices(g.user, number=args["number"])
    return invoice_service.list_invoices(g.user, number=args["number"], limit=pagination_parameters.page_size,
                                         offset=pagination_parameters.first_item)


@blp.route("/<int:invoice_id>")
@blp.response(200, InvoiceDetailSchema)
@require("invoices.read")
def get_invoice(invoice_id: int) -> Any:
    """One invoice with the lines the allocation uses, and where each line's reference was found."""
    return invoice_service.get_invoice(g.user, invoice_id)


BLUEPRINTS = (blp,)
