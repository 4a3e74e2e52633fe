"""``GET /api/v1/compliance``, the ``compliance`` command and the compliance page."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ledger.access.models import Role
from ledger.core.categories import Category
from tests.conftest import log_in
from tests.factories import (
    L,
    make_contract,
    make_handset,
    make_invoice,
    make_price,
    make_subscription,
    make_supplier,
)


@pytest.fixture
def month(db, org):
    demotel = make_supplier("Demotel Mobil AB")
    nordnat = make_supplier("Nordnät AB")
    contract = make_contract(org, demotel, [Category.SUBSCRIPTION, Category.USAGE], start=date(2025, 1, 1),
                             end=date(2027, 12, 31), reference="SKÖ 2025/0145")
    make_price(contract, "MOB-SAMTAL", "0.39", date(2025, 1, 1), category=Category.USAGE)
    sub = make_subscription(org, "+46701000001", org.forskola, supplier=demotel)
    off = make_subscription(org, "+46701000002", org.va, supplier=nordnat)
    _, over = make_invoice(org, demotel, [
        L("2.91", Category.USAGE, item_code="MOB-SAMTAL", quantity="7", unit_price="0.4150", subscription=sub)])
    _, off_lines = make_invoice(org, nordnat, [L("99.00", subscription=off)])
    return {"over": over[0].id, "off": off_lines[0].id}


@pytest.mark.parametrize(("role", "status"), [(Role.FINANCE, 200), (Role.PROCUREMENT, 200), (Role.AUDITOR, 200),
                                              (Role.DEPARTMENT, 403), (Role.ADMIN, 403)])
def test_who_reads_compliance(client, api_headers, month, role, status) -> None:
    headers = api_headers(role, ["3110"] if role == Role.DEPARTMENT else [])
    assert client.get("/api/v1/compliance?period=2026-03", headers=headers).status_code == status


def test_compliance_json_has_findings_claims_and_the_lines_behind_them(client, api_headers, month) -> None:
    body = client.get("/api/v1/compliance", headers=api_headers(Role.AUDITOR),
                      query_string={"period": "2026-03", "today": "2026-01-10"}).json
    assert body["period"] == "2026-03" and body["lines_checked"] == 2
    assert body["claims"] == [{"supplier_id": body["claims"][0]["supplier_id"], "supplier": "Demotel Mobil AB",
                               "excess": "0.18", "line_ids": [month["over"]]}]
    assert body["claims_total"] == "0.18"
    kinds = {f["kind"]: f for f in body["findings"]}
    assert set(kinds) == {"price_above_contract", "off_contract_supplier"}
    assert kinds["price_above_contract"]["amount"] == "0.18"
    assert kinds["off_contract_supplier"]["line_ids"] == [month["off"]]
    assert "Demotel Mobil AB (SKÖ 2025/0145)" in kinds["off_contract_supplier"]["reason"]
    lines = {line["id"]: line for line in body["lines"]}
    assert lines[month["over"]]["unit_price"] == "0.4150" and lines[month["over"]]["net_amount"] == "2.91"
    assert body["counts"]["price_above_contract"] == 1 and body["counts"]["billed_after_end"] == 0


@pytest.mark.parametrize("period", ["2026-13", "march", ""])
def test_a_bad_period_is_422(client, api_headers, month, period) -> None:
    response = client.get("/api/v1/compliance", headers=api_headers(Role.FINANCE), query_string={"period": period})
    assert response.status_code == 422 and response.json["error"]["code"] == "validation_failed"


def test_compliance_command(app, month) -> None:
    runner = app.test_cli_runner()
    text = runner.invoke(args=["compliance", "2026-03", "--today", "2026-01-10"])
    assert text.exit_code == 0, text.output
    assert "claim Demotel Mobil AB: 0.18" in text.output
    result = runner.invoke(args=["compliance", "2026-03", "--today", "2026-01-10", "--json"])
    body = json.loads(result.output)
    assert body["counts"]["off_contract_supplier"] == 1 and body["claims"][0]["excess"] == "0.18"
    assert runner.invoke(args=["compliance", "2026-3"]).exit_code != 0


def test_compliance_page_lists_claims_and_links_each_finding_to_its_lines(client, make_user, month) -> None:
    log_in(client, make_user(Role.PROCUREMENT).username)
    page = client.get("/compliance?period=2026-03").get_data(as_text=True)
    assert "Krav: priser över avtalspris" in page and "0,18\u00a0kr" in page
    assert f'href="#line-{month["over"]}"' in page and f'id="line-{month["over"]}"' in page
    assert f'href="#line-{month["off"]}"' in page
    assert "Nordnät AB fakturerade abonnemangsavgift" in page
    assert "0,415\u00a0kr" in page  # unit prices keep their decimals beyond öre
    assert "/invoices/" not in page  # procurement may not open invoices: no links to them


def test_compliance_page_links_lines_to_invoices_for_finance_and_refuses_departments(client, make_user,
                                                                                    month) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    page = client.get("/compliance?period=2026-03").get_data(as_text=True)
    assert "/invoices/" in page
    client.post("/logout", data={})
    other = client.application.test_client()
    log_in(other, make_user(Role.DEPARTMENT, ["3110"]).username)
    assert other.get("/compliance?period=2026-03").status_code == 403


def test_compliance_page_with_a_bad_period_says_so(client, make_user, month) -> None:
    log_in(client, make_user(Role.AUDITOR).username)
    response = client.get("/compliance?period=2026-3")
    assert response.status_code == 400 and "ÅÅÅÅ-MM" in response.get_data(as_text=True)  # said in Swedish


@pytest.mark.parametrize("path", ["/compliance?period=2026-03", "/api/v1/compliance?period=2026-03&today=2026-01-10"])
def test_the_compliance_report_reads_in_a_fixed_number_of_queries(client, db, org, make_user, api_headers,
                                                                  count_queries, path: str) -> None:
    """Each round: lines above the contract price, lines of operators without a contract (one
    operator each), lines whose reference matched nothing, and handsets bought off contract."""
    demotel = make_supplier("Demotel Mobil AB")
    contract = make_contract(org, demotel, [Category.SUBSCRIPTION, Category.USAGE], start=date(2025, 1, 1),
                             end=date(2027, 12, 31), reference="SKÖ 2025/0145")
    make_price(contract, "MOB-SAMTAL", "0.39", date(2025, 1, 1), category=Category.USAGE)
    if path.startswith("/api"):
        headers = api_headers(Role.FINANCE)
    else:
        log_in(client, make_user(Role.FINANCE).username)
        headers = {}
    client.get(path, headers=headers)
    suppliers: list[str] = []

    def statements(rounds: int) -> int:
        for _ in range(rounds):
            n = len(suppliers) + 1
            other = make_supplier(f"Operatör {n:02d} AB")
            suppliers.append(other.name)
            sub = make_subscription(org, f"+4670110{n:04d}", org.forskola, supplier=demotel)
            off = make_subscription(org, f"+4670120{n:04d}", org.va, supplier=other)
            make_handset(org, 100 + n, org.skola, purchase_date=date(2026, 3, 5))
            make_invoice(org, demotel, [
                L("2.91", Category.USAGE, item_code="MOB-SAMTAL", quantity="7", unit_price="0.4150", subscription=sub),
                L("5.00", reference=f"07013{n:05d}")])
            make_invoice(org, other, [L("99.00", subscription=off)])
        with count_queries() as seen:
            response = client.get(path, headers=headers)
        assert response.status_code == 200
        text = json.dumps(response.json, ensure_ascii=False) if response.is_json else response.get_data(as_text=True)
        assert all(name in text for name in suppliers) and "Demotel Mobil AB" in text
        return len(seen)

    assert statements(2) == statements(12)
