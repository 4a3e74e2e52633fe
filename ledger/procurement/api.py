"""Procurement in the API: ``/suppliers``, ``/contracts`` (with prices, terms and documents),
``/exceptions`` (coverage exceptions and their workflow) and ``/compliance``.

Routes parse with marshmallow, authorise with ``@require`` (before parsing, so a caller
without the right gets 403 whatever the body), call one service and serialise; ``endpoint``
puts the route, its response, its permission and its input in that order on every route.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma
from flask import g, request
from flask_smorest import Blueprint

from ledger.access.permissions import require
from ledger.api.openapi import upload_body
from ledger.api.routes import endpoint
from ledger.api.schemas import Amount, Id, PatchSchema, PeriodField
from ledger.core import clock
from ledger.core.categories import Category
from ledger.core.errors import BadRequest, ValidationFailed
from ledger.core.files import upload_name
from ledger.core.text import N_
from ledger.findings import recording as findings_recording
from ledger.organisation import service as organisation_service
from ledger.procurement import compliance as compliance_service
from ledger.procurement import coverage as exception_service
from ledger.procurement import price_lists
from ledger.procurement import service as procurement_service
from ledger.procurement.models import ContractStatus, ExceptionStatus
from ledger.procurement.service import OptionInput, PartyRef

suppliers = Blueprint("suppliers", __name__, url_prefix="/suppliers", description="Suppliers (leverantörer)")
contracts = Blueprint("contracts", __name__, url_prefix="/contracts",
                      description="Framework contracts (ramavtal), price lists, terms and documents")
exceptions = Blueprint("exceptions", __name__, url_prefix="/exceptions",
                       description="Coverage exceptions (undantag) and their workflow")
compliance = Blueprint("compliance", __name__, url_prefix="/compliance", description="Compliance findings")

BLUEPRINTS = (suppliers, contracts, exceptions, compliance)


def _today() -> date:
    return clock.today()


def _contract(contract_id: int) -> Any:
    """The contract, if the caller's municipality is a party to it (404 otherwise)."""
    return procurement_service.get_contract(contract_id, procurement_service.reader_of(g.user))


def _load(schema: ma.Schema, data: Any, location: str) -> dict[str, Any]:
    """Validate input read by hand (multipart or JSON on one route) in the API's error shape."""
    try:
        return schema.load(data if data is not None else {})
    except ma.ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        raise ValidationFailed(N_("The request did not pass validation"), [
            {"location": location, "field": field, "messages": problems} for field, problems in messages.items()
        ]) from None


# --- schemas ---------------------------------------------------------------------------------


class SupplierSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120))
    organisation_number = ma.fields.String(required=True, metadata={"description": "NNNNNN-NNNN"})
    peppol_id = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=64))
    vat_number = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=20))
    counterparty_code = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=8))


class OrganisationSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    organisation_number = ma.fields.String()


class PartyInputSchema(ma.Schema):
    organisation_number = ma.fields.String(required=True, metadata={"description": "NNNNNN-NNNN"})
    name = ma.fields.String(load_default="", metadata={"description": "Needed when the partner is new"})

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> PartyRef:
        return PartyRef(**data)


class OptionSchema(ma.Schema):
    sequence = ma.fields.Integer(dump_only=True)
    extends_to = ma.fields.Date(required=True)
    last_notice_date = ma.fields.Date(required=True)
    exercised_on = ma.fields.Date(dump_only=True, allow_none=True)

    @ma.post_load
    def make(self, data: dict[str, Any], **_: Any) -> OptionInput:
        return OptionInput(**data)


class PartySchema(ma.Schema):
    organisation = ma.fields.Function(lambda pair: OrganisationSchema().dump(pair[0]))
    role = ma.fields.Function(lambda pair: pair[1].value)


class ContractSchema(ma.Schema):
    """A contract with its phase today (upcoming, in_force, ended, terminated)."""

    id = ma.fields.Integer()
    reference = ma.fields.String(attribute="contract.reference")
    title = ma.fields.String(attribute="contract.title")
    supplier = ma.fields.Nested(SupplierSchema, attribute="contract.supplier")
    lead = ma.fields.Nested(OrganisationSchema)
    parties = ma.fields.List(ma.fields.Nested(PartySchema))
    categories = ma.fields.Function(lambda s: sorted(c.category.value for c in s.contract.categories))
    start_date = ma.fields.Date(attribute="contract.start_date")
    end_date = ma.fields.Date(attribute="contract.end_date")
    end_on = ma.fields.Date(metadata={"description": "Last day in force, counting extensions used"})
    notice_months = ma.fields.Integer(attribute="contract.notice_months")
    status = ma.fields.Function(lambda s: s.contract.status.value)
    phase = ma.fields.String()
    extension_options = ma.fields.List(ma.fields.Nested(OptionSchema), attribute="contract.extension_options")


class TermSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    noted_on = ma.fields.Date(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(procurement_service.TERM_KINDS))
    text = ma.fields.String(required=True, validate=ma.validate.Length(min=1))
    document_reference = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    option_sequence = ma.fields.Integer(load_only=True, load_default=None, allow_none=True,
                                        metadata={"description": "extension: the option used (default: the next)"})
    created_at = ma.fields.DateTime(dump_only=True)


class DocumentSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    reference = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))
    added_at = ma.fields.DateTime(dump_only=True)


class PriceSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    item_code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    description = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    category = ma.fields.Enum(Category, by_value=True, required=True)
    unit_price = Amount(required=True, metadata={"description": "Excl. VAT, e.g. \"89.00\""})
    unit = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=16))
    valid_from = ma.fields.Date(required=True)
    valid_to = ma.fields.Date(dump_only=True, allow_none=True)


class ContractDetailSchema(ContractSchema):
    terms = ma.fields.List(ma.fields.Nested(TermSchema))
    documents = ma.fields.List(ma.fields.Nested(DocumentSchema))
    prices = ma.fields.Function(lambda v: [PriceSchema().dump(row) for rows in v.prices.values() for row in rows])
    subscriptions = ma.fields.Integer(metadata={"description": "Subscriptions of yours ordered on it"})


class ContractCreateSchema(ma.Schema):
    reference = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40),
                                 metadata={"description": "Diarienummer"})
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    supplier_id = Id(required=True)
    lead = ma.fields.Nested(PartyInputSchema, required=True, metadata={"description": "Lead party, e.g. Skövde"})
    participants = ma.fields.List(ma.fields.Nested(PartyInputSchema), load_default=list)
    categories = ma.fields.List(ma.fields.Enum(Category, by_value=True), required=True,
                                validate=ma.validate.Length(min=1))
    start_date = ma.fields.Date(required=True)
    end_date = ma.fields.Date(required=True)
    notice_months = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=120))
    status = ma.fields.Enum(ContractStatus, by_value=True, load_default=ContractStatus.SIGNED)
    extension_options = ma.fields.List(ma.fields.Nested(OptionSchema), load_default=list)


class ContractPatchSchema(PatchSchema):
    title = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    start_date = ma.fields.Date()
    end_date = ma.fields.Date()
    notice_months = ma.fields.Integer(validate=ma.validate.Range(min=0, max=120))
    status = ma.fields.Enum(ContractStatus, by_value=True)
    categories = ma.fields.List(ma.fields.Enum(Category, by_value=True), validate=ma.validate.Length(min=1))
    participants = ma.fields.List(ma.fields.Nested(PartyInputSchema))
    extension_options = ma.fields.List(ma.fields.Nested(OptionSchema),
                                       metadata={"description": "Replaces the options not yet used"})


class ContractQuerySchema(ma.Schema):
    q = ma.fields.String(load_default=None, metadata={"description": "Reference, title, supplier or party"})


class PriceQuerySchema(ma.Schema):
    item_code = ma.fields.String(load_default=None)
    on = ma.fields.Date(load_default=None, metadata={"description": "Only the versions in force on this day"})


class PriceUploadSchema(ma.Schema):
    valid_from = ma.fields.Date(required=True, metadata={"description": "First day of the new version"})


class RowReportSchema(ma.Schema):
    line = ma.fields.Integer(allow_none=True)
    item_code = ma.fields.String(allow_none=True)
    outcome = ma.fields.String()
    message = ma.fields.String()
    field = ma.fields.String(allow_none=True)
    unit_price = Amount(allow_none=True)
    previous_price = Amount(allow_none=True)


class PriceImportSchema(ma.Schema):
    contract_id = ma.fields.Integer()
    valid_from = ma.fields.Date()
    stored = ma.fields.Boolean()
    added = ma.fields.Integer()
    superseded = ma.fields.Integer()
    unchanged = ma.fields.Integer()
    errors = ma.fields.Function(lambda r: len(r.errors))
    rows = ma.fields.List(ma.fields.Nested(RowReportSchema))


class ExceptionSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.Function(lambda v: v.status.value, metadata={"description": "As of today"})
    subscription = ma.fields.String(attribute="subscription_number", allow_none=True)
    area = ma.fields.String(attribute="exception.area", allow_none=True)
    supplier_id = ma.fields.Integer(attribute="exception.supplier_id")
    supplier = ma.fields.String(attribute="supplier_name")
    reason = ma.fields.String(attribute="exception.reason")
    evidence = ma.fields.String(attribute="exception.evidence", allow_none=True)
    valid_from = ma.fields.Date(attribute="exception.valid_from")
    valid_to = ma.fields.Date(attribute="exception.valid_to", allow_none=True)
    requested_by = ma.fields.String(allow_none=True)
    requested_at = ma.fields.DateTime(attribute="exception.requested_at")
    decided_by = ma.fields.String(allow_none=True)
    decided_at = ma.fields.DateTime(attribute="exception.decided_at", allow_none=True)
    actions = ma.fields.Function(lambda v: [a.value for a in v.actions],
                                 metadata={"description": "What you may do with it now"})


class ExceptionRequestSchema(ma.Schema):
    subscription = ma.fields.String(load_default=None, metadata={"description": "Phone number, any notation"})
    area = ma.fields.String(load_default=None, validate=ma.validate.Length(max=120))
    supplier_id = Id(required=True, metadata={"description": "The operator to use instead"})
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1))
    evidence = ma.fields.String(load_default=None, metadata={"description": "E.g. a coverage test"})
    valid_from = ma.fields.Date(required=True)
    valid_to = ma.fields.Date(load_default=None, metadata={"description": "First day it no longer applies"})


class ExceptionQuerySchema(ma.Schema):
    status = ma.fields.Enum(ExceptionStatus, by_value=True, load_default=None)


class DecisionSchema(ma.Schema):
    note = ma.fields.String(load_default=None)


class ApprovalSchema(DecisionSchema):
    valid_from = ma.fields.Date(load_default=None)
    valid_to = ma.fields.Date(load_default=None, metadata={"description": "Grant until (exclusive)"})


class ComplianceQuerySchema(ma.Schema):
    period = PeriodField(required=True)
    today = ma.fields.Date(load_default=None, metadata={"description": "Horizon for contracts ending"})


class FindingSchema(ma.Schema):
    kind = ma.fields.String()
    reason = ma.fields.String()
    line_ids = ma.fields.List(ma.fields.Integer())
    amount = Amount(allow_none=True)
    supplier_id = ma.fields.Integer(allow_none=True)
    supplier = ma.fields.String(attribute="supplier_name", allow_none=True)
    contract_id = ma.fields.Integer(allow_none=True)
    subscription_id = ma.fields.Integer(allow_none=True)
    handset_id = ma.fields.Integer(allow_none=True)
    finding_id = ma.fields.Integer(allow_none=True, metadata={"description": "The recorded finding (/findings/{id})"})
    status = ma.fields.Function(lambda f: f.status.value if getattr(f, "status", None) else None, allow_none=True,
                                metadata={"description": "new, acknowledged, claimed, credited, rejected, written_off"})


class ClaimSchema(ma.Schema):
    supplier_id = ma.fields.Integer()
    supplier = ma.fields.String(attribute="supplier_name")
    excess = Amount()
    line_ids = ma.fields.List(ma.fields.Integer())


class LineSchema(ma.Schema):
    id = ma.fields.Integer()
    invoice_id = ma.fields.Integer()
    invoice_number = ma.fields.String()
    position = ma.fields.Integer()
    supplier = ma.fields.String(attribute="supplier_name")
    day = ma.fields.Date()
    category = ma.fields.Function(lambda line: line.category.value)
    item_code = ma.fields.String(allow_none=True)
    reference = ma.fields.String(allow_none=True)
    description = ma.fields.String(allow_none=True)
    quantity = ma.fields.Decimal(as_string=True, allow_none=True)
    unit_price = ma.fields.Decimal(as_string=True, allow_none=True)
    net_amount = Amount()


class ComplianceSchema(ma.Schema):
    period = ma.fields.String()
    first_day = ma.fields.Date()
    last_day = ma.fields.Date()
    today = ma.fields.Date()
    lines_checked = ma.fields.Integer()
    counts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    claims_total = Amount()
    claims = ma.fields.List(ma.fields.Nested(ClaimSchema))
    findings = ma.fields.List(ma.fields.Nested(FindingSchema))
    lines = ma.fields.Function(lambda r: LineSchema(many=True).dump(
        [r.lines[i] for i in sorted({i for f in r.findings for i in f.line_ids})]),
        metadata={"description": "The invoice lines behind the findings"})


# --- suppliers -------------------------------------------------------------------------------


@endpoint(suppliers, "GET", "", "suppliers.read", 200, SupplierSchema(many=True), listing=True)
def list_suppliers() -> Any:
    """Every supplier, by name."""
    return organisation_service.list_suppliers()


@endpoint(suppliers, "POST", "", "suppliers.write", 201, SupplierSchema, arguments=SupplierSchema,
          conflict="The organisationsnummer is already registered")
def create_supplier(data: dict[str, Any]) -> Any:
    """Register a supplier; the organisationsnummer is checked (409 if already registered)."""
    supplier = organisation_service.create_supplier(g.user, **data)
    return supplier


# --- contracts -------------------------------------------------------------------------------


@endpoint(contracts, "GET", "", "contracts.read", 200, ContractSchema(many=True),
          arguments=ContractQuerySchema, location="query", listing=True)
def list_contracts(query: dict[str, Any]) -> Any:
    """The contract register, with each contract's phase today."""
    contracts = procurement_service.list_contracts(procurement_service.reader_of(g.user), query["q"])
    return procurement_service.summarise(contracts, _today())


@endpoint(contracts, "POST", "", "contracts.write", 201, ContractDetailSchema, arguments=ContractCreateSchema,
          conflict="A contract with the reference already exists", missing="No supplier with that id")
def create_contract(data: dict[str, Any]) -> Any:
    """Register a framework contract; parties are named by organisationsnummer (a partner
    municipality not yet known, e.g. Skövde, is added with the name given)."""
    contract = procurement_service.create_contract(g.user, **data)
    return procurement_service.contract_view(contract, g.user.organisation_id, _today())


@endpoint(contracts, "GET", "/<int:contract_id>", "contracts.read", 200, ContractDetailSchema)
def get_contract(contract_id: int) -> Any:
    """One contract with its terms log, documents and every price list version."""
    return procurement_service.contract_view(
        _contract(contract_id), g.user.organisation_id, _today())


@endpoint(contracts, "PATCH", "/<int:contract_id>", "contracts.write", 200, ContractDetailSchema,
          arguments=ContractPatchSchema)
def update_contract(data: dict[str, Any], contract_id: int) -> Any:
    """Change a contract's title, dates, status, categories, participants or unused options."""
    contract = procurement_service.update_contract(g.user, _contract(contract_id), **data)
    return procurement_service.contract_view(contract, g.user.organisation_id, _today())


@endpoint(contracts, "GET", "/<int:contract_id>/prices", "contracts.read", 200, PriceSchema(many=True),
          arguments=PriceQuerySchema, location="query", listing=True)
def list_prices(query: dict[str, Any], contract_id: int) -> Any:
    """Every version of the price list (or those of one item, or those in force on a day)."""
    return price_lists.price_rows(_contract(contract_id), query["item_code"], query["on"])


def _price_body() -> dict[str, Any]:
    """One price as JSON, or a price list file with the day it applies from."""
    body = upload_body("One item as JSON, or a CSV price list as multipart `file` with `valid_from` "
                       "(Artikelnummer;Benämning;Kategori;Pris;Enhet, `;`, decimal comma, UTF-8 or Windows-1252).",
                       required=("valid_from",), valid_from={"type": "string", "format": "date"})
    body["content"]["application/json"] = {"schema": PriceSchema}
    return body


@contracts.route("/<int:contract_id>/prices", methods=["POST"])
@contracts.alt_response(201, schema=PriceImportSchema, description="What each row did")
@contracts.alt_response(400, description="Multipart without the field `file`")
@contracts.alt_response(413, description="The price list file is larger than the limit")
@contracts.alt_response(422, description="Not stored: the details name every row in error, or each field")
@contracts.doc(requestBody=_price_body())
@require("contracts.write")
def add_prices(contract_id: int) -> Any:
    """Add a price list version: all or nothing (422 with every bad row when any row is bad)."""
    contract = _contract(contract_id)
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise BadRequest(N_("Send the price list as the multipart field `file`"))
        form = _load(PriceUploadSchema(), request.form.to_dict(), "form")
        result = price_lists.import_price_list(g.user, contract, upload.read(),
                                               upload_name(upload.filename, "upload.csv"), form["valid_from"])
    else:
        item = _load(PriceSchema(), request.get_json(silent=True), "json")
        result = price_lists.add_price(g.user, contract, **item)
    if not result.stored:
        raise ValidationFailed(N_("The price list was not stored: %(count)s row(s) have errors"),
                               RowReportSchema(many=True).dump(result.errors), count=len(result.errors))
    return PriceImportSchema().dump(result), 201


@endpoint(contracts, "POST", "/<int:contract_id>/terms", "contracts.write", 201, TermSchema, arguments=TermSchema,
          conflict="An extension with no unused option, or not the next one")
def add_term(data: dict[str, Any], contract_id: int) -> Any:
    """Append to the terms log (never changed afterwards); an ``extension`` uses an option."""
    term = procurement_service.add_term(g.user, _contract(contract_id), **data)
    return term


@endpoint(contracts, "POST", "/<int:contract_id>/documents", "contracts.write", 201, DocumentSchema,
          arguments=DocumentSchema)
def add_document(data: dict[str, Any], contract_id: int) -> Any:
    """Attach a document reference (diarienummer, archive id or URL)."""
    document = procurement_service.add_document(g.user, _contract(contract_id), **data)
    return document


# --- coverage exceptions ---------------------------------------------------------------------


@endpoint(exceptions, "GET", "", "exceptions.read", 200, ExceptionSchema(many=True),
          arguments=ExceptionQuerySchema, location="query", listing=True)
def list_exceptions(query: dict[str, Any]) -> Any:
    """Your organisation's coverage exceptions (department users: their own requests)."""
    return exception_service.list_exceptions(g.user, _today(), query["status"])


@endpoint(exceptions, "POST", "", "exceptions.request", 201, ExceptionSchema, arguments=ExceptionRequestSchema,
          missing="No supplier with that id, or no subscription with that number")
def request_exception(data: dict[str, Any]) -> Any:
    """Ask for an exception for a subscription of one of your units, or for an area."""
    number = data.pop("subscription")
    created = exception_service.request_exception(g.user, subscription_number=number, **data)
    return exception_service.view(g.user, created)


#: The workflow's actions in the API: action → (the right it needs, its input, the route's summary).
DECISIONS: dict[str, tuple[str, type[ma.Schema], str]] = {
    "approve": ("exceptions.decide", ApprovalSchema,
                "Approve a requested exception (procurement), optionally with the span granted."),
    "reject": ("exceptions.decide", DecisionSchema, "Reject a requested exception (procurement)."),
    "withdraw": ("exceptions.request", DecisionSchema,
                 "Withdraw a requested or approved exception (the requester or procurement)."),
}


def _decision_route(action: str, permission: str, schema: type[ma.Schema], summary: str) -> None:
    """``POST /exceptions/{id}/{action}``: fire ``action`` on the exception (see ``coverage.TRANSITIONS``)."""
    def decide(data: dict[str, Any], exception_id: int) -> Any:
        return exception_service.act(g.user, exception_id, action, _today(), **data)

    decide.__name__ = decide.__qualname__ = action  # the endpoint: exceptions.approve, …
    decide.__doc__ = summary
    endpoint(exceptions, "POST", f"/<int:exception_id>/{action}", permission, 200, ExceptionSchema,
              arguments=schema, required=False,
              conflict=f"The exception's status does not allow `{action}`")(decide)


for _action, (_permission, _schema, _summary) in DECISIONS.items():
    _decision_route(_action, _permission, _schema, _summary)


# --- compliance ------------------------------------------------------------------------------


@endpoint(compliance, "GET", "", "compliance.read", 200, ComplianceSchema,
          arguments=ComplianceQuerySchema, location="query")
def get_compliance(query: dict[str, Any]) -> Any:
    """Findings of the period, each with the invoice lines behind it and its recorded status
    (``ledger.findings.recording``), and the claims list."""
    report = compliance_service.check(g.user.organisation_id, query["period"], query["today"] or _today())
    return findings_recording.record(report)
