"""How a route of the API is declared in one call: its rule, its permission, its input, its response and
the other answers it documents, put on the view in one fixed order so that no route forgets one.

The two helpers differ only in where a page is read: ``endpoint`` reads a listing's page before the
permission is checked, ``guarded`` checks the permission before anything of the request is read.
Each keeps the order its routes have always answered in (which error a request with two faults gets).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import marshmallow as ma
from flask_smorest import Blueprint

from ledger.access.permissions import require
from ledger.api.pagination import paginated

F = TypeVar("F", bound=Callable[..., Any])

#: ``paginated`` or ``paged_by_view`` of ``ledger.api.pagination``.
Paging = Callable[[Blueprint], Callable[[F], F]]


def endpoint(blueprint: Blueprint, method: str, rule: str, permission: str, status: int, schema: Any, *,
             arguments: type[ma.Schema] | None = None, listing: bool = False, conflict: str | None = None,
             missing: str | None = None, **options: Any) -> Callable[[F], F]:
    """A route with its response, its permission and its input (``options`` go with the input): the
    permission is checked before the input is parsed. A ``listing`` is answered a page at a time,
    its page read before the permission is checked; ``conflict`` says when the route answers 409,
    and ``missing`` when 404 for what the input names."""
    return _declared(blueprint, method, rule, permission, status, schema, arguments=arguments,
                     paging=paginated if listing else None, page_first=True, conflict=conflict,
                     missing=missing, options=options)


def guarded(blueprint: Blueprint, method: str, rule: str, permission: str, status: int, schema: Any, *,
            arguments: type[ma.Schema] | None = None, paging: Paging[Any] | None = None,
            conflict: str | None = None, missing: str | None = None, **options: Any) -> Callable[[F], F]:
    """A route whose permission is checked first, then its input parsed (``options`` go with the
    input), then, with ``paging``, its page read; ``conflict`` says when it answers 409, and
    ``missing`` when 404 for what the input names."""
    return _declared(blueprint, method, rule, permission, status, schema, arguments=arguments, paging=paging,
                     page_first=False, conflict=conflict, missing=missing, options=options)


def _declared(blueprint: Blueprint, method: str, rule: str, permission: str, status: int, schema: Any, *,
              arguments: type[ma.Schema] | None, paging: Paging[Any] | None, page_first: bool,
              conflict: str | None, missing: str | None, options: dict[str, Any]) -> Callable[[F], F]:
    """The one declaration. The input is always parsed inside the permission; the page is read
    outside it (``page_first``), or the permission wraps everything and is checked first."""
    def decorate(view: F) -> F:
        if paging is not None and not page_first:
            view = paging(blueprint)(view)
        if arguments is not None:
            view = blueprint.arguments(arguments, **options)(view)
        if page_first:
            view = require(permission)(view)
            if paging is not None:
                view = paging(blueprint)(view)
        view = blueprint.response(status, schema)(view)
        if conflict is not None:
            view = blueprint.alt_response(409, description=conflict)(view)
        if missing is not None:
            view = blueprint.alt_response(404, description=missing)(view)
        if not page_first:
            view = require(permission)(view)
        return blueprint.route(rule, methods=[method])(view)

    return decorate
