"""The cooperation's administrator: the municipalities and the contract register, no ledger."""

from __future__ import annotations

import sqlalchemy as sa

from ledger.access.models import Role, User
from ledger.access.permissions import PERMISSIONS
from ledger.organisation.models import Organisation
from ledger.procurement import service as procurement
from tests.conftest import audit_actions, csrf_token, log_in
from tests.factories import SKOVDE, make_contract, make_organisation, make_supplier, make_user, save

#: Everything the role may do. Growing this set is a decision, not a side effect of ``ALL``.
COOPERATION_MAY = {"contracts.read", "organisations.read", "organisations.create"}
PASSWORD = "ett långt och bra lösenord 2026"


def _skovde() -> Organisation:
    """Skövde, the cooperation's lead, as a contract party (the same row ``make_contract`` uses)."""
    skovde = procurement.ensure_partner_organisation(None, name=SKOVDE[0], organisation_number=SKOVDE[1])
    save()
    return skovde


def test_the_role_holds_no_permission_of_a_ledger() -> None:
    assert {name for name, roles in PERMISSIONS.items() if Role.COOPERATION in roles} == COOPERATION_MAY


def test_the_administrator_lands_on_the_municipalities_and_creates_one_with_its_administrator(
        app, client, db, org) -> None:
    coordinator = make_user(_skovde(), Role.COOPERATION, username="samverkan")
    landed = log_in(client, coordinator.username)
    start = client.get(landed.headers["Location"], follow_redirects=True)
    page = start.get_data(as_text=True)
    assert start.request.path == "/organisations"
    assert "Karlsborgs kommun" in page and "212000-1629" in page and "Skövde kommun" in page

    refused = client.post("/organisations/new", data={
        "csrf_token": csrf_token(client, "/organisations/new"), "code": "14", "name": "Tibro kommun",
        "organisation_number": "212000-1660", "username": "tibro-admin", "password": PASSWORD})
    assert refused.status_code == 400 and "Tibro kommun" not in client.get("/organisations").get_data(as_text=True)

    made = client.post("/organisations/new", data={
        "csrf_token": csrf_token(client, "/organisations/new"), "code": "1472", "name": "Tibro kommun",
        "organisation_number": "212000-1660", "username": "tibro-admin", "display_name": "Tina Tibro",
        "password": PASSWORD}, follow_redirects=True)
    assert made.status_code == 200 and "Tibro kommun har nu en egen redovisning här" in made.get_data(as_text=True)
    tibro = db.scalar(sa.select(Organisation).where(Organisation.organisation_number == "212000-1660"))
    assert tibro is not None and tibro.keeps_ledger and tibro.municipality_code == "1472"
    admin = db.scalar(sa.select(User).where(User.username == "tibro-admin"))
    assert admin is not None and admin.organisation_id == tibro.id and admin.role == Role.ADMIN
    created = audit_actions(db, "organisation.create")[-1]
    assert created.actor_id == coordinator.id and created.organisation_id == tibro.id

    client.post("/logout", data={"csrf_token": csrf_token(client)})
    log_in(client, "tibro-admin", PASSWORD)
    tibro_start = client.get("/").get_data(as_text=True)
    assert "Tina Tibro" in tibro_start and "Kanslienheten" not in tibro_start  # nothing of Karlsborg


def test_a_user_name_is_free_only_if_no_municipality_has_it(client, db, org) -> None:
    make_user(org, Role.FINANCE, username="ekonomi")
    log_in(client, make_user(_skovde(), Role.COOPERATION).username)
    taken = client.post("/organisations/new", data={
        "csrf_token": csrf_token(client, "/organisations/new"), "code": "1472", "name": "Tibro kommun",
        "organisation_number": "212000-1660", "username": "ekonomi", "password": PASSWORD})
    assert taken.status_code == 409
    assert db.scalar(sa.select(Organisation).where(Organisation.organisation_number == "212000-1660")) is None


def test_the_register_holds_every_contract_of_the_cooperation_and_the_ledgers_nothing(
        client, db, org, api_headers) -> None:
    supplier = make_supplier()
    hjo = make_organisation()
    karlsborgs = make_contract(org, supplier, reference="KB 1")
    hjos = make_contract(hjo, supplier, reference="HJO 1")
    coordinator = make_user(_skovde(), Role.COOPERATION)
    log_in(client, coordinator.username)
    register = client.get("/contracts").get_data(as_text=True)
    assert "KB 1" in register and "HJO 1" in register
    assert client.get(f"/contracts/{hjos.id}").status_code == 200
    for path in ("/periods", "/suspense", "/invoices", "/units/3110", "/inventory", "/users", "/audit", "/reports"):
        assert client.get(path).status_code in (403, 404), path
    # And the same through the API, with a token.
    from tests.factories import make_token
    headers = {"Authorization": f"Bearer {make_token(coordinator)}"}
    listed = client.get("/api/v1/contracts", headers=headers).json
    assert {c["reference"] for c in listed} >= {"KB 1", "HJO 1"}
    assert client.get(f"/api/v1/contracts/{karlsborgs.id}", headers=headers).status_code == 200
    for path in ("/api/v1/journal?period=2026-03", "/api/v1/invoices", "/api/v1/units", "/api/v1/subscriptions",
                 "/api/v1/audit"):
        assert client.get(path, headers=headers).status_code == 403, path
    # Karlsborg's own procurement sees only the contracts it is a party to.
    own = client.get("/api/v1/contracts", headers=api_headers(Role.PROCUREMENT)).json
    assert {c["reference"] for c in own} == {"KB 1"}


def test_the_lead_party_maintains_a_contract_once_it_keeps_a_ledger(client, db, org) -> None:
    supplier = make_supplier()
    contract = make_contract(org, supplier, reference="SKO 7")
    karlsborg_procurement = {"Authorization": f"Bearer {_token(org, Role.PROCUREMENT)}"}
    # Skövde keeps no ledger here: its parties keep the register for it.
    assert client.patch(f"/api/v1/contracts/{contract.id}", headers=karlsborg_procurement,
                        json={"title": "Ramavtal mobil"}).status_code == 200
    skovde = db.get(Organisation, contract.lead_organisation_id)
    skovde.keeps_ledger = True
    db.commit()
    refused = client.patch(f"/api/v1/contracts/{contract.id}", headers=karlsborg_procurement,
                           json={"title": "Ramavtal mobil 2"})
    assert refused.status_code == 403 and "Skövde kommun" in refused.json["error"]["message"]
    skovde_procurement = {"Authorization": f"Bearer {_token(skovde, Role.PROCUREMENT)}"}
    assert client.patch(f"/api/v1/contracts/{contract.id}", headers=skovde_procurement,
                        json={"title": "Ramavtal mobil 2"}).status_code == 200
    assert client.get(f"/api/v1/contracts/{contract.id}", headers=karlsborg_procurement).json["title"] == \
        "Ramavtal mobil 2"


def _token(organisation, role: Role) -> str:
    from tests.factories import make_token
    return make_token(make_user(organisation, role))


def test_the_cooperations_administrator_is_created_at_a_party_that_keeps_no_ledger(app, db, org) -> None:
    skovde = _skovde()
    runner = app.test_cli_runner()
    unnamed = runner.invoke(args=["users", "create", "samverkan", "--role", "cooperation", "--password-stdin"],
                            input=PASSWORD + "\n")
    assert unnamed.exit_code != 0 and "--organisation" in unnamed.output
    made = runner.invoke(args=["users", "create", "samverkan", "--role", "cooperation", "--organisation",
                               SKOVDE[1], "--password-stdin"], input=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    user = db.scalar(sa.select(User).where(User.username == "samverkan"))
    assert user is not None and user.organisation_id == skovde.id and not skovde.keeps_ledger
