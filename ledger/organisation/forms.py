"""The supplier form (Flask-WTF: CSRF on every post)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ledger.core import identifiers


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _organisation_number(_form: FlaskForm, field: Field) -> None:
    """Checked as the services check it; shown as NNNNNN-NNNN once it passes."""
    try:
        field.data = identifiers.organisation_number(field.data or "")
    except identifiers.IdentifierError:
        raise ValidationError(_("Not an organisation number: ten digits, NNNNNN-NNNN, with the right check "
                                "digit.")) from None


class SupplierForm(FlaskForm):
    """A supplier as registered or corrected; ``next`` is the page to return to (the upload)."""

    name = StringField(_l("Name"), filters=[_strip], validators=[DataRequired(), Length(max=120)])
    organisation_number = StringField(_l("Organisation number"), filters=[_strip],
                                      validators=[DataRequired(), _organisation_number])
    peppol_id = StringField(_l("PEPPOL id"), filters=[_strip], validators=[Optional(), Length(max=64)])
    vat_number = StringField(_l("VAT number"), filters=[_strip], validators=[Optional(), Length(max=20)])
    counterparty_code = StringField(_l("Counterparty (motpart)"), filters=[_strip],
                                    validators=[Optional(), Length(max=8)])
    next = HiddenField()

    def values(self) -> dict[str, Any]:
        """The fields as the supplier services take them (an empty field is none)."""
        return {"name": self.name.data or "", "organisation_number": self.organisation_number.data or "",
                "peppol_id": self.peppol_id.data or None, "vat_number": self.vat_number.data or None,
                "counterparty_code": self.counterparty_code.data or None}
