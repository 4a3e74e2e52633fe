"""The log-in form and the administrator's user forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ledger.access.models import Role, User
from ledger.access.passwords import MIN_LENGTH, check_password
from ledger.core.errors import ValidationFailed
from ledger.labels import label


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    next = HiddenField()


# -- the administrator's users page ------------------------------------------------------------


class CheckboxesField(SelectMultipleField):
    """Check boxes for several choices (``_macros.field`` draws them in a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PolicyPassword:
    """The password policy (``access.passwords``), said in the page's language on the field.
    The form's ``password_owner()`` names whom the password must not be guessable from."""

    def __call__(self, form: Any, field: PasswordField) -> None:
        password = field.data or ""
        username, display_name = form.password_owner()
        try:
            check_password(password, username=username, display_name=display_name)
        except ValidationFailed:
            if len(password) < MIN_LENGTH:
                raise ValidationError(_("The password needs at least %(count)s characters.",
                                        count=MIN_LENGTH)) from None
            raise ValidationError(_("The password is too easy to guess; choose a longer one, for example a few "
                                    "unrelated words.")) from None


def role_choices() -> list[tuple[str, str]]:
    return [(role.value, label(role.value)) for role in Role]


class UserForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64),
                                                        Regexp(r"^[A-Za-z0-9._@-]+$", message=_l(
                                                            "Letters a–z, digits and . _ @ - only."))])
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    units = CheckboxesField(_l("Units (department users only)"))
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), PolicyPassword()])

    def password_owner(self) -> tuple[str, str]:
        return self.username.data or "", self.display_name.data or ""


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired()])
    units = CheckboxesField(_l("Units (department users only)"))


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), PolicyPassword()])

    def __init__(self, owner: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner

    def password_owner(self) -> tuple[str, str]:
        return self.owner.username, self.owner.display_name


class ActionForm(FlaskForm):
    """A button that changes one thing (deactivate, reactivate, revoke): only its CSRF token."""


class GroupMappingForm(FlaskForm):
    """A directory group and what its members are in the ledger."""

    group_name = StringField(_l("Group (as the log-in service names it)"),
                             validators=[DataRequired(), Length(max=256)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    units = CheckboxesField(_l("Units (department users only)"))
