"""``/api/v1/users/{name}/tokens``: an administrator lists and revokes a user's API tokens."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint

from ledger.access import service
from ledger.access.models import User
from ledger.access.permissions import require

blp = Blueprint("users", __name__, url_prefix="/users", description="Users' API tokens (administrators)")
BLUEPRINTS = (blp,)


class TokenSchema(ma.Schema):
    id = ma.fields.Integer()
    label = ma.fields.String(allow_none=True)
    state = ma.fields.String(metadata={"description": "active, expired or revoked"})
    created_at = ma.fields.DateTime()
    last_used_at = ma.fields.DateTime(allow_none=True, metadata={"description": "To the minute"})
    expires_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)


def _user_of_my_organisation(name: str) -> User:
    """The user named ``name`` in the administrator's own organisation; 404 for any other."""
    return service.get_by_username(name, organisation_id=g.user.organisation_id)


@blp.route("/<name>/tokens")
@blp.response(200, TokenSchema(many=True))
@require("users.manage")
def list_tokens(name: str) -> Any:
    """Every token the user was issued, newest first (never the token itself)."""
    return service.tokens_of(_user_of_my_organisation(name))


@blp.route("/<name>/tokens/<int:token_id>", methods=["DELETE"])
@blp.response(200, TokenSchema)
@require("users.manage")
def revoke_token(name: str, token_id: int) -> Any:
    """Revoke the token: it stops working at once."""
    return service.revoke_token(g.user, _user_of_my_organisation(name), token_id)
