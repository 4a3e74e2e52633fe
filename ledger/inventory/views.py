"""Inventory pages: search, subscriptions and handsets with their history, moves and move
requests, reorganisations, loss reports, the operator's subscription list, the coverage
check, IT's list of shared phones outside MDM and the contact centre's directory.

Routes parse the form, authorise, call one service, render. A refused change (a
``LedgerError``) is shown on the same page, with its status code, and nothing is stored.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from flask import Response, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, DateTimeLocalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3; its stubs are 3.2
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ledger.access.permissions import require
from ledger.core import clock
from ledger.core.errors import LedgerError, ValidationFailed
from ledger.core.files import upload_name
from ledger.core.identifiers import display_phone_number
from ledger.core.money import AmountError, parse_amount
from ledger.core.paging import Page
from ledger.core.text import N_
from ledger.database.transaction import savepoint
from ledger.inventory import choices as form_choices
from ledger.inventory import directory as directory_service
from ledger.inventory import edits, losses, records, register
from ledger.inventory import moves as inventory_moves
from ledger.inventory import operator_list as inventory_import
from ledger.inventory import search as asset_search
from ledger.inventory import unmapped as coverage_check
from ledger.inventory.models import Asset, Handset, HandsetStatus, Subscription, SubscriptionKind
from ledger.labels import LABELS, label
from ledger.web import NAVIGATION, blueprint, listing
from ledger.web.errors import refused
from ledger.web.forms import required
from ledger.web.listing import Column, Deferred, Listing

NAVIGATION.append(("web.inventory", _l("Inventory"), "inventory.read"))
NAVIGATION.append(("web.inventory_unmapped", _l("Coverage check"), "inventory.coverage"))
NAVIGATION.append(("web.inventory_directory", _l("Directory"), "directory.read"))

PER_PAGE = 50
A = TypeVar("A", bound=Asset)
F = TypeVar("F", bound=FlaskForm)


# -- forms -----------------------------------------------------------------------------------


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    tab = HiddenField(default="subscriptions")
    number = StringField(_l("Number"), validators=[Optional(), Length(max=40)])
    imei = StringField(_l("IMEI"), validators=[Optional(), Length(max=20)])
    unit = StringField(_l("Unit (ansvar)"), validators=[Optional(), Length(max=16)])
    supplier = StringField(_l("Operator"), validators=[Optional(), Length(max=120)])
    status = SelectField(_l("Status"), validators=[Optional()])
    q = StringField(_l("Text"), validators=[Optional(), Length(max=120)])


class MoveForm(FlaskForm):
    unit = SelectField(_l("To unit"), validators=[DataRequired()])
    valid_from = DateField(_l("From"), validators=[DataRequired()], default=clock.today)
    reason = TextAreaField(_l("Reason (new staff, move, reorganisation)"), validators=[Optional(), Length(max=2000)])


class EndForm(FlaskForm):
    end_date = DateField(_l("Last day"), validators=[DataRequired()], default=clock.today)


class LossForm(FlaskForm):
    status = SelectField(_l("What happened"), choices=[SelectChoice("lost", LABELS["lost"]),
                                                       SelectChoice("stolen", LABELS["stolen"])])
    occurred_on = DateField(_l("When"), validators=[DataRequired()], default=clock.today)
    reported_to_manager = StringField(_l("Reported to manager"), validators=[DataRequired(), Length(max=120)])
    reported_to_manager_at = DateTimeLocalField(_l("Reported to the manager at"), validators=[Optional()])
    subscription_blocked = BooleanField(_l("The subscription (SIM) is blocked"))


class SubscriptionForm(FlaskForm):
    number = StringField(_l("Number"), validators=[DataRequired(), Length(max=40)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, LABELS[k.value]) for k in SubscriptionKind])
    supplier = SelectField(_l("Operator"), validators=[DataRequired()])
    operator_reference = StringField(_l("Operator's subscription id"), validators=[Optional(), Length(max=40)])
    extension = StringField(_l("Extension"), validators=[Optional(), Length(max=10)])
    handset = StringField(_l("Handset IMEI"), validators=[Optional(), Length(max=20)])
    start_date = DateField(_l("Start date"), validators=[DataRequired()], default=clock.today)
    label_text = StringField(_l("Function or shared-phone label"), validators=[Optional(), Length(max=120)])
    holder_name = StringField(_l("User's name (only where stored)"), validators=[Optional(), Length(max=120)])
    private_use_reference = StringField(_l("Private-use agreement: reference"), validators=[Optional(), Length(max=40)])
    private_use_signed_on = DateField(_l("Private-use agreement: signed on"), validators=[Optional()])
    private_use_signed_by = StringField(_l("Private-use agreement: signed by"),
                                        validators=[Optional(), Length(max=120)])
    unit = SelectField(_l("Unit"), validators=[Optional()])
    valid_from = DateField(_l("At the unit from (default: start date)"), validators=[Optional()])

    def values(self) -> dict[str, Any]:
        return {
            "number": self.number.data, "kind": self.kind.data, "supplier": self.supplier.data,
            "operator_reference": self.operator_reference.data, "extension": self.extension.data,
            "handset": self.handset.data or None, "start_date": self.start_date.data, "label": self.label_text.data,
            "holder_name": self.holder_name.data, "private_use_reference": self.private_use_reference.data or None,
            "private_use_signed_on": self.private_use_signed_on.data,
            "private_use_signed_by": self.private_use_signed_by.data or None,
        }


#: The statuses an edit may set: a loss has its own form (``LossForm``).
HANDSET_STATUS_CHOICES = [SelectChoice(s.value, LABELS[s.value]) for s in HandsetStatus if s not in edits.LOSS_STATUSES]


class HandsetForm(FlaskForm):
    imei = StringField(_l("IMEI"), validators=[DataRequired(), Length(max=20)])
    model = StringField(_l("Model"), validators=[DataRequired(), Length(max=80)])
    purchase_date = DateField(_l("Purchase date"), validators=[Optional()])
    purchase_price = StringField(_l("Purchase price excl. VAT"), validators=[Optional(), Length(max=20)])
    status = SelectField(_l("Status"), choices=HANDSET_STATUS_CHOICES)
    shared = BooleanField(_l("Shared phone (verksamhetstelefon)"))
    shared_label = StringField(_l("Shared-phone label"), validators=[Optional(), Length(max=120)])
    mdm_enrolled = BooleanField(_l("Enrolled in MDM"))
    unit = SelectField(_l("Unit"), validators=[Optional()])
    valid_from = DateField(_l("At the unit from (default: purchase date)"), validators=[Optional()])

    def values(self) -> dict[str, Any]:
        price = None
        if self.purchase_price.data:
            try:
                price = parse_amount(self.purchase_price.data)
            except AmountError:
                raise register.invalid("purchase_price", N_("not an amount: %(value)s"),
                                       value=repr(self.purchase_price.data)) from None
        return {
            "imei": self.imei.data, "model": self.model.data, "purchase_date": self.purchase_date.data,
            "purchase_price": price, "status": self.status.data, "shared": self.shared.data,
            "shared_label": self.shared_label.data, "mdm_enrolled": self.mdm_enrolled.data,
        }


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ReorganiseForm(FlaskForm):
    from_unit = SelectField(_l("From unit"), validators=[DataRequired()])
    to_unit = SelectField(_l("To unit"), validators=[DataRequired()])
    valid_from = DateField(_l("From"), validators=[DataRequired()], default=clock.today)


class CloseUnitForm(FlaskForm):
    unit = SelectField(_l("Unit"), validators=[DataRequired()])
    closed_on = DateField(_l("Closed from"), validators=[DataRequired()])


class ImportForm(FlaskForm):
    file = FileField(_l("Subscription list (CSV)"), validators=[FileRequired()])
    supplier = StringField(_l("Operator organisation number (file without that column)"),
                           validators=[Optional(), Length(max=13)])


class ConfirmImportForm(FlaskForm):
    sha256 = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])
    filename = HiddenField(validators=[DataRequired(), Length(max=255)])
    supplier = HiddenField(validators=[Optional(), Length(max=13)])


def _choices(pairs: list[tuple[str, Any]]) -> list[SelectChoice]:
    return [SelectChoice(value, text) for value, text in pairs]


def _unit_choices(blank: bool = False) -> list[SelectChoice]:
    choices = [(u.ansvar, f"{u.ansvar} {u.name}") for u in form_choices.units_for_choice(g.user)]
    return _choices(([("", "—")] if blank else []) + choices)


# -- search ----------------------------------------------------------------------------------


def _unit_text(unit: Any) -> str | None:
    return f"{unit.ansvar} {unit.name}" if unit else None


_SEARCHED = ("tab", "number", "imei", "unit", "supplier", "status")

#: The subscriptions of the inventory's search, by number unless the reader sorts otherwise.
SUBSCRIPTION_LIST = Listing("abonnemang", (
    Column("number", _l("Number"), Subscription.number, lambda r: display_phone_number(r.subscription.number)),
    Column("kind", _l("Kind"), Subscription.kind, lambda r: label(r.subscription.kind)),
    Column("unit", _l("Unit"), Deferred(lambda: asset_search.unit_code_on(Subscription, clock.today())),
           lambda r: _unit_text(r.unit)),
    Column("operator", _l("Operator"), Deferred(lambda: asset_search.supplier_name_of(Subscription)),
           lambda r: r.supplier.name if r.supplier else None),
    Column("function", _l("Function"), Subscription.label, lambda r: r.subscription.label),
    Column("status", _l("Status"), Subscription.end_date, lambda r: label(r.status)),
), default_sort="number", filters=_SEARCHED, tiebreak=(Subscription.id,))

#: The handsets of the inventory's search, by IMEI unless the reader sorts otherwise.
HANDSET_LIST = Listing("telefoner", (
    Column("imei", "IMEI", Handset.imei, lambda r: r.handset.imei),
    Column("model", _l("Model"), Handset.model, lambda r: r.handset.model),
    Column("unit", _l("Unit"), Deferred(lambda: asset_search.unit_code_on(Handset, clock.today())),
           lambda r: _unit_text(r.unit)),
    Column("status", _l("Status"), Handset.status, lambda r: label(r.handset.status)),
    Column("shared", _l("Shared phone"), Handset.shared,
           lambda r: r.handset.shared_label or (_("Yes") if r.handset.shared else "")),
    Column("mdm", _l("MDM"), Handset.mdm_enrolled, lambda r: _("Yes") if r.handset.mdm_enrolled else _("No")),
), default_sort="imei", filters=_SEARCHED, tiebreak=(Handset.id,))


@blueprint.route("/inventory")
@require("inventory.read")
def inventory() -> Any:
    form = SearchForm(request.args)
    handsets = form.tab.data == "handsets"
    statuses = [(s.value, label(s.value)) for s in HandsetStatus] if handsets else \
        [("active", _("active")), ("ended", _("ended"))]
    form.status.choices = _choices([("", _("any")), *statuses])
    asked = listing.read(HANDSET_LIST if handsets else SUBSCRIPTION_LIST)
    search = asset_search.Search(
        number=form.number.data or None, imei=form.imei.data or None, unit=form.unit.data or None,
        supplier=form.supplier.data or None, status=form.status.data or None, q=form.q.data or None)
    status = 200
    find = asset_search.search_handsets if handsets else asset_search.search_subscriptions
    try:
        if asked.format:
            found = find(g.user, search, 1, listing.MAX_DOWNLOAD_ROWS, order=asked.order_by())
            return listing.download(asked, found.items, found.total)
        results = find(g.user, search, asked.page, asked.per_page, order=asked.order_by())
    except ValidationFailed as error:
        status = refused(error)
        results = Page([], 0, 1, asked.per_page)
    return render_template("inventory/index.html", form=form, results=results, handsets=handsets, asked=asked,
                           today=clock.today()), status


# -- subscriptions ---------------------------------------------------------------------------


def _asset_page(template: str, record: Any, status: int, move_form: MoveForm | None, **forms: FlaskForm) -> Any:
    """An asset's page: its record, the move form and the forms of its own kind."""
    move_form = move_form or MoveForm()
    move_form.unit.choices = _unit_choices()
    return render_template(template, record=record, move_form=move_form, action_form=ActionForm(),
                           today=clock.today(), **forms), status


def _page_of(asset: Asset, status: int = 200, move_form: MoveForm | None = None) -> Any:
    if isinstance(asset, Handset):
        return _handset_page(asset, status, move_form)
    assert isinstance(asset, Subscription)
    return _subscription_page(asset, status, move_form)


def _url_of(asset: Asset) -> str:
    if isinstance(asset, Subscription):
        return url_for("web.inventory_subscription", subscription_id=asset.id)
    return url_for("web.inventory_handset", handset_id=asset.id)


def _move(asset: Asset) -> Any:
    """The move form of an asset's page: moved, or for a department user requested."""
    form = MoveForm()
    form.unit.choices = _unit_choices()
    if not form.validate_on_submit():
        return _page_of(asset, 400, move_form=form)
    try:
        outcome = inventory_moves.move_asset(g.user, asset, register.unit_by_code(
            g.user.organisation_id, form.unit.data), required(form.valid_from.data), form.reason.data)
    except LedgerError as error:
        return _page_of(asset, refused(error), move_form=form)
    _flash_move(outcome)
    return redirect(_url_of(asset))


def _save(form: FlaskForm, template: str, save: Callable[[], A], saved: Callable[[A], str], **context: Any) -> Any:
    """A new or edit form: on a valid post ``save()``, then to the asset's page, or say why not."""
    status = 200
    if form.validate_on_submit():
        try:
            asset = save()
        except LedgerError as error:
            status = refused(error)
        else:
            flash(saved(asset), "info")
            return redirect(_url_of(asset))
    elif request.method == "POST":
        status = 400
    return render_template(template, form=form, **context), status


def _subscription_page(sub: Subscription, status: int = 200, move_form: MoveForm | None = None,
                       end_form: EndForm | None = None) -> Any:
    return _asset_page("inventory/subscription.html", records.subscription_record(sub), status, move_form,
                       end_form=end_form or EndForm())


def _page_and_move_routes(kind: str, get: Callable[[Any, int], Asset]) -> None:
    """An asset's page and its move form, for subscriptions and handsets alike."""
    path, id_name = f"/inventory/{kind}s/<int:{kind}_id>", f"{kind}_id"

    @blueprint.route(path, endpoint=f"inventory_{kind}")
    @require("inventory.read")
    def page(**ids: int) -> Any:
        return _page_of(get(g.user, ids[id_name]))

    @blueprint.route(f"{path}/move", endpoint=f"inventory_{kind}_move", methods=["POST"])
    @require("inventory.move")
    def move(**ids: int) -> Any:
        return _move(get(g.user, ids[id_name]))


_page_and_move_routes("subscription", register.get_subscription)


def _flash_move(outcome: inventory_moves.MoveOutcome) -> None:
    if outcome.done:
        assert outcome.assignment is not None
        flash(_("Moved to %(unit)s from %(day)s.", unit=outcome.assignment.unit.ansvar,
                day=outcome.assignment.valid_from.isoformat()), "info")
    else:
        flash(_("The move is requested; finance will approve or reject it."), "info")


@blueprint.route("/inventory/subscriptions/<int:subscription_id>/end", methods=["POST"])
@require("inventory.write")
def inventory_subscription_end(subscription_id: int) -> Any:
    sub = register.get_subscription(g.user, subscription_id)
    form = EndForm()
    if not form.validate_on_submit():
        return _subscription_page(sub, 400, end_form=form)
    end_date = required(form.end_date.data)
    try:
        edits.end_subscription(g.user, sub, end_date)
    except LedgerError as error:
        return _subscription_page(sub, refused(error), end_form=form)
    flash(_("The subscription ends on %(day)s.", day=end_date.isoformat()), "info")
    return redirect(url_for("web.inventory_subscription", subscription_id=subscription_id))


def _asset_form(form: F, creating: bool) -> F:
    """A new asset may be assigned to a unit at once; an edit moves it with the move form instead."""
    form.unit.choices = _unit_choices(blank=True)
    if not creating:
        del form.unit, form.valid_from
    return form


def _creating(form: SubscriptionForm | HandsetForm, create: Callable[..., A]) -> Callable[[], A]:
    return lambda: create(g.user, form.values(), unit=form.unit.data or None, valid_from=form.valid_from.data)


def _form_routes(kind: str, context: str, get: Callable[[Any, int], A],
                 form_for: Callable[[A | None], SubscriptionForm | HandsetForm], create: Callable[..., A],
                 update: Callable[[Any, A, Any], A], registered: Callable[[A], str]) -> None:
    """An asset's new and edit forms, for subscriptions and handsets alike: ``form_for(None)`` is the
    new form, ``form_for(asset)`` the edit form, which on a valid post gives the asset its values.
    The template sees the asset (None when new) as ``context``."""
    path, id_name, template = f"/inventory/{kind}s", f"{kind}_id", f"inventory/{kind}_form.html"

    @blueprint.route(f"{path}/new", endpoint=f"inventory_{kind}_new", methods=["GET", "POST"])
    @require("inventory.write")
    def new() -> Any:
        form = form_for(None)
        return _save(form, template, _creating(form, create), registered, **{context: None})

    @blueprint.route(f"{path}/<int:{id_name}>/edit", endpoint=f"inventory_{kind}_edit", methods=["GET", "POST"])
    @require("inventory.write")
    def edit(**ids: int) -> Any:
        asset = get(g.user, ids[id_name])
        form = form_for(asset)
        return _save(form, template, lambda: update(g.user, asset, form.values()), lambda _asset: _("Saved."),
                     **{context: asset})


def _subscription_form(sub: Subscription | None) -> SubscriptionForm:
    form = SubscriptionForm() if sub is None else _filled_subscription_form(sub)
    form.supplier.choices = _choices([(s.organisation_number, f"{s.name} ({s.organisation_number})")
                                      for s in form_choices.suppliers_for_choice()])
    return _asset_form(form, creating=sub is None)


def _filled_subscription_form(sub: Subscription) -> SubscriptionForm:
    """The edit form: the subscription as it is on GET, what was sent on POST."""
    if request.method != "GET":
        return SubscriptionForm()
    form = SubscriptionForm(obj=sub)
    form.label_text.data = sub.label
    record = records.subscription_record(sub)
    form.supplier.data = record.supplier.organisation_number if record.supplier else None
    form.handset.data = record.handset.imei if record.handset else ""
    form.kind.data = sub.kind.value
    return form


_form_routes("subscription", "sub", register.get_subscription, _subscription_form, edits.create_subscription,
             edits.update_subscription, lambda sub: _("Subscription %(number)s registered.", number=sub.number))


# -- handsets --------------------------------------------------------------------------------


def _handset_page(handset: Handset, status: int = 200, move_form: MoveForm | None = None,
                  loss_form: LossForm | None = None) -> Any:
    return _asset_page("inventory/handset.html", records.handset_record(handset), status, move_form,
                       loss_form=loss_form or LossForm())


_page_and_move_routes("handset", register.get_handset)


@blueprint.route("/inventory/handsets/<int:handset_id>/loss", methods=["POST"])
@require("inventory.report_loss")
def inventory_handset_loss(handset_id: int) -> Any:
    handset = register.get_handset(g.user, handset_id)
    form = LossForm()
    if not form.validate_on_submit():
        return _handset_page(handset, 400, loss_form=form)
    reported_at = form.reported_to_manager_at.data
    if reported_at is not None:  # the browser gives local time (Europe/Stockholm)

        reported_at = reported_at.replace(tzinfo=clock.ZONE)
    try:
        losses.report_loss(
            g.user, handset, status=form.status.data, occurred_on=required(form.occurred_on.data),
            reported_to_manager=required(form.reported_to_manager.data), reported_to_manager_at=reported_at,
            subscription_blocked=form.subscription_blocked.data)
    except LedgerError as error:
        return _handset_page(handset, refused(error), loss_form=form)
    flash(_("The loss is reported."), "info")
    return redirect(url_for("web.inventory_handset", handset_id=handset_id))


def _handset_form(handset: Handset | None) -> HandsetForm:
    return _asset_form(HandsetForm() if handset is None else _filled_handset_form(handset), creating=handset is None)


def _filled_handset_form(handset: Handset) -> HandsetForm:
    """The edit form: the handset as it is on GET, what was sent on POST."""
    form = HandsetForm(obj=handset) if request.method == "GET" else HandsetForm()
    if request.method == "GET":
        form.status.data = handset.status.value
        form.purchase_price.data = f"{handset.purchase_price:.2f}".replace(".", ",") \
            if handset.purchase_price is not None else ""
    if handset.status in edits.LOSS_STATUSES:  # shown as it is; only a loss report sets it
        form.status.choices = [*HANDSET_STATUS_CHOICES, SelectChoice(handset.status.value, label(handset.status))]
    return form


_form_routes("handset", "handset", register.get_handset, _handset_form, edits.create_handset, edits.update_handset,
             lambda handset: _("Handset %(imei)s registered.", imei=handset.imei))


@blueprint.route("/inventory/shared-not-enrolled")
@require("inventory.read")
def inventory_shared() -> Any:
    return render_template("inventory/shared.html", records=asset_search.shared_not_enrolled(g.user))


# -- requests, reorganisation, closing -------------------------------------------------------


@blueprint.route("/inventory/requests")
@require("inventory.read")
def inventory_requests() -> Any:
    status = request.args.get("status", "requested")
    records = inventory_moves.list_requests(g.user, None if status == "all" else status) \
        if status in ("requested", "approved", "rejected", "all") else []
    return render_template("inventory/requests.html", records=records, status=status, action_form=ActionForm())


@blueprint.route("/inventory/requests/<int:request_id>/<any(approve, reject):decision>", methods=["POST"])
@require("inventory.decide")
def inventory_request_decide(request_id: int, decision: str) -> Any:
    if ActionForm().validate_on_submit():
        try:
            with savepoint():  # the page redirects whatever happened: keep nothing of a refusal
                inventory_moves.decide_request(g.user, request_id, approve=decision == "approve")
        except LedgerError as error:
            refused(error)
        else:
            flash(_("Approved: the move is made.") if decision == "approve" else _("Rejected."), "info")
    return redirect(url_for("web.inventory_requests"))


def _reorganise_page(reorganise_form: ReorganiseForm | None = None, close_form: CloseUnitForm | None = None,
                     status: int = 200, result: Any = None) -> Any:
    reorganise_form = reorganise_form or ReorganiseForm()
    close_form = close_form or CloseUnitForm()
    reorganise_form.from_unit.choices = reorganise_form.to_unit.choices = close_form.unit.choices = _unit_choices()
    return render_template("inventory/reorganise.html", form=reorganise_form, close_form=close_form,
                           result=result), status


@blueprint.route("/inventory/reorganise", methods=["GET", "POST"])
@require("inventory.reorganise")
def inventory_reorganise() -> Any:
    form = ReorganiseForm()
    form.from_unit.choices = form.to_unit.choices = _unit_choices()
    if request.method == "GET":
        return _reorganise_page(form)
    if not form.validate_on_submit():
        return _reorganise_page(form, status=400)
    valid_from = required(form.valid_from.data)
    try:
        result = inventory_moves.reorganise(g.user, form.from_unit.data, valid_from, to=form.to_unit.data)
    except LedgerError as error:
        return _reorganise_page(form, status=refused(error))
    flash(_("%(count)s asset(s) moved from %(source)s to %(target)s from %(day)s.", count=result.count,
            source=form.from_unit.data, target=form.to_unit.data, day=valid_from.isoformat()), "info")
    return _reorganise_page(result=result)


@blueprint.route("/inventory/units/close", methods=["POST"])
@require("units.close")
def inventory_close_unit() -> Any:
    form = CloseUnitForm()
    form.unit.choices = _unit_choices()
    if not form.validate_on_submit():
        return _reorganise_page(close_form=form, status=400)
    closed_on = required(form.closed_on.data)
    try:
        inventory_moves.close_unit(g.user, form.unit.data, closed_on)
    except LedgerError as error:
        return _reorganise_page(close_form=form, status=refused(error))
    flash(_("Unit %(unit)s is closed from %(day)s.", unit=form.unit.data, day=closed_on.isoformat()), "info")
    return redirect(url_for("web.inventory_reorganise"))


# -- import ----------------------------------------------------------------------------------

#: How long a previewed list waits for its confirmation.
PENDING_SECONDS = 24 * 3600


def _pending_dir() -> Path:
    """Where a previewed upload waits for "Import": ``instance/inventory-uploads`` (shared by the
    workers of one deployment; a form field could not carry a large file past Flask's form limit)."""
    path = Path(current_app.instance_path) / "inventory-uploads"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _keep_pending(data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    folder = _pending_dir()
    cutoff = time.time() - PENDING_SECONDS
    for old in folder.glob("*.csv"):  # the list may hold names: do not keep it longer than needed
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    (folder / f"{g.user.organisation_id}-{digest}.csv").write_bytes(data)
    return digest


def _pending(digest: str) -> Path:
    return _pending_dir() / f"{g.user.organisation_id}-{digest}.csv"


@blueprint.route("/inventory/import", methods=["GET", "POST"])
@require("inventory.write")
def inventory_import_page() -> Any:
    """Upload → preview (a dry run) → confirm. The previewed file waits on the server by its hash."""
    form = ImportForm()
    if request.method == "GET":
        return render_template("inventory/import.html", form=form, result=None, confirm=None)
    if not form.validate_on_submit():
        return render_template("inventory/import.html", form=form, result=None, confirm=None), 400
    data = form.file.data.read()
    filename = upload_name(form.file.data.filename, "upload.csv")
    try:
        result = inventory_import.import_list(g.user, g.user.organisation_id, data, filename,
                                              supplier=form.supplier.data or None, dry_run=True)
    except LedgerError as error:
        return render_template("inventory/import.html", form=form, result=None, confirm=None), refused(error)
    confirm = ConfirmImportForm(sha256=_keep_pending(data), filename=filename,
                                supplier=form.supplier.data or "") if result.ok else None
    return render_template("inventory/import.html", form=ImportForm(formdata=None), result=result, confirm=confirm)


@blueprint.route("/inventory/import/confirm", methods=["POST"])
@require("inventory.write")
def inventory_import_confirm() -> Any:
    confirm = ConfirmImportForm()
    path = _pending(required(confirm.sha256.data)) if confirm.validate_on_submit() else None
    if path is None or not path.is_file():
        flash(_("The previewed file is no longer here; upload it again."), "error")
        return render_template("inventory/import.html", form=ImportForm(formdata=None), result=None,
                               confirm=None), 400
    data, filename = path.read_bytes(), upload_name(confirm.filename.data, "upload.csv")
    status = 200
    try:
        result = inventory_import.import_list(g.user, g.user.organisation_id, data, filename,
                                              supplier=confirm.supplier.data or None)
    except LedgerError as error:
        # the register changed since the preview: show the plan again with its errors
        status = refused(error)
        result = inventory_import.import_list(g.user, g.user.organisation_id, data, filename,
                                              supplier=confirm.supplier.data or None, dry_run=True)
    else:
        path.unlink(missing_ok=True)
        flash(_("Imported: %(created)s created, %(updated)s updated, %(moved)s moved.", **result.counts), "info")
    return render_template("inventory/import.html", form=ImportForm(formdata=None), result=result,
                           confirm=None), status


# -- coverage and directory ------------------------------------------------------------------


@blueprint.route("/inventory/unmapped")
@require("inventory.coverage")
def inventory_unmapped() -> Any:
    return render_template("inventory/unmapped.html", report=coverage_check.coverage(g.user))


#: The contact centre's directory, by number unless the reader sorts otherwise; ``?unit=`` one unit.
DIRECTORY_LIST = Listing("katalog", (
    Column("number", _l("Number"), value=lambda e: display_phone_number(e.number), key_of=lambda e: e.number),
    Column("extension", _l("Extension"), value=lambda e: e.extension, key_of=lambda e: e.extension),
    Column("unit", _l("Unit"), value=lambda e: f"{e.unit} {e.unit_name}" if e.unit else None,
           key_of=lambda e: e.unit),
    Column("administration", _l("Administration"), value=lambda e: e.administration,
           key_of=lambda e: e.administration),
    Column("function", _l("Function"), value=lambda e: e.function, key_of=lambda e: e.function),
    Column("name", _l("Name"), value=lambda e: e.name, key_of=lambda e: e.name),
    # how the unit is reached (``contact_centre``): beside each number, for whoever answers the call
    Column("opening_hours", _l("Opening hours"), value=lambda e: e.opening_hours),
    Column("phone_hours", _l("Phone times"), value=lambda e: e.phone_hours),
    Column("contact", _l("Other contact paths"), value=lambda e: " ".join(filter(None, (e.email, e.web_form_url)))),
), default_sort="number", filters=("unit",))


@blueprint.route("/inventory/directory")
@require("directory.read")
def inventory_directory() -> Any:
    asked = listing.read(DIRECTORY_LIST)
    entries = listing.sorted_items(
        directory_service.directory(g.user, unit=asked.filters.get("unit"), q=asked.q), asked)
    if asked.format:
        return listing.download(asked, entries, len(entries))
    return render_template("inventory/directory.html", entries=listing.page_of_items(entries, asked), asked=asked,
                           unit=asked.filters.get("unit", ""), q=asked.q or "")


@blueprint.route("/inventory/directory.csv")
@require("directory.read")
def inventory_directory_csv() -> Any:
    entries = directory_service.directory(g.user, unit=request.args.get("unit") or None,
                                          q=request.args.get("q") or None)
    stamp = datetime.now().strftime("%Y-%m-%d")
    return Response(directory_service.directory_csv(entries), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="katalog-{stamp}.csv"'})
