"""The supplier form (Flask-WTF: CSRF on every post)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from ledger.access.forms import PolicyPassword
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


class MunicipalityForm(FlaskForm):
    """A municipality of the cooperation that gets a ledger here, and its first administrator."""

    code = StringField(_l("Municipality code"), filters=[_strip], validators=[DataRequired(), Length(min=4, max=4)])
    name = StringField(_l("Name"), filters=[_strip], validators=[DataRequired(), Length(max=120)])
    organisation_number = StringField(_l("Organisation number"), filters=[_strip],
                                      validators=[DataRequired(), _organisation_number])
    username = StringField(_l("Administrator's user name"), filters=[_strip],
                           validators=[DataRequired(), Length(max=64), Regexp(r"^[A-Za-z0-9._@-]+$", message=_l(
                               "Letters a–z, digits and . _ @ - only."))])
    display_name = StringField(_l("Administrator's name"), filters=[_strip], validators=[Optional(), Length(max=120)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), PolicyPassword()])

    def password_owner(self) -> tuple[str, str]:
        return self.username.data or "", self.display_name.data or ""
