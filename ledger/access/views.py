"""Log-in, log-out and the language switch."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from ledger.access.forms import LoginForm
from ledger.access.service import authenticate
from ledger.config import SUPPORTED_LANGUAGES
from ledger.web import blueprint, safe_next
from ledger.web.forms import LanguageForm, LogoutForm


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(form.username.data or "", form.password.data or "")
        if user is not None:
            _fresh_session()  # no session fixation
            login_user(user)
            return redirect(safe_next(form.next.data))
        flash(_("Wrong user name or password."), "error")
    status = 401 if request.method == "POST" else 200
    return render_template("login.html", form=form), status


@blueprint.route("/logout", methods=["POST"])
def logout() -> Any:
    if LogoutForm().validate_on_submit():
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
