"""The audit log page: the organisation's events, newest first, filtered, 50 a page, each with
what it changed shown field by field."""

from __future__ import annotations

from typing import Any

from flask import g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from ledger.access.permissions import require
from ledger.audit import service
from ledger.audit.models import AuditEvent
from ledger.core.errors import ValidationFailed
from ledger.core.paging import Page
from ledger.labels import label
from ledger.web import NAVIGATION, blueprint, listing
from ledger.web.errors import shown
from ledger.web.listing import Column, Listing

NAVIGATION.append(("web.audit", _l("Log"), "audit.read"))


#: How the log's field names read on the page; a field not named here is shown by its name.
FIELD_NAMES = {
    "username": _l("User name"),
    "display_name": _l("Name"),
    "role": _l("Role"),
    "units": _l("Units"),
    "active": _l("Active"),
    "password_changed": _l("New password"),
    "sessions_ended": _l("Sessions ended"),
    "user": _l("User"),
    "label": _l("What it is for"),
    "expires_at": _l("Expires"),
    "revoked_at": _l("Revoked"),
}


#: What the actions of users and tokens are called on the page; any other shows its code only.
ACTIONS = {
    "user.create": _l("User added"),
    "user.role": _l("Role or units changed"),
    "user.deactivate": _l("User deactivated"),
    "user.reactivate": _l("User reactivated"),
    "user.password": _l("New password"),
    "token.issue": _l("API token issued"),
    "token.revoke": _l("API token revoked"),
    "login.failed": _l("Refused log-in"),
    "login.throttled": _l("Throttled log-in"),
}


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    since = StringField(_l("Since (date or time)"), validators=[Optional(), Length(max=32)])
    actor = StringField(_l("By (user name)"), validators=[Optional(), Length(max=120)])
    kind = StringField(_l("Kind (e.g. user.create, or user)"), validators=[Optional(), Length(max=64)])
    object = StringField(_l("Object (e.g. user, or user:42)"), validators=[Optional(), Length(max=130)])


@blueprint.app_template_filter("audit_field")
def field_name(name: str) -> str:
    return str(FIELD_NAMES.get(name, name))


@blueprint.app_template_filter("audit_action")
def action_name(action: str) -> str:
    return str(ACTIONS.get(action, ""))


@blueprint.app_template_filter("audit_value")
def field_value(value: Any, field: str = "") -> str:
    """A value of the log as a reader reads it: yes/no, lists with commas, a role by its label."""
    if value is None or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(field_value(item, field) for item in value)
    return label(value) if field == "role" else str(value)


def _text(field: StringField) -> str | None:
    """The field's text, without NUL characters (no column holds one, so none can match)."""
    return (field.data or "").replace("\x00", "").strip() or None


def _filters(form: AuditSearchForm) -> service.Filters | None:
    """The search as the service takes it, or ``None`` (the errors on the form) when it is not one."""
    if not form.validate():
        return None
    since_text, object_text = _text(form.since), _text(form.object)
    try:
        since = service.parse_since(since_text) if since_text else None
    except ValidationFailed as error:
        form.since.errors = [shown(error)]
        return None
    entity_type, entity_id = service.parse_object(object_text) if object_text else (None, None)
    return service.Filters(since=since, actor=_text(form.actor), kind=_text(form.kind),
                           entity_type=entity_type or None, entity_id=entity_id)


def changes_text(event: Any) -> str:
    """An event's changes on one line, for a download: ``field: before → after; …`` (``event``
    an ``AuditEvent`` or a row with its ``before`` and ``after``)."""
    return "; ".join(
        f"{field_name(c.field)}: {field_value(c.before, c.field)} → {field_value(c.after, c.field)}" if c.changed
        else f"{field_name(c.field)}: {field_value(c.after, c.field)}" for c in service.changes(event))


#: The log, newest first unless the reader sorts otherwise; the search form's fields filter it.
AUDIT_LIST = Listing("logg", (
    Column("when", _l("When"), AuditEvent.occurred_at, lambda e: e.occurred_at),
    Column("by", _l("By"), AuditEvent.actor_name, lambda e: e.actor_name),
    Column("what", _l("What"), AuditEvent.action, lambda e: e.action),
    Column("object", _l("Object"), AuditEvent.entity_type,
           lambda e: f"{e.entity_type} {e.entity_id}" if e.entity_id else e.entity_type),
    Column("changes", _l("Changes"), None, changes_text),
), default_sort="when", default_descending=True, filters=("since", "actor", "kind", "object"),
   tiebreak=(AuditEvent.id,))


@blueprint.route("/audit")
@require("audit.read")
def audit() -> Any:
    form = AuditSearchForm(request.args)
    asked = listing.read(AUDIT_LIST)
    filters = _filters(form)
    results: Page[AuditEvent]
    if filters is None:
        results, status = Page([], 0, 1, asked.per_page), 422
    else:
        query = service.events_query(g.user.organisation_id, filters)
        if asked.format:
            return listing.download_query(service.event_rows(query), asked)
        results, status = listing.page_of(query, asked, scalars=True), 200
    return render_template("audit/log.html", form=form, results=results, asked=asked,
                           changes=service.changes), status
