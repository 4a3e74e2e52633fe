"""The findings and claims pages, reached from the compliance page (no link of their own in the
top navigation): the findings and their status (``/findings``), one finding with its months,
history and buttons, the claims with what was claimed, recovered and is outstanding per supplier
and year (``/claims``), one claim with its lines, buttons, credit note and its PDF and CSV."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ledger.access.permissions import allowed, require
from ledger.core import clock
from ledger.core.errors import BadRequest, LedgerError
from ledger.core.text import N_
from ledger.database.types import utcnow
from ledger.findings import claims as claim_service
from ledger.findings import lifecycle
from ledger.findings import service as finding_service
from ledger.findings.api import CSV, PDF, attachment
from ledger.findings.forms import ClaimActionForm, CreditNoteForm, FindingForm, NoteForm, PrepareClaimForm
from ledger.findings.models import ClaimStatus, FindingStatus
from ledger.i18n import day, money
from ledger.labels import LABELS, label
from ledger.procurement.compliance import KINDS
from ledger.web import blueprint, listing, safe_next
from ledger.web.errors import refused
from ledger.web.listing import Column, Listing
from reports.claim_csv import render_claim_csv
from reports.claim_pdf import render_claim_pdf
from reports.findings import finding_reason
from reports.formatting import formatter
from reports.text import Language

# The statuses of findings and claims, as the pages name them ("draft" and "rejected" are
# ``ledger.labels``' already).
for _code, _name in (("new", _l("new")), ("acknowledged", _l("acknowledged")), ("claimed", _l("claimed")),
                     ("credited", _l("credited")), ("written_off", _l("written off")), ("sent", _l("sent"))):
    LABELS.setdefault(_code, _name)

#: A finding's buttons, and the claim's.
FINDING_BUTTONS = {"acknowledge": _l("Acknowledge"), "write_off": _l("Write off"), "reopen": _l("Reopen")}
CLAIM_BUTTONS = {"send": _l("Mark as sent"), "reject": _l("Rejected by the supplier"), "write_off": _l("Write off")}
FINDING_DONE = {"acknowledge": _l("The finding is acknowledged."), "write_off": _l("The finding is written off."),
                "reopen": _l("The finding is reopened.")}
CLAIM_DONE = {"send": _l("The claim is marked as sent."), "reject": _l("The claim is marked as rejected."),
              "write_off": _l("The claim is written off.")}


@blueprint.app_template_filter("finding_said")
def finding_said(params: dict[str, Any], kind: str) -> str | None:
    """A recorded finding's reason in the reader's language, from the values the check gave it
    (None where ``reports.findings`` cannot say it; the page then says it another way)."""
    lang = Language(get_translations(), formatter(str(get_locale() or "sv")))
    return finding_reason(kind, params or {}, lang)


#: What each step of a finding's history did, as its history says it.
EVENT_WORDS = {"record": _l("found by the compliance check"), "acknowledge": _l("acknowledged"),
               "reopen": _l("reopened"), "write_off": _l("written off"), "claim": _l("claimed"),
               "credit": _l("credited"), "reject": _l("rejected by the supplier"),
               "recur": _l("found again"), "update": _l("handler or note changed")}


@blueprint.app_template_filter("finding_event")
def finding_event(action: str) -> str:
    return str(EVENT_WORDS.get(action, action))


@blueprint.app_template_filter("iso_day")
def iso_day(value: str | date | None) -> str:
    """A date kept as ISO text (a finding's recorded values), as the pages write a day."""
    if isinstance(value, str):
        try:
            return day(date.fromisoformat(value))
        except ValueError:
            return value
    return day(value)


# -- findings ----------------------------------------------------------------------------------


#: The recorded findings, the latest found first unless the reader sorts otherwise.
FINDINGS = Listing("avvikelser-status", (
    Column("status", _l("Status"), value=lambda r: label(r.status), key_of=lambda r: r.status.value),
    Column("kind", _l("Kind"), value=lambda r: label(r.kind), key_of=lambda r: r.kind),
    Column("supplier", _l("Supplier"), value=lambda r: r.supplier_name or "", key_of=lambda r: r.supplier_name),
    Column("period", _l("Latest month"), value=lambda r: r.period, key_of=lambda r: r.period),
    Column("months", _l("Months"), value=lambda r: r.months, key_of=lambda r: r.months, css="num"),
    Column("amount", _l("Amount"), value=lambda r: r.amount, key_of=lambda r: r.amount, css="num"),
    Column("owner", _l("Handled by"), value=lambda r: r.owner_name or "", key_of=lambda r: r.owner_name),
), default_sort="period", default_descending=True, filters=("status", "kind", "period"))


@blueprint.route("/findings")
@require("findings.read")
def findings() -> Any:
    asked = listing.read(FINDINGS)
    status = asked.filters.get("status") if asked.filters.get("status") in set(FindingStatus) else None
    kind = asked.filters.get("kind") if asked.filters.get("kind") in KINDS else None
    rows, status_code = [], 200
    try:
        rows = finding_service.list_findings(g.user, period=asked.filters.get("period") or None, status=status,
                                             kind=kind)
    except LedgerError as error:
        status_code = refused(error)
    text = (asked.q or "").casefold()
    rows = [r for r in rows if not text or text in (r.supplier_name or "").casefold() or text in r.reason.casefold()]
    rows = listing.sorted_items(rows, asked)
    if asked.format and status_code == 200:
        return listing.download(asked, rows, len(rows))
    return render_template("findings/list.html", asked=asked, behind=listing.page_of_items(rows, asked),
                           statuses=list(FindingStatus), kinds=KINDS), status_code


def _finding_page(finding_id: int, status: int = 200, form: FindingForm | None = None) -> Any:
    detail = finding_service.finding_detail(g.user, finding_id)
    form = form or FindingForm(owner=detail.owner_username or "", handling_note=detail.finding.note or "")
    form.owner.choices = [("", "—")] + [(u.username, u.display_name) for u in lifecycle.owner_choices(g.user)]
    return render_template("findings/finding.html", detail=detail, finding=detail.finding, form=form,
                           note_form=NoteForm(), prepare_form=PrepareClaimForm(), buttons=FINDING_BUTTONS,
                           may_manage=allowed(g.user, "findings.manage"),
                           may_claim=allowed(g.user, "claims.manage")), status


@blueprint.route("/findings/<int:finding_id>")
@require("findings.read")
def finding(finding_id: int) -> Any:
    return _finding_page(finding_id)


@blueprint.route("/findings/<int:finding_id>/<any(acknowledge, write_off, reopen):action>", methods=["POST"])
@require("findings.manage")
def finding_transition(finding_id: int, action: str) -> Any:
    form = NoteForm()
    if not form.validate_on_submit():
        return _finding_page(finding_id, 400)
    try:
        lifecycle.act(g.user, finding_id, action, note=form.note.data or None)
    except LedgerError as error:
        return _finding_page(finding_id, refused(error))
    flash(str(FINDING_DONE[action]), "info")
    return redirect(url_for("web.finding", finding_id=finding_id))


@blueprint.route("/findings/<int:finding_id>/update", methods=["POST"])
@require("findings.manage")
def finding_update(finding_id: int) -> Any:
    form = FindingForm()
    form.owner.choices = [("", "—")] + [(u.username, u.display_name) for u in lifecycle.owner_choices(g.user)]
    if not form.validate_on_submit():
        return _finding_page(finding_id, 400, form)
    try:
        lifecycle.update(g.user, lifecycle.get_finding(g.user, finding_id),
                         {"owner": form.owner.data or None, "note": form.handling_note.data or None})
    except LedgerError as error:
        return _finding_page(finding_id, refused(error), form)
    flash(_("The finding is saved."), "info")
    return redirect(url_for("web.finding", finding_id=finding_id))


# -- claims ------------------------------------------------------------------------------------


@blueprint.route("/claims")
@require("findings.read")
def claims() -> Any:
    status = request.args.get("status")
    views = finding_service.list_claims(g.user, status if status in set(ClaimStatus) else None)
    return render_template("findings/claims.html", views=views, status=status, statuses=list(ClaimStatus),
                           recovery=claim_service.summary(g.user.organisation_id))


def _finding_ids(text: str | None) -> list[int] | None:
    """The findings a form names (``12,15``), or None for all of the supplier's."""
    parts = [part.strip() for part in (text or "").split(",") if part.strip()]
    if not parts:
        return None
    if not all(part.isdigit() and len(part) < 10 for part in parts):
        raise BadRequest(N_("The form could not be read. Reload the page and try again."))
    return [int(part) for part in parts]


@blueprint.route("/claims", methods=["POST"])
@require("claims.manage")
def claim_prepare() -> Any:
    """From the compliance page or a finding: the supplier's unclaimed lines into its claim in preparation."""
    form = PrepareClaimForm()
    back = request.form.get("back") or url_for("web.claims")
    supplier = request.form.get("supplier_id", "")
    if not form.validate_on_submit() or not supplier.isdigit() or len(supplier) > 9:
        flash(_("The form expired; try again."), "error")
        return redirect(url_for("web.claims"))
    try:
        claim = claim_service.prepare(g.user, int(supplier), _finding_ids(form.finding_ids.data),
                                      today=clock.today())
    except LedgerError as error:
        refused(error)
        return redirect(safe_next(back))
    flash(_("The lines are in claim %(reference)s. Check it, download it and send it to the supplier.",
            reference=claim.reference), "info")
    return redirect(url_for("web.claim", claim_id=claim.id))


def _claim_page(claim_id: int, status: int = 200) -> Any:
    detail = finding_service.claim_detail(g.user, claim_id)
    credit_form = CreditNoteForm()
    credit_form.invoice.choices = [
        (i.id, f"{i.number} · {day(i.issue_date)} · {money(i.net_total)}") for i in detail.credit_notes]
    return render_template("findings/claim.html", detail=detail, claim=detail.claim, view=detail.view,
                           action_form=ClaimActionForm(), credit_form=credit_form, note_form=NoteForm(),
                           buttons=CLAIM_BUTTONS, may_manage=allowed(g.user, "claims.manage")), status


@blueprint.route("/claims/<int:claim_id>")
@require("findings.read")
def claim(claim_id: int) -> Any:
    return _claim_page(claim_id)


@blueprint.route("/claims/<int:claim_id>/<any(send, reject, write_off):action>", methods=["POST"])
@require("claims.manage")
def claim_transition(claim_id: int, action: str) -> Any:
    form = ClaimActionForm()
    if not form.validate_on_submit():
        return _claim_page(claim_id, 400)
    try:
        claim_service.act(g.user, claim_id, action, on=form.on.data, note=form.step_note.data or None)
    except LedgerError as error:
        return _claim_page(claim_id, refused(error))
    flash(str(CLAIM_DONE[action]), "info")
    return redirect(url_for("web.claim", claim_id=claim_id))


@blueprint.route("/claims/<int:claim_id>/credit-note", methods=["POST"])
@require("claims.manage")
def claim_credit_note(claim_id: int) -> Any:
    form = CreditNoteForm()
    form.invoice.choices = [(i.id, i.number) for i in
                            claim_service.credit_note_choices(claim_service.get_claim(g.user, claim_id))]
    if not form.validate_on_submit():
        return _claim_page(claim_id, 400)
    try:
        claim_service.link(g.user, claim_id, form.invoice.data, note=form.link_note.data or None)
    except LedgerError as error:
        return _claim_page(claim_id, refused(error))
    flash(_("The claim is credited by the credit note."), "info")
    return redirect(url_for("web.claim", claim_id=claim_id))


@blueprint.route("/claims/<int:claim_id>/discard", methods=["POST"])
@require("claims.manage")
def claim_discard(claim_id: int) -> Any:
    if not NoteForm().validate_on_submit():
        return _claim_page(claim_id, 400)
    try:
        claim_service.discard(g.user, claim_service.get_claim(g.user, claim_id))
    except LedgerError as error:
        return _claim_page(claim_id, refused(error))
    flash(_("The claim in preparation is discarded."), "info")
    return redirect(url_for("web.claims"))


def _document(claim_id: int) -> Any:
    detail = finding_service.claim_detail(g.user, claim_id)
    return finding_service.claim_document(detail, g.user.organisation, utcnow(),
                                          f"{g.user.display_name} ({g.user.username})")


def _language() -> str:
    """The reader's language: the claim is printed in the language of the page it was asked from."""
    return str(get_locale() or "sv").split("_")[0]


@blueprint.route("/claims/<int:claim_id>.pdf")
@require("findings.read")
def claim_pdf(claim_id: int) -> Any:
    document = _document(claim_id)
    return attachment(render_claim_pdf(document, _language(), get_translations()), PDF, f"{document.reference}.pdf")


@blueprint.route("/claims/<int:claim_id>.csv")
@require("findings.read")
def claim_csv(claim_id: int) -> Any:
    document = _document(claim_id)
    separator = "," if request.args.get("separator") == "," else ";"
    data = render_claim_csv(document, _language(), get_translations(), separator=separator)
    return attachment(data, CSV, f"{document.reference}.csv")
