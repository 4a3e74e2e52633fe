"""The accounting settings page: everyone with ``accounts.read`` sees them, the admin edits them."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from ledger.access.permissions import authorise, require
from ledger.accounting import service
from ledger.accounting.plan import SETTINGS
from ledger.core.errors import ValidationFailed
from ledger.web import NAVIGATION, blueprint

NAVIGATION.append(("web.accounts", _l("Accounting"), "accounts.read"))


@blueprint.route("/accounts", methods=["GET", "POST"], endpoint="accounts")
@require("accounts.read")
def accounts_page() -> Any:
    form = FlaskForm()
    values = service.settings_of(g.user.organisation_id).values()
    problems: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        authorise(g.user, "accounts.write")
        submitted = {key: request.form.get(key, "") for key in SETTINGS}
        if form.validate_on_submit():
            try:
                service.update(g.user, g.user.organisation, submitted)
                flash(_("The accounting settings are saved."), "ok")
                return redirect(url_for("web.accounts"))
            except ValidationFailed as error:
                problems = {detail["field"]: detail["message"] for detail in error.details}
                status = 422
        values = submitted
    return render_template("accounting/settings.html", form=form, values=values, settings=SETTINGS,
                           problems=problems), status
