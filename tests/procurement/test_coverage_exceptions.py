"""The coverage-exception state machine: its table, refusals (409, 403), audit and expiry."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.audit.models import AuditEvent
from ledger.core.categories import Category
from ledger.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ledger.procurement import coverage as svc
from ledger.procurement.coverage import TRANSITIONS, Action, effective_status
from ledger.procurement.models import CoverageException, ExceptionStatus
from tests.factories import make_contract, make_organisation, make_subscription, make_supplier, save

TODAY = date(2026, 3, 10)
S = ExceptionStatus


@pytest.fixture
def world(db, org, make_user):
    contracted = make_supplier("Demotel Mobil AB")
    other = make_supplier("Nordnät AB")
    make_contract(org, contracted, [Category.SUBSCRIPTION])
    sub = make_subscription(org, "+46701000001", org.forskola, supplier=other, start=date(2020, 1, 1))
    return {
        "org": org, "other": other, "sub": sub,
        "department": make_user(Role.DEPARTMENT, ["3110"]),
        "colleague": make_user(Role.DEPARTMENT, ["3110"]),
        "va": make_user(Role.DEPARTMENT, ["2150"]),
        "procurement": make_user(Role.PROCUREMENT),
        "finance": make_user(Role.FINANCE),
    }


def ask(world, user_key: str = "department", **kwargs) -> CoverageException:
    values = {"supplier_id": world["other"].id, "reason": "Ingen täckning i Forsvik",
              "evidence": "Täckningsmätning: 3 av 12 punkter utan signal", "valid_from": date(2026, 1, 1),
              "area": "Forsvik", "today": TODAY} | kwargs
    return svc.request_exception(world[user_key], **values)


def test_the_table_is_the_documented_workflow() -> None:
    assert {(s.value, a.value): t.target.value for (s, a), t in TRANSITIONS.items()} == {
        ("requested", "approve"): "approved",
        ("requested", "reject"): "rejected",
        ("requested", "withdraw"): "withdrawn",
        ("approved", "withdraw"): "withdrawn",
        ("approved", "expire"): "expired",
    }


def test_request_then_approve_records_who_and_when_and_audits_each_step(db, world) -> None:
    exception = ask(world)
    assert exception.status == S.REQUESTED and exception.requested_by_id == world["department"].id
    svc.approve(world["procurement"], exception, TODAY, valid_to=date(2027, 1, 1), note="Godkänt")
    assert exception.status == S.APPROVED and exception.decided_by_id == world["procurement"].id
    assert exception.decided_at is not None and exception.valid_to == date(2027, 1, 1)
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "coverage_exception")
                        .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["coverage_exception.request", "coverage_exception.approve"]
    assert events[1].before["status"] == "requested" and events[1].after["status"] == "approved"
    assert events[1].after["note"] == "Godkänt" and events[1].actor_name == world["procurement"].username


@pytest.mark.parametrize(("path", "refused"), [
    (["approve"], ["approve", "reject"]),
    (["reject"], ["approve", "reject", "withdraw"]),
    (["withdraw"], ["approve", "reject", "withdraw"]),
    (["approve", "withdraw"], ["approve", "reject", "withdraw"]),
])
def test_transitions_not_in_the_table_are_409(db, world, path, refused) -> None:
    exception = ask(world)
    for action in path:
        svc.transition(world["procurement"], exception, action, TODAY)
    events = db.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    for action in refused:
        with pytest.raises(Conflict):
            svc.transition(world["procurement"], exception, action, TODAY)
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == events


def test_only_procurement_decides(world) -> None:
    exception = ask(world)
    for key in ("department", "finance", "colleague"):
        for action in ("approve", "reject"):
            with pytest.raises(Forbidden):
                svc.transition(world[key], exception, action, TODAY)
    assert exception.status == S.REQUESTED


def test_the_requester_or_procurement_withdraws_nobody_else(world) -> None:
    mine = ask(world)
    for key in ("colleague", "finance", "va"):
        with pytest.raises(Forbidden):
            svc.withdraw(world[key], mine, TODAY)
    svc.withdraw(world["department"], mine, TODAY)
    assert mine.status == S.WITHDRAWN
    approved = ask(world)
    svc.approve(world["procurement"], approved, TODAY)
    svc.withdraw(world["procurement"], approved, TODAY)
    assert approved.status == S.WITHDRAWN


def test_expiry_is_derived_on_read_and_blocks_withdrawal(world) -> None:
    exception = ask(world, valid_to=date(2026, 6, 1))
    svc.approve(world["procurement"], exception, TODAY)
    assert effective_status(exception, date(2026, 5, 31)) == S.APPROVED
    assert effective_status(exception, date(2026, 6, 1)) == S.EXPIRED  # valid_to is the first day it no longer applies
    with pytest.raises(Conflict):
        svc.withdraw(world["department"], exception, date(2026, 6, 1))
    listed = svc.list_exceptions(world["procurement"], date(2026, 6, 1))
    assert [(v.status, v.actions) for v in listed] == [(S.EXPIRED, ())]
    assert svc.list_exceptions(world["procurement"], date(2026, 6, 1), status="expired")[0].id == exception.id
    assert exception.status == S.APPROVED  # nothing written by reading


def test_expire_due_marks_them_and_audits_it(db, world) -> None:
    ending = ask(world, valid_to=date(2026, 6, 1))
    open_ended = ask(world)
    requested = ask(world, valid_to=date(2026, 2, 1))
    svc.approve(world["procurement"], ending, TODAY)
    svc.approve(world["procurement"], open_ended, TODAY)
    assert svc.expire_due(None, date(2026, 5, 31)) == []
    assert svc.expire_due(None, date(2026, 6, 1)) == [ending.id]
    assert (ending.status, open_ended.status, requested.status) == (S.EXPIRED, S.APPROVED, S.REQUESTED)
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "coverage_exception.expire"))
    assert event.actor_name == "system" and event.before["status"] == "approved"
    with pytest.raises(Conflict):  # expiring before the date is refused by the guard
        svc.transition(None, open_ended, Action.EXPIRE, TODAY)
    assert svc.expire_due(None, date(2026, 6, 1)) == []  # a second run finds nothing


def test_expire_command(app, db, world) -> None:
    exception = ask(world, valid_to=date(2026, 6, 1))
    svc.approve(world["procurement"], exception, TODAY)
    save()
    result = app.test_cli_runner().invoke(args=["exceptions", "expire", "--today", "2026-06-02"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Expired 1 coverage exception(s): {exception.id}"
    db.expire_all()
    assert db.get(CoverageException, exception.id).status == S.EXPIRED


def test_department_requests_only_for_subscriptions_of_its_units(world) -> None:
    mine = ask(world, area=None, subscription_number="070-100 00 01")
    assert mine.subscription_id == world["sub"].id and mine.area is None
    with pytest.raises(Forbidden):
        ask(world, "va", area=None, subscription_number="+46701000001")
    assert ask(world, "procurement", area=None, subscription_id=world["sub"].id).subscription_id == world["sub"].id
    with pytest.raises(NotFound):
        ask(world, area=None, subscription_number="070-999 99 99")


@pytest.mark.parametrize("bad", [
    {"area": None},
    {"reason": "  "},
    {"valid_to": date(2026, 1, 1)},
    {"area": None, "subscription_number": "not a number"},
])
def test_a_request_must_be_complete(world, bad) -> None:
    with pytest.raises(ValidationFailed):
        ask(world, **bad)


def test_department_sees_only_its_own_requests(world) -> None:
    ask(world)
    ask(world, "colleague")
    assert len(svc.list_exceptions(world["department"], TODAY)) == 1
    assert len(svc.list_exceptions(world["procurement"], TODAY)) == 2
    other = ask(world, "colleague")
    with pytest.raises(Forbidden):
        svc.get_exception(world["department"], other.id)


def test_another_organisations_exception_is_not_found(db, world, make_user) -> None:
    exception = ask(world)
    hjo = make_organisation(name="Hjo kommun", organisation_number="212000-1637")
    outsider = make_user(Role.PROCUREMENT)
    outsider.organisation_id = hjo.id
    with pytest.raises(NotFound):
        svc.act(outsider, exception.id, "approve", TODAY)


def test_buttons_follow_the_table_and_the_role(world) -> None:
    exception = ask(world)
    assert svc.allowed_actions(exception, world["procurement"], TODAY) == [Action.APPROVE, Action.REJECT,
                                                                          Action.WITHDRAW]
    assert svc.allowed_actions(exception, world["department"], TODAY) == [Action.WITHDRAW]
    assert svc.allowed_actions(exception, world["colleague"], TODAY) == []
    assert svc.allowed_actions(exception, world["finance"], TODAY) == []
