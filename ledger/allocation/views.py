"""Periods (allocate, close, totals per rule), the suspense queue, and why each entry is where it is."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ledger.access.permissions import authorise, require
from ledger.allocation import journal, periods
from ledger.allocation.engine import allocate
from ledger.allocation.forms import PeriodActionForm, ResolveSuspenseForm
from ledger.core import clock
from ledger.core.errors import LedgerError
from ledger.database.transaction import savepoint
from ledger.organisation import service as unit_service
from ledger.web import NAVIGATION, blueprint
from ledger.web.forms import required

NAVIGATION.append(("web.periods", _l("Periods"), "suspense.read"))
NAVIGATION.append(("web.suspense", _l("Suspense"), "suspense.read"))


@blueprint.route("/periods", methods=["GET", "POST"], endpoint="periods")
@require("suspense.read")
def periods_page() -> Any:
    form = PeriodActionForm()
    result = None
    if request.method == "POST":
        authorise(g.user, "allocation.run")
        if form.validate_on_submit():
            try:
                period = required(form.period.data)
                with savepoint():
                    if form.action.data == "close":
                        periods.close(g.user, g.user.organisation_id, period)
                        flash(_("%(period)s is closed.", period=period), "ok")
                    else:
                        result = allocate(g.user, g.user.organisation, period)
            except LedgerError as error:
                flash(error.message, "error")
    listed = periods.list_periods(g.user.organisation_id)
    totals = {p.period: journal.totals_by_rule(g.user.organisation_id, p.period) for p in listed}
    return render_template("allocation/periods.html", form=form, periods=listed, totals=totals, result=result,
                           this_month=f"{clock.today():%Y-%m}")


@blueprint.route("/suspense", methods=["GET", "POST"])
@require("suspense.read")
def suspense() -> Any:
    form = ResolveSuspenseForm()
    form.unit.choices = [(u.ansvar, f"{u.ansvar} {u.name}") for u in unit_service.list_units(g.user)]
    if request.method == "POST":
        authorise(g.user, "allocation.run")
        if form.validate_on_submit():
            try:
                with savepoint():
                    unit = unit_service.get_unit(g.user, form.unit.data)
                    journal.resolve_suspense(g.user, required(form.line_id.data), unit, required(form.valid_from.data))
                    result = allocate(g.user, g.user.organisation, required(form.period.data))
                flash(_("Assigned to %(unit)s and re-allocated %(period)s: %(entries)s new entries, "
                        "%(reversals)s reversals.", unit=unit.ansvar, period=form.period.data,
                        entries=result.entries, reversals=result.reversals), "ok")
                return redirect(url_for("web.suspense", period=request.args.get("period")))
            except LedgerError as error:
                flash(error.message, "error")
    period = request.args.get("period") or None
    return render_template("allocation/suspense.html", lines=journal.suspense(g.user, period), form=form,
                           period=period)


@blueprint.route("/journal/<int:entry_id>")
@require("journal.read")
def journal_entry(entry_id: int) -> Any:
    view = journal.entry(g.user, entry_id)
    return render_template("allocation/entry.html", view=view, reversed_by=journal.reversal_of(entry_id))
