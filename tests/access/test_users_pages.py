"""The administrator's users pages: add a user, change role and units, deactivate and reactivate,
a new password, revoke a token; each change audited with its before and after, within the
administrator's own organisation only, and never leaving the organisation without an active
administrator."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ledger.access import service
from ledger.access.models import ApiToken, Role, User
from ledger.core.errors import Conflict
from tests import factories
from tests.conftest import audit_actions, csrf_token, log_in
from tests.factories import make_token

NEW_PASSWORD = "violet tractor umbrella lagoon"


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(Role.ADMIN, username="chefadmin")
    assert log_in(client, admin.username).status_code == 302
    client.admin = admin
    return client


def _post(client, path: str, data: dict[str, object]):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/users")})


def _by_admin(db, action: str) -> list:
    """The events of ``action`` the logged-in administrator caused (not the fixtures' own)."""
    return [event for event in audit_actions(db, action) if event.actor_name == "chefadmin"]


def _reload(db, username: str) -> User:
    db.expire_all()
    return db.scalar(sa.select(User).where(User.username == username))


@pytest.mark.parametrize("role", [Role.DEPARTMENT, Role.FINANCE])
def test_department_and_finance_are_refused(client, make_user, role: Role) -> None:
    make_user(Role.AUDITOR, username="granskare")
    log_in(client, make_user(role, ["3110"] if role == Role.DEPARTMENT else []).username)
    for path in ("/users", "/users/new", "/users/granskare", "/audit"):
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/")
    refused = client.post("/users/granskare/active", data={"active": "0", "csrf_token": token})
    assert refused.status_code == 403


def test_the_users_page_lists_the_organisation_in_swedish(admin_client, make_user) -> None:
    make_user(Role.DEPARTMENT, ["3110"], username="forskolechef")
    factories.make_user(factories.make_organisation(), Role.FINANCE, username="hjobo")
    html = admin_client.get("/users").get_data(as_text=True)
    assert "forskolechef" in html and "3110" in html and "chefadmin" in html
    assert "hjobo" not in html
    assert "Senaste inloggning" in html


def test_another_organisations_admin_gets_404_for_our_user(client, db, make_user) -> None:
    make_user(Role.FINANCE, username="karlsborgare")
    hjo_admin = factories.make_user(factories.make_organisation(), Role.ADMIN)
    log_in(client, hjo_admin.username)
    assert client.get("/users/karlsborgare").status_code == 404
    assert _post(client, "/users/karlsborgare/active", {"active": "0"}).status_code == 404
    assert _post(client, "/users/karlsborgare/password", {"password": NEW_PASSWORD}).status_code == 404
    assert _reload(db, "karlsborgare").active


def test_the_admin_adds_a_user_and_it_is_audited(admin_client, db) -> None:
    response = _post(admin_client, "/users/new", {"username": "anna", "display_name": "Anna Ek", "role": "department",
                                                  "units": ["3110", "3140"], "password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/users/anna"
    user = _reload(db, "anna")
    assert user.role == Role.DEPARTMENT and [u.ansvar for u in user.units] == ["3110", "3140"]
    [event] = _by_admin(db, "user.create")
    assert event.actor_name == "chefadmin" and event.before is None
    assert event.after == {"username": "anna", "display_name": "Anna Ek", "role": "department",
                           "units": ["3110", "3140"], "active": True}
    assert log_in(admin_client.application.test_client(), "anna", NEW_PASSWORD).status_code == 302


def test_a_weak_password_or_a_taken_name_adds_nobody(admin_client, db) -> None:
    weak = _post(admin_client, "/users/new", {"username": "bertil", "role": "finance", "password": "short"})
    assert weak.status_code == 422 and "minst 12 tecken" in weak.get_data(as_text=True)
    guessable = _post(admin_client, "/users/new", {"username": "bertil", "role": "finance",
                                                   "password": "password1234"})
    assert guessable.status_code == 422 and "för lätt att gissa" in guessable.get_data(as_text=True)
    taken = _post(admin_client, "/users/new", {"username": "chefadmin", "role": "finance", "password": NEW_PASSWORD})
    assert taken.status_code == 409 and "Användarnamnet är upptaget." in taken.get_data(as_text=True)
    no_unit = _post(admin_client, "/users/new", {"username": "bertil", "role": "department", "password": NEW_PASSWORD})
    assert no_unit.status_code == 422
    assert _reload(db, "bertil") is None and _by_admin(db, "user.create") == []


def test_the_admin_changes_role_and_units_with_before_and_after(admin_client, db, make_user) -> None:
    make_user(Role.DEPARTMENT, ["3110"], username="cecilia")
    response = _post(admin_client, "/users/cecilia/role", {"role": "department", "units": ["3110", "3140"]})
    assert response.status_code == 302
    assert _post(admin_client, "/users/cecilia/role", {"role": "finance", "units": ["3110"]}).status_code == 302
    user = _reload(db, "cecilia")
    assert user.role == Role.FINANCE and user.units == []
    first, second = audit_actions(db, "user.role")
    assert (first.before["units"], first.after["units"]) == (["3110"], ["3110", "3140"])
    assert (second.before["role"], second.after["role"], second.after["units"]) == ("department", "finance", [])


def test_deactivating_ends_the_users_sessions_and_reactivating_lets_them_in(app, admin_client, db, make_user) -> None:
    make_user(Role.FINANCE, username="david")
    theirs = app.test_client()
    log_in(theirs, "david")
    token = make_token(_reload(db, "david"))
    assert theirs.get("/invoices").status_code == 200
    assert _post(admin_client, "/users/david/active", {"active": "0"}).status_code == 302
    assert theirs.get("/invoices").status_code == 302  # back to the log-in page
    assert theirs.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert not _reload(db, "david").active
    assert _post(admin_client, "/users/david/active", {"active": "1"}).status_code == 302
    assert _reload(db, "david").active
    off, on = audit_actions(db, "user.deactivate") + audit_actions(db, "user.reactivate")
    assert (off.before["active"], off.after["active"]) == (True, False)
    assert (on.before["active"], on.after["active"]) == (False, True)
    assert log_in(app.test_client(), "david").status_code == 302


def test_a_new_password_from_the_admin_ends_the_users_sessions(app, admin_client, db, make_user) -> None:
    make_user(Role.AUDITOR, username="eva")
    theirs = app.test_client()
    log_in(theirs, "eva")
    weak = _post(admin_client, "/users/eva/password", {"password": "eva"})
    assert weak.status_code == 422 and theirs.get("/audit").status_code == 200
    assert _post(admin_client, "/users/eva/password", {"password": NEW_PASSWORD}).status_code == 302
    assert theirs.get("/audit").status_code == 302
    assert log_in(app.test_client(), "eva", NEW_PASSWORD).status_code == 302
    [event] = audit_actions(db, "user.password")
    assert event.actor_name == "chefadmin" and NEW_PASSWORD not in str(event.after)
    assert event.before["password_changed"] is False and event.after["password_changed"] is True


def test_the_admin_sees_and_revokes_a_users_token(admin_client, db, make_user) -> None:
    user = make_user(Role.FINANCE, username="fredrik")
    make_token(user, "SIE-robot")
    token_id = db.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == user.id))
    html = admin_client.get("/users/fredrik").get_data(as_text=True)
    assert "SIE-robot" in html and "aktiv" in html and "Återkalla" in html
    assert _post(admin_client, f"/users/fredrik/tokens/{token_id}/revoke", {}).status_code == 302
    assert "återkallat" in admin_client.get("/users/fredrik").get_data(as_text=True)
    [event] = audit_actions(db, "token.revoke")
    assert event.before["revoked_at"] is None and event.after["revoked_at"]


def test_an_admin_cannot_deactivate_or_demote_themselves(admin_client, db) -> None:
    refused = _post(admin_client, "/users/chefadmin/active", {"active": "0"})
    assert refused.status_code == 409 and "Du kan inte inaktivera dig själv" in refused.get_data(as_text=True)
    assert _post(admin_client, "/users/chefadmin/role", {"role": "finance"}).status_code == 409
    admin = _reload(db, "chefadmin")
    assert admin.active and admin.role == Role.ADMIN
    assert audit_actions(db, "user.deactivate") == [] and audit_actions(db, "user.role") == []


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(db, make_user) -> None:
    only = make_user(Role.ADMIN, username="ensam")
    other = make_user(Role.ADMIN, username="tillfallig")
    service.set_active(only, other, False)  # another admin may go while one remains
    with pytest.raises(Conflict, match="last active administrator"):
        service.set_active(None, only, False)
    with pytest.raises(Conflict, match="last active administrator"):
        service.change_role(None, only, Role.FINANCE, [])
    assert only.active and only.role == Role.ADMIN


def test_the_admin_may_deactivate_another_admin_while_one_remains(admin_client, db, make_user) -> None:
    make_user(Role.ADMIN, username="andra")
    assert _post(admin_client, "/users/andra/active", {"active": "0"}).status_code == 302
    assert not _reload(db, "andra").active


def test_the_admins_navigation_has_users_and_the_log(admin_client) -> None:
    html = admin_client.get("/").get_data(as_text=True)
    assert 'href="/users">Användare</a>' in html and 'href="/audit">Logg</a>' in html
