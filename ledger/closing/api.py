"""``GET /api/v1/periods/{YYYY-MM}/status``: the month-end checklist."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_smorest import Blueprint

from ledger.access.permissions import require
from ledger.closing.service import month_end

blp = Blueprint("period_status", __name__, url_prefix="/periods", description="The month-end checklist")
BLUEPRINTS = (blp,)


@blp.route("/<period>/status")
@require("reports.read")
@blp.response(200)
def period_status(period: str) -> Any:
    """Invoices per supplier (missing ones listed), lines allocated, suspense, findings, SIE exports, close."""
    return month_end(g.user.organisation, period).as_dict()
