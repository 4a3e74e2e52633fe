"""The unit of work: the one place that commits.

A request, a command or a test is one transaction. Services only flush; this module decides
when what they did is kept:

- a page or API request commits when its view returns a response below 400, and rolls back
  on any exception or an error status (a page that shows a refused change answers 4xx, so
  nothing of the refused change is kept) — :func:`transactional_views`;
- a command commits when it returns normally and rolls back when it raises, including
  ``click.ClickException`` and ``SystemExit`` (``ledger.cli`` wraps each in :func:`unit_of_work`);
- a page that shows a refused change instead of raising wraps the change in ``with
  savepoint():``, so that nothing of it is kept while the page goes on to say why;
- work that is one transaction per item by design (an import is one transaction per file)
  says so in its service, which runs each item in ``with unit_of_work():``;
- work a service wants done once per unit of work, however often it asks, registers with
  :func:`before_commit` and runs, inside the transaction, just before :func:`commit` (the
  allocation books corrections for closed months this way).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from flask import Flask, current_app

from ledger.database import db, tenancy

_BEFORE_COMMIT = "ledger.before_commit"


def before_commit(key: str, work: Callable[[], None]) -> None:
    """Run ``work`` once just before this unit of work commits (once per ``key``)."""
    db.session.info.setdefault(_BEFORE_COMMIT, {})[key] = work


def commit() -> None:
    """Do the work registered with :func:`before_commit` (it may register more), then commit."""
    while pending := db.session.info.pop(_BEFORE_COMMIT, None):
        for work in pending.values():
            work()
    db.session.commit()


def rollback() -> None:
    db.session.info.pop(_BEFORE_COMMIT, None)
    db.session.rollback()


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block did when it ends normally; roll it back when it raises."""
    try:
        yield
        commit()
    except BaseException:
        rollback()
        raise


@contextmanager
def savepoint() -> Iterator[None]:
    """Keep what the block did whole or not at all, inside the request's unit of work."""
    with db.session.begin_nested():
        yield


def _in_transaction(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code < 400:
                commit()  # inside the try: work done before the commit can still refuse cleanly
            else:
                rollback()
        except BaseException:
            rollback()
            raise
        return response

    return run


def _end_of_request(_error: BaseException | None) -> None:
    # The session outlives a request inside a test's app context: the next request is scoped anew.
    tenancy.unscope(db.session)


def transactional_views(app: Flask) -> None:
    """Make every registered view one unit of work (call once every blueprint is registered)."""
    app.teardown_request(_end_of_request)
    for endpoint, view in list(app.view_functions.items()):
        if endpoint == "static" or endpoint.endswith(".static"):
            continue
        app.view_functions[endpoint] = _in_transaction(view)
