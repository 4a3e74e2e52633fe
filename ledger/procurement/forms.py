"""Forms of the procurement pages: contracts, their terms, documents and price lists, partner
municipalities, coverage exceptions and decisions on them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from ledger.procurement.models import ContractStatus


class CheckboxesField(SelectMultipleField):
    """Check boxes for several choices (``_macros.field`` draws them in a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AtLeastOne:
    """At least one box of a group ticked. Not ``DataRequired``: its ``required`` flag would be
    drawn on every box, and a browser then refuses the form until all of them are ticked."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, _form: FlaskForm, field: Field) -> None:
        if not field.data:
            raise StopValidation(self.message)


class ContractForm(FlaskForm):
    reference = StringField(_l("Reference (diarienummer)"), validators=[DataRequired(), Length(max=40)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    supplier = SelectField(_l("Supplier"), coerce=int, validators=[DataRequired()])
    lead = SelectField(_l("Lead party"), coerce=int, validators=[DataRequired()])
    participants = CheckboxesField(_l("Participating municipalities"), coerce=int)
    categories = CheckboxesField(_l("Categories covered"),
                                 validators=[AtLeastOne(_l("Tick at least one category the contract covers."))])
    start_date = DateField(_l("First day in force"), validators=[DataRequired()])
    end_date = DateField(_l("Last day in force"), validators=[DataRequired()])
    notice_months = IntegerField(_l("Notice period (months)"), default=6, validators=[NumberRange(min=0, max=120)])
    status = SelectField(_l("Status"), default=ContractStatus.SIGNED.value)
    option1_extends_to = DateField(_l("Extension option 1: extends to"), validators=[Optional()])
    option1_notice = DateField(_l("Extension option 1: last notice date"), validators=[Optional()])
    option2_extends_to = DateField(_l("Extension option 2: extends to"), validators=[Optional()])
    option2_notice = DateField(_l("Extension option 2: last notice date"), validators=[Optional()])


class PartnerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    organisation_number = StringField(_l("Organisation number"), validators=[DataRequired(), Length(max=13)])


class TermForm(FlaskForm):
    noted_on = DateField(_l("Applies from"), validators=[DataRequired()])
    kind = SelectField(_l("Kind"), choices=[])
    text = TextAreaField(_l("What was agreed"), validators=[DataRequired()])
    document_reference = StringField(_l("Document reference"), validators=[Optional(), Length(max=200)])


class DocumentForm(FlaskForm):
    title = StringField(_l("Document"), validators=[DataRequired(), Length(max=200)])
    reference = StringField(_l("Reference (diarienummer, archive id or URL)"),
                            validators=[DataRequired(), Length(max=300)])


class PriceUploadForm(FlaskForm):
    file = FileField(_l("Price list (CSV)"), validators=[FileRequired()])
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])


class ExceptionRequestForm(FlaskForm):
    subscription = SelectField(_l("Subscription"), choices=[], validators=[Optional()])
    area = StringField(_l("Area"), validators=[Optional(), Length(max=120)])
    supplier = SelectField(_l("Operator to use instead"), coerce=int, validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired()])
    evidence = TextAreaField(_l("Evidence (e.g. a coverage test)"), validators=[Optional()])
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])
    valid_to = DateField(_l("Valid until (not including)"), validators=[Optional()])


class DecisionForm(FlaskForm):
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
