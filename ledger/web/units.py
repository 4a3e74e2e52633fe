"""The start page (administrations and units) and a unit's page."""

from __future__ import annotations

from typing import Any

from flask import g, render_template
from flask_babel import lazy_gettext as _l

from ledger.auth import require
from ledger.services import units as unit_service
from ledger.web import NAVIGATION, blueprint

NAVIGATION.append(("web.index", _l("Units"), "units.read"))


@blueprint.route("/")
@require("units.read")
def index() -> Any:
    return render_template(
        "index.html",
        tree=unit_service.administrations_with_units(g.user),
        counts=unit_service.asset_counts(g.user.organisation_id),
    )


@blueprint.route("/units/<code>")
@require("units.read")
def unit(code: str) -> Any:
    budget_unit = unit_service.get_unit(g.user, code)
    return render_template("unit.html", unit=budget_unit, summary=unit_service.unit_summary(budget_unit))
