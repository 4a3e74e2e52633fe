"""Another municipality's people find none of Karlsborg's findings and claims: 404, as for an id
that does not exist, on every route that names one, and nothing of them in their lists."""

from __future__ import annotations

import pytest

from ledger.access.models import Role
from ledger.findings import claims, recording
from tests.conftest import PASSWORD, csrf_token
from tests.factories import make_administration, make_organisation, make_token, make_unit, make_user, save
from tests.findings.world import finding_of, make_world, overcharge

MISSING = 987654321


@pytest.fixture
def karlsborg(db, org) -> dict[str, int]:
    world = make_world(org)
    overcharge(world, "2026-10", "F-1001")
    recording.record_period(org.id, "2026-10")
    claim = claims.prepare(make_user(org, Role.FINANCE), world.operator.id)
    save()
    return {"finding": finding_of("price_above_contract").id, "claim": claim.id}


@pytest.fixture
def hjo(db) -> dict[Role, object]:
    hjo = make_organisation()
    make_administration(hjo, "KS", "Kommunstyrelsen Hjo")
    make_unit(hjo, "9110", "Hjo växel")
    people = {role: make_user(hjo, role, username=f"hjo-{role.value}") for role in (Role.FINANCE, Role.PROCUREMENT,
                                                                                   Role.AUDITOR)}
    save()
    return people


API = [("GET", "/api/v1/findings/{finding}", None), ("PATCH", "/api/v1/findings/{finding}", {"note": "x"}),
       ("POST", "/api/v1/findings/{finding}/transitions", {"action": "acknowledge"}),
       ("GET", "/api/v1/claims/{claim}", None), ("GET", "/api/v1/claims/{claim}/pdf", None),
       ("GET", "/api/v1/claims/{claim}/csv", None), ("DELETE", "/api/v1/claims/{claim}", None),
       ("POST", "/api/v1/claims/{claim}/transitions", {"action": "send"}),
       ("POST", "/api/v1/claims/{claim}/credit-note", {"invoice_id": 1})]
PAGES = [("GET", "/findings/{finding}"), ("POST", "/findings/{finding}/acknowledge"),
         ("POST", "/findings/{finding}/update"), ("GET", "/claims/{claim}"), ("GET", "/claims/{claim}.pdf"),
         ("GET", "/claims/{claim}.csv"),
         ("POST", "/claims/{claim}/send"), ("POST", "/claims/{claim}/discard"), ("POST", "/claims/{claim}/credit-note")]


def test_the_api_answers_404_for_another_municipalitys_finding_or_claim(client, karlsborg, hjo) -> None:
    for role, user in hjo.items():
        headers = {"Authorization": f"Bearer {make_token(user)}"}
        for method, path, body in API:
            theirs = client.open(path.format(**karlsborg), method=method, headers=headers, json=body)
            nothing = client.open(path.format(finding=MISSING, claim=MISSING), method=method, headers=headers,
                                  json=body)
            expected = 403 if role == Role.AUDITOR and method != "GET" else 404
            assert (theirs.status_code, nothing.status_code) == (expected, expected), (role, method, path)
            if expected == 404:
                assert theirs.json["error"]["message"].replace(str(karlsborg["finding"]), "N").replace(
                    str(karlsborg["claim"]), "N") == nothing.json["error"]["message"].replace(str(MISSING), "N")
        listed = client.get("/api/v1/findings", headers=headers).json
        assert listed == [] and client.get("/api/v1/claims", headers=headers).json == []
        assert client.get("/api/v1/claims/summary", headers=headers).json == []


def test_the_pages_answer_404_for_another_municipalitys_finding_or_claim(app, karlsborg, hjo) -> None:
    for role, user in hjo.items():
        client = app.test_client()
        client.post("/login", data={"username": user.username, "password": PASSWORD,
                                    "csrf_token": csrf_token(client)})
        token = csrf_token(client, "/findings")
        for method, path in PAGES:
            data = {"csrf_token": token} if method == "POST" else None
            theirs = client.open(path.format(**karlsborg), method=method, data=data)
            nothing = client.open(path.format(finding=MISSING, claim=MISSING), method=method, data=data)
            expected = 403 if role == Role.AUDITOR and method == "POST" else 404
            assert (theirs.status_code, nothing.status_code) == (expected, expected), (role, method, path)
        assert "F-1001" not in client.get("/findings").get_data(as_text=True)
        assert "REK-2026-001" not in client.get("/claims").get_data(as_text=True)
