"""Single sign-on's decisions, without a provider: who the claims name, what their groups give,
what is refused; and the administrator's table of groups. The log-in through a real provider is
``tests/browser/test_sso_login.py``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ledger.access import sso
from ledger.access.models import Role, SsoGroupMapping, User
from ledger.core.errors import Forbidden
from tests.conftest import audit_actions, csrf_token, log_in
from tests.factories import make_organisation, save

SETTINGS = sso.SsoSettings(issuer="https://login.example.se", client_id="ledger", client_secret="s")


@pytest.fixture
def groups(db, org, make_user):
    admin = make_user(Role.ADMIN)
    sso.add_mapping(admin, "GG-Ekonomi", Role.FINANCE, [])
    sso.add_mapping(admin, "GG-Forskola", Role.DEPARTMENT, ["3110"])
    sso.add_mapping(admin, "GG-Skola", Role.DEPARTMENT, ["3140"])
    save()
    return admin


def _claims(name: str, *groups: str, **more: str) -> dict[str, object]:
    return {"sub": f"id-{name}", "preferred_username": name, "name": name.title(), "groups": list(groups), **more}


@pytest.mark.usefixtures("groups")
def test_a_first_log_in_makes_the_user_with_the_role_and_units_of_their_groups(db, org) -> None:
    user = sso.sign_in(SETTINGS, _claims("bo.forskola", "GG-Forskola", "GG-Skola", "GG-Alla"))
    save()
    assert (user.username, user.role, [u.ansvar for u in user.units]) == ("bo.forskola", Role.DEPARTMENT,
                                                                           ["3110", "3140"])
    assert user.organisation_id == org.id
    created = audit_actions(db, "user.create")[-1]
    assert created.after["source"] == "sso" and created.after["units"] == ["3110", "3140"]
    assert audit_actions(db, "login.sso")[-1].after["groups"] == ["GG-Forskola", "GG-Skola"]


@pytest.mark.usefixtures("groups")
def test_the_broadest_role_wins_and_a_change_in_the_directory_applies_at_the_next_log_in(db) -> None:
    user = sso.sign_in(SETTINGS, _claims("anna", "GG-Forskola", "GG-Ekonomi"))
    assert (user.role, user.units) == (Role.FINANCE, [])  # finance sees every unit: no unit list
    save()
    again = sso.sign_in(SETTINGS, _claims("anna", "GG-Forskola"))
    save()
    assert again.id == user.id and (again.role, [u.ansvar for u in again.units]) == (Role.DEPARTMENT, ["3110"])
    change = audit_actions(db, "user.update")[-1]
    assert change.before["role"] == "finance" and change.after["role"] == "department"


@pytest.mark.usefixtures("groups")
@pytest.mark.parametrize(("claims", "refusal"), [
    (_claims("cecilia", "GG-Alla"), sso.NO_GROUP),
    (_claims("dan"), sso.NO_GROUP),
    ({"sub": "x", "groups": ["GG-Ekonomi"]}, sso.NO_NAME),
])
def test_nobody_gets_in_without_a_name_and_a_mapped_group(db, claims, refusal) -> None:
    with pytest.raises(Forbidden) as refused:
        sso.sign_in(SETTINGS, claims)
    assert refused.value.text == refusal
    assert db.scalar(sa.select(sa.func.count()).select_from(User).where(User.username.in_(["cecilia", "dan"]))) == 0


@pytest.mark.usefixtures("groups")
def test_a_deactivated_user_stays_out_and_groups_of_two_municipalities_are_refused(db, make_user) -> None:
    make_user(Role.FINANCE, username="eva").active = False
    save()
    with pytest.raises(Forbidden) as refused:
        sso.sign_in(SETTINGS, _claims("eva", "GG-Ekonomi"))
    assert refused.value.text == sso.DEACTIVATED
    hjo = make_organisation()
    hjo_admin = User(organisation_id=hjo.id, username="hjo-admin", display_name="Hjo", role=Role.ADMIN,
                     password_hash="x")

    save(hjo_admin)
    sso.add_mapping(hjo_admin, "GG-Hjo-Ekonomi", Role.FINANCE, [])
    save()
    with pytest.raises(Forbidden) as refused:
        sso.sign_in(SETTINGS, _claims("fia", "GG-Ekonomi", "GG-Hjo-Ekonomi"))
    assert refused.value.text == sso.SEVERAL_ORGANISATIONS


def test_the_administrator_keeps_the_groups_on_a_page(client, db, make_user) -> None:
    admin = make_user(Role.ADMIN)
    log_in(client, admin.username)
    page = client.get("/users/groups")
    assert page.status_code == 200 and "Inga grupper ännu" in page.text
    token = csrf_token(client, "/users/groups")
    added = client.post("/users/groups", data={"csrf_token": token, "group_name": "GG-Forskola",
                                               "role": "department", "units": ["3110"]})
    assert added.status_code == 302
    listed = client.get("/users/groups").text
    assert "GG-Forskola" in listed and "3110" in listed
    twice = client.post("/users/groups", data={"csrf_token": token, "group_name": "GG-Forskola", "role": "finance"})
    assert twice.status_code == 409 and "GG-Forskola är redan" in twice.text
    no_units = client.post("/users/groups", data={"csrf_token": token, "group_name": "GG-X", "role": "department"})
    assert no_units.status_code == 422 and "minst en enhet" in no_units.text
    mapping = db.scalar(sa.select(SsoGroupMapping).where(SsoGroupMapping.group_name == "GG-Forskola"))
    removed = client.post(f"/users/groups/{mapping.id}/delete", data={"csrf_token": token})
    assert removed.status_code == 302
    assert db.scalar(sa.select(sa.func.count()).select_from(SsoGroupMapping)) == 0
    assert [e.action for e in audit_actions(db) if e.action.startswith("sso_group")] == ["sso_group.create",
                                                                                          "sso_group.delete"]


@pytest.mark.parametrize("role", [Role.FINANCE, Role.AUDITOR, Role.DEPARTMENT])
def test_only_the_administrator_sees_the_groups(client, make_user, role) -> None:
    log_in(client, make_user(role, ["3110"] if role == Role.DEPARTMENT else []).username)
    assert client.get("/users/groups").status_code == 403


def test_without_a_provider_the_log_in_page_offers_only_the_password(client) -> None:
    page = client.get("/login").text
    assert 'id="sso-login"' not in page and 'name="password"' in page
    assert client.get("/login/sso").headers["Location"] == "/login"


def test_local_log_in_can_be_turned_off(app, client, make_user) -> None:
    user = make_user(Role.FINANCE)
    app.config["LEDGER_LOCAL_LOGIN"] = False
    try:
        assert 'name="password"' not in client.get("/login").text
        refused = log_in(client, user.username)
        assert refused.status_code == 403 and "avstängd" in refused.text
        assert client.get("/").status_code == 302  # not logged in
    finally:
        app.config["LEDGER_LOCAL_LOGIN"] = True
