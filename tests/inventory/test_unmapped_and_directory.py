"""The coverage check (what is not mapped to a unit) and the contact centre's directory."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from ledger.access.models import Role
from ledger.access.permissions import PERMISSIONS
from ledger.core import clock
from ledger.inventory.models import HandsetStatus, SubscriptionKind
from tests.conftest import log_in
from tests.factories import make_assignment, make_handset, make_imei, make_subscription, save

START = date(2025, 1, 1)  # the day the register's assets start

TODAY = clock.today()


def test_all_mapped_gives_zero(client, org, operator, api_headers) -> None:
    make_subscription(org, "070-100 00 01", org.forskola, supplier=operator, start=START)
    make_subscription(org, "070-100 00 02", org.va, supplier=operator, start=START,
                      end=TODAY - timedelta(days=10))  # ended: not a gap
    make_subscription(org, "070-100 00 03", supplier=operator,
                      start=TODAY + timedelta(days=30))  # not started: not a gap
    make_handset(org, 1, org.forskola)
    make_handset(org, 2, status=HandsetStatus.IN_STOCK)  # spare phone in stock: not a gap
    report = client.get("/api/v1/inventory/unmapped", headers=api_headers(Role.FINANCE)).json
    assert report["total"] == 0, report
    # the day checked is today in Sweden (a run may cross midnight since TODAY was read)
    assert report["day"] in {TODAY.isoformat(), clock.today().isoformat()}


def test_each_kind_of_gap_is_found(client, db, org, operator, api_headers) -> None:
    make_subscription(org, "070-100 00 01", org.forskola, supplier=operator, start=START)
    unassigned = make_subscription(org, "070-100 00 02", supplier=operator, start=START)
    lapsed = make_subscription(org, "070-100 00 03", org.skola, supplier=operator, start=START)
    lapsed.assignments[0].valid_to = TODAY - timedelta(days=5)  # the assignment ended, the subscription did not
    handset = make_handset(org, 1)  # in use, never assigned
    make_handset(org, 2, org.va)
    on_closed = make_handset(org, 4)
    make_assignment(on_closed, org.kansli, date(2025, 1, 1))
    # closed behind the service's back (as data from before the rule): the check must see it
    org.kansli.closed_on = TODAY - timedelta(days=1)
    save(org.kansli, lapsed)

    for role in (Role.FINANCE, Role.ADMIN, Role.AUDITOR):
        report = client.get("/api/v1/inventory/unmapped", headers=api_headers(role)).json
        assert report["total"] == 4, report
        assert [g["asset"] for g in report["subscriptions_unassigned"]] == [unassigned.number, lapsed.number]
        assert [(g["asset"], g["unit"], g["closed_on"]) for g in report["assigned_to_closed_units"]] == [
            (f"IMEI {make_imei(4)}", "1110", (TODAY - timedelta(days=1)).isoformat())]
        assert [(g["asset"], g["asset_id"]) for g in report["handsets_unassigned"]] == [
            (f"IMEI {make_imei(1)}", handset.id)]
    for role, units in ((Role.DEPARTMENT, ["3110"]), (Role.PROCUREMENT, [])):
        assert client.get("/api/v1/inventory/unmapped", headers=api_headers(role, units)).status_code == 403


def test_coverage_page_shows_the_total(client, org, operator, make_user) -> None:
    make_subscription(org, "070-100 00 02", supplier=operator, start=START)
    log_in(client, make_user(Role.AUDITOR).username)
    page = client.get("/inventory/unmapped").get_data(as_text=True)
    assert "Kopplingskontroll" in page and 'id="gap-total">1<' in page and "070-100 00 02" in page


@pytest.fixture
def directory_data(db, org, operator):
    jour = make_handset(org, 1, org.va, shared=True, shared_label="Jour VA")
    make_subscription(org, "070-100 00 01", org.va, supplier=operator, start=START, handset_id=jour.id)
    make_subscription(org, "070-100 00 02", org.forskola, supplier=operator, start=START, holder_name="Anna Svensson")
    make_subscription(org, "0505-17000", org.kansli, supplier=operator, start=START, kind=SubscriptionKind.FIXED_LINE,
                      label="Växelnummer", extension="7000")
    make_subscription(org, "070-100 00 03", org.forskola, supplier=operator, start=START, end=TODAY - timedelta(days=1))


@pytest.mark.parametrize("role", sorted(PERMISSIONS["directory.read"]))
def test_directory_json_for_every_role(client, org, directory_data, api_headers, role) -> None:
    entries = client.get("/api/v1/directory", headers=api_headers(role, ["3110"] if role == Role.DEPARTMENT
                                                                   else [])).json
    assert [(e["number"], e["unit"], e["function"], e["name"]) for e in entries] == [
        ("+4650517000", "1110", "Växelnummer", None),
        ("+46701000001", "2150", "Jour VA", None),
        ("+46701000002", "3110", None, "Anna Svensson"),
    ]
    assert entries[1]["shared"] is True and entries[1]["administration"] == "Samhällsbyggnadsförvaltningen"
    assert entries[0]["extension"] == "7000"


def test_directory_csv_has_a_bom_and_semicolons(client, org, directory_data, api_headers) -> None:
    response = client.get("/api/v1/directory?format=csv", headers=api_headers(Role.AUDITOR))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    # the fixed columns first, in their order; the unit's contact details after them (contact_centre)
    assert rows[0][:8] == ["Nummer", "Anknytning", "Typ", "Ansvar", "Enhet", "Förvaltning", "Funktion", "Namn"]
    assert rows[2][:8] == ["+46701000001", "", "mobile_voice", "2150", "VA-verksamheten",
                           "Samhällsbyggnadsförvaltningen", "Jour VA", ""]
    assert len(rows) == 4
    filtered = client.get("/api/v1/directory", headers=api_headers(Role.FINANCE),
                          query_string={"q": "jour"}).json
    assert [e["number"] for e in filtered] == ["+46701000001"]


def test_directory_page_and_csv_download(client, org, directory_data, make_user) -> None:
    log_in(client, make_user(Role.DEPARTMENT, ["3110"]).username)
    page = client.get("/inventory/directory").get_data(as_text=True)
    assert "Telefonkatalog" in page and "0505-170 00" in page and "Anna Svensson" in page
    download = client.get("/inventory/directory.csv?unit=3110")
    assert download.status_code == 200 and download.data.startswith(b"\xef\xbb\xbf")
    assert download.data.decode("utf-8-sig").count("\r\n") == 2  # header and Anna's number


def test_directory_search_finds_a_number_in_any_notation(client, org, directory_data,
                                                           api_headers) -> None:
    found = client.get("/api/v1/directory", headers=api_headers(Role.FINANCE), query_string={"q": "0701000002"})
    assert [e["number"] for e in found.json] == ["+46701000002"]


def test_directory_csv_does_not_let_a_label_become_a_formula(client, db, org, operator, api_headers) -> None:
    make_subscription(org, "070-100 00 09", org.va, supplier=operator, start=START,
                      label='=HYPERLINK("http://evil.example","Jour")')
    text = client.get("/api/v1/directory?format=csv", headers=api_headers(Role.FINANCE)).data.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text), delimiter=";"))[1]
    assert row[0] == "+46701000009" and row[6].startswith("'=HYPERLINK")


@pytest.mark.parametrize("path", ["/inventory/directory", "/inventory/directory.csv"])
def test_the_directory_reads_in_a_fixed_number_of_queries(client, db, org, operator, make_user, count_queries,
                                                          path: str) -> None:
    """Numbers at every unit (so every administration), half of them in a shared phone with its label."""
    log_in(client, make_user(Role.AUDITOR).username)
    client.get(path)
    units = [org.kansli, org.va, org.forskola, org.skola]
    names: list[str] = []

    def statements(numbers: int) -> int:
        for _ in range(numbers):
            n = len(names) + 1
            shared = make_handset(org, n, units[n % 4], shared=True, shared_label=f"Jour {n}") if n % 2 else None
            make_subscription(org, f"070-600 00 {n:02d}", units[n % 4], supplier=operator, start=START,
                              holder_name=f"Person {n:02d}", handset_id=shared.id if shared else None)
            names.append(f"Person {n:02d}")
        with count_queries() as seen:
            response = client.get(path)
        assert response.status_code == 200
        text = response.data.decode("utf-8-sig")
        assert all(name in text for name in names) and "Jour 1" in text
        return len(seen)

    assert statements(2) == statements(12)
