"""Commands for ``flask --app wsgi …`` (``db`` comes from Flask-Migrate). Each feature's
``cli.py`` lists its commands in ``COMMANDS``."""

from __future__ import annotations

from flask import Flask

from ledger.features import cli_modules


def register_commands(app: Flask) -> None:
    for module in cli_modules():
        for command in module.COMMANDS:
            app.cli.add_command(command)
