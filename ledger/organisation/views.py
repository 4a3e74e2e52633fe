"""The suppliers page: every supplier with its identifiers, for everyone who reads suppliers;
procurement, finance and the admin register and correct them."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field

from ledger.access.permissions import require
from ledger.core.errors import Conflict, LedgerError
from ledger.organisation import service as organisation_service
from ledger.organisation import tenants
from ledger.organisation.forms import MunicipalityForm, SupplierForm
from ledger.organisation.models import Supplier
from ledger.web import NAVIGATION, blueprint, safe_next
from ledger.web.errors import refused, shown

NAVIGATION.append(("web.suppliers", _l("Suppliers"), "suppliers.read"))
NAVIGATION.append(("web.organisations", _l("Municipalities"), "organisations.read"))


@blueprint.route("/suppliers")
@require("suppliers.read")
def suppliers() -> Any:
    return render_template("organisation/suppliers.html", suppliers=organisation_service.list_suppliers())


def _form_page(form: SupplierForm, supplier: Supplier | None = None, status: int = 200) -> Any:
    return render_template("organisation/supplier_form.html", form=form, supplier=supplier), status


def _refused(form: SupplierForm, error: LedgerError) -> int:
    """Say next to the field what the service refused; the status undoes the change."""
    if isinstance(error, Conflict):
        _add_error(form.organisation_number, _("%(number)s is already registered as a supplier.",
                                                number=form.organisation_number.data))
        return error.status
    fields = {detail.get("field"): detail.get("messages", []) for detail in error.details}
    if not fields or not all(str(name) in form for name in fields):
        return refused(error)  # not about one field: said above the form
    for name in fields:  # the service's sentence in the reader's language, beside its field
        _add_error(form[str(name)], shown(error))
    return error.status


def _add_error(field: Field, message: str) -> None:
    field.errors = [*field.errors, message]


def _saved(form: SupplierForm, message: str) -> Any:
    flash(message, "info")
    return redirect(safe_next(form.next.data) if form.next.data else url_for("web.suppliers"))


@blueprint.route("/suppliers/new", methods=["GET", "POST"])
@require("suppliers.write")
def supplier_new() -> Any:
    form = SupplierForm()
    if request.method == "GET":
        # The upload page links here with the number of the supplier an invoice named.
        form.organisation_number.data = request.args.get("orgnr", "")[:20]
        form.next.data = request.args.get("next", "")
        return _form_page(form)
    if not form.validate_on_submit():
        return _form_page(form, status=400)
    try:
        supplier = organisation_service.create_supplier(g.user, **form.values())
    except LedgerError as error:
        return _form_page(form, status=_refused(form, error))
    return _saved(form, _("%(name)s (%(number)s) is registered as a supplier.", name=supplier.name,
                          number=supplier.organisation_number))


@blueprint.route("/suppliers/<int:supplier_id>/edit", methods=["GET", "POST"])
@require("suppliers.write")
def supplier_edit(supplier_id: int) -> Any:
    supplier = organisation_service.get_supplier(supplier_id)
    form = SupplierForm(obj=supplier)
    if request.method == "GET":
        return _form_page(form, supplier)
    if not form.validate_on_submit():
        return _form_page(form, supplier, 400)
    try:
        organisation_service.update_supplier(g.user, supplier, **form.values())
    except LedgerError as error:
        return _form_page(form, supplier, _refused(form, error))
    return _saved(form, _("The supplier %(name)s is saved.", name=supplier.name))


# -- the cooperation's municipalities ----------------------------------------------------------


@blueprint.route("/organisations")
@require("organisations.read")
def organisations() -> Any:
    return render_template("organisation/organisations.html", rows=tenants.cooperation_overview())


def _municipality_page(form: MunicipalityForm, status: int = 200) -> Any:
    return render_template("organisation/organisation_form.html", form=form), status


@blueprint.route("/organisations/new", methods=["GET", "POST"])
@require("organisations.create")
def organisation_new() -> Any:
    form = MunicipalityForm()
    if request.method == "GET":
        return _municipality_page(form)
    if not form.validate_on_submit():
        return _municipality_page(form, 400)
    try:
        organisation, administrator = tenants.create_with_administrator(
            g.user, code=form.code.data or "", name=form.name.data or "",
            organisation_number=form.organisation_number.data or "", username=form.username.data or "",
            display_name=form.display_name.data or "", password=form.password.data or "")
    except LedgerError as error:
        return _municipality_page(form, refused(error))
    flash(_("%(name)s keeps a ledger here. %(user)s can log in as its administrator and add its units and "
            "people.", name=organisation.name, user=administrator.username), "info")
    return redirect(url_for("web.organisations"))
