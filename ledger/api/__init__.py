"""The JSON API under ``/api/v1``, documented by flask-smorest at ``/api/openapi.json``."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request
from flask_smorest.spec.plugins import integerconverter2paramschema
from werkzeug.routing import IntegerConverter, Map

from ledger.access.service import user_for_token
from ledger.api.openapi import DocsPlugin
from ledger.api.schemas import ErrorSchema
from ledger.extensions import api, csrf
from ledger.features import api_modules

API_PREFIX = "/api/v1"
MAX_PATH_ID = 999_999_999


def _authenticate_bearer() -> None:
    """Resolve ``Authorization: Bearer …`` to ``g.api_user``; routes decide what is needed."""
    if not request.path.startswith("/api/"):
        return
    g.api_user = None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        g.api_user = user_for_token(token.strip())


class IdConverter(IntegerConverter):
    """``<int:…>`` in a URL: at most nine digits, which every id has (ids are 32-bit INTEGER
    columns). A longer number matches no route, so it is a 404 for every method, and never
    reaches the database to overflow its integer."""

    regex = r"\d{1,9}"

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_PATH_ID)  # for the document: werkzeug checks the digits first
        super().__init__(url_map, *args, **kwargs)


def register_api(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    api.ERROR_SCHEMA = ErrorSchema  # the body of any error response smorest documents by itself
    api.init_app(app, spec_kwargs={"extra_plugins": [DocsPlugin(app)]})
    api.register_converter(IdConverter, integerconverter2paramschema)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    app.before_request(_authenticate_bearer)
    for blueprint in (blueprint for module in api_modules() for blueprint in module.BLUEPRINTS):
        csrf.exempt(blueprint)  # bearer tokens, never cookies: nothing for CSRF to forge
        api.register_blueprint(blueprint, url_prefix=f"{API_PREFIX}{blueprint.url_prefix or ''}")
