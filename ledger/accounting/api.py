"""``GET, PUT /api/v1/accounts``: the organisation's accounting settings."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint

from ledger.access.permissions import require
from ledger.accounting import service
from ledger.accounting.plan import SETTINGS

blp = Blueprint("accounts", __name__, url_prefix="/accounts",
                description="Accounting settings: accounts, clearing account, booking method, SIE")
BLUEPRINTS = (blp,)


#: Every setting by the key ``accounts set`` uses, its value as text ("" for none).
SettingsSchema = ma.Schema.from_dict(
    {key: ma.fields.String(metadata={"description": setting.description}) for key, setting in SETTINGS.items()},
    name="AccountingSettings")


@blp.route("")
@blp.response(200, SettingsSchema)
@require("accounts.read")
def get_accounts() -> Any:
    """The settings (admin, finance, auditor)."""
    return service.settings_of(g.user.organisation_id).values()


@blp.route("", methods=["PUT"])
@blp.arguments(SettingsSchema)
@blp.response(200, SettingsSchema)
@require("accounts.write")
def put_accounts(changes: dict[str, str]) -> Any:
    """Set the settings given (admin); all are checked together, and none is kept if one is wrong."""
    return service.update(g.user, g.user.organisation, changes).values()
