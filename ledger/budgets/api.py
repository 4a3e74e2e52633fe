"""``/api/v1/units``: budget units, scoped to the caller's own units for department users."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import g, request
from flask_smorest import Blueprint

from ledger.access.permissions import require
from ledger.api.openapi import upload_body
from ledger.api.pagination import paginated
from ledger.api.schemas import Amount, UnitSchema
from ledger.budgets import costs
from ledger.budgets import service as budget_service
from ledger.core import clock
from ledger.core.categories import BudgetCategory
from ledger.core.errors import BadRequest, ValidationFailed
from ledger.core.files import upload_name
from ledger.core.money import ZERO
from ledger.core.text import N_
from ledger.organisation import service as unit_service

blp = Blueprint("units", __name__, url_prefix="/units", description="Budget units (ansvar)")


@blp.route("")
@blp.response(200, UnitSchema(many=True))
@paginated(blp)
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


class AdministrationMove(ma.Schema):
    administration = ma.fields.String(required=True, metadata={"description": "Code of the administration"})
    valid_from = ma.fields.Date(required=True, metadata={"description": "First day in it (may be in a closed month)"})


@blp.route("/<code>/administration", methods=["POST"])
@blp.arguments(AdministrationMove)
@blp.response(200, UnitSchema)
@blp.alt_response(409, description="Already in that administration, moved too recently, or another organisation's")
@require("units.move")
def move_administration(move: dict[str, Any], code: str) -> Any:
    """Move the unit to another administration from a date; a closed month keeps its figures."""
    unit = unit_service.get_unit(g.user, code)
    administration = unit_service.get_administration(g.user.organisation_id, move["administration"])
    unit_service.move_to_administration(g.user, unit, administration, move["valid_from"])
    return unit


class YearQuery(ma.Schema):
    year = ma.fields.Integer(load_default=lambda: clock.today().year, validate=ma.validate.Range(2000, 2100))


def _unit_year(path: str, *, listing: bool = False) -> Callable[[Callable[..., Any]], Any]:
    """``GET /<code>/<path>?year=``: a unit's budget figures for a year, for ``budgets.read``; a
    ``listing`` is answered a page at a time."""
    def register(view: Callable[..., Any]) -> Any:
        view = paginated(blp)(view) if listing else view
        view = blp.response(200)(view)
        view = blp.arguments(YearQuery, location="query")(view)
        return blp.route(f"/<code>/{path}")(require("budgets.read")(view))

    return register


def _cost_json(table: costs.CostTable) -> dict[str, Any]:
    months = []
    for month in range(1, 13):
        categories = {}
        for category in table.categories:
            budget = table.budget.get(category, [ZERO] * 12)[month - 1]
            actual = table.actual.get(category, [ZERO] * 12)[month - 1]
            categories[category.value] = {"budget": f"{budget:.2f}", "actual": f"{actual:.2f}",
                                          "variance": f"{budget - actual:.2f}"}
        months.append({"month": month, "categories": categories})
    return {
        "year": table.year, "months": months,
        "totals": {"budget": f"{table.total_budget():.2f}", "budget_to_date": f"{table.ytd_budget():.2f}",
                   "actual_to_date": f"{table.ytd_actual():.2f}",
                   "variance_to_date": f"{table.ytd_budget() - table.ytd_actual():.2f}",
                   "forecast": f"{table.forecast():.2f}"},
    }


@_unit_year("costs")
def unit_costs(args: dict[str, Any], code: str) -> Any:
    """Per month and category: budget, actual (from the journal) and variance; totals and forecast."""
    unit = unit_service.get_unit(g.user, code)
    return {"unit": unit.ansvar, **_cost_json(costs.unit_table(unit, args["year"]))}


class BudgetWrite(ma.Schema):
    year = ma.fields.Integer(required=True, validate=ma.validate.Range(2000, 2100))
    category = ma.fields.String(required=True, validate=ma.validate.OneOf([c.value for c in BudgetCategory]))
    annual = Amount(load_default=None, metadata={"description": "Phased evenly over the twelve months"})
    months = ma.fields.List(Amount(), load_default=None, validate=ma.validate.Length(equal=12))

    @ma.validates_schema
    def one_of(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("annual") is None) == (data.get("months") is None):
            raise ma.ValidationError("give either annual or months (twelve amounts)")


@_unit_year("budgets")
def get_budgets(args: dict[str, Any], code: str) -> Any:
    """The unit's budget for a year: twelve months per category."""
    unit = unit_service.get_unit(g.user, code)
    budget = budget_service.budget_of(unit, args["year"])
    return {"unit": unit.ansvar, "year": args["year"],
            "categories": {c.value: [f"{a:.2f}" for a in months] for c, months in budget.items()}}


@blp.route("/<code>/budgets", methods=["PUT"])
@require("budgets.write")
@blp.arguments(BudgetWrite)
@blp.response(200)
def put_budget(args: dict[str, Any], code: str) -> Any:
    """Set one category's budget for a year; every changed month is kept in the history."""
    unit = unit_service.get_unit(g.user, code)
    months = args["months"] or budget_service.phase(args["annual"])
    changed = budget_service.set_budget(g.user, unit, args["year"], BudgetCategory(args["category"]), months,
                                        source="api")
    return {"unit": unit.ansvar, "year": args["year"], "category": args["category"], "changed_months": changed}


@_unit_year("budgets/history", listing=True)
def budget_history(args: dict[str, Any], code: str) -> Any:
    """Every change to the unit's budget for the year: who, when, old and new amount."""
    unit = unit_service.get_unit(g.user, code)
    return [{"category": h.category.value, "month": h.month,
             "old": None if h.old_amount is None else f"{h.old_amount:.2f}", "new": f"{h.new_amount:.2f}",
             "changed_by": h.changed_by_id, "changed_at": h.changed_at.isoformat(), "source": h.source}
            for h in budget_service.history(unit, args["year"])]


budgets_blp = Blueprint("budgets", __name__, url_prefix="/budgets", description="Budget import")


@budgets_blp.route("/import", methods=["POST"])
@require("budgets.write")
@budgets_blp.response(200)
@budgets_blp.alt_response(400, description="No multipart field `file`")
@budgets_blp.alt_response(422, description="Rows in error (nothing was stored); the details name each")
@budgets_blp.doc(requestBody=upload_body("A budget CSV: `Ansvar;År;Kategori;Belopp`, or with `Jan`…`Dec`"))
def import_budgets() -> Any:
    """A budget CSV (multipart ``file``): ``Ansvar;År;Kategori;Belopp`` or with ``Jan``…``Dec``."""
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest(N_("Send the budget file as multipart form field 'file'"))
    result = budget_service.import_csv(g.user, upload.read(), upload_name(upload.filename, "budget.csv"))
    if result.errors:
        raise ValidationFailed(N_("%(count)s row(s) have errors; nothing was stored"), result.errors,
                               count=len(result.errors))
    return {"rows": result.rows, "changed_months": result.changed}


BLUEPRINTS = (blp, budgets_blp)
