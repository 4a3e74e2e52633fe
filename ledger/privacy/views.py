"""The privacy page (administrators only, linked from the users page): the retention period and
how many subscriptions and handsets are due for pseudonymisation, and a person's extract of what
the ledger holds about them, shown on the page or downloaded as JSON or PDF.

The name is posted with the form's CSRF token, never put in the address, where it would stay in
the access logs and the browser's history. Every extract is audited (``privacy.extract``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, current_app, g, render_template, request
from flask_babel import force_locale, get_locale, get_translations

from ledger.access.permissions import require
from ledger.core import clock
from ledger.core.errors import ValidationFailed
from ledger.privacy import extract as extracts
from ledger.privacy import purge
from ledger.privacy.forms import ExtractForm
from ledger.reporting.api import PDF, attachment, signature
from ledger.web import blueprint
from ledger.web.errors import shown
from reports.privacy_pdf import PersonalDataExtract, render_privacy_extract

JSON = "application/json"


def _months() -> int:
    return int(current_app.config["LEDGER_PRIVACY_RETENTION_MONTHS"])


def _page(form: ExtractForm, result: PersonalDataExtract | None = None, status: int = 200) -> Any:
    months, today = _months(), clock.today()
    return render_template("privacy/index.html", form=form, result=result, months=months,
                           ended_by=purge.ended_by(today, months), due=purge.due(g.user.organisation_id, months, today),
                           counts=extracts.counts(result) if result else None), status


def _file_name(suffix: str) -> str:
    """``registerutdrag-2120001629-2026-04-15.pdf``: whose ledger and when, never the person's name."""
    code = "".join(ch for ch in g.user.organisation.organisation_number if ch.isdigit())
    return f"registerutdrag-{code}-{date.isoformat(clock.today())}.{suffix}"


def _pdf(result: PersonalDataExtract) -> Response:
    language = str(get_locale() or "sv").split("_")[0]
    with force_locale(language):
        translations = get_translations()
    return attachment(render_privacy_extract(result, language, translations), PDF, _file_name("pdf"))


@blueprint.route("/privacy", methods=["GET", "POST"], endpoint="privacy")
@require("privacy.manage")
def privacy_page() -> Any:
    form = ExtractForm()
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        result = extracts.extract(g.user, g.user.organisation, form.person.data or "", generated_by=signature(),
                                  retention_months=_months())
    except ValidationFailed as error:
        form.person.errors = [shown(error)]
        return _page(form, status=error.status)
    chosen = request.form.get("format", "page")
    if chosen == "json":
        return attachment(extracts.as_json(result), JSON, _file_name("json"))
    if chosen == "pdf":
        return _pdf(result)
    return _page(form, result)
