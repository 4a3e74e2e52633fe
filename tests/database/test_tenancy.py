"""The one place that keeps municipalities apart: a scoped session reads only its own rows."""

from __future__ import annotations

import sqlalchemy as sa
from flask import request_finished

from ledger.access.models import Role, User
from ledger.database import db as database
from ledger.database import tenancy
from ledger.organisation.models import Administration, BudgetUnit
from ledger.procurement.models import ContractParty, FrameworkContract
from tests.conftest import log_in
from tests.factories import make_contract, make_organisation, make_supplier, make_unit, make_user

#: Models with an ``organisation_id`` that belong to the cooperation, not to one ledger: every
#: party reads them. Any other model with the column must be ``OrganisationOwned``.
COOPERATION_WIDE = {ContractParty}


def test_every_model_naming_an_organisation_is_owned_by_it_or_shared_on_purpose(app) -> None:
    with app.app_context():
        named = {mapper.class_ for mapper in database.Model.registry.mappers
                 if "organisation_id" in mapper.columns}
    owned = set(tenancy.owned_models(database.Model))
    assert named - owned == COOPERATION_WIDE
    assert FrameworkContract not in owned  # led by one, read by every party


def test_a_scoped_session_finds_nothing_of_another_municipality(db, org) -> None:
    hjo = make_organisation()
    administration = Administration(organisation_id=hjo.id, code="KS", name="Kommunstyrelsen")
    db.add(administration)
    db.flush()
    theirs = make_unit(hjo, "1010", "Hjo växel", administration=administration)
    contract_id, theirs_id, karlsborg = make_contract(hjo, make_supplier()).id, theirs.id, org.id
    db.expunge_all()  # what the session already holds it holds: a request starts empty
    tenancy.scope_to(db, karlsborg)
    try:
        assert db.get(BudgetUnit, theirs_id) is None  # by primary key
        codes = set(db.scalars(sa.select(BudgetUnit.ansvar)))
        assert "1010" not in codes and "3110" in codes
        joined = db.scalars(sa.select(Administration.code).join(BudgetUnit)
                            .where(BudgetUnit.ansvar == "1010")).all()
        assert joined == []  # in joins too
        assert db.scalar(sa.select(sa.func.count()).select_from(BudgetUnit)) == len(codes)
        assert db.get(FrameworkContract, contract_id) is not None  # shared by its parties
        across = db.scalars(tenancy.across_organisations(sa.select(BudgetUnit.ansvar))).all()
        assert "1010" in across
    finally:
        tenancy.unscope(db)
    db.expunge_all()
    assert db.get(BudgetUnit, theirs_id) is not None  # commands and tests are not scoped


def test_a_request_is_scoped_to_its_user_and_the_next_is_not(app, client, db, org) -> None:
    user = make_user(org, Role.FINANCE)
    log_in(client, user.username)
    seen: list[int | None] = []

    def note(_sender: object, **_extra: object) -> None:
        seen.append(tenancy.scoped_organisation(database.session))

    with request_finished.connected_to(note, app):
        assert client.get("/").status_code == 200
    assert seen == [org.id]
    assert tenancy.scoped_organisation(database.session) is None  # ended with the request
    assert db.scalar(sa.select(sa.func.count()).select_from(User)) >= 1
