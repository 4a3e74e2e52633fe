"""``suppliers add`` and ``suppliers list``: register a supplier from the command line, list them."""

from __future__ import annotations

import json

from ledger.organisation.models import Supplier
from tests.conftest import audit_actions, count
from tests.factories import OPERATOR_ORGNR, SUPPLIER, make_supplier


def test_suppliers_add_registers_the_number_normalised_and_audited(app, db) -> None:
    result = app.test_cli_runner().invoke(args=[
        "suppliers", "add", "5566778899", "--name", "Operatören AB", "--peppol-id", "0007:5566778899",
        "--counterparty", "45"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Registered {SUPPLIER} Operatören AB"
    [event] = audit_actions(db, "supplier.create")
    assert event.actor_name == "system"
    assert event.after == {"name": "Operatören AB", "organisation_number": SUPPLIER, "peppol_id": "0007:5566778899",
                           "vat_number": None, "counterparty_code": "45"}


def test_suppliers_add_refuses_a_bad_or_registered_number(app, db) -> None:
    make_supplier("Nordnät AB", OPERATOR_ORGNR)
    runner = app.test_cli_runner()
    for number, message in (("556677-8898", "the check digit is wrong"), ("12345", "must be ten digits"),
                            ("556900 0010", f"Supplier {OPERATOR_ORGNR} is already registered as Nordnät AB")):
        result = runner.invoke(args=["suppliers", "add", number, "--name", "Ny AB"])
        assert result.exit_code == 1 and message in result.output, result.output
    assert count(db, Supplier) == 1 and audit_actions(db, "supplier.create") == []
    assert runner.invoke(args=["suppliers", "add", SUPPLIER]).exit_code == 2  # --name is required


def test_suppliers_list_as_text_and_json(app, db) -> None:
    runner = app.test_cli_runner()
    assert "No suppliers registered yet" in runner.invoke(args=["suppliers", "list"]).output
    make_supplier("Operatören AB", SUPPLIER, peppol_id="0007:5566778899")
    make_supplier("Hjo kommun", "212000-1645", counterparty_code="82")
    lines = runner.invoke(args=["suppliers", "list"]).output.splitlines()
    assert lines == ["212000-1645  Hjo kommun     -  -  82", f"{SUPPLIER}  Operatören AB  0007:5566778899  -  -"]
    result = runner.invoke(args=["suppliers", "list", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert [(r["organisation_number"], r["name"], r["peppol_id"], r["counterparty_code"]) for r in rows] == [
        ("212000-1645", "Hjo kommun", None, "82"), (SUPPLIER, "Operatören AB", "0007:5566778899", None)]
    assert all(isinstance(r["id"], int) and "vat_number" in r for r in rows)


def test_suppliers_add_refuses_a_detail_too_long_for_its_column(app, db) -> None:
    runner = app.test_cli_runner()
    for option, value, message in (("--peppol-id", "0007:" + "9" * 60, "peppol_id may have at most 64"),
                                   ("--vat-number", "SE" + "1" * 30, "vat_number may have at most 20"),
                                   ("--counterparty", "123456789", "counterparty_code may have at most 8")):
        result = runner.invoke(args=["suppliers", "add", "5566778899", "--name", "Ny AB", option, value])
        assert result.exit_code == 1 and message in result.output, result.output
    assert count(db, Supplier) == 0
