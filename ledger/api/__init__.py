"""The JSON API under ``/api/v1``, documented by flask-smorest at ``/api/openapi.json``."""

from __future__ import annotations

from flask import Flask, g, request

from ledger.access.service import user_for_token
from ledger.extensions import api, csrf
from ledger.features import api_modules

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
    api.init_app(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    app.before_request(_authenticate_bearer)
    for blueprint in (blueprint for module in api_modules() for blueprint in module.BLUEPRINTS):
        csrf.exempt(blueprint)  # bearer tokens, never cookies: nothing for CSRF to forge
        api.register_blueprint(blueprint, url_prefix=f"{API_PREFIX}{blueprint.url_prefix or ''}")
