"""The inventory API: subscriptions, handsets, moves, reorganisations, the operator's
subscription list, the coverage check and the contact centre's directory.

Routes parse (marshmallow), authorise (``@require``), call one service and serialise.
Department users are limited to their own units' assets by the services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import marshmallow as ma
from flask import Response, g
from flask_smorest import Blueprint
from flask_smorest.fields import Upload

from ledger.access.permissions import require
from ledger.api.openapi import file_response
from ledger.api.pagination import paged_by_view, paginated
from ledger.api.routes import guarded
from ledger.api.schemas import Amount, Id, PatchSchema
from ledger.core.files import upload_name
from ledger.core.paging import Page
from ledger.inventory import directory as directory_service
from ledger.inventory import edits, losses, records, register
from ledger.inventory import moves as inventory_moves
from ledger.inventory import operator_list as inventory_import
from ledger.inventory import search as asset_search
from ledger.inventory import unmapped as coverage_check
from ledger.inventory.models import Asset, HandsetStatus, SubscriptionKind

subscriptions = Blueprint("subscriptions", __name__, url_prefix="/subscriptions",
                          description="Subscriptions (abonnemang) and the unit each belongs to")
handsets = Blueprint("handsets", __name__, url_prefix="/handsets",
                     description="Handsets (tjänstemobiler, verksamhetstelefoner)")
assignments = Blueprint("assignments", __name__, url_prefix="",
                        description="Moves between units, department requests and reorganisations")
inventory = Blueprint("inventory", __name__, url_prefix="/inventory",
                      description="The operator's subscription list and the coverage check")
directory = Blueprint("directory", __name__, url_prefix="/directory",
                      description="Number → unit, administration and function, for the contact centre")

BLUEPRINTS = (subscriptions, handsets, assignments, inventory, directory)
A = TypeVar("A", bound=Asset)
F = TypeVar("F", bound=Callable[..., Any])


# -- schemas ---------------------------------------------------------------------------------


class _Query(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # page and page_size belong to the paginator


class _Input(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class AssignmentOut(ma.Schema):
    unit = ma.fields.String(attribute="unit.ansvar", metadata={"description": "Ansvar code"})
    unit_name = ma.fields.String(attribute="unit.name")
    administration = ma.fields.String(attribute="unit.administration.code")
    valid_from = ma.fields.Date()
    valid_to = ma.fields.Date(allow_none=True, metadata={"description": "First day after (exclusive)"})


class SupplierRef(ma.Schema):
    name = ma.fields.String()
    organisation_number = ma.fields.String()


class HandsetRef(ma.Schema):
    id = ma.fields.Integer()
    imei = ma.fields.String()
    model = ma.fields.String()
    status = ma.fields.Enum(HandsetStatus, by_value=True)


class PrivateUse(ma.Schema):
    """Särskilt avtal om privat användning."""

    reference = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    signed_on = ma.fields.Date(required=True)
    signed_by = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120))


def _private_use(record: records.SubscriptionRecord) -> dict[str, Any] | None:
    sub = record.subscription
    if sub.private_use_reference is None:
        return None
    return {"reference": sub.private_use_reference, "signed_on": sub.private_use_signed_on.isoformat()
            if sub.private_use_signed_on else None, "signed_by": sub.private_use_signed_by}


class SubscriptionOut(ma.Schema):
    id = ma.fields.Integer(attribute="subscription.id")
    number = ma.fields.String(attribute="subscription.number", metadata={"description": "E.164"})
    kind = ma.fields.Enum(SubscriptionKind, by_value=True, attribute="subscription.kind")
    status = ma.fields.String(metadata={"description": "active, upcoming or ended"})
    operator_reference = ma.fields.String(attribute="subscription.operator_reference", allow_none=True)
    extension = ma.fields.String(attribute="subscription.extension", allow_none=True)
    supplier = ma.fields.Nested(SupplierRef, allow_none=True)
    contract_id = ma.fields.Integer(attribute="subscription.contract_id", allow_none=True)
    handset = ma.fields.Nested(HandsetRef, allow_none=True)
    start_date = ma.fields.Date(attribute="subscription.start_date")
    end_date = ma.fields.Date(attribute="subscription.end_date", allow_none=True)
    label = ma.fields.String(attribute="subscription.label", allow_none=True)
    holder_name = ma.fields.String(attribute="subscription.holder_name", allow_none=True)
    private_use = ma.fields.Function(_private_use)
    unit = ma.fields.String(attribute="unit.ansvar", allow_none=True, metadata={"description": "Unit today"})
    assignments = ma.fields.List(ma.fields.Nested(AssignmentOut), attribute="history")


class SubscriptionQuery(_Query):
    number = ma.fields.String(metadata={"description": "Any Swedish notation, or a fragment"})
    imei = ma.fields.String(metadata={"description": "IMEI of the handset it sits in (or its start)"})
    unit = ma.fields.String(metadata={"description": "Ansvar code of the unit on `on` (default today)"})
    supplier = ma.fields.String(metadata={"description": "Operator's organisationsnummer or name"})
    status = ma.fields.String(validate=ma.validate.OneOf(["active", "ended"]))
    kind = ma.fields.String(validate=ma.validate.OneOf([k.value for k in SubscriptionKind]))
    q = ma.fields.String(metadata={"description": "Label, holder's name, operator's id or extension"})
    on = ma.fields.Date()


class _SubscriptionFields(_Input):
    number = ma.fields.String(metadata={"description": "Any Swedish notation; stored in E.164"})
    kind = ma.fields.String(validate=ma.validate.OneOf([k.value for k in SubscriptionKind]))
    operator_reference = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=40))
    extension = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=10))
    supplier = ma.fields.String(metadata={"description": "The operator's organisationsnummer"})
    contract_id = Id(allow_none=True)
    handset = ma.fields.String(allow_none=True, metadata={"description": "IMEI of the handset it sits in"})
    start_date = ma.fields.Date()
    end_date = ma.fields.Date(allow_none=True, metadata={"description": "Last day; ends the assignment too"})
    label = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=120))
    holder_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=120))
    private_use = ma.fields.Nested(PrivateUse, allow_none=True)

    @ma.post_load
    def flatten(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "private_use" in data:
            agreement = data.pop("private_use") or {}
            data["private_use_reference"] = agreement.get("reference")
            data["private_use_signed_on"] = agreement.get("signed_on")
            data["private_use_signed_by"] = agreement.get("signed_by")
        return data


class SubscriptionPatch(_SubscriptionFields, PatchSchema):
    pass


class SubscriptionCreate(_SubscriptionFields):
    unit = ma.fields.String(metadata={"description": "Ansvar code to assign it to"})
    valid_from = ma.fields.Date(metadata={"description": "First day at the unit (default: start_date)"})


class HandsetOut(ma.Schema):
    id = ma.fields.Integer(attribute="handset.id")
    imei = ma.fields.String(attribute="handset.imei")
    model = ma.fields.String(attribute="handset.model")
    purchase_date = ma.fields.Date(attribute="handset.purchase_date", allow_none=True)
    purchase_price = Amount(attribute="handset.purchase_price", allow_none=True)
    contract_id = ma.fields.Integer(attribute="handset.contract_id", allow_none=True)
    supplier = ma.fields.Nested(SupplierRef, allow_none=True)
    shared = ma.fields.Boolean(attribute="handset.shared", metadata={"description": "Verksamhetstelefon"})
    shared_label = ma.fields.String(attribute="handset.shared_label", allow_none=True)
    mdm_enrolled = ma.fields.Boolean(attribute="handset.mdm_enrolled")
    status = ma.fields.Enum(HandsetStatus, by_value=True, attribute="handset.status")
    status_changed_on = ma.fields.Date(attribute="handset.status_changed_on", allow_none=True)
    reported_to_manager = ma.fields.String(attribute="handset.reported_to_manager", allow_none=True)
    reported_to_manager_at = ma.fields.AwareDateTime(attribute="handset.reported_to_manager_at", allow_none=True)
    loss_reported_by_id = ma.fields.Integer(attribute="handset.loss_reported_by_id", allow_none=True)
    subscription_blocked = ma.fields.Boolean(attribute="handset.subscription_blocked", allow_none=True)
    subscriptions = ma.fields.Function(lambda record: [s.number for s in record.subscriptions])
    unit = ma.fields.String(attribute="unit.ansvar", allow_none=True, metadata={"description": "Unit today"})
    assignments = ma.fields.List(ma.fields.Nested(AssignmentOut), attribute="history")


class HandsetQuery(_Query):
    imei = ma.fields.String()
    number = ma.fields.String(metadata={"description": "Number of a subscription in the handset"})
    unit = ma.fields.String()
    supplier = ma.fields.String(metadata={"description": "Supplier of the contract it was bought on"})
    status = ma.fields.String(validate=ma.validate.OneOf([s.value for s in HandsetStatus]))
    shared = ma.fields.Boolean()
    mdm_enrolled = ma.fields.Boolean()
    q = ma.fields.String(metadata={"description": "Model or shared-phone label"})
    on = ma.fields.Date()


class _HandsetFields(_Input):
    imei = ma.fields.String(metadata={"description": "15 digits, Luhn-checked"})
    model = ma.fields.String(validate=ma.validate.Length(min=1, max=80))
    purchase_date = ma.fields.Date(allow_none=True)
    purchase_price = Amount(allow_none=True)
    contract_id = Id(allow_none=True)
    shared = ma.fields.Boolean()
    shared_label = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=120))
    mdm_enrolled = ma.fields.Boolean()
    status = ma.fields.String(validate=ma.validate.OneOf([s.value for s in HandsetStatus]))


class HandsetCreate(_HandsetFields):
    unit = ma.fields.String()
    valid_from = ma.fields.Date()


class HandsetPatch(_HandsetFields, PatchSchema):
    status_changed_on = ma.fields.Date()


class LossReport(_Input):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(["lost", "stolen"]))
    occurred_on = ma.fields.Date(required=True, metadata={"description": "When it was lost or stolen"})
    reported_to_manager = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120))
    reported_to_manager_at = ma.fields.AwareDateTime(metadata={"description": "Default: now"})
    subscription_blocked = ma.fields.Boolean(required=True, metadata={"description": "Was the SIM blocked?"})


class MoveIn(_Input):
    number = ma.fields.String()
    imei = ma.fields.String()
    unit = ma.fields.String(required=True)
    valid_from = ma.fields.Date(required=True)
    reason = ma.fields.String(validate=ma.validate.Length(max=2000))


class RequestOut(ma.Schema):
    id = ma.fields.Integer(attribute="request.id")
    asset = ma.fields.String()
    from_unit = ma.fields.String(attribute="from_unit.ansvar", data_key="from")
    to = ma.fields.String(attribute="to_unit.ansvar")
    valid_from = ma.fields.Date(attribute="request.valid_from")
    reason = ma.fields.String(attribute="request.reason", allow_none=True)
    status = ma.fields.String(attribute="request.status")
    requested_by = ma.fields.String(allow_none=True)
    requested_at = ma.fields.AwareDateTime(attribute="request.requested_at")
    decided_by = ma.fields.String(allow_none=True)
    decided_at = ma.fields.AwareDateTime(attribute="request.decided_at", allow_none=True)


class MoveOut(ma.Schema):
    status = ma.fields.Function(lambda o: "moved" if o.done else "requested")
    asset = ma.fields.Function(lambda o: o.asset.describe())
    unit = ma.fields.Function(lambda o: o.assignment.unit.ansvar if o.done else None)
    valid_from = ma.fields.Function(
        lambda o: (o.assignment.valid_from if o.done else o.request.valid_from).isoformat())
    request_id = ma.fields.Function(lambda o: o.request.id if o.request else None)


class RequestQuery(_Query):
    status = ma.fields.String(load_default="requested",
                              validate=ma.validate.OneOf(["requested", "approved", "rejected", "all"]))


class MoveItem(_Input):
    number = ma.fields.String()
    imei = ma.fields.String()
    to = ma.fields.String(required=True)


class ReorganiseIn(_Input):
    to = ma.fields.String(metadata={"description": "Ansvar code taking over every (remaining) asset"})
    valid_from = ma.fields.Date(required=True)
    moves = ma.fields.List(ma.fields.Nested(MoveItem), metadata={"description": "A split: asset → unit"})


class ReorganiseOut(ma.Schema):
    from_unit = ma.fields.String(data_key="from")
    valid_from = ma.fields.Date()
    count = ma.fields.Integer()
    moves = ma.fields.List(ma.fields.Dict())


class CloseIn(_Input):
    closed_on = ma.fields.Date(required=True, allow_none=True,
                               metadata={"description": "First day closed; null reopens"})


class UnitClosedOut(ma.Schema):
    code = ma.fields.String(attribute="ansvar")
    name = ma.fields.String()
    closed_on = ma.fields.Date(allow_none=True)


class ImportQuery(_Query):
    dry_run = ma.fields.Boolean(load_default=False)
    supplier = ma.fields.String(metadata={"description": "Operator's organisationsnummer when no column"})


class ImportFile(ma.Schema):
    file = Upload(required=True)


class GapOut(ma.Schema):
    kind = ma.fields.String()
    asset = ma.fields.String()
    asset_type = ma.fields.String()
    asset_id = ma.fields.Integer()
    reason = ma.fields.String()
    unit = ma.fields.String(allow_none=True)
    closed_on = ma.fields.Date(allow_none=True)
    valid_from = ma.fields.Date(allow_none=True)


class CoverageOut(ma.Schema):
    day = ma.fields.Date()
    total = ma.fields.Integer(metadata={"description": "Should be zero"})
    subscriptions_unassigned = ma.fields.List(ma.fields.Nested(GapOut))
    assigned_to_closed_units = ma.fields.List(ma.fields.Nested(GapOut))
    handsets_unassigned = ma.fields.List(ma.fields.Nested(GapOut))


class DirectoryQuery(_Query):
    format = ma.fields.String(load_default="json", validate=ma.validate.OneOf(["json", "csv"]))
    unit = ma.fields.String()
    q = ma.fields.String()


class DirectoryOut(ma.Schema):
    number = ma.fields.String()
    extension = ma.fields.String(allow_none=True)
    kind = ma.fields.String()
    unit = ma.fields.String(allow_none=True)
    unit_name = ma.fields.String(allow_none=True)
    administration = ma.fields.String(allow_none=True)
    function = ma.fields.String(allow_none=True, metadata={
        "description": "The number's label or shared-phone label, else what its unit answers for"})
    shared = ma.fields.Boolean()
    name = ma.fields.String(allow_none=True)
    opening_hours = ma.fields.String(allow_none=True, metadata={"description": "The unit's opening hours"})
    phone_hours = ma.fields.String(allow_none=True, metadata={"description": "The unit's phone times"})
    email = ma.fields.String(allow_none=True, metadata={"description": "The unit's e-mail address"})
    web_form_url = ma.fields.String(allow_none=True, metadata={"description": "The unit's web form (http/https)"})


# -- subscriptions and handsets ----------------------------------------------------------------


def _page(search: Callable[..., Page[Any]], query: dict[str, Any], pagination_parameters: Any) -> Any:
    """One page of the search's results; the paginator gets the total."""
    page = search(g.user, asset_search.Search(**query), pagination_parameters.page,
                  pagination_parameters.page_size)
    pagination_parameters.item_count = page.total
    return page.items


def _create(create: Callable[..., A], record: Callable[[A], Any], data: dict[str, Any]) -> Any:
    """Register an asset and, with ``unit``, assign it from ``valid_from``."""
    unit, valid_from = data.pop("unit", None), data.pop("valid_from", None)
    asset = create(g.user, data, unit=unit, valid_from=valid_from)
    return record(asset)


def _named(name: str, summary: str | None) -> Callable[[F], F]:
    """Give a view made for either kind of asset its own name (the endpoint's) and summary."""
    def naming(view: F) -> F:
        view.__name__ = view.__qualname__ = name
        view.__doc__ = summary
        return view

    return naming


@dataclass(frozen=True)
class _AssetKind:
    """Subscriptions and handsets have the same routes, each kind on its own blueprint."""

    blueprint: Blueprint
    name: str  # subscription, handset: in the views' names and the path's id
    out: type[ma.Schema]
    record: Callable[[Any], Any]


def _collection_routes(kind: _AssetKind, query: type[ma.Schema], create: type[ma.Schema],
                       search: Callable[..., Page[Any]], register_asset: Callable[..., Any]) -> None:
    """``GET`` (searched, a page at a time) and ``POST`` (register) on the kind's collection."""
    blueprint, plural = kind.blueprint, f"{kind.name}s"

    @guarded(blueprint, "GET", "", "inventory.read", 200, kind.out(many=True), arguments=query, location="query",
             paging=paged_by_view)
    @_named(f"list_{plural}", f"{plural.capitalize()}, searchable; department users see their own units' only.")
    def listing(query: dict[str, Any], pagination_parameters: Any) -> Any:
        return _page(search, query, pagination_parameters)

    @guarded(blueprint, "POST", "", "inventory.write", 201, kind.out, arguments=create,
             conflict=f"The {kind.name} is already registered, or its unit is closed then",
             missing="No unit, supplier, contract or handset as named")
    @_named(f"create_{kind.name}", f"Register a {kind.name} (and, with `unit`, assign it).")
    def creating(data: dict[str, Any]) -> Any:
        return _create(register_asset, kind.record, data)


def _item_routes(kind: _AssetKind, patch: type[ma.Schema], get: Callable[[Any, int], Any],
                 update: Callable[[Any, Any, dict[str, Any]], Any], read: str | None, edit: str) -> None:
    """``GET`` and ``PATCH`` on one asset of the kind, by its id (``read`` and ``edit`` are their summaries)."""
    blueprint, id_name = kind.blueprint, f"{kind.name}_id"

    @guarded(blueprint, "GET", f"/<int:{id_name}>", "inventory.read", 200, kind.out)
    @_named(f"get_{kind.name}", read)
    def reading(**path: int) -> Any:
        return kind.record(get(g.user, path[id_name]))

    @guarded(blueprint, "PATCH", f"/<int:{id_name}>", "inventory.write", 200, kind.out, arguments=patch,
             conflict="The change collides with a registered asset or a later assignment")
    @_named(f"update_{kind.name}", edit)
    def updating(data: dict[str, Any], **path: int) -> Any:
        return kind.record(update(g.user, get(g.user, path[id_name]), data))


_SUBSCRIPTION = _AssetKind(subscriptions, "subscription", SubscriptionOut, records.subscription_record)
_HANDSET = _AssetKind(handsets, "handset", HandsetOut, records.handset_record)

_collection_routes(_SUBSCRIPTION, SubscriptionQuery, SubscriptionCreate, asset_search.search_subscriptions,
                   edits.create_subscription)
_item_routes(_SUBSCRIPTION, SubscriptionPatch, register.get_subscription, edits.update_subscription,
             read="One subscription with its unit today and its assignment history.",
             edit="Edit a subscription; `end_date` ends it and its assignment.")
_collection_routes(_HANDSET, HandsetQuery, HandsetCreate, asset_search.search_handsets, edits.create_handset)


@guarded(handsets, "GET", "/shared-not-enrolled", "inventory.read", 200, HandsetOut(many=True), paging=paginated)
def shared_not_enrolled() -> Any:
    """For IT: shared phones (verksamhetstelefoner) not enrolled in MDM."""
    return asset_search.shared_not_enrolled(g.user)


_item_routes(_HANDSET, HandsetPatch, register.get_handset, edits.update_handset, read=None,
             edit="Edit a handset; status `retired` ends its assignment. Losses go to `/loss`.")


@guarded(handsets, "POST", "/<int:handset_id>/loss", "inventory.report_loss", 200, HandsetOut, arguments=LossReport,
         conflict="The handset is retired")
def report_loss(data: dict[str, Any], handset_id: int) -> Any:
    """Report a handset lost or stolen (department users: their own units' handsets)."""
    handset = losses.report_loss(g.user, register.get_handset(g.user, handset_id), **data)
    return records.handset_record(handset)


# -- moves, requests, reorganisations ------------------------------------------------------------


@assignments.route("/assignments", methods=["POST"])
@require("inventory.move")
@assignments.arguments(MoveIn)
@assignments.response(201, MoveOut)
@assignments.alt_response(202, schema=MoveOut, description="A department user's move, requested")
@assignments.alt_response(409, description="Already there, the unit is closed then, or a move is already requested")
@assignments.alt_response(404, description="No subscription, handset or unit as named")
def move(data: dict[str, Any]) -> Any:
    """Move a subscription (`number`) or handset (`imei`) to `unit` from `valid_from`.

    The previous assignment ends the day before; history is kept. A department user's move
    is recorded as a request for finance (202)."""
    outcome = inventory_moves.move_by_reference(
        g.user, number=data.get("number"), imei=data.get("imei"), unit=data["unit"],
        valid_from=data["valid_from"], reason=data.get("reason"))
    return outcome, 201 if outcome.done else 202


@guarded(assignments, "GET", "/assignment-requests", "inventory.read", 200, RequestOut(many=True),
         arguments=RequestQuery, location="query", paging=paginated)
def list_requests(query: dict[str, Any]) -> Any:
    """Move requests (department users: those concerning their units)."""
    status = None if query["status"] == "all" else query["status"]
    return inventory_moves.list_requests(g.user, status)


def _decision_route(decision: str, summary: str | None) -> None:
    """``POST /assignment-requests/{id}/{decision}``: finance approves (the move is made) or rejects."""
    @guarded(assignments, "POST", f"/assignment-requests/<int:request_id>/{decision}", "inventory.decide", 200,
             RequestOut, conflict="The request is already decided, or the move is no longer possible")
    @_named(f"{decision}_request", summary)
    def decide(request_id: int) -> Any:
        inventory_moves.decide_request(g.user, request_id, approve=decision == "approve")
        return inventory_moves.request_record(g.user, request_id)


_decision_route("approve", "Approve a request: the move is made from the requested date.")
_decision_route("reject", None)


@guarded(assignments, "POST", "/units/<code>/reorganise", "inventory.reorganise", 200, ReorganiseOut,
         arguments=ReorganiseIn, conflict="The unit taking over is closed then, or a move cannot be made")
def reorganise(data: dict[str, Any], code: str) -> Any:
    """Move every asset of the unit to `to` from `valid_from`, or split them by `moves`."""
    result = inventory_moves.reorganise(g.user, code, data["valid_from"], to=data.get("to"),
                                        moves=data.get("moves"))
    return result


@guarded(assignments, "POST", "/units/<code>/close", "units.close", 200, UnitClosedOut, arguments=CloseIn,
         conflict="Assets or pending move requests are still assigned to the unit then")
def close_unit(data: dict[str, Any], code: str) -> Any:
    """Close the unit from `closed_on` (nothing may be assigned to it then), or reopen with null."""
    unit = inventory_moves.close_unit(g.user, code, data["closed_on"])
    return unit


# -- import and coverage ---------------------------------------------------------------------------


@inventory.route("/import", methods=["POST"])
@require("inventory.write")
@inventory.arguments(ImportQuery, location="query")
@inventory.arguments(ImportFile, location="files")
@inventory.response(200, description="What was (or would be) created, updated, moved or left unchanged")
@inventory.alt_response(413, description="The file is larger than the limit")
def import_list(query: dict[str, Any], files: dict[str, Any]) -> Any:
    """Import the operator's subscription list (CSV); `?dry_run=1` only shows what would change.

    Any row in error means nothing is stored (422 with every error's line and column)."""
    upload = files["file"]
    result = inventory_import.import_list(g.user, g.user.organisation_id, upload.read(),
                                          upload_name(upload.filename, "upload.csv"), supplier=query.get("supplier"),
                                          dry_run=query["dry_run"])
    return inventory_import.as_dict(result)


@guarded(inventory, "GET", "/unmapped", "inventory.coverage", 200, CoverageOut)
def unmapped() -> Any:
    """What is not mapped today; `total` should be zero."""
    return coverage_check.coverage(g.user)


# -- directory -------------------------------------------------------------------------------------


@directory.route("")
@require("directory.read")
@directory.arguments(DirectoryQuery, location="query")
@directory.response(200, DirectoryOut(many=True))
@directory.doc(responses=file_response("text/csv"))
@paged_by_view(directory)
def get_directory(query: dict[str, Any], pagination_parameters: Any) -> Any:
    """Number → unit, administration, function, a page at a time; `?format=csv` gives all of it as
    `;` CSV (UTF-8 with BOM), not paged."""
    entries = directory_service.directory(g.user, unit=query.get("unit"), q=query.get("q"))
    pagination_parameters.item_count = len(entries)
    if query["format"] == "csv":
        return Response(directory_service.directory_csv(entries), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="katalog.csv"'})
    first = pagination_parameters.first_item
    return entries[first:first + pagination_parameters.page_size]
