"""The invoice upload form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional


class UploadForm(FlaskForm):
    """Invoice files: PEPPOL XML or operator CSV, several at once."""

    #: ``FileRequired``, not ``DataRequired``: a form sent without a file still holds one empty
    #: file part, which ``DataRequired`` lets through to the import.
    files = MultipleFileField(_l("Invoice files"),
                              validators=[FileRequired(_l("Choose at least one invoice file to import."))])
    format = SelectField(_l("Format"), choices=[("auto", _l("Detect")), ("peppol", "PEPPOL BIS 3"),
                                                 ("csv", _l("CSV specification"))], default="auto")
    mapping = StringField(_l("CSV layout"), default="generic", validators=[Optional(), Length(max=40)])
    supplier = StringField(_l("Supplier organisation number (CSV without that column)"),
                           validators=[Optional(), Length(max=13)])
