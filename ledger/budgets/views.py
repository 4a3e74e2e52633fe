"""The start page (budget against actual, administrations and units), a unit's page with its
costs, budget and inventory, and the drill-down from a figure to the entries behind it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ledger.access.permissions import allowed, authorise, require, visible_unit_ids
from ledger.allocation import journal
from ledger.allocation.models import JournalEntry
from ledger.budgets import costs
from ledger.budgets import service as budget_service
from ledger.budgets.forms import AdministrationForm, BudgetForm
from ledger.core import clock
from ledger.core.categories import BudgetCategory
from ledger.core.errors import LedgerError
from ledger.core.identifiers import display_phone_number
from ledger.database.transaction import savepoint
from ledger.i18n import day, money, reason, whole_money
from ledger.inventory.models import AssetType
from ledger.invoices.models import Invoice, InvoiceLine
from ledger.labels import label
from ledger.organisation import service as unit_service
from ledger.organisation.models import BudgetUnit, Supplier
from ledger.private_use import service as private_use
from ledger.web import NAVIGATION, blueprint, listing, start_page
from ledger.web.errors import shown
from ledger.web.forms import required
from ledger.web.listing import Column, Listing, shown_reference
from reports.svg_chart import budget_actual_chart

NAVIGATION.insert(0, ("web.index", _l("Overview"), "units.read"))


def _year() -> int:
    try:
        return int(request.args.get("year", clock.today().year))
    except ValueError:
        return clock.today().year


def _month_labels() -> list[str]:
    return [format_date(date(2000, m, 1), "MMM") for m in range(1, 13)]


def _short_amount(value: Decimal) -> str:
    return whole_money(int(value))


def chart(table: costs.CostTable, title: str, link: Any = None) -> Markup:
    """The SVG chart of a cost table, with a description that says its figures in words."""
    budget = [table.month_budget(m) for m in range(1, 13)]
    actual = [table.month_actual(m) for m in range(1, 13)]
    description = _("Budget %(budget)s and actual %(actual)s for the year so far; forecast for the year "
                    "%(forecast)s against a budget of %(total)s.", budget=money(table.ytd_budget()),
                    actual=money(table.ytd_actual()), forecast=money(table.forecast()),
                    total=money(table.total_budget()))
    return Markup(budget_actual_chart(_month_labels(), budget, actual, title=title, description=description,  # noqa: S704
                                      budget_label=_("Budget"), actual_label=_("Actual"),
                                      format_amount=_short_amount, link=link, current=table.current_month))


@blueprint.route("/")
@start_page
@require("units.read")
def index() -> Any:
    year = _year()
    scope = visible_unit_ids(g.user)
    summary = costs.rollup(g.user.organisation_id, year, unit_ids=scope)
    title = (_("Telephony costs %(year)s: your units", year=year) if scope is not None
             else _("Telephony costs %(year)s: the whole organisation", year=year))
    return render_template(
        "index.html", year=year, summary=summary, chart=chart(summary.organisation, title), chart_title=title,
        months=_month_labels(), tree=unit_service.administrations_with_units(g.user),
        counts=unit_service.asset_counts(g.user.organisation_id),
        unit_tables={u.id: t for u, t in summary.units},
    )


@blueprint.route("/units/<code>", methods=["GET", "POST"])
@require("units.read")
def unit(code: str) -> Any:
    budget_unit = unit_service.get_unit(g.user, code)
    year = _year()
    form = BudgetForm(year=year)
    form.category.choices = [(c.value, c.value) for c in budget_service.allowed_categories(budget_unit)]
    if request.method == "POST":
        authorise(g.user, "budgets.write")
        if form.validate_on_submit():
            try:
                months = (form.monthly() if form.has_months()
                          else budget_service.phase(required(form.annual.data)))
                with savepoint():
                    changed = budget_service.set_budget(g.user, budget_unit, required(form.year.data),
                                                        BudgetCategory(form.category.data), months)
                flash(_("Budget saved: %(count)s months changed.", count=changed), "ok")
                return redirect(url_for("web.unit", code=code, year=form.year.data))
            except LedgerError as error:
                flash(shown(error), "error")
    table = costs.unit_table(budget_unit, year)
    title = _("%(unit)s: budget and actual %(year)s", unit=budget_unit.name, year=year)

    def link(index: int) -> str:
        return url_for("web.unit_month", code=code, year=year, month=index + 1)

    def drill(month: int, category: BudgetCategory) -> str:
        return url_for("web.unit_month", code=code, year=year, month=month, category=category.value)

    return render_template(
        "unit.html", unit=budget_unit, summary=unit_service.unit_summary(budget_unit), year=year, table=table,
        chart=chart(table, title, link), months=_month_labels(), form=form, drill=drill,
        administration_form=_administration_form(budget_unit) if allowed(g.user, "units.move") else None,
        history=budget_service.history(budget_unit, year) if allowed(g.user, "budgets.read") else [],
        private_use=private_use.unit_year(g.user, budget_unit, year) if allowed(g.user, "private_use.read") else None,
    )


@blueprint.route("/units/<code>/administration", methods=["POST"], endpoint="unit_administration")
@require("units.move")
def unit_administration(code: str) -> Any:
    budget_unit = unit_service.get_unit(g.user, code)
    form = _administration_form(budget_unit)
    if form.validate_on_submit():
        try:
            administration = unit_service.get_administration(g.user.organisation_id, required(form.administration.data))
            with savepoint():
                unit_service.move_to_administration(g.user, budget_unit, administration, required(form.valid_from.data))
            flash(_("%(unit)s belongs to %(administration)s from %(day)s.", unit=budget_unit.name,
                    administration=administration.name, day=day(form.valid_from.data)), "ok")
        except LedgerError as error:
            flash(shown(error), "error")
    else:
        flash(_("Choose an administration and a date."), "error")
    return redirect(url_for("web.unit", code=code))


def _administration_form(budget_unit: BudgetUnit) -> AdministrationForm:
    form = AdministrationForm()
    form.administration.choices = [(a.code, f"{a.code} {a.name}")
                                   for a in unit_service.administrations(budget_unit.organisation_id)
                                   if a.id != budget_unit.administration_id]
    return form


def _entry_reference(row: Any) -> str:
    """The number or IMEI an entry's line was matched to, else the line's reference as read."""
    if row.asset_type == AssetType.SUBSCRIPTION:
        return display_phone_number(row.asset_identifier)
    if row.asset_type == AssetType.HANDSET:
        return f"IMEI {row.asset_identifier}"
    return shown_reference(row.reference)


#: The entries behind a figure of a unit's month, in the order they were booked unless the
#: reader sorts otherwise; ``?category=`` one budget category.
ENTRY_LIST = Listing("verifikationer", (
    Column("entry", _l("Entry"), JournalEntry.id, lambda r: r.entry_id, css="num"),
    Column("rule", _l("Rule"), JournalEntry.rule, lambda r: label(r.rule)),
    Column("invoice", _l("Invoice"), Invoice.number, lambda r: r.invoice_number),
    Column("supplier", _l("Supplier"), Supplier.name, lambda r: r.supplier),
    Column("line", _l("Invoice line"), InvoiceLine.position, lambda r: r.position),
    Column("line_text", _l("Line text"), None, lambda r: r.description, shown=False),
    Column("reference", _l("Reference"), InvoiceLine.reference, _entry_reference),
    Column("detail", _l("Detail"), None, lambda r: reason(r.reason, r.reason_params, r.reverses_id)),
    Column("amount", _l("Amount"), JournalEntry.amount, lambda r: r.amount, css="num"),
), default_sort="entry", filters=("category",), tiebreak=(JournalEntry.id,))


@blueprint.route("/units/<code>/<int:year>/<int:month>")
@require("journal.read")
def unit_month(code: str, year: int, month: int) -> Any:
    """The entries behind a month's figure (optionally one category), with the rule of each."""
    budget_unit = unit_service.get_unit(g.user, code)
    asked = listing.read(ENTRY_LIST)
    category = asked.filters.get("category")
    chosen = [BudgetCategory(category)] if category in {c.value for c in BudgetCategory} else list(BudgetCategory)
    ids = sa.union_all(*(costs.entries_behind(budget_unit, year, month, c).order_by(None) for c in chosen))
    behind = sa.select(ids.subquery().c.id)
    if asked.format:
        return listing.download_query(journal.text_in_entries(journal.entry_rows_within(g.user, behind), asked.q, _),
                                      asked)
    views = listing.page_of(journal.text_in_entries(journal.entries_within(g.user, behind), asked.q, _), asked,
                            build=lambda rows: [journal.EntryView(*row) for row in rows])
    return render_template("unit_month.html", unit=budget_unit, year=year, month=month, category=category,
                           views=views, asked=asked, total=journal.sum_within(g.user, behind),
                           all_entries=listing.count(sa.select(JournalEntry.id).where(JournalEntry.id.in_(behind))),
                           month_label=format_date(date(year, month, 1), "LLLL yyyy"),
                           lang=str(get_locale()))
