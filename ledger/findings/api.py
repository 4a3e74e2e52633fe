"""Findings and claims in the API: ``/findings`` (status, owner, note and history of the
compliance findings; ``POST /findings/{id}/transitions``) and ``/claims`` (prices above contract
claimed from a supplier: prepared, sent, settled by a credit note, as PDF and CSV).

Routes parse with marshmallow, authorise with ``@require`` (before parsing), call one service
and serialise, in the order ``endpoint`` puts them; the unit of work commits. A finding or claim
of another municipality is not found (404).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, g
from flask_smorest import Blueprint

from ledger.access.permissions import require
from ledger.api.openapi import file_response
from ledger.api.routes import endpoint
from ledger.api.schemas import Amount, Id, PatchSchema, PeriodField
from ledger.core.clock import today
from ledger.database.types import utcnow
from ledger.findings import claims as claim_service
from ledger.findings import lifecycle
from ledger.findings import service as finding_service
from ledger.findings.models import ClaimStatus, FindingStatus
from ledger.procurement.compliance import KINDS
from ledger.reporting.service import report_translations
from reports.claim_csv import render_claim_csv
from reports.claim_pdf import render_claim_pdf

findings = Blueprint("findings", __name__, url_prefix="/findings",
                     description="Compliance findings (avvikelser): status, owner, note and history")
claims = Blueprint("claims", __name__, url_prefix="/claims",
                   description="Claims (reklamationer) to suppliers for prices above contract, settled by credit notes")
BLUEPRINTS = (findings, claims)
PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"


# --- schemas ---------------------------------------------------------------------------------


class FindingItemSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    status = ma.fields.Function(lambda r: r.status.value)
    supplier_id = ma.fields.Integer(attribute="finding.supplier_id", allow_none=True)
    supplier = ma.fields.String(attribute="supplier_name", allow_none=True)
    contract_id = ma.fields.Integer(attribute="finding.contract_id", allow_none=True)
    asset_id = ma.fields.Integer(attribute="finding.asset_id", allow_none=True)
    owner = ma.fields.String(attribute="owner_name", allow_none=True)
    note = ma.fields.String(attribute="finding.note", allow_none=True)
    first_period = ma.fields.String(attribute="finding.first_period")
    last_period = ma.fields.String(attribute="finding.last_period")
    period = ma.fields.String(metadata={"description": "The month asked for, else the latest found in"})
    amount = Amount(allow_none=True, metadata={"description": "That month's amount (a price deviation's excess)"})
    reason = ma.fields.String()
    months = ma.fields.Integer(metadata={"description": "Months it was found in"})


class OccurrenceSchema(ma.Schema):
    period = ma.fields.String()
    amount = Amount(allow_none=True)
    line_count = ma.fields.Integer()
    reason = ma.fields.String()


class DeviationLineSchema(ma.Schema):
    invoice_line_id = ma.fields.Integer()
    invoice_id = ma.fields.Integer()
    invoice_number = ma.fields.String()
    issue_date = ma.fields.Date()
    position = ma.fields.Integer()
    reference = ma.fields.String(allow_none=True)
    item_code = ma.fields.String(allow_none=True)
    description = ma.fields.String(allow_none=True)
    quantity = ma.fields.Decimal(as_string=True, allow_none=True)
    unit_price = ma.fields.Decimal(as_string=True, allow_none=True)
    contract_price = ma.fields.Decimal(as_string=True, allow_none=True)
    amount = Amount(metadata={"description": "Excess over the contract price"})
    claim_id = ma.fields.Integer(allow_none=True)
    claim_reference = ma.fields.String(allow_none=True)


class EventSchema(ma.Schema):
    at = ma.fields.DateTime()
    actor = ma.fields.String(allow_none=True, metadata={"description": "null: the compliance check"})
    action = ma.fields.String()
    from_status = ma.fields.Function(lambda e: e.from_status.value if e.from_status else None, allow_none=True)
    to_status = ma.fields.Function(lambda e: e.to_status.value)
    period = ma.fields.String(allow_none=True)
    claim_id = ma.fields.Integer(allow_none=True)
    note = ma.fields.String(allow_none=True)


class FindingDetailSchema(ma.Schema):
    id = ma.fields.Integer(attribute="finding.id")
    kind = ma.fields.String(attribute="finding.kind")
    status = ma.fields.Function(lambda d: d.finding.status.value)
    supplier_id = ma.fields.Integer(attribute="finding.supplier_id", allow_none=True)
    supplier = ma.fields.String(attribute="supplier_name", allow_none=True)
    contract_id = ma.fields.Integer(attribute="finding.contract_id", allow_none=True)
    contract = ma.fields.String(attribute="contract_reference", allow_none=True)
    asset_id = ma.fields.Integer(attribute="finding.asset_id", allow_none=True)
    owner = ma.fields.String(attribute="owner_username", allow_none=True)
    note = ma.fields.String(attribute="finding.note", allow_none=True)
    first_period = ma.fields.String(attribute="finding.first_period")
    last_period = ma.fields.String(attribute="finding.last_period")
    occurrences = ma.fields.List(ma.fields.Nested(OccurrenceSchema))
    lines = ma.fields.List(ma.fields.Nested(DeviationLineSchema), metadata={"description": "A price deviation's lines"})
    unclaimed = Amount(metadata={"description": "The excess of the lines no claim holds yet"})
    history = ma.fields.List(ma.fields.Nested(EventSchema))
    actions = ma.fields.Function(lambda d: [a.value for a in d.actions],
                                 metadata={"description": "What you may do with it now"})


class FindingQuerySchema(ma.Schema):
    period = PeriodField(load_default=None, metadata={"description": "Only the findings of this month (YYYY-MM)"})
    status = ma.fields.Enum(FindingStatus, by_value=True, load_default=None)
    kind = ma.fields.String(load_default=None, validate=ma.validate.OneOf(KINDS))


class FindingPatchSchema(PatchSchema):
    owner = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=64),
                             metadata={"description": "User name of who handles it (finance or procurement)"})
    note = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=2000))


class FindingTransitionSchema(ma.Schema):
    action = ma.fields.String(required=True, validate=ma.validate.OneOf([a.value for a in lifecycle.Action]),
                              metadata={"description": "acknowledge, write_off or reopen by hand (claim, credit, "
                                                       "reject follow the claim: 409)"})
    note = ma.fields.String(load_default=None, validate=ma.validate.Length(max=2000))


class ClaimItemSchema(ma.Schema):
    id = ma.fields.Integer()
    reference = ma.fields.String(attribute="claim.reference")
    status = ma.fields.Function(lambda v: v.claim.status.value)
    supplier_id = ma.fields.Integer(attribute="claim.supplier_id")
    supplier = ma.fields.String(attribute="supplier_name")
    line_count = ma.fields.Integer()
    total = Amount()
    recovered = Amount(attribute="claim.recovered", allow_none=True)
    outstanding = Amount()
    sent_on = ma.fields.Date(attribute="claim.sent_on", allow_none=True)
    settled_on = ma.fields.Date(attribute="claim.settled_on", allow_none=True)
    credit_note_id = ma.fields.Integer(attribute="claim.credit_note_id", allow_none=True)
    credit_note = ma.fields.String(attribute="credit_note_number", allow_none=True)
    note = ma.fields.String(attribute="claim.note", allow_none=True)
    created_by = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(attribute="claim.created_at")
    actions = ma.fields.Function(lambda v: [a.value for a in v.actions],
                                 metadata={"description": "What you may do with it now (credit: link its credit note)"})


class ClaimDetailSchema(ClaimItemSchema):
    lines = ma.fields.List(ma.fields.Nested(DeviationLineSchema))
    contracts = ma.fields.List(ma.fields.String())


class ClaimQuerySchema(ma.Schema):
    status = ma.fields.Enum(ClaimStatus, by_value=True, load_default=None)


class ClaimCreateSchema(ma.Schema):
    supplier_id = Id(required=True)
    finding_ids = ma.fields.List(Id(), load_default=None,
                                 metadata={"description": "Its price deviations to claim (default: all open ones)"})
    note = ma.fields.String(load_default=None, validate=ma.validate.Length(max=2000))


class ClaimTransitionSchema(ma.Schema):
    action = ma.fields.String(required=True, validate=ma.validate.OneOf([a.value for a in claim_service.Action]),
                              metadata={"description": "send, reject or write_off (credit: link its credit note)"})
    on = ma.fields.Date(load_default=None, metadata={"description": "The day it happened (default: today)"})
    note = ma.fields.String(load_default=None, validate=ma.validate.Length(max=2000))


class CreditNoteSchema(ma.Schema):
    invoice_id = Id(required=True, metadata={"description": "The supplier's credit note (an imported invoice)"})
    note = ma.fields.String(load_default=None, validate=ma.validate.Length(max=2000))


class RecoverySchema(ma.Schema):
    year = ma.fields.Integer()
    supplier_id = ma.fields.Integer()
    supplier = ma.fields.String(attribute="supplier_name")
    claims = ma.fields.Integer()
    claimed = Amount()
    recovered = Amount()
    not_recovered = Amount(metadata={"description": "Rejected, written off or credited short"})
    outstanding = Amount()


class ClaimDownloadQuerySchema(ma.Schema):
    lang = ma.fields.String(load_default="sv", validate=ma.validate.OneOf(["sv", "en"]))


class ClaimCsvQuerySchema(ClaimDownloadQuerySchema):
    separator = ma.fields.String(load_default=";", validate=ma.validate.OneOf([";", ","]),
                                 metadata={"description": "';' with decimal comma (default) or ',' with point"})


# --- findings --------------------------------------------------------------------------------


@endpoint(findings, "GET", "", "findings.read", 200, FindingItemSchema(many=True),
          arguments=FindingQuerySchema, location="query", listing=True)
def list_findings(query: dict[str, Any]) -> Any:
    """The recorded findings (of a month, status or kind), the latest found first."""
    return finding_service.list_findings(g.user, **query)


@endpoint(findings, "GET", "/<int:finding_id>", "findings.read", 200, FindingDetailSchema)
def get_finding(finding_id: int) -> Any:
    """One finding with the months it was found in, its lines, its history and what you may do."""
    return finding_service.finding_detail(g.user, finding_id)


@endpoint(findings, "PATCH", "/<int:finding_id>", "findings.manage", 200, FindingDetailSchema,
          arguments=FindingPatchSchema)
def update_finding(data: dict[str, Any], finding_id: int) -> Any:
    """Set who handles the finding, or its note."""
    lifecycle.update(g.user, lifecycle.get_finding(g.user, finding_id), data)
    return finding_service.finding_detail(g.user, finding_id)


@endpoint(findings, "POST", "/<int:finding_id>/transitions", "findings.manage", 200, FindingDetailSchema,
          arguments=FindingTransitionSchema,
          conflict="The finding's status has no such transition, or its claim fires it")
def transition_finding(data: dict[str, Any], finding_id: int) -> Any:
    """Acknowledge, write off or reopen a finding (``lifecycle.TRANSITIONS``)."""
    lifecycle.act(g.user, finding_id, data["action"], note=data["note"])
    return finding_service.finding_detail(g.user, finding_id)


# --- claims ----------------------------------------------------------------------------------


@endpoint(claims, "GET", "", "findings.read", 200, ClaimItemSchema(many=True), arguments=ClaimQuerySchema,
          location="query", listing=True)
def list_claims(query: dict[str, Any]) -> Any:
    """The claims, newest first, with their totals."""
    return finding_service.list_claims(g.user, query["status"])


@endpoint(claims, "GET", "/summary", "findings.read", 200, RecoverySchema(many=True), listing=True)
def claims_summary() -> Any:
    """Claimed, recovered and outstanding per supplier and year (of sending)."""
    return claim_service.summary(g.user.organisation_id)


@endpoint(claims, "POST", "", "claims.manage", 201, ClaimDetailSchema, arguments=ClaimCreateSchema,
          conflict="Nothing left to claim, or a finding's status does not allow it",
          missing="No supplier or no finding with that id")
def prepare_claim(data: dict[str, Any]) -> Any:
    """Put the unclaimed lines of a supplier's prices above contract into its claim in
    preparation (a new one when it has none)."""
    claim = claim_service.prepare(g.user, data["supplier_id"], data["finding_ids"], note=data["note"], today=today())
    return finding_service.claim_detail(g.user, claim.id)


@endpoint(claims, "GET", "/<int:claim_id>", "findings.read", 200, ClaimDetailSchema)
def get_claim(claim_id: int) -> Any:
    """One claim with its lines."""
    return finding_service.claim_detail(g.user, claim_id)


@endpoint(claims, "DELETE", "/<int:claim_id>", "claims.manage", 204, None,
          conflict="The claim is no longer in preparation")
def discard_claim(claim_id: int) -> Any:
    """Discard a claim in preparation (its lines can be claimed again)."""
    claim_service.discard(g.user, claim_service.get_claim(g.user, claim_id))
    return ""


@endpoint(claims, "POST", "/<int:claim_id>/transitions", "claims.manage", 200, ClaimDetailSchema,
          arguments=ClaimTransitionSchema, conflict="The claim's status has no such transition")
def transition_claim(data: dict[str, Any], claim_id: int) -> Any:
    """Send, reject or write off a claim (``claims.TRANSITIONS``); its findings follow."""
    claim_service.act(g.user, claim_id, data["action"], on=data["on"], note=data["note"])
    return finding_service.claim_detail(g.user, claim_id)


@endpoint(claims, "POST", "/<int:claim_id>/credit-note", "claims.manage", 200, ClaimDetailSchema,
          arguments=CreditNoteSchema,
          conflict="The claim is not sent, or the credit note settles another claim or was replaced")
def link_credit_note(data: dict[str, Any], claim_id: int) -> Any:
    """Settle a sent claim by the supplier's credit note, linked by hand."""
    claim_service.link(g.user, claim_id, data["invoice_id"], note=data["note"])
    return finding_service.claim_detail(g.user, claim_id)


def attachment(data: bytes, mimetype: str, filename: str) -> Response:
    """The file as a download, never cached."""
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


def document(claim_id: int) -> Any:
    """The claim's document data, made by the asking user now."""
    detail = finding_service.claim_detail(g.user, claim_id)
    return finding_service.claim_document(detail, g.user.organisation, utcnow(),
                                          f"{g.user.display_name} ({g.user.username})")


@claims.route("/<int:claim_id>/pdf")
@require("findings.read")
@claims.arguments(ClaimDownloadQuerySchema, location="query")
@claims.response(200, content_type=PDF, description="The claim to send to the supplier (PDF)")
@claims.doc(responses=file_response(PDF))
def claim_pdf(query: dict[str, Any], claim_id: int) -> Response:
    """The claim as PDF, in Swedish unless ``lang=en``."""
    claim = document(claim_id)
    pdf = render_claim_pdf(claim, query["lang"], report_translations(query["lang"]))
    return attachment(pdf, PDF, f"{claim.reference}.pdf")


@claims.route("/<int:claim_id>/csv")
@require("findings.read")
@claims.arguments(ClaimCsvQuerySchema, location="query")
@claims.response(200, content_type=CSV, description="The claim's lines (CSV)")
@claims.doc(responses=file_response(CSV))
def claim_csv(query: dict[str, Any], claim_id: int) -> Response:
    """The claim's lines and total as CSV."""
    claim = document(claim_id)
    data = render_claim_csv(claim, query["lang"], report_translations(query["lang"]), separator=query["separator"])
    return attachment(data, CSV, f"{claim.reference}.csv")

