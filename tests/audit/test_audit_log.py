"""The audit log, as ``GET /api/v1/audit`` and the ``/audit`` page: auditors and administrators
of the organisation only, filtered by time, actor, kind and object, paged newest first, each
event's before and after shown field by field."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ledger.access import service as users
from ledger.access.models import Role
from ledger.audit import service as audit
from tests import factories
from tests.conftest import audit_actions, log_in
from tests.factories import save

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # 10:00 in Stockholm


def _event(actor, action: str, entity_type: str = "user", entity_id: object = 1, *, at: datetime = T0,
           organisation_id: int | None = None, before=None, after=None):
    event = audit.record(actor, action, entity_type, entity_id, before=before, after=after,
                         organisation_id=organisation_id)
    event.occurred_at = at
    return event


@pytest.fixture
def events(db, org, make_user):
    """Five events of the organisation over five days, and one of another organisation; and the
    bearer tokens of an auditor and an administrator (their own events are taken out of the log)."""
    admin = make_user(Role.ADMIN, username="chefadmin")
    finance = make_user(Role.FINANCE, username="ekonom")
    auditor = make_user(Role.AUDITOR, username="revisor")
    headers = {role: {"Authorization": f"Bearer {factories.make_token(user)}"}
               for role, user in ((Role.ADMIN, admin), (Role.AUDITOR, auditor))}
    for event in audit_actions(db):
        db.delete(event)
    _event(admin, "user.create", "user", finance.id, at=T0, after={"username": "ekonom"})
    _event(admin, "user.role", "user", finance.id, at=T0 + timedelta(days=1),
           before={"role": "finance", "units": []}, after={"role": "department", "units": ["3110"]})
    _event(finance, "assignment.create", "assignment", 7, at=T0 + timedelta(days=2), after={"unit": "3110"})
    _event(admin, "token.issue", "api_token", 3, at=T0 + timedelta(days=3), after={"label": "robot"})
    _event(None, "login.failed", "user", "okand", at=T0 + timedelta(days=4), organisation_id=org.id,
           after={"username": "okand"})
    other = factories.make_organisation()
    _event(None, "user.create", "user", 99, at=T0, organisation_id=other.id, after={"username": "hjobo"})
    save()
    return {"admin": admin, "finance": finance, "auditor": auditor, "headers": headers}


def _get(client, headers, **query):
    response = client.get("/api/v1/audit", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def _actions(response) -> list[str]:
    return [row["action"] for row in response.json]


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMIN])
def test_auditors_and_admins_read_their_own_organisations_log_newest_first(client, events, role) -> None:
    response = _get(client, events["headers"][role])
    assert _actions(response) == ["login.failed", "token.issue", "assignment.create", "user.role", "user.create"]
    assert "hjobo" not in response.get_data(as_text=True)
    role_change = response.json[3]
    assert role_change["actor"] == "chefadmin" and role_change["entity_type"] == "user"
    assert role_change["before"] == {"role": "finance", "units": []}
    assert role_change["after"] == {"role": "department", "units": ["3110"]}
    assert role_change["occurred_at"].startswith("2026-11-03T09:00")


@pytest.mark.parametrize("role", [Role.FINANCE, Role.DEPARTMENT, Role.PROCUREMENT])
def test_other_roles_are_refused(client, events, api_headers, role) -> None:
    headers = api_headers(role, ["3110"] if role == Role.DEPARTMENT else [])
    assert client.get("/api/v1/audit", headers=headers).status_code == 403
    assert client.get("/api/v1/audit").status_code == 401


def test_filters_by_since_actor_kind_and_object(client, events) -> None:
    headers = events["headers"][Role.AUDITOR]
    assert _actions(_get(client, headers, since="2026-11-05")) == ["login.failed", "token.issue"]
    # a time without an offset is Stockholm's: 10:00 there is 09:00 UTC, the moment of the event
    assert len(_get(client, headers, since="2026-11-05T10:00").json) == 2
    assert len(_get(client, headers, since="2026-11-05T10:01").json) == 1
    assert len(_get(client, headers, since="2026-11-05T09:00:00+00:00").json) == 2
    assert _actions(_get(client, headers, actor="ekonom")) == ["assignment.create"]
    assert _actions(_get(client, headers, actor="system")) == ["login.failed"]
    assert _actions(_get(client, headers, kind="user.create")) == ["user.create"]
    assert _actions(_get(client, headers, kind="user.")) == ["user.role", "user.create"]
    assert _actions(_get(client, headers, kind="user")) == ["user.role", "user.create"]
    assert _actions(_get(client, headers, kind="use")) == []
    assert _actions(_get(client, headers, object="api_token")) == ["token.issue"]
    finance_id = events["finance"].id
    assert _actions(_get(client, headers, object=f"user:{finance_id}")) == ["user.role", "user.create"]
    assert _actions(_get(client, headers, object="user", kind="login")) == ["login.failed"]


def test_a_since_that_is_no_time_fails_validation(client, events) -> None:
    response = client.get("/api/v1/audit?since=yesterday", headers=events["headers"][Role.AUDITOR])
    assert response.status_code == 422 and response.json["error"]["details"][0]["field"] == "since"
    nul = client.get("/api/v1/audit", headers=events["headers"][Role.AUDITOR], query_string={"actor": "a\x00b"})
    assert nul.status_code == 422 and nul.json["error"]["details"][0]["field"] == "actor"


def test_pages_with_the_total_in_the_header(client, events) -> None:
    headers = events["headers"][Role.ADMIN]
    first = _get(client, headers, page_size=2)
    meta = json.loads(first.headers["X-Pagination"])
    assert meta["total"] == 5 and meta["total_pages"] == 3 and meta["next_page"] == 2
    assert _actions(first) == ["login.failed", "token.issue"]
    last = _get(client, headers, page_size=2, page=3)
    assert _actions(last) == ["user.create"] and "next_page" not in json.loads(last.headers["X-Pagination"])
    filtered = json.loads(_get(client, headers, kind="user", page_size=1).headers["X-Pagination"])
    assert filtered["total"] == 2
    assert client.get("/api/v1/audit?page_size=1001", headers=headers).status_code == 422


def test_the_page_shows_each_change_field_by_field(client, events) -> None:
    log_in(client, events["auditor"].username)
    html = client.get("/audit").get_data(as_text=True)
    assert "hjobo" not in html and "träffar: 5" in html
    assert ("<li class=\"changed\"><mark><strong>Roll</strong>: <del>ekonomi</del> → "
            "<ins>verksamhet</ins></mark></li>") in html
    assert "<strong>Enheter</strong>: <del>—</del> → <ins>3110</ins>" in html
    assert "3 nov. 2026 10:00:00" in html  # Stockholm's time, in Swedish
    filtered = client.get("/audit?kind=token&since=2026-11-01").get_data(as_text=True)
    assert "robot" in filtered and "ekonom" not in filtered.split("<h2>")[-1]
    assert client.get("/audit?since=igår").status_code == 422


def test_an_unchanged_field_is_shown_but_not_highlighted(client, db, org, make_user) -> None:
    admin = make_user(Role.ADMIN, username="chefadmin")
    _event(admin, "user.role", before={"username": "x", "role": "finance"}, after={"username": "x", "role": "admin"})
    save()
    log_in(client, admin.username)
    html = client.get("/audit?kind=user.role").get_data(as_text=True)
    assert "<li><strong>Användarnamn</strong>: x</li>" in html
    assert "<mark><strong>Roll</strong>: <del>ekonomi</del> → <ins>administratör</ins></mark>" in html


def test_the_page_has_fifty_events_a_page_newest_first(client, db, org, make_user) -> None:
    admin = make_user(Role.ADMIN, username="chefadmin")
    for n in range(55):
        _event(admin, "token.issue", "api_token", n, at=T0 + timedelta(minutes=n), after={"label": f"robot-{n}"})
    save()
    log_in(client, admin.username)
    first = client.get("/audit?kind=token").get_data(as_text=True)
    assert first.count('class="audit-event"') == 50 and "Sida 1 av 2" in first
    assert first.index("robot-54") < first.index("robot-53") and "robot-4<" not in first
    second = client.get("/audit?kind=token&page=2").get_data(as_text=True)
    assert second.count('class="audit-event"') == 5 and "robot-0<" in second


def test_each_admin_action_is_on_the_page_and_the_api(app, client, db, org, make_user, api_headers) -> None:
    admin = make_user(Role.ADMIN, username="chefadmin")
    new = users.add_user(admin, username="gustav", display_name="Gustav", role=Role.FINANCE, unit_codes=[],
                         password="violet tractor umbrella lagoon")
    users.change_role(admin, new, Role.DEPARTMENT, ["3110"])
    users.set_active(admin, new, False)
    users.set_active(admin, new, True)
    users.set_password(admin, new, "another quiet harbour lantern")
    save()
    expected = ["user.password", "user.reactivate", "user.deactivate", "user.role", "user.create"]
    rows = _get(client, api_headers(Role.AUDITOR), actor="chefadmin", object=f"user:{new.id}").json
    assert [row["action"] for row in rows] == expected
    assert all(row["after"] for row in rows) and all(row["before"] for row in rows[:-1])
    log_in(client, admin.username)
    html = client.get(f"/audit?object=user:{new.id}").get_data(as_text=True)
    assert html.count('class="audit-event"') == 5
    for text in ("Användare tillagd", "Roll eller enheter ändrade", "Användare inaktiverad", "Användare aktiverad igen",
                 "Nytt lösenord"):
        assert text in html, text
