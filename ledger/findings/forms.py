"""Forms of the findings and claims pages: a finding's transitions, owner and note; preparing a
claim, its transitions and the credit note that settles it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class NoteForm(FlaskForm):
    """A transition's button with an optional note (why)."""

    note = StringField(_l("Why (kept in the history)"), validators=[Optional(), Length(max=2000)])


class FindingForm(FlaskForm):
    owner = SelectField(_l("Handled by"), validators=[Optional()])
    handling_note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class PrepareClaimForm(FlaskForm):
    """Put a supplier's unclaimed prices above contract into its claim in preparation."""

    finding_ids = StringField(validators=[Optional(), Length(max=2000)])


class ClaimActionForm(FlaskForm):
    on = DateField(_l("Day"), validators=[Optional()])
    step_note = StringField(_l("Why (kept in the history)"), validators=[Optional(), Length(max=2000)])


class CreditNoteForm(FlaskForm):
    invoice = SelectField(_l("Credit note"), coerce=int, validators=[DataRequired()])
    link_note = StringField(_l("Note"), validators=[Optional(), Length(max=2000)])
