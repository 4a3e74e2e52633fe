"""The pages. Routes parse the form, authorise, call one service, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from ledger.auth import require
from ledger.config import SUPPORTED_LANGUAGES
from ledger.extensions import db
from ledger.services import units as unit_service
from ledger.services.users import authenticate
from ledger.web.forms import LanguageForm, LoginForm, LogoutForm

blueprint = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/static/ledger")


@blueprint.app_context_processor
def layout_context() -> dict[str, Any]:
    return {"language_form": LanguageForm(), "logout_form": LogoutForm(), "get_locale": get_locale}


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after log-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("web.index")


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(form.username.data or "", form.password.data or "")
        if user is not None:
            language = session.get("lang")
            session.clear()  # a fresh session on log-in (no session fixation)
            if language:
                session["lang"] = language
            login_user(user)
            db.session.commit()
            return redirect(_safe_next(form.next.data))
        db.session.rollback()
        flash(_("Wrong user name or password."), "error")
    status = 401 if request.method == "POST" else 200
    return render_template("login.html", form=form), status


@blueprint.route("/logout", methods=["POST"])
def logout() -> Any:
    if LogoutForm().validate_on_submit():
        logout_user()
        session.clear()
    return redirect(url_for("web.login"))


@blueprint.route("/language", methods=["POST"])
def language() -> Any:
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in SUPPORTED_LANGUAGES:
        session["lang"] = form.lang.data
    return redirect(_safe_next(form.next.data))


@blueprint.route("/")
@require("units.read")
def index() -> Any:
    return render_template(
        "index.html",
        tree=unit_service.administrations_with_units(g.user),
        counts=unit_service.asset_counts(g.user.organisation_id),
    )


@blueprint.route("/units/<code>")
@require("units.read")
def unit(code: str) -> Any:
    budget_unit = unit_service.get_unit(g.user, code)
    return render_template("unit.html", unit=budget_unit, summary=unit_service.unit_summary(budget_unit))
