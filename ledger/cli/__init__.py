"""Commands for ``flask --app wsgi …`` (``db`` comes from Flask-Migrate). Each feature's
``cli.py`` lists its commands in ``COMMANDS``; here every command becomes one unit of work,
and a refusal from a service (``LedgerError``) becomes click's one-line error and exit 1."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import click
from flask import Flask

from ledger.core.errors import LedgerError
from ledger.database.transaction import unit_of_work
from ledger.features import cli_modules

_WRAPPED: set[Callable[..., Any]] = set()


def _one_unit_of_work(callback: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            with unit_of_work():
                return callback(*args, **kwargs)
        except LedgerError as error:
            raise click.ClickException(error.message) from None

    return run


def transactional(command: click.Command) -> click.Command:
    """``command`` (and, for a group, each of its subcommands) as one unit of work."""
    if isinstance(command, click.Group):
        for subcommand in command.commands.values():
            transactional(subcommand)
    elif command.callback is not None and command.callback not in _WRAPPED:
        command.callback = _one_unit_of_work(command.callback)
        _WRAPPED.add(command.callback)  # once, however many apps are made
    return command


def register_commands(app: Flask) -> None:
    for module in cli_modules():
        for command in module.COMMANDS:
            app.cli.add_command(transactional(command))
