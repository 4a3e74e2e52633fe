"""Web forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, HiddenField, IntegerField, PasswordField, SelectField, StringField
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
