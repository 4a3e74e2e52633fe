"""``/api/v1/directory/changes`` (the change feed, paged, and as Atom) and
``/api/v1/units/{code}/contact-details`` (a unit's function, hours and contact paths)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import g, url_for
from flask_smorest import Blueprint

from ledger.access.permissions import require
from ledger.api.openapi import file_response
from ledger.api.pagination import paged_by_view
from ledger.api.routes import guarded
from ledger.api.schemas import PatchSchema
from ledger.contact_centre import changes, details, feed
from ledger.contact_centre.models import ChangeKind
from ledger.contact_centre.views import atom_response
from ledger.inventory.register import unit_by_code
from ledger.organisation import service as unit_service

changes_blp = Blueprint("directory_changes", __name__, url_prefix="/directory",
                        description="Every change of who answers a number, for the contact centre")
contact_blp = Blueprint("unit_contact_details", __name__, url_prefix="/units",
                        description="How a unit is reached: function, opening hours, phone times, contact paths")
BLUEPRINTS = (changes_blp, contact_blp)


class ChangesQuery(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # page and page_size belong to the paginator

    since = ma.fields.Date(metadata={"description": f"Changes recorded on or after this day (YYYY-MM-DD, Swedish "
                                                    f"time); default: the last {changes.DEFAULT_DAYS} days",
                                     "example": "2026-11-01"})


class NamedSchema(ma.Schema):
    code = ma.fields.String(metadata={"description": "Ansvar code of a unit, or an administration's code"})
    name = ma.fields.String()


class ChangeSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.Enum(ChangeKind, by_value=True)
    effective_on = ma.fields.Date(metadata={"description": "First day the change holds"})
    recorded_at = ma.fields.DateTime(metadata={"description": "When it was recorded (UTC)"})
    numbers = ma.fields.List(ma.fields.String(), metadata={"description": "The numbers it concerns (E.164)"})
    from_unit = ma.fields.Nested(NamedSchema, allow_none=True, metadata={"description": "Who answered before"})
    to_unit = ma.fields.Nested(NamedSchema, allow_none=True, metadata={"description": "Who answers from effective_on"})
    unit = ma.fields.Nested(NamedSchema, allow_none=True, metadata={"description": "The unit a unit's change is about"})
    from_administration = ma.fields.Nested(NamedSchema, allow_none=True)
    to_administration = ma.fields.Nested(NamedSchema, allow_none=True)
    request_id = ma.fields.Integer(allow_none=True, metadata={"description": "The approved move request"})
    changed = ma.fields.List(ma.fields.String(), attribute="fields", data_key="fields",
                             metadata={"description": "The contact details that changed"})


@guarded(changes_blp, "GET", "/changes", "directory.changes", 200, ChangeSchema(many=True), arguments=ChangesQuery,
         location="query", paging=paged_by_view)
def list_directory_changes(query: dict[str, Any], pagination_parameters: Any) -> Any:
    """The organisation's changes of who answers a number, newest first: moves, approved move
    requests, reorganisations, new and ended subscriptions, units' administrations and contact details."""
    page = changes.list_changes(g.user, query.get("since"), pagination_parameters.page,
                                pagination_parameters.page_size)
    pagination_parameters.item_count = page.total
    return page.items


@changes_blp.route("/changes.atom")
@require("directory.changes")
@changes_blp.arguments(ChangesQuery, location="query")
@changes_blp.response(200, content_type=feed.MEDIA_TYPE, description="The newest changes as an Atom 1.0 feed")
@changes_blp.doc(responses=file_response(feed.MEDIA_TYPE))
def directory_changes_feed(query: dict[str, Any]) -> Any:
    """The same changes as an Atom feed (at most the newest 200). Mail clients, which send no
    bearer token, read `/directory/changes.atom?token=` outside the API with a feed token instead."""
    page = changes.list_changes(g.user, query.get("since"), per_page=feed.MAX_ENTRIES)
    return atom_response(page.items, url_for("directory_changes.directory_changes_feed", _external=True))


# -- a unit's contact details ------------------------------------------------------------------

_TEXT = {name: ma.validate.Length(max=limit) for name, (_, limit) in details.FIELDS.items()}


class ContactDetailsSchema(ma.Schema):
    """Every field may be null (none); e-mail and web form are checked as such (422 otherwise)."""

    class Meta:
        unknown = ma.RAISE

    function = ma.fields.String(allow_none=True, validate=_TEXT["function"],
                                metadata={"description": "What the unit answers for (funktion)"})
    opening_hours = ma.fields.String(allow_none=True, validate=_TEXT["opening_hours"],
                                     metadata={"description": "Öppettider, e.g. Mån–fre 08.00–16.30"})
    phone_hours = ma.fields.String(allow_none=True, validate=_TEXT["phone_hours"],
                                   metadata={"description": "Telefontider, e.g. Mån–tors 09–11"})
    email = ma.fields.String(allow_none=True, validate=_TEXT["email"], metadata={"example": "forskola@karlsborg.se"})
    web_form_url = ma.fields.String(allow_none=True, validate=_TEXT["web_form_url"],
                                    metadata={"description": "An http or https address",
                                              "example": "https://www.karlsborg.se/kontakt"})


class ContactDetailsPatch(ContactDetailsSchema, PatchSchema):
    pass


class ContactDetailsOut(ContactDetailsSchema):
    unit = ma.fields.String(metadata={"description": "Ansvar code"})
    unit_name = ma.fields.String()


def _out(unit: Any) -> dict[str, Any]:
    return {"unit": unit.ansvar, "unit_name": unit.name, **details.values_of(details.details_of(unit))}


def _updated(code: str, data: dict[str, Any], *, replace: bool) -> dict[str, Any]:
    """The unit's contact details once ``data`` is written (``replace``: every field, a missing one none)."""
    unit = unit_service.get_unit(g.user, code)
    details.update(g.user, unit, data, replace=replace)
    return _out(unit)


@guarded(contact_blp, "GET", "/<code>/contact-details", "directory.read", 200, ContactDetailsOut)
def get_contact_details(code: str) -> Any:
    """The unit's function, opening hours, phone times and contact paths (nulls where it has none)."""
    return _out(unit_by_code(g.user.organisation_id, code))


@guarded(contact_blp, "PUT", "/<code>/contact-details", "units.contact_details", 200, ContactDetailsOut,
         arguments=ContactDetailsSchema)
def put_contact_details(data: dict[str, Any], code: str) -> Any:
    """Set all of them (a field left out is none); the unit's department users and the administrator."""
    return _updated(code, data, replace=True)


@guarded(contact_blp, "PATCH", "/<code>/contact-details", "units.contact_details", 200, ContactDetailsOut,
         arguments=ContactDetailsPatch)
def patch_contact_details(data: dict[str, Any], code: str) -> Any:
    """Change the fields given, keep the others."""
    return _updated(code, data, replace=False)
