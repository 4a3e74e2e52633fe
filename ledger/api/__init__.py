"""The JSON API under ``/api/v1``, documented by flask-smorest at ``/api/openapi.json``."""

from __future__ import annotations

from flask import Flask, g, request

from ledger.extensions import api, csrf
from ledger.services.users import user_for_token

API_PREFIX = "/api/v1"


def _authenticate_bearer() -> None:
    """Resolve ``Authorization: Bearer …`` to ``g.api_user``; routes decide what is needed."""
    if not request.path.startswith("/api/"):
        return
    g.api_user = None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        g.api_user = user_for_token(token.strip())


def register_api(app: Flask) -> None:
    from ledger.api import allocation, inventory, invoices, procurement, reports, units

    api.init_app(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    app.before_request(_authenticate_bearer)
    for blueprint in (units.blp, units.budgets_blp, invoices.blp, *allocation.BLUEPRINTS, *inventory.BLUEPRINTS,
                      *procurement.BLUEPRINTS, *reports.BLUEPRINTS):
        csrf.exempt(blueprint)  # bearer tokens, never cookies: nothing for CSRF to forge
        api.register_blueprint(blueprint, url_prefix=f"{API_PREFIX}{blueprint.url_prefix or ''}")
