"""``/api/v1/audit``: the organisation's audit log for auditors and administrators, filtered and paged."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint

from ledger.api.pagination import paged_by_view
from ledger.api.routes import guarded
from ledger.audit import service
from ledger.core.errors import ValidationFailed

blp = Blueprint("audit", __name__, url_prefix="/audit", description="The audit log: who changed what, when")
BLUEPRINTS = (blp,)


class Since(ma.fields.String):
    """A date (from its first moment in Sweden) or an ISO 8601 time (Swedish time without an offset)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return service.parse_since(super()._deserialize(value, attr, data, **kwargs))
        except ValidationFailed as error:
            raise ma.ValidationError(error.message) from None


def _text(longest: int) -> ma.validate.Validator:
    """At most ``longest`` characters, none of them NUL (which no database column can hold)."""
    return ma.validate.And(ma.validate.Length(max=longest),
                           ma.validate.Regexp(r"^[^\x00]*$", error="must not hold a NUL character"))


class AuditQuery(ma.Schema):
    since = Since(metadata={"description": "Events at or after this: YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS] with an "
                                           "optional offset (Swedish time without one)", "example": "2026-11-01"})
    actor = ma.fields.String(validate=_text(120),
                             metadata={"description": "Who made the change: a user name, or `system`"})
    kind = ma.fields.String(validate=_text(64), metadata={
        "description": "An action (`user.create`), or the start of one (`user` or `user.`: every user event)"})
    object = ma.fields.String(validate=_text(130), metadata={
        "description": "What was changed: an entity type (`user`), optionally with its id (`user:42`)"})


class AuditEventSchema(ma.Schema):
    id = ma.fields.Integer()
    occurred_at = ma.fields.DateTime(metadata={"description": "When, in UTC"})
    actor = ma.fields.String(attribute="actor_name", metadata={"description": "User name, or `system`"})
    action = ma.fields.String(metadata={"example": "user.create"})
    entity_type = ma.fields.String(metadata={"example": "user"})
    entity_id = ma.fields.String(allow_none=True)
    before = ma.fields.Dict(allow_none=True, metadata={"description": "The fields before (null on create)"})
    after = ma.fields.Dict(allow_none=True, metadata={"description": "The fields after (null on delete)"})


def _filters(query: dict[str, Any]) -> service.Filters:
    entity_type, entity_id = service.parse_object(query["object"]) if query.get("object") else (None, None)
    return service.Filters(since=query.get("since"), actor=query.get("actor") or None,
                           kind=query.get("kind") or None, entity_type=entity_type or None, entity_id=entity_id)


@guarded(blp, "GET", "", "audit.read", 200, AuditEventSchema(many=True), arguments=AuditQuery, location="query",
         paging=paged_by_view)
def list_audit_events(query: dict[str, Any], pagination_parameters: Any) -> Any:
    """The organisation's audit events, newest first, each with the fields before and after."""
    page = service.events(g.user.organisation_id, _filters(query), pagination_parameters.page,
                          pagination_parameters.page_size)
    pagination_parameters.item_count = page.total
    return page.items
