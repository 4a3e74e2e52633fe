"""Detection: a line that indicates private use is a compliance finding without an agreement on its
day, and the holder's (basis for a salary deduction) with one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.access.models import Role
from ledger.core.categories import Category
from ledger.private_use import detection, service
from ledger.private_use.rules import load_rules
from ledger.procurement import compliance
from tests.factories import L, make_handset, make_invoice, make_subscription, make_supplier, make_user
from tests.private_use.conftest import PERIOD

MARCH = (date(2026, 3, 1), date(2026, 4, 1))


def test_a_0939_line_without_an_agreement_is_a_compliance_finding(world) -> None:
    report = compliance.check(world.org.id, PERIOD, today=date(2026, 1, 10))
    found = report.of_kind("private_use_without_agreement")
    assert [(f.line_ids, f.asset_id, f.amount) for f in found] == [
        ((world.unagreed_call.id,), world.none.id, Decimal("59.60")),
        # signed on 20 March: no agreement on the line's day, 1 March
        ((world.late_sms.id,), world.late.id, Decimal("25.00")),
    ]
    first = found[0]
    assert first.subscription_id == world.none.id and first.supplier_name == "Demotel Mobil AB"
    assert first.params["indicator_kind"] == "premium_rate" and first.params["text"] == "Samtal till 0939-10 20 30"
    assert first.reason == ("+46701000012 was billed 59.60 on 2026-03-01 for premium-rate number "
                            "(Samtal till 0939-10 20 30) without a private-use agreement")
    assert report.counts["private_use_without_agreement"] == 2
    assert {k for k, n in report.counts.items() if n} == {"private_use_without_agreement"}  # nothing else is wrong
    assert "private_use_without_agreement" in compliance.KINDS


def test_with_an_agreement_the_lines_are_the_holders_per_month(world) -> None:
    found = detection.lines(world.org.id, *MARCH)
    assert [(li.line_id, li.covered, li.kind) for li in found] == [
        (world.call.id, True, "premium_rate"), (world.content.id, True, "third_party_content"),
        (world.unagreed_call.id, False, "premium_rate"), (world.late_sms.id, False, "third_party_content")]
    holders = service.by_holder(found)
    mine = next(h for h in holders if h.covered)
    assert (mine.month, mine.holder_name, mine.number, mine.agreement, mine.agreement_signed_on) == (
        PERIOD, "Anna Lindqvist", "+46701000011", "PA-2025-001", date(2025, 1, 1))
    assert (mine.line_count, mine.total, mine.unit_ansvar) == (2, Decimal("167.80"), "3110")
    assert [h.covered for h in holders] == [True, False, False]


def test_a_department_user_sees_only_their_units_lines(world) -> None:
    department = make_user(world.org, Role.DEPARTMENT, ["3110"])
    assert {li.subscription_id for li in service.period_lines(department, PERIOD)} == {world.agreed.id}
    finance = make_user(world.org)
    assert {li.subscription_id for li in service.period_lines(finance, PERIOD)} == {
        world.agreed.id, world.none.id, world.late.id}
    assert service.period_lines(finance, PERIOD, agreement="without")[0].line_id == world.unagreed_call.id
    assert [li.line_id for li in service.period_lines(finance, PERIOD, unit=world.org.va)] == [world.late_sms.id]


def test_only_subscription_lines_in_the_period_count_and_each_detail_is_matched_once(world, count_queries) -> None:
    demotel = make_supplier("Nordnät AB")
    phone = make_handset(world.org, 5, world.org.forskola)
    other = make_subscription(world.org, "+46701000014", world.org.forskola, supplier=demotel)
    make_invoice(world.org, demotel, [
        L("10.00", Category.EQUIPMENT, description="Samtal till 0939-10 20 30", handset=phone),  # no subscription
        L("10.00", Category.USAGE, description="Samtal till 0939-10 20 30", reference="0709999999"),  # no asset
        L("10.00", Category.USAGE, description="Samtal till 0939-10 20 30", subscription=other,
          period_start=date(2026, 4, 1), period_end=date(2026, 4, 30)),  # April
    ])
    assert len(detection.lines(world.org.id, *MARCH)) == 4

    calls = []

    class Counting:
        def __init__(self, rules):
            self.rules = rules

        def match(self, *details):
            calls.append(details)
            return self.rules.match(*details)

    with count_queries() as queries:
        detection.lines(world.org.id, *MARCH, rules=Counting(load_rules()))
    assert len(queries) == 1
    # the agreed number's 0939 call and the other's have the same text: matched once
    assert sorted(calls, key=str) == sorted({(li.description, li.item_code, None) for li in (
        world.call, world.content, world.fee, world.unagreed_call, world.late_sms)}, key=str)


def test_a_rules_file_of_the_deployment_is_used(world, tmp_path, monkeypatch) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[indicator]]\nname = "fee"\nkind = "operator_charge"\nwords = ["obegränsad"]\n',
                     encoding="utf-8")
    monkeypatch.setenv("LEDGER_PRIVATE_USE_RULES", str(rules))
    assert [li.line_id for li in detection.lines(world.org.id, *MARCH)] == [world.fee.id]
    report = compliance.check(world.org.id, PERIOD, today=date(2026, 1, 10))
    assert report.counts["private_use_without_agreement"] == 0  # the fee's number has an agreement
