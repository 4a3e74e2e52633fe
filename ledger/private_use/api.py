"""``GET /api/v1/private-use?period=``: a month's invoice lines that indicate private use, per
subscription (holder) and month, with or without a private-use agreement; and
``GET /api/v1/private-use/subscriptions/{id}?year=``: one subscription's year."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint

from ledger.api.pagination import paginated
from ledger.api.routes import guarded
from ledger.api.schemas import Amount, PeriodField
from ledger.core import clock
from ledger.core.month import FIRST_YEAR, LAST_YEAR
from ledger.private_use import service

blp = Blueprint("private_use", __name__, url_prefix="/private-use",
                description="Private use of service phones: lines that indicate it, against the agreement")
BLUEPRINTS = (blp,)


class PrivateUseQuery(ma.Schema):
    period = PeriodField(required=True)
    agreement = ma.fields.String(load_default=None, validate=ma.validate.OneOf(service.AGREEMENT_CHOICES),
                                 metadata={"description": "with: under an agreement (the basis for a salary "
                                                          "deduction); without: compliance findings; none: both"})


class YearQuery(ma.Schema):
    year = ma.fields.Integer(load_default=None, validate=ma.validate.Range(FIRST_YEAR, LAST_YEAR),
                             metadata={"description": "The year (default: this year)"})


class LineSchema(ma.Schema):
    id = ma.fields.Integer(attribute="line_id")
    invoice_id = ma.fields.Integer()
    invoice_number = ma.fields.String()
    position = ma.fields.Integer()
    supplier = ma.fields.String(attribute="supplier_name")
    day = ma.fields.Date()
    description = ma.fields.String(allow_none=True)
    item_code = ma.fields.String(allow_none=True)
    charge_type = ma.fields.String(allow_none=True)
    quantity = ma.fields.Decimal(as_string=True, allow_none=True)
    net_amount = Amount()
    indicator = ma.fields.String(metadata={"description": "The rule's name in the private-use rules file"})
    kind = ma.fields.String(metadata={"description": "premium_rate, third_party_content or operator_charge"})


class AgreementSchema(ma.Schema):
    reference = ma.fields.String(attribute="agreement")
    signed_on = ma.fields.Date(attribute="agreement_signed_on", allow_none=True)


class UnitRefSchema(ma.Schema):
    ansvar = ma.fields.String(attribute="unit_ansvar")
    name = ma.fields.String(attribute="unit_name")


class HolderMonthSchema(ma.Schema):
    period = ma.fields.String(attribute="month", metadata={"description": "YYYY-MM"})
    subscription_id = ma.fields.Integer()
    number = ma.fields.String(metadata={"description": "E.164"})
    holder_name = ma.fields.String(allow_none=True)
    agreement = ma.fields.Function(lambda h: AgreementSchema().dump(h) if h.covered else None,
                                   metadata={"description": "The private-use agreement in force; null: none "
                                                            "(each line is then a compliance finding)"})
    unit = ma.fields.Function(lambda h: UnitRefSchema().dump(h) if h.unit_ansvar else None,
                              metadata={"description": "The unit the subscription was assigned to"})
    line_count = ma.fields.Integer()
    total = Amount()
    lines = ma.fields.List(ma.fields.Nested(LineSchema))


@guarded(blp, "GET", "", "private_use.read", 200, HolderMonthSchema(many=True), arguments=PrivateUseQuery,
         location="query", paging=paginated)
def list_private_use(query: dict[str, Any]) -> Any:
    """The month's lines that indicate private use, per subscription: department users their units' only."""
    return service.by_holder(service.period_lines(g.user, query["period"], agreement=query["agreement"]))


@guarded(blp, "GET", "/subscriptions/<int:subscription_id>", "private_use.read", 200, HolderMonthSchema(many=True),
         arguments=YearQuery, location="query", paging=paginated)
def subscription_private_use(query: dict[str, Any], subscription_id: int) -> Any:
    """One subscription's lines of a year that indicate private use, per month."""
    _, months = service.subscription_year(g.user, subscription_id, query["year"] or clock.today().year)
    return months
