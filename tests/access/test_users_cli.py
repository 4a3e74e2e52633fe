"""The ``users`` commands: create (password from stdin) and token."""

from __future__ import annotations

import sqlalchemy as sa

from ledger.access.models import User


def test_users_create_with_password_from_stdin_then_token_works(app, db, org, client) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "frida", "--role", "department", "--unit", "3110",
                                 "--unit", "3140", "--password-stdin"], input="a-long-password\n")
    assert result.exit_code == 0, result.output
    assert "Created frida (department; units 3110, 3140)" in result.output
    token = runner.invoke(args=["users", "token", "frida"]).output.strip()
    units = client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"}).json
    assert [u["code"] for u in units] == ["3110", "3140"]


def test_users_create_refuses_bad_input_with_a_message(app, db, org) -> None:
    runner = app.test_cli_runner()
    cases = [
        (["users", "create", "x", "--role", "department", "--password-stdin"], "needs at least one unit"),
        (["users", "create", "x", "--role", "finance", "--unit", "3110", "--password-stdin"], "only for department"),
        (["users", "create", "x", "--role", "department", "--unit", "9999", "--password-stdin"],
         "No budget unit with ansvar 9999"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args, input="a-long-password\n")
        assert result.exit_code == 1 and message in result.output, result.output
    for weak, message in [("short\n", "at least 12 characters"), ("aaaaaaaaaaaa\n", "too easy to guess"),
                          ("password1234\n", "too easy to guess")]:
        refused = runner.invoke(args=["users", "create", "x", "--role", "auditor", "--password-stdin"], input=weak)
        assert refused.exit_code == 1 and message in refused.output, refused.output
    assert db.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_users_token_for_unknown_user(app, db, org) -> None:
    result = app.test_cli_runner().invoke(args=["users", "token", "nobody"])
    assert result.exit_code == 1 and "No user named 'nobody'" in result.output
