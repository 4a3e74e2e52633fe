"""Web forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, DecimalField, HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    next = HiddenField()


class LanguageForm(FlaskForm):
    """The language switch is a POST form too: no state changes on GET."""

    lang = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class LogoutForm(FlaskForm):
    pass


class UploadForm(FlaskForm):
    """Invoice files: PEPPOL XML or operator CSV, several at once."""

    files = MultipleFileField(_l("Invoice files"), validators=[DataRequired()])
    format = SelectField(_l("Format"), choices=[("auto", _l("Detect")), ("peppol", "PEPPOL BIS 3"),
                                                 ("csv", _l("CSV specification"))], default="auto")
    mapping = StringField(_l("CSV layout"), default="generic", validators=[Optional(), Length(max=40)])
    supplier = StringField(_l("Supplier organisation number (CSV without that column)"),
                           validators=[Optional(), Length(max=13)])


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

    def monthly(self) -> list[object]:
        return [getattr(self, name).data for name in MONTH_FIELDS]

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.annual.data is None and not self.has_months():
            self.annual.errors.append(str(_l("Give an annual amount or all twelve months.")))
            return False
        return True
