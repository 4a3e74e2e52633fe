"""Forms of the periods and suspense pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, ValidationError

from ledger.core.month import Month


def is_month(_form: FlaskForm, field: Field) -> None:
    """The one rule for a period (``ledger.core.month``), in a form."""
    if not Month.is_valid(field.data):
        raise ValidationError(_l("Use YYYY-MM."))


class PeriodActionForm(FlaskForm):
    """Allocate or close a period (YYYY-MM)."""

    period = StringField(_l("Period"), validators=[DataRequired(), is_month])
    action = HiddenField(default="allocate")


class ResolveSuspenseForm(FlaskForm):
    """Map a suspense line's number to a unit from a date, then re-allocate its period."""

    line_id = IntegerField(validators=[DataRequired()])
    period = HiddenField(validators=[DataRequired()])
    unit = SelectField(_l("Unit"), validators=[DataRequired(message=_l("Choose the budget unit to book the line to."))])
    valid_from = DateField(_l("From"), validators=[DataRequired()])
