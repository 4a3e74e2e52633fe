"""The contact centre's pages: the change feed (a page, and Atom for mail clients), the feed
address, how each unit is reached, and a unit's form for its own contact details.

The Atom feed is read by mail clients, which send no session cookie: its address carries the
reader's feed token (``?token=``; ``ledger.contact_centre.feed``), and a logged-in browser may
open it too. It checks the same permission as the page, and is scoped to the reader's
organisation as every request is.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import Unauthorized

from ledger.access.permissions import acting_user, allowed, authorise, require, visible_unit_ids
from ledger.contact_centre import changes, details, feed
from ledger.contact_centre.changes import ChangeRecord
from ledger.contact_centre.forms import ContactDetailsForm, FeedTokenForm, SinceForm
from ledger.contact_centre.models import DirectoryChange
from ledger.core.errors import LedgerError
from ledger.core.paging import Page
from ledger.database import db, tenancy
from ledger.i18n import said
from ledger.organisation import service as unit_service
from ledger.web import blueprint, listing
from ledger.web.errors import refused, shown
from ledger.web.listing import Column, Listing

#: The change feed, newest first unless the reader sorts otherwise; ``?since=`` the first day recorded.
CHANGES_LIST = Listing("andringar", (
    Column("recorded", _l("Recorded"), DirectoryChange.recorded_at, lambda c: c.recorded_at),
    Column("effective", _l("Takes effect"), DirectoryChange.effective_on, lambda c: c.effective_on),
    Column("kind", _l("Change"), DirectoryChange.kind, lambda c: _(c.kind_name)),
    Column("numbers", _l("Number(s)"), None, lambda c: " ".join(c.numbers)),
    Column("from", _l("From"), None, lambda c: str(c.source) if c.source else ""),
    Column("to", _l("To"), None, lambda c: str(c.target or c.unit or "")),
), default_sort="recorded", default_descending=True, filters=("since",),
   tiebreak=(DirectoryChange.id,))


@blueprint.route("/directory/changes")
@require("directory.changes")
def directory_changes() -> Any:
    form = SinceForm(request.args)
    asked = listing.read(CHANGES_LIST)
    if not form.validate():
        return _changes_page(form, asked, Page([], 0, 1, asked.per_page)), 422
    since = form.since.data or changes.default_since()
    query = changes.changes_query(g.user.organisation_id, since)
    if asked.format:
        rows = changes.records(list(db.session.scalars(changes.newest_first(query))))
        return listing.download(asked, rows, len(rows))
    page = listing.page_of(query, asked, build=changes.records, scalars=True)
    return _changes_page(form, asked, page, since)


def _changes_page(form: SinceForm, asked: listing.Asked, page: Any, since: Any = None) -> str:
    return render_template("contact_centre/changes.html", form=form, asked=asked, page=page, since=since,
                           has_feed=feed.token_of(g.user) is not None, token_form=FeedTokenForm(),
                           summary_of=changes.summary)


@blueprint.route("/directory/changes/feed-address", methods=["POST"])
@require("directory.changes")
def directory_feed_address() -> Any:
    """Make (or replace) the reader's feed address and show it once; or end it."""
    form = FeedTokenForm()
    if not form.validate_on_submit():
        return redirect(url_for("web.directory_changes"))
    if form.action.data == "revoke":
        if feed.revoke(g.user):
            flash(_("The feed address no longer works. Make a new one to subscribe again."), "info")
        return redirect(url_for("web.directory_changes"))
    token = feed.issue(g.user)
    address = url_for("web.directory_changes_atom", token=token, _external=True)
    response = Response(render_template("contact_centre/feed_address.html", address=address))
    response.headers["Cache-Control"] = "no-store"  # the address is a secret: no cache keeps it
    return response


def _feed_reader(view: Callable[..., Any]) -> Callable[..., Any]:
    """The Atom feed's ``@require``: the reader by the feed token of the address, else by the
    session; 401 without either. Then the permission and the organisation's scope, as ``require``."""
    permission = "directory.changes"

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = request.args.get("token")
        user = feed.reader_of(token) if token else acting_user()
        if user is None:
            raise Unauthorized(response=Response(
                _("The feed needs its address with your feed token: copy it from the page of changes."), 401,
                mimetype="text/plain", headers={"WWW-Authenticate": 'Bearer realm="ledger feed"'}))
        authorise(user, permission)
        g.user = user
        tenancy.scope_to(db.session, user.organisation_id)
        return view(*args, **kwargs)

    wrapper.required_permission = permission  # type: ignore[attr-defined]
    return wrapper


def atom_response(records: list[ChangeRecord], self_link: str) -> Response:
    """The records as the organisation's Atom feed, in the reader's language (for the API too)."""
    document = feed.document(
        g.user.organisation, records, say=said, self_link=self_link,
        alternate_link=url_for("web.directory_changes", _external=True),
        link_of=lambda r: url_for("web.directory_changes", _external=True, _anchor=f"change-{r.id}"),
        language=listing.reader_language())
    return Response(document, mimetype=feed.MEDIA_TYPE, headers={"Cache-Control": "private, no-store"})


@blueprint.route("/directory/changes.atom")
@_feed_reader
def directory_changes_atom() -> Any:
    """The newest changes of the last days (``?since=`` a day: from then), as Atom 1.0."""
    form = SinceForm(request.args)
    since = form.since.data if form.validate() else None
    page = changes.list_changes(g.user, since, per_page=feed.MAX_ENTRIES)
    return atom_response(page.items, url_for("web.directory_changes_atom", _external=True))


# -- how each unit is reached ----------------------------------------------------------------


@blueprint.route("/directory/units")
@require("directory.read")
def unit_contacts() -> Any:
    """Every unit with its function, hours and contact paths; a link to edit one's own."""
    editable = visible_unit_ids(g.user) if allowed(g.user, "units.contact_details") else set()
    return render_template("contact_centre/units.html", rows=details.units_with_details(g.user.organisation_id),
                           may_edit=lambda unit: editable is None or unit.id in editable)


def _details_page(form: ContactDetailsForm, unit: Any, status: int = 200) -> Any:
    return render_template("contact_centre/unit_form.html", form=form, unit=unit), status


@blueprint.route("/units/<code>/contact-details", methods=["GET", "POST"])
@require("units.contact_details")
def unit_contact_details(code: str) -> Any:
    unit = unit_service.get_unit(g.user, code)  # 404, or 403 for another's unit
    form = ContactDetailsForm(data=details.values_of(details.details_of(unit)))
    if request.method == "GET":
        return _details_page(form, unit)
    form = ContactDetailsForm()
    if not form.validate_on_submit():
        return _details_page(form, unit, 400)
    try:
        details.update(g.user, unit, form.values(), replace=True)
    except LedgerError as error:
        for item in error.details:
            name = item.get("field") if isinstance(item, dict) else None
            if name in form:
                form[name].errors = [*form[name].errors, shown(error)]
                return _details_page(form, unit, error.status)
        return _details_page(form, unit, refused(error))
    named = f"{unit.ansvar} {unit.name}"
    flash(_("The contact details of %(unit)s are saved.", unit=named), "info")
    return redirect(url_for("web.unit_contacts", _anchor=f"unit-{unit.ansvar}"))
