"""The budget form of a unit's page."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, SelectField
from wtforms.validators import DataRequired, Optional

MONTH_FIELDS = tuple(f"m{month}" for month in range(1, 13))


class BudgetForm(FlaskForm):
    """A year's budget for one category: an annual amount phased evenly, or twelve months."""

    year = IntegerField(_l("Year"), validators=[DataRequired()])
    category = SelectField(_l("Category"), validators=[DataRequired()])
    annual = DecimalField(_l("Annual amount (phased evenly)"), places=2, validators=[Optional()])
    # m1 … m12, one field a month, follow in order (added below the class)

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


for _name in MONTH_FIELDS:  # WTForms takes fields added to the class afterwards, in the order made
    setattr(BudgetForm, _name, DecimalField(places=2, validators=[Optional()]))


class AdministrationForm(FlaskForm):
    """Move the unit to another administration from a date."""

    administration = SelectField(_l("Administration"), validators=[DataRequired()])
    valid_from = DateField(_l("From"), validators=[DataRequired()])
