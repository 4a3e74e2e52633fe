"""The budget form of a unit's page."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField
from wtforms.validators import DataRequired, Optional

MONTH_FIELDS = tuple(f"m{month}" for month in range(1, 13))


class BudgetForm(FlaskForm):
    """A year's budget for one category: an annual amount phased evenly, or twelve months."""

    year = IntegerField(_l("Year"), validators=[DataRequired()])
    category = SelectField(_l("Category"), validators=[DataRequired()])
    annual = DecimalField(_l("Annual amount (phased evenly)"), places=2, validators=[Optional()])
    m1 = DecimalField(places=2, validators=[Optional()])
    m2 = DecimalField(places=2, validators=[Optional()])
    m3 = DecimalField(places=2, validators=[Optional()])
    m4 = DecimalField(places=2, validators=[Optional()])
    m5 = DecimalField(places=2, validators=[Optional()])
    m6 = DecimalField(places=2, validators=[Optional()])
    m7 = DecimalField(places=2, validators=[Optional()])
    m8 = DecimalField(places=2, validators=[Optional()])
    m9 = DecimalField(places=2, validators=[Optional()])
    m10 = DecimalField(places=2, validators=[Optional()])
    m11 = DecimalField(places=2, validators=[Optional()])
    m12 = DecimalField(places=2, validators=[Optional()])

    def has_months(self) -> bool:
        return all(getattr(self, name).data is not None for name in MONTH_FIELDS)

    def monthly(self) -> list[Decimal]:
        """The twelve months (call after ``has_months()``)."""
        return [getattr(self, name).data for name in MONTH_FIELDS]

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.annual.data is None and not self.has_months():
            self.annual.errors = [*self.annual.errors, str(_l("Give an annual amount or all twelve months."))]
            return False
        return True
