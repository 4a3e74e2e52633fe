"""The pages. Routes parse the form, authorise, call one service, render.

One blueprint (``web``); each feature's routes live in its ``views.py``, which registers them
here (``ledger.features.load_views``). This package is the pages' shell: the layout, the error
pages, the static files.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, url_for
from flask_babel import get_locale

from ledger.access.permissions import allowed
from ledger.web.forms import LanguageForm, LogoutForm

blueprint = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/static/ledger")

#: Links of the top navigation: (endpoint, label, permission). Modules append to it.
NAVIGATION: list[tuple[str, Any, str]] = []


@blueprint.app_context_processor
def layout_context() -> dict[str, Any]:
    return {"language_form": LanguageForm(), "logout_form": LogoutForm(), "get_locale": get_locale,
            "navigation": NAVIGATION, "allowed": allowed}


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after a form (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("web.index")

