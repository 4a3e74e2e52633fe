"""Procurement pages: the contract register, a contract's page (terms, documents, price list
versions), the price-list upload, the coverage-exception workflow and the compliance page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from ledger.access.permissions import allowed, authorise, require
from ledger.core import clock
from ledger.core.categories import Category
from ledger.core.errors import LedgerError, ValidationFailed
from ledger.core.files import upload_name
from ledger.database.transaction import savepoint
from ledger.findings import claims as claim_service
from ledger.findings import recording as findings_recording
from ledger.i18n import format_locale
from ledger.labels import label
from ledger.organisation import service as organisation_service
from ledger.procurement import compliance as compliance_service
from ledger.procurement import coverage as exception_service
from ledger.procurement import price_lists
from ledger.procurement import service as procurement_service
from ledger.procurement.forms import (
    ContractForm,
    DecisionForm,
    DocumentForm,
    ExceptionRequestForm,
    PartnerForm,
    PriceUploadForm,
    TermForm,
)
from ledger.procurement.models import ContractStatus
from ledger.web import NAVIGATION, blueprint, listing
from ledger.web.errors import refused
from ledger.web.forms import required
from ledger.web.listing import Column, Listing, shown_reference

NAVIGATION.append(("web.contracts", _l("Contracts"), "contracts.read"))
NAVIGATION.append(("web.exceptions", _l("Exceptions"), "exceptions.read"))
NAVIGATION.append(("web.compliance", _l("Compliance"), "compliance.read"))


@dataclass(frozen=True, slots=True)
class FindingLine:
    """An invoice line behind findings of the compliance check, and the kinds of those findings."""

    line: compliance_service.LineRef
    kinds: tuple[str, ...]


@blueprint.app_template_filter("unit_price")
def unit_price_filter(value: Decimal | None) -> str:
    """A unit price with two to four decimals (``0,3925 kr``): ``money`` would round it to öre."""
    if value is None:
        return ""
    locale = format_locale()
    return format_currency(value, "SEK", format="#,##0.00##\u00a0¤" if locale.language == "sv" else "¤\u00a0#,##0.00##",
                           locale=locale, currency_digits=False)


# -- the register ----------------------------------------------------------------------------


@blueprint.route("/contracts")
@require("contracts.read")
def contracts() -> Any:
    query = request.args.get("q", "").strip()
    today = clock.today()
    return render_template(
        "procurement/contracts.html", query=query, today=today,
        contracts=procurement_service.summarise(
            procurement_service.list_contracts(procurement_service.reader_of(g.user), query), today),
    )


def _contract_form(form: ContractForm) -> ContractForm:
    form.supplier.choices = [(s.id, f"{s.name} ({s.organisation_number})")
                             for s in organisation_service.list_suppliers()]
    organisations = [(o.id, o.name) for o in procurement_service.list_organisations()]
    form.lead.choices = organisations
    form.participants.choices = organisations
    form.categories.choices = [(c.value, label(c.value)) for c in Category]
    form.status.choices = [(s.value, label(s.value)) for s in ContractStatus]
    return form


def _new_contract_page(form: ContractForm, status: int = 200) -> Any:
    return render_template("procurement/contract_form.html", form=form, partner_form=PartnerForm()), status


@blueprint.route("/contracts/new", methods=["GET", "POST"])
@require("contracts.write")
def contract_new() -> Any:
    form = _contract_form(ContractForm())
    if request.method == "GET":
        lead = next((o for o in procurement_service.list_organisations() if o.name.startswith("Skövde")), None)
        form.lead.data = lead.id if lead else None
        form.participants.data = [g.user.organisation_id]
        return _new_contract_page(form)
    if not form.validate_on_submit():
        return _new_contract_page(form, 400)
    options = [procurement_service.OptionInput(to, notice) for to, notice in (
        (form.option1_extends_to.data, form.option1_notice.data),
        (form.option2_extends_to.data, form.option2_notice.data)) if to and notice]
    try:
        contract = procurement_service.create_contract(
            g.user, reference=form.reference.data or "", title=form.title.data or "", supplier_id=form.supplier.data,
            lead=form.lead.data, participants=form.participants.data or [], categories=form.categories.data or [],
            start_date=required(form.start_date.data), end_date=required(form.end_date.data),
            notice_months=form.notice_months.data or 0,
            status=ContractStatus(form.status.data), extension_options=options,
        )
    except LedgerError as error:
        return _new_contract_page(form, refused(error))
    flash(_("Contract %(reference)s registered.", reference=contract.reference), "info")
    return redirect(url_for("web.contract", contract_id=contract.id))


@blueprint.route("/contracts/partners", methods=["POST"])
@require("contracts.write")
def contract_partner() -> Any:
    form = PartnerForm()
    if form.validate_on_submit():
        try:
            with savepoint():  # the page redirects whatever happened: keep nothing of a refusal
                partner = procurement_service.ensure_partner_organisation(
                    g.user, name=form.name.data or "", organisation_number=form.organisation_number.data or "")
        except LedgerError as error:
            refused(error)
        else:
            flash(_("%(name)s can now be chosen as a party.", name=partner.name), "info")
    else:
        flash(_("Give the partner's name and organisation number."), "error")
    return redirect(url_for("web.contract_new"))


# -- a contract ------------------------------------------------------------------------------


def _contract(contract_id: int) -> Any:
    """The contract, if the user's municipality is a party to it (404 otherwise)."""
    return procurement_service.get_contract(contract_id, procurement_service.reader_of(g.user))


def _term_form(form: TermForm | None = None) -> TermForm:
    form = form or TermForm()
    form.kind.choices = [(kind, label(kind)) for kind in procurement_service.TERM_KINDS]
    return form


def _contract_page(contract_id: int, status: int = 200, term_form: TermForm | None = None,
                   document_form: DocumentForm | None = None) -> Any:
    view = procurement_service.contract_view(_contract(contract_id), g.user.organisation_id,
                                             clock.today())
    return render_template("procurement/contract.html", view=view, contract=view.contract,
                           term_form=_term_form(term_form), document_form=document_form or DocumentForm(),
                           today=clock.today()), status


@blueprint.route("/contracts/<int:contract_id>")
@require("contracts.read")
def contract(contract_id: int) -> Any:
    return _contract_page(contract_id)


@blueprint.route("/contracts/<int:contract_id>/terms", methods=["POST"])
@require("contracts.write")
def contract_term(contract_id: int) -> Any:
    form = _term_form()
    if not form.validate_on_submit():
        return _contract_page(contract_id, 400, term_form=form)
    try:
        procurement_service.add_term(g.user, _contract(contract_id),
                                     noted_on=required(form.noted_on.data), kind=form.kind.data or "",
                                     text=form.text.data or "",
                                     document_reference=form.document_reference.data)
    except LedgerError as error:
        return _contract_page(contract_id, refused(error), term_form=form)
    flash(_("The term is added to the log."), "info")
    return redirect(url_for("web.contract", contract_id=contract_id) + "#terms")


@blueprint.route("/contracts/<int:contract_id>/documents", methods=["POST"])
@require("contracts.write")
def contract_document(contract_id: int) -> Any:
    form = DocumentForm()
    if not form.validate_on_submit():
        return _contract_page(contract_id, 400, document_form=form)
    try:
        procurement_service.add_document(g.user, _contract(contract_id),
                                         title=form.title.data or "", reference=form.reference.data or "")
    except LedgerError as error:
        return _contract_page(contract_id, refused(error), document_form=form)
    flash(_("The document reference is added."), "info")
    return redirect(url_for("web.contract", contract_id=contract_id) + "#documents")


@blueprint.route("/contracts/<int:contract_id>/prices", methods=["GET", "POST"])
@require("contracts.write")
def contract_prices(contract_id: int) -> Any:
    found = _contract(contract_id)
    form = PriceUploadForm()
    result = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            upload = form.file.data
            try:
                result = price_lists.import_price_list(g.user, found, upload.read(),
                                                       upload_name(upload.filename, "upload.csv"),
                                                       required(form.valid_from.data))
            except LedgerError as error:
                status = refused(error)
            else:
                if result.stored:
                    flash(_("Price list stored: %(added)d added, %(superseded)d superseded, %(unchanged)d unchanged.",
                            added=result.added, superseded=result.superseded, unchanged=result.unchanged), "info")
                else:
                    flash(_("Nothing was stored: %(count)d row(s) have errors.", count=len(result.errors)), "error")
                    status = 422
        else:
            status = 400
    return render_template("procurement/prices_upload.html", contract=found, form=form, result=result), status


# -- coverage exceptions ---------------------------------------------------------------------


@blueprint.route("/exceptions")
@require("exceptions.read")
def exceptions() -> Any:
    today = clock.today()
    return render_template("procurement/exceptions.html", views=exception_service.list_exceptions(g.user, today),
                           decision_form=DecisionForm(), today=today)


def _request_form(form: ExceptionRequestForm) -> ExceptionRequestForm:
    form.subscription.choices = [("", "—")] + [
        (s.number, s.number) for s in exception_service.request_choices(g.user)]
    form.supplier.choices = [(s.id, s.name) for s in organisation_service.list_suppliers()]
    return form


@blueprint.route("/exceptions/new", methods=["GET", "POST"])
@require("exceptions.request")
def exception_new() -> Any:
    form = _request_form(ExceptionRequestForm())
    if request.method == "GET":
        form.valid_from.data = form.valid_from.data or clock.today()
        return render_template("procurement/exception_form.html", form=form)
    if not form.validate_on_submit():
        return render_template("procurement/exception_form.html", form=form), 400
    try:
        exception_service.request_exception(
            g.user, supplier_id=form.supplier.data, reason=form.reason.data or "", evidence=form.evidence.data,
            valid_from=required(form.valid_from.data), valid_to=form.valid_to.data,
            subscription_number=form.subscription.data or None, area=form.area.data,
        )
    except LedgerError as error:
        status = refused(error)
        return render_template("procurement/exception_form.html", form=form), status
    flash(_("The exception is requested; procurement will approve or reject it."), "info")
    return redirect(url_for("web.exceptions"))


#: Which permission each button needs (the service then checks who may, e.g. the requester).
DECISIONS = {"approve": "exceptions.decide", "reject": "exceptions.decide", "withdraw": "exceptions.request"}


@blueprint.route("/exceptions/<int:exception_id>/<any(approve, reject, withdraw):action>", methods=["POST"])
@require("exceptions.read")
def exception_decide(exception_id: int, action: str) -> Any:
    authorise(g.user, DECISIONS[action])
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("The form expired; try again."), "error")
        return redirect(url_for("web.exceptions"))
    try:
        exception_service.act(g.user, exception_id, action, clock.today(), note=form.note.data or None)
    except LedgerError as error:
        refused(error)
        return render_template("procurement/exceptions.html", decision_form=DecisionForm(), today=clock.today(),
                               views=exception_service.list_exceptions(g.user, clock.today())), error.status
    flash({"approve": _("The exception is approved."), "reject": _("The exception is rejected."),
           "withdraw": _("The exception is withdrawn.")}[action], "info")
    return redirect(url_for("web.exceptions"))


# -- compliance ------------------------------------------------------------------------------


#: The invoice lines behind the period's findings, by invoice and position unless the reader
#: sorts otherwise; ``?kind=`` the lines of one kind of finding.
FINDING_LINES = Listing("avvikelser", (
    Column("invoice", _l("Invoice"), value=lambda r: r.line.invoice_number,
           key_of=lambda r: (r.line.invoice_number, r.line.position)),
    Column("position", "#", value=lambda r: r.line.position, css="num"),
    Column("supplier", _l("Supplier"), value=lambda r: r.line.supplier_name, key_of=lambda r: r.line.supplier_name),
    Column("day", _l("Day"), value=lambda r: r.line.day, key_of=lambda r: r.line.day),
    Column("category", _l("Category"), value=lambda r: label(r.line.category)),
    Column("reference", _l("Reference"), value=lambda r: shown_reference(r.line.reference),
           key_of=lambda r: r.line.reference),
    Column("text", _l("Text"), value=lambda r: r.line.description or r.line.item_code),
    Column("quantity", _l("Quantity"), value=lambda r: r.line.quantity, css="num"),
    Column("unit_price", _l("Unit price"), value=lambda r: r.line.unit_price, css="num"),
    Column("amount", _l("Amount"), value=lambda r: r.line.net_amount, key_of=lambda r: r.line.net_amount, css="num"),
    Column("findings", _l("Findings"), value=lambda r: ", ".join(label(k) for k in r.kinds), shown=False),
), default_sort="invoice", filters=("period", "kind"))


def _finding_lines(report: compliance_service.ComplianceReport, asked: listing.Asked) -> list[FindingLine]:
    """The lines behind the report's findings (of the asked kind), with the kinds of each,
    holding the asked text in invoice, supplier, reference or text, in the asked order."""
    kinds: dict[int, list[str]] = {}
    for finding in report.findings:
        if asked.filters.get("kind") in (None, finding.kind):
            for line_id in finding.line_ids:
                kinds.setdefault(line_id, []).append(finding.kind)
    text = (asked.q or "").casefold()
    lines = [FindingLine(report.lines[i], tuple(dict.fromkeys(k))) for i, k in sorted(kinds.items())]
    lines = [r for r in lines if not text or any(text in (v or "").casefold() for v in (
        r.line.invoice_number, r.line.supplier_name, r.line.reference, shown_reference(r.line.reference),
        r.line.description, r.line.item_code))]
    return listing.sorted_items(lines, asked)


@blueprint.route("/compliance")
@require("compliance.read")
def compliance() -> Any:
    today = clock.today()
    period = request.args.get("period") or f"{today:%Y-%m}"
    asked = listing.read(FINDING_LINES)
    report, status, lines = None, 200, []
    try:
        # recorded where it is looked at: each finding shown has its status (ledger.findings.recording)
        report = findings_recording.record(compliance_service.check(g.user.organisation_id, period, today))
        lines = _finding_lines(report, asked)
    except ValidationFailed as error:
        status = refused(error)
    if asked.format and report is not None:
        return listing.download(asked, lines, len(lines))
    return render_template("procurement/compliance.html", report=report, period=period, kinds=compliance_service.KINDS,
                           show_invoices=allowed(g.user, "invoices.read"), asked=asked,
                           behind=listing.page_of_items(lines, asked), may_claim=allowed(g.user, "claims.manage"),
                           claim_form=FlaskForm(), recovery=claim_service.summary(g.user.organisation_id)), status
