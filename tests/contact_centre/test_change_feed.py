"""The change feed: every change of who answers a number, recorded with the change, read by the
contact centre as JSON, a page and an Atom feed, and by no one of another municipality."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from lxml import etree

from ledger.access.models import Role
from ledger.contact_centre import recording
from ledger.contact_centre.models import DirectoryChange
from ledger.core import clock
from ledger.database.transaction import commit
from ledger.inventory import operator_list
from ledger.organisation.models import Administration
from tests.conftest import count, csrf_token, log_in
from tests.factories import (
    OPERATOR_ORGNR,
    make_handset,
    make_organisation,
    make_subscription,
    make_token,
    make_unit,
    make_user,
    save,
)

TODAY = clock.today()
YESTERDAY = TODAY - timedelta(days=1)
START = date(2025, 1, 1)
ATOM = "{http://www.w3.org/2005/Atom}"


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(user)}"}


def feed_changes(client, headers, since: date | None = None, kind: str | None = None) -> list[dict]:
    response = client.get("/api/v1/directory/changes", headers=headers,
                          query_string={"since": since.isoformat()} if since else {})
    assert response.status_code == 200, response.json
    assert "X-Pagination" in response.headers
    return [c for c in response.json if kind is None or c["kind"] == kind]


@pytest.fixture
def approved_yesterday(client, org, operator, api_headers, monkeypatch) -> tuple[int, str]:
    """A department's request to move 070-111 22 33 from 3110 to 3140 from today, approved by
    finance yesterday afternoon: the request's id and the number."""
    sub = make_subscription(org, "070-111 22 33", org.forskola, supplier=operator, start=START)
    asked = client.post("/api/v1/assignments", headers=api_headers(Role.DEPARTMENT, ["3110"]),
                        json={"number": "070-111 22 33", "unit": "3140", "valid_from": TODAY.isoformat()})
    assert asked.status_code == 202, asked.json
    with monkeypatch.context() as clock_at:
        clock_at.setattr(recording, "utcnow", lambda: datetime.combine(YESTERDAY, time(14, 10), tzinfo=clock.ZONE))
        approved = client.post(f"/api/v1/assignment-requests/{asked.json['request_id']}/approve",
                               headers=api_headers(Role.FINANCE))
    assert approved.status_code == 200, approved.json
    return asked.json["request_id"], sub.number


def test_a_move_request_approved_yesterday_is_in_todays_change_feed(client, contact_centre,
                                                                    approved_yesterday) -> None:
    request_id, number = approved_yesterday
    reader = bearer(contact_centre)
    [change] = feed_changes(client, reader, since=YESTERDAY, kind="request")
    assert change["numbers"] == [number] and change["request_id"] == request_id
    assert change["from_unit"] == {"code": "3110", "name": "Förskolor centrala Karlsborg"}
    assert change["to_unit"] == {"code": "3140", "name": "Ekbackeskolan"}
    assert change["effective_on"] == TODAY.isoformat()
    assert datetime.fromisoformat(change["recorded_at"]).astimezone(clock.ZONE).date() == YESTERDAY
    assert feed_changes(client, reader, kind="request") == [change]  # the last 30 days by default
    assert feed_changes(client, reader, since=TODAY, kind="request") == []  # recorded before today
    new = feed_changes(client, reader, since=TODAY, kind="new")  # the subscription itself, registered today
    assert [c["numbers"] for c in new] == [[number]] and new[0]["to_unit"]["code"] == "3110"


def _atom(body: bytes) -> etree._Element:
    root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):  # what RFC 4287 requires of a feed
        assert len(root.findall(f"{ATOM}{tag}")) == 1, tag
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    for entry in root.findall(f"{ATOM}entry"):  # and of each entry
        for tag in ("id", "title", "updated", "summary"):
            assert len(entry.findall(f"{ATOM}{tag}")) == 1, tag
        assert entry.findtext(f"{ATOM}id", "").startswith("urn:uuid:")
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
    ids = [entry.findtext(f"{ATOM}id") for entry in root.findall(f"{ATOM}entry")]
    assert len(ids) == len(set(ids))
    return root


def _request_entry(root: etree._Element) -> etree._Element:
    [entry] = [e for e in root.findall(f"{ATOM}entry") if e.find(f"{ATOM}category").get("term") == "request"]
    return entry


def test_the_atom_feed_read_with_a_feed_token_holds_the_approved_request(app, client, contact_centre,
                                                                         approved_yesterday) -> None:
    log_in(client, contact_centre.username)
    made = client.post("/directory/changes/feed-address",
                       data={"action": "issue", "csrf_token": csrf_token(client, "/directory/changes")})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    address = re.search(r'value="(http://localhost/directory/changes\.atom\?token=[^"]+)"',
                        made.get_data(as_text=True)).group(1)

    mail_client = app.test_client()  # no session: the address alone
    response = mail_client.get(address.removeprefix("http://localhost"))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    entry = _request_entry(_atom(response.data))
    assert "070-111 22 33" in entry.findtext(f"{ATOM}title")
    assert entry.findtext(f"{ATOM}title").startswith("Flyttbegäran godkänd")  # Swedish by default
    summary = entry.findtext(f"{ATOM}summary")
    assert "3110 Förskolor centrala Karlsborg" in summary and "3140 Ekbackeskolan" in summary
    assert entry.findtext(f"{ATOM}updated").startswith(YESTERDAY.isoformat())
    # the same feed through the API, with the API's bearer token
    api = client.get("/api/v1/directory/changes.atom", headers=bearer(contact_centre))
    assert api.status_code == 200 and api.mimetype == "application/atom+xml"
    assert _request_entry(_atom(api.data)).findtext(f"{ATOM}id") == entry.findtext(f"{ATOM}id")


def test_the_atom_feed_without_credentials_is_refused(app, client, db, contact_centre) -> None:
    anyone = app.test_client()
    for path in ("/directory/changes.atom", "/directory/changes.atom?token=not-a-token",
                 "/api/v1/directory/changes.atom", "/api/v1/directory/changes"):
        response = anyone.get(path)
        assert response.status_code == 401, path
        assert "WWW-Authenticate" in response.headers, path
    # an API token is no feed token, and a feed token no API token
    api_token = make_token(contact_centre)
    assert anyone.get(f"/directory/changes.atom?token={api_token}").status_code == 401
    log_in(client, contact_centre.username)
    page = client.post("/directory/changes/feed-address",
                       data={"action": "issue", "csrf_token": csrf_token(client, "/directory/changes")})
    token = re.search(r"token=([\w-]+)", page.get_data(as_text=True)).group(1)
    assert anyone.get("/api/v1/directory/changes", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert anyone.get(f"/directory/changes.atom?token={token}").status_code == 200


def test_a_new_feed_address_ends_the_old_and_ending_it_ends_it(app, client, db, contact_centre) -> None:
    log_in(client, contact_centre.username)

    def issue(action: str = "issue") -> str | None:
        page = client.post("/directory/changes/feed-address",
                           data={"action": action, "csrf_token": csrf_token(client, "/directory/changes")})
        found = re.search(r"token=([\w-]+)", page.get_data(as_text=True))
        return found.group(1) if found else None

    anyone = app.test_client()
    first = issue()
    second = issue()
    assert first and second and first != second
    assert anyone.get(f"/directory/changes.atom?token={first}").status_code == 401
    assert anyone.get(f"/directory/changes.atom?token={second}").status_code == 200
    assert issue("revoke") is None
    assert anyone.get(f"/directory/changes.atom?token={second}").status_code == 401
    assert client.post("/directory/changes/feed-address", data={"action": "issue"}).status_code == 400  # no CSRF


def test_a_feed_token_reads_only_while_its_user_may(app, db, org, contact_centre) -> None:
    from ledger.contact_centre import feed

    token = feed.issue(contact_centre)
    save()
    anyone = app.test_client()
    assert anyone.get(f"/directory/changes.atom?token={token}").status_code == 200
    contact_centre.role = Role.COOPERATION  # outside the ledger: no longer one of the feed's readers
    save()
    assert anyone.get(f"/directory/changes.atom?token={token}").status_code == 403
    contact_centre.role, contact_centre.active = Role.CONTACT_CENTRE, False
    save()
    assert anyone.get(f"/directory/changes.atom?token={token}").status_code == 401


def test_every_kind_of_change_is_recorded_with_its_day_numbers_and_units(client, db, org, operator,
                                                                        api_headers, contact_centre) -> None:
    finance = api_headers(Role.FINANCE)
    created = client.post("/api/v1/subscriptions", headers=finance, json={
        "number": "070-100 00 01", "kind": "mobile_voice", "supplier": OPERATOR_ORGNR, "start_date": "2025-02-01",
        "unit": "3110"})
    assert created.status_code == 201, created.json
    a = make_subscription(org, "070-100 00 02", org.forskola, supplier=operator, start=START)
    make_subscription(org, "070-100 00 03", org.forskola, supplier=operator, start=START)
    make_handset(org, 1, org.forskola)  # a handset has no number: its moves are no one's calls
    assert client.post("/api/v1/assignments", headers=finance, json={
        "number": a.number, "unit": "2150", "valid_from": "2026-03-01"}).status_code == 201
    assert client.post("/api/v1/units/3110/reorganise", headers=finance,
                       json={"to": "3140", "valid_from": "2026-04-01"}).status_code == 200
    assert client.patch(f"/api/v1/subscriptions/{a.id}", headers=finance,
                        json={"end_date": "2026-05-31"}).status_code == 200
    social = Administration(organisation_id=org.id, code="SOC", name="Socialförvaltningen")
    save(social)
    assert client.post("/api/v1/units/3140/administration", headers=api_headers(Role.ADMIN),
                       json={"administration": "SOC", "valid_from": "2026-06-01"}).status_code == 200

    changes = feed_changes(client, bearer(contact_centre))
    seen = sorted((c["kind"], c["effective_on"], tuple(c["numbers"]), (c["from_unit"] or {}).get("code"),
                   (c["to_unit"] or {}).get("code")) for c in changes if c["kind"] != "new")
    assert seen == [
        ("administration", "2026-06-01", (), None, None),
        ("ended", "2026-06-01", ("+46701000002",), "2150", None),
        ("moved", "2026-03-01", ("+46701000002",), "3110", "2150"),
        ("reorganisation", "2026-04-01", ("+46701000001", "+46701000003"), "3110", "3140"),
    ]
    [unit_moved] = [c for c in changes if c["kind"] == "administration"]
    assert unit_moved["unit"]["code"] == "3140" and unit_moved["from_administration"]["code"] == "BUF"
    assert unit_moved["to_administration"] == {"code": "SOC", "name": "Socialförvaltningen"}
    new = sorted((c["effective_on"], c["numbers"][0], c["to_unit"]["code"]) for c in changes if c["kind"] == "new")
    assert new == [("2025-01-01", "+46701000002", "3110"), ("2025-01-01", "+46701000003", "3110"),
                   ("2025-02-01", "+46701000001", "3110")]


def test_a_refused_change_leaves_no_entry_in_the_feed(client, db, org, operator, api_headers) -> None:
    sub = make_subscription(org, "070-100 00 02", org.forskola, supplier=operator, start=START)
    before = count(db, DirectoryChange)
    closed = make_unit(org, "3999", "Nedlagd enhet", closed_on=date(2026, 1, 1))
    refused = client.post("/api/v1/assignments", headers=api_headers(Role.FINANCE),
                          json={"number": sub.number, "unit": closed.ansvar, "valid_from": "2026-03-01"})
    assert refused.status_code in (409, 422)
    assert count(db, DirectoryChange) == before


def test_the_operators_list_writes_its_moves_new_numbers_and_ends(db, org, operator, make_user) -> None:
    make_subscription(org, "070-100 00 01", org.forskola, supplier=operator, start=START, operator_reference="AB-1")
    make_subscription(org, "070-100 00 02", org.forskola, supplier=operator, start=START, operator_reference="AB-2")
    before = {c.id for c in db.scalars(sa.select(DirectoryChange))}
    listed = f"""Nummer;Typ;Abonnemangs-id;Ansvar;Startdatum;Slutdatum;Operatör organisationsnummer;Gäller från
070-100 00 01;Mobil;AB-1;3140;2025-01-01;;{OPERATOR_ORGNR};2026-02-01
070-100 00 02;Mobil;AB-2;3110;2025-01-01;2026-02-28;{OPERATOR_ORGNR};
070-100 00 03;Mobil;AB-3;2150;2026-01-15;;{OPERATOR_ORGNR};
"""
    result = operator_list.import_list(make_user(Role.FINANCE), org.id, listed.encode(), "lista.csv")
    assert result.applied and not result.errors
    commit()
    written = [c for c in db.scalars(sa.select(DirectoryChange).order_by(DirectoryChange.id)) if c.id not in before]
    assert sorted((c.kind.value, c.effective_on, [n.number for n in c.numbers]) for c in written) == [
        ("ended", date(2026, 3, 1), ["+46701000002"]),
        ("moved", date(2026, 2, 1), ["+46701000001"]),
        ("new", date(2026, 1, 15), ["+46701000003"]),
    ]


def test_another_municipality_sees_none_of_the_changes(client, db, org, operator, approved_yesterday) -> None:
    hjo = make_organisation()
    save(Administration(organisation_id=hjo.id, code="KS", name="Kommunstyrelsen Hjo"))
    make_unit(hjo, "9110", "Hjo växel")
    theirs = make_user(hjo, Role.CONTACT_CENTRE, username="hjo-kontaktcenter")
    assert feed_changes(client, bearer(theirs), since=YESTERDAY) == []
    log_in(client, theirs.username)
    page = client.get("/directory/changes")
    assert page.status_code == 200 and "070-111 22 33" not in page.get_data(as_text=True)
    atom = client.get("/directory/changes.atom")  # a logged-in browser reads it by its session
    assert atom.status_code == 200 and _atom(atom.data).findall(f"{ATOM}entry") == []


def test_the_changes_page_lists_the_change_and_links_from_the_directory(client, contact_centre,
                                                                       approved_yesterday) -> None:
    log_in(client, contact_centre.username)
    directory = client.get("/inventory/directory").get_data(as_text=True)
    assert 'href="/directory/changes"' in directory
    page = client.get("/directory/changes", query_string={"since": YESTERDAY.isoformat()})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Flyttbegäran godkänd" in text and "070-111 22 33" in text and "3140 Ekbackeskolan" in text
    assert client.get("/directory/changes", query_string={"since": "not a day"}).status_code == 422
    download = client.get("/directory/changes", query_string={"since": YESTERDAY.isoformat(), "format": "csv"})
    assert download.status_code == 200 and "+46701112233" in download.data.decode("utf-8-sig")
