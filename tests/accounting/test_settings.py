"""An organisation's accounting settings: defaults, validation, the command, the API, the page,
the allocation booking on them, and the migration that gives every ledger its own."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from ledger.access.models import Role
from ledger.accounting import service
from ledger.accounting.models import AccountingSetting
from ledger.accounting.plan import BookingMethod, defaults
from ledger.allocation.engine import allocate
from ledger.allocation.models import JournalEntry
from ledger.core.categories import Category
from ledger.core.errors import ValidationFailed
from ledger.database import db as _db
from tests.conftest import audit_actions, csrf_token, empty_all_tables, log_in
from tests.factories import SUPPLIER, import_invoice, line, make_subscription, make_supplier, save


def test_the_defaults_are_kommun_bas() -> None:
    settings = defaults()
    assert settings.for_category(Category.EQUIPMENT) == "6420"
    assert settings.for_category(Category.SUBSCRIPTION) == "6810"
    assert (settings.clearing_account, settings.rounding_account, settings.booking_method) == (
        "6819", "6899", BookingMethod.TRANSFER)


@pytest.mark.parametrize(("key", "value", "field"), [
    ("account.usage", "68x1", "account.usage"),
    ("clearing_account", "6810", "clearing_account"),  # a cost account cannot be the clearing account
    ("booking_method", "netting", "booking_method"),
    ("sie.activity_dimension", "1", "sie.counterparty_dimension"),  # dimension 1 is ansvar
    ("colour", "blue", "colour"),
])
def test_a_bad_value_is_refused_naming_the_setting(key: str, value: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        defaults().with_value(key, value)
    assert refused.value.details[0]["field"] == field


def test_the_command_shows_and_sets(app, db, org) -> None:
    runner = app.test_cli_runner()
    shown = json.loads(runner.invoke(args=["accounts", "show", "--json"]).output)
    assert shown["clearing_ansvar"] == "1110"  # carried by kanslienheten, the switchboard carrier
    assert shown["account.subscription"] == "6810"
    result = runner.invoke(args=["accounts", "set", "account.subscription", "6815"])
    assert result.exit_code == 0 and "account.subscription = 6815" in result.output
    assert service.settings_of(org.id).for_category(Category.SUBSCRIPTION) == "6815"
    bad = runner.invoke(args=["accounts", "set", "rounding_account", "öre"])
    assert bad.exit_code == 1 and "rounding_account" in bad.output
    assert [e.after for e in audit_actions(db, "accounts.update")] == [{"account.subscription": "6815"}]


def test_the_api_reads_for_finance_and_writes_for_the_admin(client, db, org, api_headers) -> None:
    assert client.get("/api/v1/accounts", headers=api_headers(Role.FINANCE)).json["clearing_account"] == "6819"
    assert client.get("/api/v1/accounts", headers=api_headers(Role.DEPARTMENT, ["3110"])).status_code == 403
    body = {"booking_method": "internal_revenue", "internal_counterparty": "2"}
    assert client.put("/api/v1/accounts", json=body, headers=api_headers(Role.FINANCE)).status_code == 403
    changed = client.put("/api/v1/accounts", json=body, headers=api_headers(Role.ADMIN))
    assert changed.status_code == 200 and changed.json["booking_method"] == "internal_revenue"
    refused = client.put("/api/v1/accounts", json={"clearing_account": "12", "vouchers": "period"},
                         headers=api_headers(Role.ADMIN))
    assert refused.status_code == 422 and refused.json["error"]["details"][0]["field"] == "clearing_account"
    assert service.settings_of(org.id).vouchers.value == "invoice"  # nothing of a refused change is kept
    unknown = client.put("/api/v1/accounts", json={"colour": "blue"}, headers=api_headers(Role.ADMIN))
    assert unknown.status_code == 422


def test_the_page_shows_them_and_the_admin_edits_them(client, db, org, make_user) -> None:
    auditor = make_user(Role.AUDITOR)
    log_in(client, auditor.username)
    page = client.get("/accounts").get_data(as_text=True)
    assert "6819" in page and 'name="clearing_account"' not in page  # an auditor reads, does not edit
    admin = make_user(Role.ADMIN)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/accounts")})
    log_in(client, admin.username)
    form = {key: value for key, value in service.settings_of(org.id).values().items()}
    refused = client.post("/accounts", data={**form, "rounding_account": "x",
                                             "csrf_token": csrf_token(client, "/accounts")})
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.get_data(as_text=True)
    saved = client.post("/accounts", data={**form, "rounding_account": "6898",
                                           "csrf_token": csrf_token(client, "/accounts")})
    assert saved.status_code == 302
    assert service.settings_of(org.id).rounding_account == "6898"


def test_the_allocation_books_on_the_organisations_accounts(db, org) -> None:
    operator = make_supplier("Operatören AB", SUPPLIER)
    service.update(None, org.organisation, {"account.other": "6895"})  # the line below is "other"
    make_subscription(org, "0701234567", org.forskola, supplier=operator)
    import_invoice(org, [line("0701234567", "100.00")], number="F-1", issue_date="2026-03-31")
    allocate(None, org.organisation, "2026-03")
    save()
    assert set(db.scalars(sa.select(JournalEntry.account))) == {"6895"}


def test_the_migration_gives_every_ledger_the_defaults(app: Flask) -> None:
    with app.app_context():
        _db.session.remove()
        downgrade(revision="0003")
        try:
            with _db.engine.begin() as conn:
                org = conn.execute(sa.text(
                    "INSERT INTO organisation (name, organisation_number, keeps_ledger) "
                    "VALUES ('Karlsborgs kommun', '212000-1629', true) RETURNING id")).scalar_one()
                admin = conn.execute(sa.text(
                    "INSERT INTO administration (organisation_id, code, name) VALUES (:o, 'KS', 'KS') RETURNING id"),
                    {"o": org}).scalar_one()
                conn.execute(sa.text(
                    "INSERT INTO budget_unit (organisation_id, administration_id, ansvar, name, fee_funded, "
                    "carries_switchboard, opened_on) VALUES (:o, :a, '1110', 'Kanslienheten', false, true, :day)"),
                    {"o": org, "a": admin, "day": date(2020, 1, 1)})
            upgrade()
            stored = dict(_db.session.execute(sa.select(AccountingSetting.key, AccountingSetting.value)).tuples().all())
            assert stored == defaults().with_value("clearing_ansvar", "1110").values()
        finally:
            _db.session.remove()
            upgrade()
            empty_all_tables()
