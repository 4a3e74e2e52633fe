"""Commands for ``flask --app wsgi …`` (``db`` comes from Flask-Migrate)."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from ledger.cli.demo import demo
    from ledger.cli.users import users

    app.cli.add_command(demo)
    app.cli.add_command(users)
