"""The pages. Routes parse the form, authorise, call one service, render.

One blueprint (``web``); each feature's routes live in its ``views.py``, which registers them
here (``ledger.features.load_views``). This package is the pages' shell: the layout, the error
pages, the static files.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, redirect, url_for
from flask_babel import get_locale

from ledger.access.permissions import acting_user, allowed
from ledger.web.forms import LanguageForm, LogoutForm

blueprint = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/static/ledger")

#: Links of the top navigation: (endpoint, label, permission). Modules append to it.
NAVIGATION: list[tuple[str, Any, str]] = []


#: Where those land who may not see the start page's costs: (endpoint, permission), the first
#: they hold. The cooperation's administrator starts at the municipalities, the contact centre
#: at the directory.
HOME_PAGES = [("web.organisations", "organisations.read"), ("web.inventory_directory", "directory.read")]


def start_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """The start page's decorator (above ``require``): a user without ``units.read`` is sent on
    to their own first page instead of being refused at the door they were sent to."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = acting_user()
        if user is not None and not allowed(user, "units.read"):
            for endpoint, permission in HOME_PAGES:
                if allowed(user, permission):
                    return redirect(url_for(endpoint))
        return view(*args, **kwargs)

    return wrapper


@blueprint.app_context_processor
def layout_context() -> dict[str, Any]:
    return {"language_form": LanguageForm(), "logout_form": LogoutForm(), "get_locale": get_locale,
            "navigation": NAVIGATION, "allowed": allowed}


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after a form (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("web.index")

