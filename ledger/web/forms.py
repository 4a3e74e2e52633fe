"""Forms of the page layout (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from typing import TypeVar

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired

from ledger.core.errors import BadRequest
from ledger.core.text import N_

T = TypeVar("T")


class LanguageForm(FlaskForm):
    """The language switch is a POST form too: no state changes on GET."""

    lang = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class LogoutForm(FlaskForm):
    pass


def required(value: T | None) -> T:
    """The value of a field the form has validated as required (``DataRequired``): never
    ``None`` once ``validate_on_submit()`` passed; this says so to the type checker too."""
    if value is None:
        raise BadRequest(N_("A required field is missing: fill in every field marked as required"))
    return value
