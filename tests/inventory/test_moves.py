"""Moves, department requests, reorganisations and closing units, through the API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.allocation.models import PeriodStatus
from ledger.audit.models import AuditEvent
from ledger.inventory.models import Assignment, AssignmentRequest
from ledger.organisation.models import BudgetUnit
from tests.conftest import audit_actions, count, engine_name, history
from tests.factories import make_handset, make_imei, make_period, make_subscription, save

START = date(2025, 1, 1)  # the day the register's assets start
MOVE_DAY = date(2025, 6, 15)


def unit_on(client, headers, number: str, day: date) -> str | None:
    """Which unit the register says ``number`` belongs to on ``day``, asked by unit search."""
    for code in ("1110", "2150", "3110", "3140"):
        found = client.get("/api/v1/subscriptions", headers=headers,
                           query_string={"unit": code, "on": day.isoformat(), "number": number}).json
        if found:
            return code
    return None


def test_move_keeps_history_and_gives_the_right_unit_around_the_day(client, db, org, operator, api_headers) -> None:
    sub = make_subscription(org, "070-111 22 33", org.forskola, supplier=operator, start=date(2025, 1, 1))
    finance = api_headers(Role.FINANCE)
    response = client.post("/api/v1/assignments", headers=finance,
                           json={"number": "070-111 22 33", "unit": "3140", "valid_from": MOVE_DAY.isoformat()})
    assert response.status_code == 201
    assert response.json == {"status": "moved", "asset": "+46701112233", "unit": "3140",
                             "valid_from": "2025-06-15", "request_id": None}
    history = client.get(f"/api/v1/subscriptions/{sub.id}", headers=finance).json["assignments"]
    assert [(a["unit"], a["valid_from"], a["valid_to"]) for a in history] == [
        ("3110", "2025-01-01", "2025-06-15"), ("3140", "2025-06-15", None)]
    assert unit_on(client, finance, "0701112233", MOVE_DAY - timedelta(days=1)) == "3110"
    assert unit_on(client, finance, "0701112233", MOVE_DAY) == "3140"
    assert unit_on(client, finance, "0701112233", MOVE_DAY + timedelta(days=1)) == "3140"
    assert [e.action for e in audit_actions(db)][-2:] == ["assignment.end", "assignment.create"]


def test_handset_moves_by_imei(client, org, operator, api_headers) -> None:
    handset = make_handset(org, 7, org.va)
    finance = api_headers(Role.FINANCE)
    response = client.post("/api/v1/assignments", headers=finance,
                           json={"imei": make_imei(7), "unit": "1110", "valid_from": "2025-03-01"})
    assert response.status_code == 201 and response.json["asset"] == f"IMEI {make_imei(7)}"
    assert history(handset) == [("2150", date(2025, 1, 1), date(2025, 3, 1)),
                                          ("1110", date(2025, 3, 1), None)]


@pytest.mark.parametrize(
    ("valid_from", "message"),
    [
        ("2025-09-01", "already has an assignment from 2025-09-01"),  # a later (planned) move exists
        ("2025-06-15", "already has an assignment from 2025-06-15"),  # the same day as the last move
    ],
)
def test_overlapping_moves_are_refused_with_the_reason(client, org, operator, api_headers, valid_from, message) -> None:
    sub = make_subscription(org, "070-111 22 33", org.forskola, supplier=operator, start=START)
    finance = api_headers(Role.FINANCE)
    for day, unit in (("2025-06-15", "3140"), ("2025-09-01", "2150")):
        assert client.post("/api/v1/assignments", headers=finance,
                           json={"number": sub.number, "unit": unit, "valid_from": day}).status_code == 201
    before = history(sub)
    response = client.post("/api/v1/assignments", headers=finance,
                           json={"number": sub.number, "unit": "1110", "valid_from": valid_from})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict" and message in response.json["error"]["message"]
    assert history(sub) == before


def test_move_to_the_unit_it_already_belongs_to_is_409(client, org, operator, api_headers) -> None:
    sub = make_subscription(org, "070-111 22 33", org.forskola, supplier=operator, start=START)
    response = client.post("/api/v1/assignments", headers=api_headers(Role.ADMIN),
                           json={"number": sub.number, "unit": "3110", "valid_from": "2025-06-01"})
    assert response.status_code == 409 and "already assigned to 3110" in response.json["error"]["message"]


def test_a_move_dated_in_a_closed_period_is_recorded_as_it_happened(client, org, operator, api_headers) -> None:
    """Never refused for being late: what it changes in the closed month is booked as a
    correction in the first open one (tests/allocation/test_corrections.py)."""
    sub = make_subscription(org, "070-111 22 33", org.forskola, supplier=operator, start=START)
    make_period(org, "2025-05", status=PeriodStatus.CLOSED)
    finance = api_headers(Role.FINANCE)
    moved = client.post("/api/v1/assignments", headers=finance,
                        json={"number": sub.number, "unit": "3140", "valid_from": "2025-05-20"})
    assert moved.status_code == 201
    assert history(sub) == [("3110", date(2025, 1, 1), date(2025, 5, 20)), ("3140", date(2025, 5, 20), None)]


def test_unknown_number_unit_and_bad_input(client, org, operator, api_headers) -> None:
    make_subscription(org, "070-111 22 33", org.forskola, supplier=operator, start=START)
    finance = api_headers(Role.FINANCE)
    cases = [
        ({"number": "070-999 99 99", "unit": "3140", "valid_from": "2025-06-01"}, 404, "No subscription"),
        ({"number": "070-111 22 33", "unit": "9999", "valid_from": "2025-06-01"}, 404, "No budget unit"),
        ({"number": "12", "unit": "3140", "valid_from": "2025-06-01"}, 422, "phone number '12'"),
        ({"imei": "123456789012345", "unit": "3140", "valid_from": "2025-06-01"}, 422, "check digit is wrong"),
        ({"unit": "3140", "valid_from": "2025-06-01"}, 422, "either a number or an IMEI"),
        ({"number": "070-111 22 33", "unit": "3140", "valid_from": "2024-12-01"}, 422, "a move cannot be earlier"),
    ]
    for body, status, message in cases:
        response = client.post("/api/v1/assignments", headers=finance, json=body)
        assert response.status_code == status, (body, response.json)
        assert message in response.json["error"]["message"], response.json
    missing = client.post("/api/v1/assignments", headers=finance, json={"number": "0701112233"})
    assert missing.status_code == 422 and {d["field"] for d in missing.json["error"]["details"]} == {
        "unit", "valid_from"}


def test_moving_an_ended_subscription_keeps_its_end(client, org, operator, api_headers) -> None:
    sub = make_subscription(org, "070-111 22 33", org.forskola, supplier=operator, start=START)
    finance = api_headers(Role.FINANCE)
    assert client.patch(f"/api/v1/subscriptions/{sub.id}", headers=finance,
                        json={"end_date": "2025-09-30"}).status_code == 200
    assert history(sub) == [("3110", date(2025, 1, 1), date(2025, 10, 1))]
    assert client.post("/api/v1/assignments", headers=finance,
                       json={"number": sub.number, "unit": "3140", "valid_from": "2025-06-01"}).status_code == 201
    assert history(sub)[-1] == ("3140", date(2025, 6, 1), date(2025, 10, 1))
    after_end = client.post("/api/v1/assignments", headers=finance,
                            json={"number": sub.number, "unit": "1110", "valid_from": "2025-10-05"})
    assert after_end.status_code == 422 and "ended on 2025-09-30" in after_end.json["error"]["message"]


# -- department requests ---------------------------------------------------------------------


def test_department_move_is_a_request_that_finance_approves(client, db, org, operator, api_headers) -> None:
    sub = make_subscription(org, "070-111 22 33", org.forskola, supplier=operator, start=START)
    department = api_headers(Role.DEPARTMENT, ["3110"])
    finance = api_headers(Role.FINANCE)
    response = client.post("/api/v1/assignments", headers=department, json={
        "number": "0701112233", "unit": "2150", "valid_from": "2025-08-01", "reason": "Ny tjänst på VA"})
    assert response.status_code == 202
    assert response.json["status"] == "requested" and response.json["request_id"]
    assert history(sub) == [("3110", date(2025, 1, 1), None)]  # not moved yet
    twice = client.post("/api/v1/assignments", headers=department,
                        json={"number": "0701112233", "unit": "3140", "valid_from": "2025-08-01"})
    assert twice.status_code == 409 and "already requested" in twice.json["error"]["message"]

    pending = client.get("/api/v1/assignment-requests", headers=department).json
    assert [(r["asset"], r["from"], r["to"], r["status"]) for r in pending] == [
        ("+46701112233", "3110", "2150", "requested")]
    assert client.post(f"/api/v1/assignment-requests/{pending[0]['id']}/approve",
                       headers=department).status_code == 403
    approved = client.post(f"/api/v1/assignment-requests/{pending[0]['id']}/approve", headers=finance)
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    assert approved.json["decided_by"]
    assert history(sub) == [("3110", date(2025, 1, 1), date(2025, 8, 1)),
                                      ("2150", date(2025, 8, 1), None)]
    again = client.post(f"/api/v1/assignment-requests/{pending[0]['id']}/reject", headers=finance)
    assert again.status_code == 409 and "already approved" in again.json["error"]["message"]
    actions = [e.action for e in audit_actions(db)]
    assert "assignment_request.create" in actions and "assignment_request.approve" in actions


def test_finance_rejects_a_request_and_nothing_moves(client, db, org, operator, api_headers) -> None:
    sub = make_subscription(org, "070-111 22 33", org.forskola, supplier=operator, start=START)
    department = api_headers(Role.DEPARTMENT, ["3110"])
    request_id = client.post("/api/v1/assignments", headers=department, json={
        "number": sub.number, "unit": "2150", "valid_from": "2025-08-01"}).json["request_id"]
    rejected = client.post(f"/api/v1/assignment-requests/{request_id}/reject", headers=api_headers(Role.ADMIN))
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"
    assert history(sub) == [("3110", date(2025, 1, 1), None)]
    assert audit_actions(db, "assignment_request.reject")[0].after["status"] == "rejected"


def test_department_cannot_move_another_units_asset(client, db, org, operator, api_headers) -> None:
    sub = make_subscription(org, "070-111 22 33", org.va, supplier=operator, start=START)
    response = client.post("/api/v1/assignments", headers=api_headers(Role.DEPARTMENT, ["3110"]),
                           json={"number": sub.number, "unit": "3110", "valid_from": "2025-08-01"})
    assert response.status_code == 403
    assert count(db, AssignmentRequest) == 0


def test_approval_into_a_period_closed_meanwhile_moves_from_the_day_asked(client, db, org, operator,
                                                                        api_headers) -> None:
    sub = make_subscription(org, "070-111 22 33", org.forskola, supplier=operator, start=START)
    request_id = client.post("/api/v1/assignments", headers=api_headers(Role.DEPARTMENT, ["3110"]), json={
        "number": sub.number, "unit": "2150", "valid_from": "2025-08-01"}).json["request_id"]
    make_period(org, "2025-08", status=PeriodStatus.CLOSED)
    response = client.post(f"/api/v1/assignment-requests/{request_id}/approve", headers=api_headers(Role.FINANCE))
    assert response.status_code == 200
    assert db.get(AssignmentRequest, request_id).status == "approved"
    assert history(sub)[-1] == ("2150", date(2025, 8, 1), None)


# -- reorganisation --------------------------------------------------------------------------


def test_reorganise_moves_every_asset_in_one_event_and_keeps_history(client, db, org, operator, api_headers) -> None:
    subs = [make_subscription(org, f"070-111 22 3{i}", org.forskola, supplier=operator, start=START) for i in range(3)]
    handset = make_handset(org, 1, org.forskola)
    other = make_subscription(org, "070-222 22 22", org.va, supplier=operator, start=START)
    finance = api_headers(Role.FINANCE)
    events_before = count(db, AuditEvent)
    response = client.post("/api/v1/units/3110/reorganise", headers=finance,
                           json={"to": "3140", "valid_from": MOVE_DAY.isoformat()})
    assert response.status_code == 200
    assert response.json["count"] == 4 and response.json["from"] == "3110"
    assert count(db, AuditEvent) == events_before + 1
    event = audit_actions(db, "unit.reorganise")[0]
    assert event.entity_id == "3110" and len(event.after["moves"]) == 4
    for asset in [*subs, handset]:
        assert history(asset) == [("3110", date(2025, 1, 1), MOVE_DAY), ("3140", MOVE_DAY, None)]
    assert history(other) == [("2150", date(2025, 1, 1), None)]
    for day, unit in ((MOVE_DAY - timedelta(days=1), "3110"), (MOVE_DAY, "3140"),
                      (MOVE_DAY + timedelta(days=1), "3140")):
        assert unit_on(client, finance, subs[0].number, day) == unit


def test_reorganise_splits_by_a_list_and_the_rest_follow_to(client, org, operator, api_headers) -> None:
    a = make_subscription(org, "070-111 22 30", org.forskola, supplier=operator, start=START)
    b = make_subscription(org, "070-111 22 31", org.forskola, supplier=operator, start=START)
    handset = make_handset(org, 1, org.forskola)
    response = client.post("/api/v1/units/3110/reorganise", headers=api_headers(Role.ADMIN), json={
        "valid_from": "2025-07-01",
        "moves": [{"number": "070-111 22 30", "to": "2150"}, {"imei": make_imei(1), "to": "1110"}]})
    assert response.status_code == 200 and response.json["count"] == 2
    assert history(a)[-1] == ("2150", date(2025, 7, 1), None)
    assert history(handset)[-1] == ("1110", date(2025, 7, 1), None)
    assert history(b) == [("3110", date(2025, 1, 1), None)]  # not listed, no `to`: stays


def test_reorganise_is_all_or_nothing(client, db, org, operator, api_headers) -> None:
    a = make_subscription(org, "070-111 22 30", org.forskola, supplier=operator, start=START)
    b = make_subscription(org, "070-111 22 31", org.forskola, supplier=operator, start=START)
    finance = api_headers(Role.FINANCE)
    # b already has a planned move later: the whole reorganisation is refused, a stays too
    assert client.post("/api/v1/assignments", headers=finance,
                       json={"number": b.number, "unit": "2150", "valid_from": "2025-10-01"}).status_code == 201
    rows_before = count(db, Assignment)
    response = client.post("/api/v1/units/3110/reorganise", headers=finance,
                           json={"to": "3140", "valid_from": "2025-07-01"})
    assert response.status_code == 409
    assert "+46701112231 already has an assignment to 2150 from 2025-10-01" in response.json["error"]["message"]
    assert count(db, Assignment) == rows_before
    assert history(a) == [("3110", date(2025, 1, 1), None)]
    listed_wrong = client.post("/api/v1/units/3110/reorganise", headers=finance, json={
        "valid_from": "2025-07-01", "moves": [{"number": "070-999 99 99", "to": "3140"}]})
    assert listed_wrong.status_code == 422
    assert listed_wrong.json["error"]["details"][0]["message"].endswith("is not assigned to 3110 on 2025-07-01")


def test_reorganise_into_a_closed_period_is_recorded_but_not_by_a_department_user(client, org, operator,
                                                                                 api_headers) -> None:
    sub = make_subscription(org, "070-111 22 30", org.forskola, supplier=operator, start=START)
    make_period(org, "2025-06", status=PeriodStatus.CLOSED)
    response = client.post("/api/v1/units/3110/reorganise", headers=api_headers(Role.FINANCE),
                           json={"to": "3140", "valid_from": "2025-06-10"})
    assert response.status_code == 200 and history(sub)[-1] == ("3140", date(2025, 6, 10), None)
    assert client.post("/api/v1/units/3110/reorganise", headers=api_headers(Role.DEPARTMENT, ["3110"]),
                       json={"to": "3140", "valid_from": "2025-07-10"}).status_code == 403


# -- closing units ---------------------------------------------------------------------------


def test_unit_closes_only_when_nothing_is_assigned_after_the_day(client, db, org, operator, api_headers) -> None:
    sub = make_subscription(org, "070-111 22 30", org.skola, supplier=operator, start=START)
    finance = api_headers(Role.FINANCE)
    refused = client.post("/api/v1/units/3140/close", headers=finance, json={"closed_on": "2025-09-01"})
    assert refused.status_code == 409
    assert "still has 1 asset(s) assigned on or after 2025-09-01: +46701112230" in refused.json["error"]["message"]
    assert client.post("/api/v1/units/3140/reorganise", headers=finance,
                       json={"to": "3110", "valid_from": "2025-09-01"}).status_code == 200
    closed = client.post("/api/v1/units/3140/close", headers=finance, json={"closed_on": "2025-09-01"})
    assert closed.status_code == 200 and closed.json == {"code": "3140", "name": "Ekbackeskolan",
                                                        "closed_on": "2025-09-01"}
    assert db.scalar(sa.select(BudgetUnit.closed_on).where(BudgetUnit.ansvar == "3140")) == date(2025, 9, 1)
    into_closed = client.post("/api/v1/assignments", headers=finance,
                              json={"number": sub.number, "unit": "3140", "valid_from": "2025-10-01"})
    assert into_closed.status_code == 422 and "not open on 2025-10-01" in into_closed.json["error"]["message"]
    assert audit_actions(db, "unit.close")[0].after == {"closed_on": "2025-09-01"}
    assert client.post("/api/v1/units/3140/close", headers=api_headers(Role.AUDITOR),
                       json={"closed_on": None}).status_code == 403


@pytest.mark.skipif(engine_name() != "postgresql", reason="row locks are tested on PostgreSQL")
def test_two_concurrent_moves_of_one_asset_never_overlap(app, db, org, operator, make_user, monkeypatch) -> None:
    """Both check for overlaps before either writes; the asset's row lock makes the second wait
    and then see the first one's move (a slow check widens the window so the test is certain).
    The asset has no assignment yet, so no row update serialises the two by accident."""
    import threading
    import time

    from ledger.access.models import User
    from ledger.database import db as _db
    from ledger.inventory import assignments as assignment_service
    from ledger.inventory.models import Subscription
    from ledger.inventory.moves import move_asset
    from ledger.organisation.models import BudgetUnit

    sub = make_subscription(org, "070-111 22 33", supplier=operator, start=START)
    user_id = make_user(Role.FINANCE).id
    slow = assignment_service.overlapping

    def overlapping(*args, **kwargs):
        time.sleep(0.3)
        return slow(*args, **kwargs)

    monkeypatch.setattr(assignment_service, "overlapping", overlapping)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker(unit_id: int) -> None:
        with app.app_context():
            try:
                actor = _db.session.get(User, user_id)
                asset = _db.session.get(Subscription, sub.id)
                barrier.wait()
                move_asset(actor, asset, _db.session.get(BudgetUnit, unit_id), MOVE_DAY)
                save()  # the worker's own unit of work, as a request's
                outcomes.append("moved")
            except Exception as error:
                _db.session.rollback()
                outcomes.append(type(error).__name__)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(unit.id,)) for unit in (org.skola, org.va)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["Conflict", "moved"]
    db.expire_all()
    rows = history(sub)
    assert len(rows) == 1 and rows[0][1:] == (MOVE_DAY, None)
