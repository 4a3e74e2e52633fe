"""``organisations create``: another municipality gets a ledger of its own in the same deployment."""

from __future__ import annotations

import sqlalchemy as sa

from ledger.access.models import User
from ledger.organisation.models import Organisation
from tests.conftest import audit_actions
from tests.factories import make_organisation


def test_a_municipality_is_created_with_a_ledger_and_its_first_administrator(app, db, org) -> None:
    runner = app.test_cli_runner()
    made = runner.invoke(args=["organisations", "create", "1497", "--name", "Hjo kommun", "--orgnr", "2120001637"])
    assert made.exit_code == 0, made.output
    assert "Hjo kommun (212000-1637, kommunkod 1497) keeps a ledger here" in made.output
    hjo = db.scalar(sa.select(Organisation).where(Organisation.organisation_number == "212000-1637"))
    assert hjo is not None and hjo.keeps_ledger and hjo.municipality_code == "1497"
    assert audit_actions(db, "organisation.create")[-1].after["keeps_ledger"] is True

    # Two ledgers now: a command must say which, by option or by LEDGER_ORGANISATION.
    ambiguous = runner.invoke(args=["users", "create", "hjo-admin", "--role", "admin", "--password-stdin"],
                              input="ett långt och bra lösenord 2026\n")
    assert ambiguous.exit_code != 0 and "Several organisations keep a ledger here" in ambiguous.output
    created = runner.invoke(args=["users", "create", "hjo-admin", "--role", "admin", "--organisation", "212000-1637",
                                  "--password-stdin"], input="ett långt och bra lösenord 2026\n")
    assert created.exit_code == 0, created.output
    assert db.scalar(sa.select(User.organisation_id).where(User.username == "hjo-admin")) == hjo.id
    app.config["LEDGER_ORGANISATION"] = "212000-1629"
    try:
        chosen = runner.invoke(args=["users", "create", "kb-ekonomi", "--role", "finance", "--password-stdin"],
                               input="ett långt och bra lösenord 2026\n")
    finally:
        app.config["LEDGER_ORGANISATION"] = ""
    assert chosen.exit_code == 0, chosen.output
    assert db.scalar(sa.select(User.organisation_id).where(User.username == "kb-ekonomi")) == org.id

    listed = runner.invoke(args=["organisations", "list"]).output.splitlines()
    assert [line.split()[0] for line in listed[:2]] == ["212000-1637", "212000-1629"]  # ledgers first, by name


def test_a_contract_party_gets_a_ledger_and_nothing_is_made_twice(app, db, org) -> None:
    skovde = make_organisation(name="Skövde kommun", organisation_number="212000-1603", keeps_ledger=False)
    runner = app.test_cli_runner()
    made = runner.invoke(args=["organisations", "create", "1496", "--name", "Skövde kommun", "--orgnr", "212000-1603"])
    assert made.exit_code == 0, made.output
    db.refresh(skovde)
    assert skovde.keeps_ledger and db.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 2
    again = runner.invoke(args=["organisations", "create", "1496", "--name", "Skövde", "--orgnr", "212000-1603"])
    assert again.exit_code != 0 and "already keeps a ledger" in again.output
    taken = runner.invoke(args=["organisations", "create", "1446", "--name", "Falsk", "--orgnr", "212000-1652"])
    assert taken.exit_code != 0 and "1446 belongs to Karlsborgs kommun" in taken.output
    for code, orgnr, says in (("14", "212000-1652", "no kommunkod"), ("1473", "212000-1653", "212000-1653")):
        refused = runner.invoke(args=["organisations", "create", code, "--name", "X", "--orgnr", orgnr])
        assert refused.exit_code != 0 and says in refused.output
