"""Forms of the periods and suspense pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Regexp


class PeriodActionForm(FlaskForm):
    """Allocate or close a period (YYYY-MM)."""

    period = StringField(_l("Period"), validators=[DataRequired(), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$")])
    action = HiddenField(default="allocate")


class ResolveSuspenseForm(FlaskForm):
    """Map a suspense line's number to a unit from a date, then re-allocate its period."""

    line_id = IntegerField(validators=[DataRequired()])
    period = HiddenField(validators=[DataRequired()])
    unit = SelectField(_l("Unit"), validators=[DataRequired()])
    valid_from = DateField(_l("From"), validators=[DataRequired()])
