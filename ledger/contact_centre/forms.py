"""The forms of the contact centre's pages (Flask-WTF: CSRF on every post)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from ledger.contact_centre import details
from ledger.core.errors import LedgerError
from ledger.i18n import said


def _checked(_form: FlaskForm, field: Field) -> None:
    """The service's own check of the field, said beside it in the reader's language."""
    try:
        details.checked_text(field.name, field.data)
    except LedgerError as error:
        raise ValidationError(said(error.text, error.params)) from None


class ContactDetailsForm(FlaskForm):
    """A unit's function, hours and other contact paths; an empty field is none."""

    function = TextAreaField(_l("Function (what the unit answers for)"), validators=[_checked])
    opening_hours = StringField(_l("Opening hours"), validators=[_checked])
    phone_hours = StringField(_l("Phone times"), validators=[_checked])
    email = StringField(_l("E-mail"), validators=[_checked])
    web_form_url = StringField(_l("Web form (address)"), validators=[_checked])

    def values(self) -> dict[str, Any]:
        return {name: self[name].data or None for name in details.FIELDS}


class SinceForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    since = DateField(_l("Recorded since"), validators=[Optional()])


class FeedTokenForm(FlaskForm):
    """Make (or replace) the user's feed address, or end it: the button pressed says which
    (``action``: ``issue`` or ``revoke``)."""

    action = SelectField(choices=[("issue", "issue"), ("revoke", "revoke")], default="issue")
