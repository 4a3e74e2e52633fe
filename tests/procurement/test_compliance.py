"""Compliance findings: each kind produced, and not produced, from lines made with the models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from ledger.core.categories import Category
from ledger.invoices.models import DocumentType
from ledger.organisation.models import Supplier
from ledger.procurement import compliance
from ledger.procurement.compliance import add_months
from ledger.procurement.models import ContractStatus, ExceptionStatus, FrameworkContract
from tests.factories import (
    L,
    make_contract,
    make_coverage_exception,
    make_handset,
    make_invoice,
    make_organisation,
    make_price,
    make_subscription,
    make_supplier,
    save,
)

MARCH = "2026-03"
TODAY = date(2026, 1, 10)  # far from every contract's end: no contract_ending findings
BOUGHT, PRICE = date(2026, 3, 5), Decimal("1490.00")  # the handsets' purchase


@dataclass
class World:
    org: object
    demotel: Supplier
    nordnat: Supplier
    prylar: Supplier
    butik: Supplier
    mobile: FrameworkContract
    equipment: FrameworkContract


@pytest.fixture
def world(db, org) -> World:
    demotel = make_supplier("Demotel Mobil AB")
    nordnat = make_supplier("Nordnät AB")
    prylar = make_supplier("Demoprylar AB")
    butik = make_supplier("Lokala Mobilbutiken AB")
    mobile = make_contract(org, demotel, [Category.SUBSCRIPTION, Category.USAGE, Category.ONE_OFF],
                           start=date(2025, 1, 1), end=date(2027, 12, 31), reference="SKÖ 2025/0145")
    equipment = make_contract(org, prylar, [Category.EQUIPMENT], start=date(2025, 1, 1), end=date(2027, 12, 31),
                              reference="SKÖ 2025/0078")
    make_price(mobile, "MOB-BAS", "85.00", date(2025, 1, 1), date(2026, 3, 15))
    make_price(mobile, "MOB-BAS", "89.00", date(2026, 3, 15))
    make_price(mobile, "MOB-SAMTAL", "0.39", date(2025, 1, 1), category=Category.USAGE)
    make_price(equipment, "TEL-DORO", "1490.00", date(2025, 1, 1), category=Category.EQUIPMENT)
    return World(org, demotel, nordnat, prylar, butik, mobile, equipment)


def kinds(report: compliance.ComplianceReport) -> dict[str, int]:
    return {kind: n for kind, n in report.counts.items() if n}


def run(world: World, today: date = TODAY) -> compliance.ComplianceReport:
    return compliance.check(world.org.id, MARCH, today=today)


# --- a clean month --------------------------------------------------------------------------


def test_lines_on_contract_at_contract_price_with_assignment_give_no_finding(world) -> None:
    sub = make_subscription(world.org, "+46701000001", world.org.forskola, supplier=world.demotel)
    make_invoice(world.org, world.demotel, [
        L("85.00", item_code="MOB-BAS", quantity="1", unit_price="85.00", subscription=sub),
        L("3.90", Category.USAGE, item_code="MOB-SAMTAL", quantity="10", unit_price="0.39", subscription=sub),
    ])
    report = run(world)
    assert report.findings == () and report.claims == () and report.lines_checked == 2


# --- (a) off-contract supplier ----------------------------------------------------------------


def test_off_contract_supplier_is_found_with_the_contracted_one_named(world) -> None:
    sub = make_subscription(world.org, "+46701000002", world.org.va, supplier=world.nordnat)
    _, lines = make_invoice(world.org, world.nordnat, [L("99.00", subscription=sub),
                                                       L("12.00", Category.USAGE, subscription=sub)])
    report = run(world)
    found = report.of_kind("off_contract_supplier")
    assert sorted((f.line_ids, f.supplier_name, f.amount) for f in found) == [
        ((lines[0].id,), "Nordnät AB", Decimal("99.00")),
        ((lines[1].id,), "Nordnät AB", Decimal("12.00")),
    ]
    assert all("Demotel Mobil AB (SKÖ 2025/0145)" in f.reason for f in found)
    assert {f.params["category"] for f in found} == {"subscription", "usage"}


def test_contracted_supplier_in_a_category_no_contract_covers_is_off_contract(world) -> None:
    sub = make_subscription(world.org, "+46701000003", world.org.forskola, supplier=world.demotel)
    _, lines = make_invoice(world.org, world.demotel, [L("42.00", Category.SWITCHBOARD_EXTENSION, subscription=sub)])
    (finding,) = run(world).of_kind("off_contract_supplier")
    assert finding.line_ids == (lines[0].id,) and "no framework contract in force covers" in finding.reason


@pytest.mark.parametrize("change", ["not_a_party", "draft", "terminated", "ended"])
def test_a_contract_counts_only_for_its_parties_while_signed_and_in_force(db, world, change: str) -> None:
    sub = make_subscription(world.org, "+46701000004", world.org.forskola, supplier=world.demotel)
    make_invoice(world.org, world.demotel, [L("85.00", subscription=sub)])
    assert not run(world).of_kind("off_contract_supplier")
    if change == "not_a_party":
        for party in [p for p in world.mobile.parties if p.organisation_id == world.org.id]:
            world.mobile.parties.remove(party)
            db.delete(party)
    elif change == "draft":
        world.mobile.status = ContractStatus.DRAFT
    elif change == "terminated":
        world.mobile.status = ContractStatus.TERMINATED
    else:
        world.mobile.end_date = date(2026, 2, 28)
    db.flush()
    assert len(run(world).of_kind("off_contract_supplier")) == 1


def test_an_extension_used_keeps_the_contract_in_force(db, world) -> None:
    from ledger.procurement import service as procurement

    contract = make_contract(world.org, world.nordnat, [Category.SUBSCRIPTION], start=date(2024, 1, 1),
                             end=date(2026, 2, 28), options=[(date(2027, 2, 28), date(2025, 8, 31))])
    sub = make_subscription(world.org, "+46701000005", world.org.va, supplier=world.nordnat)
    make_invoice(world.org, world.nordnat, [L("99.00", subscription=sub)])
    assert len(run(world).of_kind("off_contract_supplier")) == 1
    procurement.add_term(None, contract, noted_on=date(2025, 8, 1), kind="extension", text="Option 1 används")
    assert not run(world).of_kind("off_contract_supplier")


def test_an_extension_keeps_the_contract_in_force_only_to_its_new_end(db, world) -> None:
    contract = make_contract(world.org, world.nordnat, [Category.SUBSCRIPTION], start=date(2024, 1, 1),
                             end=date(2026, 2, 28), options=[(date(2026, 3, 10), date(2025, 8, 31))])
    contract.extension_options[0].exercised_on = date(2025, 8, 1)
    sub = make_subscription(world.org, "+46701000021", world.org.va, supplier=world.nordnat)
    _, (_inside, outside) = make_invoice(world.org, world.nordnat, [
        L("30.00", subscription=sub, period_start=date(2026, 3, 5), period_end=date(2026, 3, 5)),
        L("30.00", subscription=sub, period_start=date(2026, 3, 20), period_end=date(2026, 3, 20))])
    (finding,) = run(world).of_kind("off_contract_supplier")
    assert finding.line_ids == (outside.id,)


def test_a_contract_of_another_partys_lines_does_not_cover_ours(db, world) -> None:
    hjo = make_organisation(name="Hjo kommun", organisation_number="212000-1637")
    make_contract(hjo, world.nordnat, [Category.SUBSCRIPTION], reference="HJO 2025/0001")  # Hjo's, not ours

    class HjoOrg:
        id = hjo.id

    make_invoice(HjoOrg, world.nordnat, [L("99.00", reference="0501")])  # Hjo's line: on its contract
    sub = make_subscription(world.org, "+46701000022", world.org.va, supplier=world.nordnat)
    _, (ours,) = make_invoice(world.org, world.nordnat, [L("99.00", subscription=sub)])
    (finding,) = run(world).of_kind("off_contract_supplier")
    assert finding.line_ids == (ours.id,)
    assert not compliance.check(hjo.id, MARCH, today=TODAY).of_kind("off_contract_supplier")


def test_an_approved_area_exception_makes_the_supplier_compliant_until_it_expires(db, world) -> None:
    sub = make_subscription(world.org, "+46701000006", world.org.va, supplier=world.nordnat)
    other = make_subscription(world.org, "+46701000007", world.org.skola, supplier=world.nordnat)
    _, (_on_last_day, day_after) = make_invoice(world.org, world.nordnat, [
        L("99.00", subscription=sub, period_start=date(2026, 3, 15), period_end=date(2026, 3, 15)),
        L("99.00", subscription=other, period_start=date(2026, 3, 16), period_end=date(2026, 3, 31)),
    ])
    assert len(run(world).of_kind("off_contract_supplier")[0].line_ids) == 2
    exception = make_coverage_exception(world.org, world.nordnat, valid_from=date(2025, 6, 1),
                                        valid_to=date(2026, 3, 16), status=ExceptionStatus.APPROVED)  # to 15 March
    (finding,) = run(world).of_kind("off_contract_supplier")
    assert finding.line_ids == (day_after.id,)  # the area covers every line of the supplier, but not the 16th
    exception.status = ExceptionStatus.EXPIRED  # marked by `exceptions expire`: still covers its own days
    save(exception)
    assert run(world).of_kind("off_contract_supplier")[0].line_ids == (day_after.id,)


@pytest.mark.parametrize("status", [ExceptionStatus.REQUESTED, ExceptionStatus.REJECTED, ExceptionStatus.WITHDRAWN])
def test_an_exception_that_is_not_approved_covers_nothing(world, status) -> None:
    sub = make_subscription(world.org, "+46701000008", world.org.va, supplier=world.nordnat)
    make_invoice(world.org, world.nordnat, [L("99.00", subscription=sub)])
    make_coverage_exception(world.org, world.nordnat, valid_from=date(2025, 6, 1), status=status)
    assert len(run(world).of_kind("off_contract_supplier")) == 1


def test_a_subscription_exception_covers_only_that_subscription_and_that_supplier(world) -> None:
    covered = make_subscription(world.org, "+46701000009", world.org.va, supplier=world.nordnat)
    other = make_subscription(world.org, "+46701000010", world.org.va, supplier=world.nordnat)
    _, (line_covered, line_other) = make_invoice(world.org, world.nordnat, [
        L("99.00", subscription=covered), L("99.00", subscription=other)])
    make_coverage_exception(world.org, world.nordnat, subscription=covered, status=ExceptionStatus.APPROVED)
    # an area exception for another supplier
    make_coverage_exception(world.org, world.butik, status=ExceptionStatus.APPROVED)
    (finding,) = run(world).of_kind("off_contract_supplier")
    assert finding.line_ids == (line_other.id,)
    assert line_covered.id not in finding.line_ids


def test_an_exception_of_another_organisation_covers_nothing(db, world) -> None:
    other_org = make_organisation(name="Hjo kommun", organisation_number="212000-1637")
    sub = make_subscription(world.org, "+46701000011", world.org.va, supplier=world.nordnat)
    make_invoice(world.org, world.nordnat, [L("99.00", subscription=sub)])
    make_coverage_exception(other_org, world.nordnat, area="Hjo", reason="x", valid_from=date(2025, 1, 1),
                            status=ExceptionStatus.APPROVED)
    assert len(run(world).of_kind("off_contract_supplier")) == 1


# --- (b) price above contract -----------------------------------------------------------------


def test_price_deviation_excess_is_exact_per_line_and_summed_per_supplier(world) -> None:
    sub = make_subscription(world.org, "+46701000012", world.org.forskola, supplier=world.demotel)
    _, lines = make_invoice(world.org, world.demotel, [
        # 3 × (89.00 − 85.00) = 12.00 on the 14th, when the old price still applies
        L("267.00", item_code="MOB-BAS", quantity="3", unit_price="89.00", subscription=sub,
          period_start=date(2026, 3, 14), period_end=date(2026, 3, 14)),
        # 2 × (0.3925 − 0.39) = 0.005 → 0.01 (half up, not to even)
        L("0.79", Category.USAGE, item_code="MOB-SAMTAL", quantity="2", unit_price="0.3925", subscription=sub),
        # 7 × (0.4150 − 0.39) = 0.175 → 0.18
        L("2.91", Category.USAGE, item_code="MOB-SAMTAL", quantity="7", unit_price="0.4150", subscription=sub),
        # 1.5 × (1 600.00 − 1 490.00) on the equipment contract = 165.00
        L("2400.00", Category.EQUIPMENT, item_code="TEL-DORO", quantity="1.5", unit_price="1600.00"),
    ])
    found = {f.line_ids[0]: f.amount for f in run(world).of_kind("price_above_contract")}
    assert found == {lines[0].id: Decimal("12.00"), lines[1].id: Decimal("0.01"), lines[2].id: Decimal("0.18")}
    # the equipment line's supplier (Demotel) has no contract listing TEL-DORO: no price to compare with
    report = run(world)
    assert [(c.supplier_name, c.excess, c.line_ids) for c in report.claims] == [
        ("Demotel Mobil AB", Decimal("12.19"), tuple(sorted((lines[0].id, lines[1].id, lines[2].id))))]
    finding = next(f for f in report.of_kind("price_above_contract") if f.line_ids == (lines[0].id,))
    assert finding.params["contract_price"] == Decimal("85.00") and "SKÖ 2025/0145" in finding.reason
    assert "3 × 4.00 = 12.00" in finding.reason


def test_claims_are_per_supplier(world) -> None:
    _, (prylar_line,) = make_invoice(world.org, world.prylar, [
        L("3200.00", Category.EQUIPMENT, item_code="TEL-DORO", quantity="2", unit_price="1600.00")])
    sub = make_subscription(world.org, "+46701000013", world.org.forskola, supplier=world.demotel)
    make_invoice(world.org, world.demotel, [L("90.00", item_code="MOB-BAS", quantity="1", unit_price="90.00",
                                              subscription=sub)])
    claims = run(world).claims
    assert [(c.supplier_name, c.excess) for c in claims] == [("Demoprylar AB", Decimal("220.00")),
                                                              ("Demotel Mobil AB", Decimal("5.00"))]
    assert claims[0].line_ids == (prylar_line.id,)


@pytest.mark.parametrize(("day", "unit_price", "excess"), [
    (date(2026, 3, 14), "89.00", Decimal("4.00")),  # the day before the new version: 85.00 applies
    (date(2026, 3, 15), "89.00", None),  # the day the new version starts
    (date(2026, 3, 16), "89.00", None),  # the day after
    (date(2026, 3, 16), "89.01", Decimal("0.01")),
])
def test_price_deviation_uses_the_version_in_force_on_the_lines_day(world, day, unit_price, excess) -> None:
    sub = make_subscription(world.org, "+46701000014", world.org.forskola, supplier=world.demotel)
    make_invoice(world.org, world.demotel, [L(unit_price, item_code="MOB-BAS", quantity="1", unit_price=unit_price,
                                              subscription=sub, period_start=day, period_end=day)])
    found = run(world).of_kind("price_above_contract")
    assert [f.amount for f in found] == ([excess] if excess is not None else [])


def test_no_price_finding_at_or_below_the_price_on_credit_notes_or_without_a_price_list_item(world) -> None:
    sub = make_subscription(world.org, "+46701000015", world.org.forskola, supplier=world.demotel)
    make_invoice(world.org, world.demotel, [
        L("85.00", item_code="MOB-BAS", quantity="1", unit_price="85.00", subscription=sub),
        L("80.00", item_code="MOB-BAS", quantity="1", unit_price="80.00", subscription=sub),
        L("500.00", item_code="UNKNOWN", quantity="1", unit_price="500.00", subscription=sub),
        L("90.00", item_code="MOB-BAS", unit_price="90.00", subscription=sub),  # no quantity
    ])
    make_invoice(world.org, world.demotel, [L("-90.00", item_code="MOB-BAS", quantity="1", unit_price="90.00",
                                              subscription=sub)], document_type=DocumentType.CREDIT_NOTE)
    assert not run(world).of_kind("price_above_contract")


# --- (c) billed after the end -----------------------------------------------------------------


def test_billing_after_a_subscriptions_end_is_found(world) -> None:
    ended = make_subscription(world.org, "+46701000016", world.org.forskola, supplier=world.demotel,
                              end=date(2026, 3, 10))
    _, lines = make_invoice(world.org, world.demotel, [
        L("89.00", subscription=ended),  # 1–31 March: 21 days too many
        L("28.71", subscription=ended, period_start=date(2026, 3, 1), period_end=date(2026, 3, 10)),  # fine
    ])
    (finding,) = run(world).of_kind("billed_after_end")
    assert finding.line_ids == (lines[0].id,) and finding.params["end_date"] == date(2026, 3, 10)
    assert "+46701000016 ended on 2026-03-10 but is billed up to 2026-03-31" in finding.reason


def test_no_billing_after_end_while_the_subscription_runs(world) -> None:
    sub = make_subscription(world.org, "+46701000017", world.org.forskola, supplier=world.demotel,
                            end=date(2026, 3, 31))
    make_invoice(world.org, world.demotel, [L("89.00", subscription=sub)])
    assert not run(world).of_kind("billed_after_end")


# --- (d) no assignment, no match --------------------------------------------------------------


def test_billed_number_without_assignment_on_the_lines_day_is_found(world) -> None:
    nowhere = make_subscription(world.org, "+46701000018", None, supplier=world.demotel)
    late = make_subscription(world.org, "+46701000019", world.org.skola, supplier=world.demotel,
                             assigned_from=date(2026, 3, 20))
    placed = make_subscription(world.org, "+46701000020", world.org.skola, supplier=world.demotel)
    _, lines = make_invoice(world.org, world.demotel, [L("85.00", subscription=nowhere),
                                                       L("85.00", subscription=late),
                                                       L("85.00", subscription=placed)])
    found = run(world).of_kind("no_assignment")
    assert sorted(f.line_ids for f in found) == [(lines[0].id,), (lines[1].id,)]
    assert {f.subscription_id for f in found} == {nowhere.id, late.id}


def test_handset_line_without_assignment_is_found(world) -> None:
    handset = make_handset(world.org, "490154203237518", None, contract=world.equipment, purchase_date=BOUGHT,
                           purchase_price=PRICE)
    _, (line,) = make_invoice(world.org, world.prylar, [L("1490.00", Category.EQUIPMENT, handset=handset)])
    (finding,) = run(world).of_kind("no_assignment")
    assert finding.line_ids == (line.id,) and "IMEI 490154203237518" in finding.reason


def test_line_whose_reference_matched_nothing_is_found(world) -> None:
    _, lines = make_invoice(world.org, world.demotel, [L("85.00", reference="0701234567"),
                                                       L("85.00", reference="0701234567"),
                                                       L("10.00", Category.ONE_OFF)])
    found = run(world).of_kind("unmatched_reference")
    assert sorted(f.line_ids for f in found) == [(lines[0].id, lines[1].id), (lines[2].id,)]
    assert any("'0701234567'" in f.reason for f in found)


# --- (e) hardware off contract ----------------------------------------------------------------


def test_equipment_from_a_supplier_without_equipment_contract_is_found(world) -> None:
    handset = make_handset(world.org, "490154203237518", world.org.skola, contract=world.equipment,
                           purchase_date=BOUGHT, purchase_price=PRICE)
    _, (line,) = make_invoice(world.org, world.butik, [L("1890.00", Category.EQUIPMENT, handset=handset)])
    (finding,) = run(world).of_kind("hardware_off_contract")
    assert finding.line_ids == (line.id,) and finding.params["supplier_off_contract"] is True
    assert "Demoprylar AB (SKÖ 2025/0078)" in finding.reason
    assert not run(world).of_kind("off_contract_supplier")  # equipment is (e), not (a)


def test_handset_registered_off_contract_is_found_with_or_without_a_line(world) -> None:
    billed = make_handset(world.org, "490154203237518", world.org.skola, purchase_date=BOUGHT, purchase_price=PRICE)
    unbilled = make_handset(world.org, "356938035643809", world.org.skola, purchase_date=date(2026, 3, 20),
                            purchase_price=PRICE)
    make_handset(world.org, "353918059155448", world.org.skola, purchase_date=date(2026, 2, 20),
                 purchase_price=PRICE)  # February
    on_contract = make_handset(world.org, "352099001761481", world.org.skola, contract=world.equipment,
                               purchase_date=BOUGHT, purchase_price=PRICE)
    _, (line, fine) = make_invoice(world.org, world.prylar, [L("1490.00", Category.EQUIPMENT, handset=billed),
                                                             L("1490.00", Category.EQUIPMENT, handset=on_contract)])
    found = run(world).of_kind("hardware_off_contract")
    assert sorted((f.line_ids, f.handset_id) for f in found) == sorted(
        [((line.id,), billed.id), ((), unbilled.id)])
    assert all(fine.id not in f.line_ids for f in found)


# --- (f) contracts ending ---------------------------------------------------------------------


def test_contracts_ending_or_reaching_a_notice_date_within_six_months(db, world) -> None:
    ending = make_contract(world.org, world.butik, [Category.ONE_OFF], start=date(2024, 1, 1),
                           end=date(2026, 7, 10), reference="SKÖ 2024/0001")
    optioned = make_contract(world.org, world.nordnat, [Category.USAGE], start=date(2024, 1, 1),
                             end=date(2027, 12, 31), options=[(date(2028, 12, 31), date(2026, 7, 10))],
                             reference="SKÖ 2024/0002")
    report = compliance.check(world.org.id, MARCH, today=date(2026, 1, 10))
    assert [(f.contract_id, f.params["event"], f.params["date"]) for f in report.of_kind("contract_ending")] == [
        (ending.id, "end", date(2026, 7, 10)), (optioned.id, "notice", date(2026, 7, 10))]
    assert not compliance.check(world.org.id, MARCH, today=date(2026, 1, 9)).of_kind("contract_ending")
    assert len(compliance.check(world.org.id, MARCH, today=date(2026, 7, 10)).of_kind("contract_ending")) == 2
    assert not compliance.check(world.org.id, MARCH, today=date(2026, 7, 11)).of_kind("contract_ending")
    optioned.extension_options[0].exercised_on = date(2026, 5, 1)  # used: no longer a decision to make
    db.flush()
    assert [f.contract_id for f in compliance.check(world.org.id, MARCH, today=date(2026, 1, 10))
            .of_kind("contract_ending")] == [ending.id]


def test_contract_ending_ignores_contracts_the_organisation_is_not_party_to(db, world) -> None:
    contract = make_contract(world.org, world.butik, [Category.ONE_OFF], start=date(2024, 1, 1),
                             end=date(2026, 3, 31))
    for party in [p for p in contract.parties if p.organisation_id == world.org.id]:
        contract.parties.remove(party)
        db.delete(party)
    db.flush()
    assert not run(world).of_kind("contract_ending")


# --- the check as a whole ---------------------------------------------------------------------


def test_lines_of_other_months_and_organisations_are_not_checked(db, world) -> None:
    make_invoice(world.org, world.nordnat, [L("99.00", reference="x", period_start=date(2026, 4, 1),
                                              period_end=date(2026, 4, 30))])
    make_invoice(world.org, world.nordnat, [L("99.00", reference="y", period_start=None, period_end=None)],
                 issue_date=date(2026, 2, 27))  # no service period: the invoice date decides
    make_invoice(world.org, world.nordnat, [L("99.00", reference="z", period_start=None, period_end=None)],
                 issue_date=date(2026, 3, 2))
    report = run(world)
    assert report.lines_checked == 1 and report.of_kind("unmatched_reference")[0].params["reference"] == "z"


def test_the_check_writes_nothing_and_takes_a_fixed_number_of_queries(db, world, count_queries) -> None:
    organisation_id = world.org.id

    def statements(lines: int) -> int:
        subs = [make_subscription(world.org, f"+4670200{lines:02d}{i:03d}", world.org.va, supplier=world.nordnat)
                for i in range(lines)]
        make_invoice(world.org, world.nordnat, [L("99.00", item_code="MOB-BAS", quantity="1", unit_price="99.00",
                                                  subscription=s) for s in subs])
        with count_queries() as seen:
            compliance.check(organisation_id, MARCH, today=TODAY)
        assert not [s for s in seen if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
        return len(seen)

    assert statements(2) == statements(25)


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 1, 10), 6) == date(2026, 7, 10)
