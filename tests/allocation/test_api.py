"""Allocation, period close, journal and suspense through HTTP: roles, scoping, pages."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.allocation.check import check
from ledger.allocation.engine import allocate
from ledger.allocation.models import JournalEntry
from ledger.inventory.models import SubscriptionKind
from tests.conftest import csrf_token, engine_name, log_in
from tests.factories import (
    MARCH,
    SUPPLIER,
    Org,
    import_invoice,
    invoice_operator,
    line,
    make_handset,
    make_imei,
    make_subscription,
    make_supplier,
    save,
)
from tests.importers.ubl_builder import Line


@pytest.fixture
def ledger(db, org) -> Org:
    """Two numbers at Förskolan and VA, and a March invoice with a third nobody has."""
    make_supplier("Operatören AB", SUPPLIER)
    make_subscription(org, "0701234567", org.forskola)
    make_subscription(org, "0702345678", org.va)
    import_invoice(org, [line("0701234567", "100.00", period=MARCH), line("0702345678", "50.00", period=MARCH),
                         line("0709999999", "7.00", period=MARCH)])
    return org


def test_finance_allocates_and_closes_through_the_api(client, ledger, api_headers) -> None:
    headers = api_headers(Role.FINANCE)
    response = client.post("/api/v1/periods/2026-03/allocate", headers=headers)
    assert response.status_code == 200
    assert response.json["allocated_total"] == "150.00" and response.json["suspense_total"] == "7.00"
    again = client.post("/api/v1/periods/2026-03/allocate", headers=headers).json
    assert again["entries"] == 0
    closed = client.post("/api/v1/periods/2026-03/close", headers=headers)
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    twice = client.post("/api/v1/periods/2026-03/close", headers=headers)
    assert twice.status_code == 409 and twice.json["error"]["message"] == "period 2026-03 is already closed"
    bad = client.post("/api/v1/periods/2026-3/allocate", headers=headers)
    assert bad.status_code == 400


@pytest.mark.parametrize("role", [Role.DEPARTMENT, Role.AUDITOR, Role.PROCUREMENT, Role.ADMIN])
@pytest.mark.parametrize("action", ["allocate", "close"])
def test_only_finance_allocates_and_closes(client, ledger, api_headers, role: Role, action: str) -> None:
    headers = api_headers(role, ["3110"] if role == Role.DEPARTMENT else [])
    assert client.post(f"/api/v1/periods/2026-03/{action}", headers=headers).status_code == 403


def test_journal_is_scoped_to_a_department_users_units(client, ledger, api_headers) -> None:
    client.post("/api/v1/periods/2026-03/allocate", headers=api_headers(Role.FINANCE))
    department = api_headers(Role.DEPARTMENT, ["3110"])
    entries = client.get("/api/v1/journal?period=2026-03", headers=department).json
    assert [(e["unit"], e["amount"], e["rule"]) for e in entries] == [("3110", "100.00", "direct")]
    assert entries[0]["asset"] == {"subscription": "+46701234567"}
    assert entries[0]["invoice_line"]["reference_source"] == "BT-128"
    assert client.get("/api/v1/journal?unit=2150", headers=department).status_code == 403
    everything = client.get("/api/v1/journal?period=2026-03", headers=api_headers(Role.AUDITOR)).json
    assert sorted(e["rule"] for e in everything) == ["direct", "direct", "suspense"]


def test_suspense_lists_lines_and_why(client, ledger, api_headers) -> None:
    client.post("/api/v1/periods/2026-03/allocate", headers=api_headers(Role.FINANCE))
    listed = client.get("/api/v1/suspense?period=2026-03", headers=api_headers(Role.AUDITOR)).json
    assert [(s["reference"], s["amount"]) for s in listed] == [("0709999999", "7.00")]
    assert "no subscription" in listed[0]["reason"]
    assert client.get("/api/v1/suspense", headers=api_headers(Role.DEPARTMENT, ["3110"])).status_code == 403


def test_finance_resolves_suspense_in_the_page(client, db, org, ledger, make_user) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    client.post("/periods", data={"period": "2026-03", "action": "allocate",
                                  "csrf_token": csrf_token(client, "/periods")})
    page = client.get("/suspense?period=2026-03").get_data(as_text=True)
    assert "070-999 99 99" in page and "7,00\u00a0kr" in page  # the reference as the inventory shows numbers
    line_id = db.scalar(sa.select(JournalEntry.invoice_line_id).where(JournalEntry.rule == "suspense"))
    response = client.post("/suspense?period=2026-03", data={
        "line_id": line_id, "period": "2026-03", "unit": "3140", "valid_from": "2026-03-01",
        "csrf_token": csrf_token(client, "/suspense")}, follow_redirects=True)
    assert "Tilldelad 3140" in response.get_data(as_text=True) or "Assigned to 3140" in response.get_data(as_text=True)
    assert "Inget i vänteläge" in client.get("/suspense?period=2026-03").get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.sum(JournalEntry.amount)).where(JournalEntry.unit_id == org.skola.id)) \
        == Decimal("7.00")
    assert check() == []


def test_each_entry_explains_itself(client, db, org, ledger, make_user) -> None:
    from ledger.allocation.engine import allocate

    allocate(None, org.organisation, "2026-03")
    save()
    va_entry = db.scalar(sa.select(JournalEntry.id).where(JournalEntry.unit_id == org.va.id))
    log_in(client, make_user(Role.AUDITOR).username)
    page = client.get(f"/journal/{va_entry}").get_data(as_text=True)
    account = db.get(JournalEntry, va_entry).account
    for text in ("2150 VA-verksamheten", account, "070-234 56 78", "F-1", "BT-128", "50,00\u00a0kr"):
        assert text in page
    department = make_user(Role.DEPARTMENT, ["3110"])
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    log_in(client, department.username)
    assert client.get(f"/journal/{va_entry}").status_code == 403


def test_periods_page_shows_totals_per_rule(client, db, ledger, make_user) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    response = client.post("/periods", data={"period": "2026-03", "action": "allocate",
                                             "csrf_token": csrf_token(client, "/periods")})
    page = response.get_data(as_text=True)
    assert "150,00\u00a0kr" in page and "7,00\u00a0kr" in page and "2026-03" in page


@pytest.mark.skipif(engine_name() != "postgresql", reason="row locks are tested on PostgreSQL")
def test_two_concurrent_allocations_do_not_double_book(app, db, org, ledger) -> None:
    from ledger.allocation.engine import allocate
    from ledger.database import db as _db
    from ledger.organisation.models import Organisation

    barrier = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []
    organisation_id = org.id  # read here: the test's objects belong to the test's session

    def worker() -> None:
        with app.app_context():
            try:
                organisation = _db.session.get(Organisation, organisation_id)
                barrier.wait()
                allocate(None, organisation, "2026-03")
                save()  # the worker's own unit of work, as a request's
            except BaseException as error:
                errors.append(error)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [], [repr(e) for e in errors]
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(JournalEntry)) == 3
    assert db.scalar(sa.select(sa.func.sum(JournalEntry.amount))) == Decimal("157.00")
    assert check() == []


# -- the lists, in a fixed number of statements ----------------------------------------------


@pytest.mark.parametrize(("url", "role"), [("/api/v1/journal?period=2026-03", Role.AUDITOR),
                                           ("/api/v1/journal?period=2026-03", Role.DEPARTMENT),
                                           ("/api/v1/suspense?period=2026-03", Role.AUDITOR)])
def test_the_journal_and_suspense_read_in_a_fixed_number_of_queries(client, db, org, api_headers, count_queries,
                                                                    url: str, role: Role) -> None:
    """Each round an invoice of its own: numbers at four units (a switchboard extension among
    them), a handset, and as many unknown numbers, then the period allocated again."""
    invoice_operator()
    headers = api_headers(role, ["3110", "3140"] if role == Role.DEPARTMENT else [])
    client.get(url, headers=headers)
    units = [org.forskola, org.skola, org.va, org.kansli]
    invoices: list[str] = []
    lines_made = 0

    def statements(numbers: int) -> int:
        nonlocal lines_made
        lines = []
        for _ in range(numbers):
            n = lines_made = lines_made + 1
            make_subscription(org, f"070-800 00 {n:02d}", units[(n - 1) % 4],
                              kind=SubscriptionKind.SWITCHBOARD_EXTENSION if n % 4 == 3 else
                              SubscriptionKind.MOBILE_VOICE)
            lines += [line(f"070-800 00 {n:02d}", "40.00", period=MARCH), line(f"070-900 00 {n:02d}", "1.00")]
        make_handset(org, lines_made, org.skola, assigned_from=date(2026, 1, 1))
        lines.append(Line(name="Mobiltelefon", price="990.00", properties={"IMEI": make_imei(lines_made)}))
        invoices.append(f"F-{len(invoices) + 1}")
        import_invoice(org, lines, number=invoices[-1])
        allocate(None, org.organisation, "2026-03")
        save()
        with count_queries() as seen:
            response = client.get(url, headers=headers)
        assert response.status_code == 200
        listed = response.json
        assert {row["invoice"]["number"] for row in listed} == set(invoices)
        if "suspense" in url:
            assert len(listed) == lines_made
        elif role == Role.DEPARTMENT:
            assert {row["unit"] for row in listed} == {"3110", "3140"}
        else:
            assert len(listed) == 2 * lines_made + len(invoices)
        return len(seen)

    assert statements(2) == statements(12)
