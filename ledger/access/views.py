"""Log-in (throttled), log-out and the language switch."""

from __future__ import annotations

import time
from typing import Any

from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter import RequestLimit
from flask_login import current_user, login_user, logout_user

from ledger.access.forms import LoginForm
from ledger.access.login import limiter
from ledger.access.service import authenticate, end_sessions, record_failed_login
from ledger.config import SUPPORTED_LANGUAGES
from ledger.database.transaction import unit_of_work
from ledger.web import blueprint, safe_next
from ledger.web.forms import LanguageForm, LogoutForm


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
