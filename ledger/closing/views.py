"""The month-end page of a period (Månadsavslut): the checklist, and the close."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from ledger.access.permissions import authorise, require
from ledger.allocation import periods
from ledger.closing.service import month_end
from ledger.core.errors import LedgerError
from ledger.core.month import Month
from ledger.database.transaction import savepoint
from ledger.web import blueprint
from ledger.web.errors import shown


class CloseForm(FlaskForm):
    reason = TextAreaField(validators=[Optional(), Length(max=500)])


@blueprint.route("/periods/<period>", methods=["GET", "POST"], endpoint="period_status")
@require("reports.read")
def period_page(period: str) -> Any:
    period = str(Month.parse(period))
    form = CloseForm()
    status = 200
    if form.is_submitted():
        authorise(g.user, "allocation.run")
        if form.validate_on_submit():
            try:
                with savepoint():
                    periods.close(g.user, g.user.organisation_id, period, force_reason=form.reason.data)
                flash(_("%(period)s is closed.", period=period), "ok")
                return redirect(url_for("web.period_status", period=period))
            except LedgerError as error:
                flash(shown(error), "error")
                status = 409
    checklist = month_end(g.user.organisation, period)
    return render_template("closing/month_end.html", s=checklist, form=form), status
