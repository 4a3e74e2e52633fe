"""Periods (allocate, close, totals per rule), the suspense queue, and why each entry is where it is."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; its stubs are 3.2

from ledger.access.permissions import allowed, authorise, require
from ledger.allocation import journal, periods
from ledger.allocation.engine import allocate
from ledger.allocation.forms import PeriodActionForm, ResolveSuspenseForm
from ledger.core import clock
from ledger.core.errors import LedgerError
from ledger.database.transaction import savepoint
from ledger.i18n import reason
from ledger.organisation import service as unit_service
from ledger.web import NAVIGATION, blueprint, listing
from ledger.web.errors import shown
from ledger.web.forms import required
from ledger.web.listing import Column, Listing, shown_reference

NAVIGATION.append(("web.periods", _l("Periods"), "suspense.read"))
NAVIGATION.append(("web.suspense", _l("Suspense"), "suspense.read"))


@blueprint.route("/periods", methods=["GET", "POST"], endpoint="periods")
@require("suspense.read")
def periods_page() -> Any:
    form = PeriodActionForm()
    result = None
    status = 200
    if request.method == "POST":
        authorise(g.user, "allocation.run")
        if not form.validate_on_submit():
            status = 400  # the page says why next to the period field
        else:
            try:
                period = required(form.period.data)
                with savepoint():
                    if form.action.data == "close":
                        periods.close(g.user, g.user.organisation_id, period)
                        flash(_("%(period)s is closed.", period=period), "ok")
                    else:
                        result = allocate(g.user, g.user.organisation, period)
            except LedgerError as error:
                flash(shown(error), "error")
    listed = periods.list_periods(g.user.organisation_id)
    totals = {p.period: journal.totals_by_rule(g.user.organisation_id, p.period) for p in listed}
    return render_template("allocation/periods.html", form=form, periods=listed, totals=totals, result=result,
                           this_month=f"{clock.today():%Y-%m}"), status


#: The suspense queue, oldest invoice first unless the reader sorts otherwise; ``?period=`` one month.
SUSPENSE_LIST = Listing("vilande", (
    Column("invoice", _l("Invoice"), value=lambda s: s.invoice.number, key_of=lambda s: s.invoice.number),
    Column("date", _l("Date"), value=lambda s: s.invoice.issue_date, key_of=lambda s: s.invoice.issue_date),
    Column("supplier", _l("Supplier"), value=lambda s: s.supplier.name, key_of=lambda s: s.supplier.name),
    Column("reference", _l("Reference"), value=lambda s: shown_reference(s.line.reference),
           key_of=lambda s: s.line.reference),
    Column("text", _l("Text"), value=lambda s: s.line.description),
    Column("why", _l("Why"), value=lambda s: reason(s.said)),
    Column("amount", _l("Amount"), value=lambda s: s.amount, key_of=lambda s: s.amount, css="num"),
    Column("assign", _l("Assign to unit")),
), default_sort="date", filters=("period",))
#: The queue as a reader who may not assign sees it.
SUSPENSE_LIST_READ = replace(SUSPENSE_LIST, columns=SUSPENSE_LIST.columns[:-1])


def _resolve_form() -> ResolveSuspenseForm:
    """The form of the row posted; "take the suggestion" posts the suggested unit as its choice.
    The unit list starts with an empty choice, so that no row is booked to a unit nobody chose."""
    formdata = request.form.copy() if request.method == "POST" else None
    if formdata is not None and formdata.get("suggested"):
        formdata["unit"] = formdata["suggested"]
    form = ResolveSuspenseForm(formdata=formdata)
    form.unit.choices = [SelectChoice("", _("Choose a budget unit"))] + [
        SelectChoice(u.ansvar, f"{u.ansvar} {u.name}") for u in unit_service.list_units(g.user)]
    return form


@blueprint.route("/suspense", methods=["GET", "POST"])
@require("suspense.read")
def suspense() -> Any:
    form = _resolve_form()
    status = 200
    if request.method == "POST":
        authorise(g.user, "allocation.run")
        status = 400
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
                flash(shown(error), "error")
    return _suspense_page(form, status)


def _suspense_page(form: ResolveSuspenseForm, status: int) -> Any:
    assigning = allowed(g.user, "allocation.run")
    asked = listing.read(SUSPENSE_LIST if assigning else SUSPENSE_LIST_READ)
    lines = listing.sorted_items(journal.suspense(g.user, asked.filters.get("period")), asked)
    if asked.format and request.method == "GET":
        return listing.download(asked, lines, len(lines))
    page = listing.page_of_items(lines, asked)
    suggestions = journal.suggested_units(g.user, [s.line for s in page.items]) if assigning else {}
    return render_template("allocation/suspense.html", lines=page, asked=asked, form=form, assigning=assigning,
                           suggestions=suggestions, period=asked.filters.get("period")), status


@blueprint.route("/journal/<int:entry_id>")
@require("journal.read")
def journal_entry(entry_id: int) -> Any:
    view = journal.entry(g.user, entry_id)
    return render_template("allocation/entry.html", view=view, reversed_by=journal.reversal_of(entry_id))
