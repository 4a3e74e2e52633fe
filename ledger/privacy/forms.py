"""The privacy page's form: whose extract (Flask-WTF, with its CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class ExtractForm(FlaskForm):
    #: Posted, not in the address: a name in a URL ends up in logs and the browser's history.
    person = StringField(_l("The person's name (or part of it)"), validators=[DataRequired(), Length(max=120)])
