"""Commands for ``flask --app wsgi …`` (``db`` comes from Flask-Migrate)."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from ledger.cli.allocation import allocate_command, check_command, periods_group
    from ledger.cli.demo import demo
    from ledger.cli.inventory import inventory
    from ledger.cli.invoices import invoices
    from ledger.cli.procurement import compliance, exceptions
    from ledger.cli.reports import export_group, report_group
    from ledger.cli.users import users

    app.cli.add_command(allocate_command)
    app.cli.add_command(check_command)
    app.cli.add_command(demo)
    app.cli.add_command(inventory)
    app.cli.add_command(invoices)
    app.cli.add_command(periods_group)
    app.cli.add_command(exceptions)
    app.cli.add_command(compliance)
    app.cli.add_command(users)
    app.cli.add_command(report_group)
    app.cli.add_command(export_group)
