"""``/api/v1/units``: budget units, scoped to the caller's own units for department users."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_smorest import Blueprint

from ledger.api.schemas import UnitSchema
from ledger.auth import require
from ledger.services import units as unit_service

blp = Blueprint("units", __name__, url_prefix="/units", description="Budget units (ansvar)")


@blp.route("")
@blp.response(200, UnitSchema(many=True))
@require("units.read")
def list_units() -> Any:
    """Budget units with their administration (department users: their own units)."""
    return unit_service.list_units(g.user)


@blp.route("/<code>")
@blp.response(200, UnitSchema)
@require("units.read")
def get_unit(code: str) -> Any:
    """One budget unit by ansvar code (403 for a department user's foreign unit)."""
    return unit_service.get_unit(g.user, code)
