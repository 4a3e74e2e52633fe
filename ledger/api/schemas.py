"""Marshmallow schemas shared by the API. Amounts are strings with two decimals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import marshmallow as ma

from ledger.core.month import Month


class Amount(ma.fields.Field):
    """A Decimal amount serialised as ``"1234.50"`` (never a float)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{Decimal(value):.2f}"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        from ledger.core.money import AmountError, is_ore_exact, parse_amount

        try:
            amount = parse_amount(str(value))
        except AmountError as error:
            raise ma.ValidationError(str(error)) from None
        if not is_ore_exact(amount):
            raise ma.ValidationError(f"{value} has a fraction of an öre")
        return amount


class PeriodField(ma.fields.String):
    """A month ``YYYY-MM``, read by the one rule of ``ledger.core.month.Month``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {"description": "YYYY-MM"})
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not Month.is_valid(text):
            raise ma.ValidationError("use YYYY-MM")
        return text


#: The largest id a row can have: ids are INTEGER columns, 32 bits on PostgreSQL.
MAX_ID = 2**31 - 1


class Id(ma.fields.Integer):
    """The id of a row named in the input; a number no row can have fails validation rather than
    overflowing the database's integer."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", ma.validate.Range(1, MAX_ID))
        super().__init__(**kwargs)


#: How the OpenAPI document writes amounts and periods (``ledger.api.openapi`` maps them).
AMOUNT_PATTERN = r"^-?[0-9]+\.[0-9]{2}$"
PERIOD_PATTERN = r"^[0-9]{4}-[0-9]{2}$"


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "Stable, e.g. not_found, period_closed"})
    message = ma.fields.String(required=True)
    details = ma.fields.Raw(required=True, allow_none=True, metadata={
        "description": "What exactly was wrong: fields, lines, differences (a list, or an object)",
        "anyOf": [{"type": "array", "items": {}}, {"type": "object"}]})


class ErrorSchema(ma.Schema):
    """Every error the API answers (``ledger.web.errors.error_response``)."""

    error = ma.fields.Nested(ErrorBodySchema, required=True)


class PatchSchema(ma.Schema):
    """A ``PATCH`` body: the fields to change, at least one (an empty change is a mistake, not a no-op)."""

    @ma.validates_schema
    def names_a_field(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ma.ValidationError("give at least one field to change")


class AdministrationSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()


class UnitSchema(ma.Schema):
    code = ma.fields.String(attribute="ansvar", metadata={"description": "Ansvar code"})
    name = ma.fields.String()
    administration = ma.fields.Nested(AdministrationSchema)
    fee_funded = ma.fields.Boolean(metadata={"description": "Intäktsfinansierad verksamhet"})
    carries_switchboard = ma.fields.Boolean(
        metadata={"description": "Carries switchboard and operator services (kanslienheten)"}
    )
    activity_code = ma.fields.String(allow_none=True)
    closed_on = ma.fields.Date(allow_none=True)
