"""Log-in (throttled), log-out, the language switch, and the administrator's users pages."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from authlib.integrations.base_client import OAuthError
from flask import Response, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import RequestLimit
from flask_login import current_user, login_user, logout_user

from ledger.access import service as users
from ledger.access import sso
from ledger.access.forms import ActionForm, GroupMappingForm, LoginForm, PasswordForm, RoleForm, UserForm, role_choices
from ledger.access.login import limiter, sso_client
from ledger.access.models import Role, User
from ledger.access.permissions import require
from ledger.access.service import authenticate, end_sessions, record_failed_login
from ledger.config import SUPPORTED_LANGUAGES
from ledger.core.errors import LedgerError
from ledger.database.transaction import unit_of_work
from ledger.labels import label
from ledger.organisation import service as organisation
from ledger.web import NAVIGATION, blueprint, safe_next
from ledger.web.errors import shown
from ledger.web.forms import LanguageForm, LogoutForm

NAVIGATION.append(("web.users", _l("Users"), "users.manage"))

#: A token's state (``access.service.TokenView.state``) as the page says it.
TOKEN_STATES = {"active": _l("active"), "expired": _l("expired"), "revoked": _l("revoked")}


@blueprint.app_context_processor
def log_in_choices() -> dict[str, Any]:
    """Which ways of logging in the log-in page offers."""
    return {"sso_configured": sso_client() is not None, "local_login": current_app.config["LEDGER_LOCAL_LOGIN"]}


def _attempted_account() -> str:
    return "account:" + (request.form.get("username") or "").strip().lower()


def _refused(response: Response) -> bool:
    return response.status_code == 401


def _throttled(limit: RequestLimit) -> Response:
    """The log-in page again, saying why, with 429; the attempt goes into the audit log."""
    with unit_of_work():
        record_failed_login((request.form.get("username") or "").strip(), request.remote_addr, throttled=True)
    flash(_("Too many failed log-ins. Wait a few minutes and try again."), "error")
    form = LoginForm(next=request.form.get("next", ""))
    response = current_app.make_response((render_template("login.html", form=form), 429))
    response.headers["Retry-After"] = str(max(1, int(limit.reset_at - time.time())))
    return response


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LEDGER_LOGIN_LIMIT_ADDRESS"], methods=["POST"], deduct_when=_refused,
               on_breach=_throttled, scope="login-address")
@limiter.limit(lambda: current_app.config["LEDGER_LOGIN_LIMIT_ACCOUNT"], methods=["POST"], deduct_when=_refused,
               on_breach=_throttled, scope="login-account", key_func=_attempted_account)
def login() -> Any:
    form = LoginForm(next=request.args.get("next", ""))
    if request.method == "POST" and not current_app.config["LEDGER_LOCAL_LOGIN"]:
        flash(_("Log-in with a user name and password is turned off here; use the municipality's log-in."), "error")
        return render_template("login.html", form=form), 403
    if form.validate_on_submit():
        user = authenticate(form.username.data or "", form.password.data or "")
        if user is not None:
            _fresh_session()  # no session fixation
            session.permanent = True  # ends after PERMANENT_SESSION_LIFETIME without a request
            login_user(user)
            return redirect(safe_next(form.next.data))
        # The answer is 401 and the request rolls back; the audit log keeps the attempt.
        with unit_of_work():
            record_failed_login((form.username.data or "").strip(), request.remote_addr)
        flash(_("Wrong user name or password."), "error")
    status = 401 if request.method == "POST" else 200
    return render_template("login.html", form=form), status


@blueprint.route("/logout", methods=["POST"])
def logout() -> Any:
    if LogoutForm().validate_on_submit():
        if current_user.is_authenticated:
            end_sessions(current_user)  # a cookie saved before now no longer logs in anywhere
        logout_user()
        _fresh_session()
    return redirect(url_for("web.login"))


@blueprint.route("/language", methods=["POST"])
def language() -> Any:
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in SUPPORTED_LANGUAGES:
        session["lang"] = form.lang.data
    return redirect(safe_next(form.next.data))


def _fresh_session() -> None:
    """Start a new session, keeping only the language the person chose."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


# -- the administrator's users and their tokens ----------------------------------------------------


def _say_refused(error: LedgerError) -> int:
    """Say on the page why the change was refused, in the page's language where the catalogue
    has the service's message; the answer's status rolls the change back."""
    flash(shown(error), "error")
    return error.status


def _with_choices(form: UserForm | RoleForm | GroupMappingForm) -> UserForm | RoleForm | GroupMappingForm:
    form.role.choices = role_choices()
    form.units.choices = [(unit.ansvar, f"{unit.ansvar} {unit.name}") for unit in organisation.list_units(g.user)]
    return form


def _units_for(role: Role, form: UserForm | RoleForm) -> list[str]:
    """The units ticked, for a department user; any other role sees every unit, so boxes left
    ticked from before the role was changed mean nothing."""
    return list(form.units.data or []) if role == Role.DEPARTMENT else []


def _user_of_my_organisation(name: str) -> User:
    """The user named ``name`` in the administrator's own organisation; 404 for any other."""
    return users.get_by_username(name, organisation_id=g.user.organisation_id)


@blueprint.route("/users", endpoint="users")
@require("users.manage")
def users_page() -> Any:
    return render_template("access/users.html", users=users.users_of(g.user.organisation_id))


@blueprint.route("/users/new", methods=["GET", "POST"])
@require("users.manage")
def user_new() -> Any:
    form = _with_choices(UserForm())
    assert isinstance(form, UserForm)
    if request.method == "GET":
        form.role.data = Role.DEPARTMENT.value
        return render_template("access/user_new.html", form=form)
    if not form.validate_on_submit():
        return render_template("access/user_new.html", form=form), 422
    role = Role(form.role.data)
    try:
        user = users.add_user(g.user, username=(form.username.data or "").strip(),
                              display_name=(form.display_name.data or "").strip(), role=role,
                              unit_codes=_units_for(role, form), password=form.password.data or "")
    except LedgerError as error:
        status = _say_refused(error)  # before the page is drawn, so that it shows the message
        return render_template("access/user_new.html", form=form), status
    flash(_("%(name)s can now log in.", name=user.username), "ok")
    return redirect(url_for("web.user", name=user.username))


def _user_page(user: User, status: int = 200, *, role_form: RoleForm | None = None,
               password_form: PasswordForm | None = None) -> Any:
    """A user's page: who they are, the forms that change them, their tokens."""
    if role_form is None:
        role_form = RoleForm(formdata=None, role=user.role.value, units=[unit.ansvar for unit in user.units])
    return render_template("access/user.html", user=user, tokens=users.tokens_of(user),
                           role_form=_with_choices(role_form),
                           password_form=password_form or PasswordForm(user, formdata=None),
                           action_form=ActionForm(), token_states=TOKEN_STATES), status


@blueprint.route("/users/<name>", endpoint="user")
@require("users.manage")
def user_page(name: str) -> Any:
    return _user_page(_user_of_my_organisation(name))


def _changed(user: User, change: Callable[[], object], done: str, **forms: Any) -> Any:
    """Make ``change`` to ``user`` and go back to their page saying ``done``; a refusal is said on
    their page, with the ``forms`` as they were sent."""
    try:
        change()
    except LedgerError as error:
        return _user_page(user, _say_refused(error), **forms)
    flash(done, "ok")
    return redirect(url_for("web.user", name=user.username))


@blueprint.route("/users/<name>/role", methods=["POST"])
@require("users.manage")
def user_role(name: str) -> Any:
    user = _user_of_my_organisation(name)
    form = _with_choices(RoleForm())
    assert isinstance(form, RoleForm)
    if not form.validate_on_submit():
        return _user_page(user, 422, role_form=form)
    role = Role(form.role.data)
    return _changed(user, lambda: users.change_role(g.user, user, role, _units_for(role, form)),
                    _("The role of %(name)s is saved.", name=user.username), role_form=form)


@blueprint.route("/users/<name>/active", methods=["POST"])
@require("users.manage")
def user_active(name: str) -> Any:
    user = _user_of_my_organisation(name)
    if not ActionForm().validate_on_submit():
        return _user_page(user, 400)
    active = request.form.get("active") == "1"
    return _changed(user, lambda: users.set_active(g.user, user, active),
                    _("%(name)s can log in again.", name=user.username) if active else
                    _("%(name)s is deactivated: their sessions and API tokens no longer work.", name=user.username))


@blueprint.route("/users/<name>/password", methods=["POST"])
@require("users.manage")
def user_password(name: str) -> Any:
    user = _user_of_my_organisation(name)
    form = PasswordForm(user)
    if not form.validate_on_submit():
        return _user_page(user, 422, password_form=form)
    return _changed(user, lambda: users.set_password(g.user, user, form.password.data or ""),
                    _("%(name)s has a new password; their sessions have ended.", name=user.username),
                    password_form=form)


@blueprint.route("/users/<name>/tokens/<int:token_id>/revoke", methods=["POST"])
@require("users.manage")
def user_token_revoke(name: str, token_id: int) -> Any:
    user = _user_of_my_organisation(name)
    if not ActionForm().validate_on_submit():
        return _user_page(user, 400)
    users.revoke_token(g.user, user, token_id)
    flash(_("The token is revoked: it no longer works."), "ok")
    return redirect(url_for("web.user", name=user.username))


# -- single sign-on through the municipality's OpenID Connect provider ---------------------------


@blueprint.route("/login/sso")
def sso_login() -> Any:
    """Off to the provider; it sends the person back to ``sso_callback``."""
    configured = sso_client()
    if configured is None:
        return redirect(url_for("web.login"))
    session["sso_next"] = safe_next(request.args.get("next"))
    return configured[1].authorize_redirect(url_for("web.sso_callback", _external=True))


@blueprint.route("/login/sso/callback")
def sso_callback() -> Any:
    configured = sso_client()
    if configured is None:
        return redirect(url_for("web.login"))
    settings, client = configured
    try:
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if settings.groups_claim not in claims:  # some providers send groups only from userinfo
            claims.update(client.userinfo(token=token))
    except OAuthError as error:
        current_app.logger.warning("single sign-on refused: %s", error.error)
        return _sso_refused(_("The municipality's log-in did not complete (%(reason)s). Try again.",
                              reason=error.error))
    try:
        user = sso.sign_in(settings, claims)
    except LedgerError as error:
        return _sso_refused(shown(error))
    target = session.pop("sso_next", None)
    _fresh_session()
    session.permanent = True
    login_user(user)
    return redirect(safe_next(target))


def _sso_refused(message: str) -> Any:
    flash(message, "error")
    return render_template("login.html", form=LoginForm()), 403


def _with_group_choices(form: GroupMappingForm) -> GroupMappingForm:
    _with_choices(form)  # the same role and unit choices as a user's
    return form


def _groups_page(form: GroupMappingForm, status: int = 200) -> Any:
    return render_template("access/groups.html", mappings=sso.mappings(g.user.organisation_id), form=form,
                           action_form=ActionForm(), configured=sso_client() is not None), status


@blueprint.route("/users/groups", methods=["GET", "POST"], endpoint="user_groups")
@require("users.manage")
def user_groups() -> Any:
    form = _with_group_choices(GroupMappingForm())
    if request.method == "GET":
        form.role.data = Role.DEPARTMENT.value
        return _groups_page(form)
    if not form.validate_on_submit():
        return _groups_page(form, 422)
    role = Role(form.role.data)
    try:
        mapping = sso.add_mapping(g.user, form.group_name.data or "", role, list(form.units.data or []))
    except LedgerError as error:
        return _groups_page(form, _say_refused(error))
    flash(_("Members of %(group)s now log in as %(role)s.", group=mapping.group_name, role=label(role.value)), "ok")
    return redirect(url_for("web.user_groups"))


@blueprint.route("/users/groups/<int:mapping_id>/delete", methods=["POST"])
@require("users.manage")
def user_group_delete(mapping_id: int) -> Any:
    if not ActionForm().validate_on_submit():
        return _groups_page(_with_group_choices(GroupMappingForm(formdata=None)), 400)
    sso.remove_mapping(g.user, mapping_id)
    flash(_("The group mapping is removed; its members keep their role until they next log in."), "ok")
    return redirect(url_for("web.user_groups"))
