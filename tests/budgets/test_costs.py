"""Budget versus actual on a small ledger whose figures are computed by hand below."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.access.models import Role
from ledger.allocation.engine import allocate
from ledger.budgets import costs
from ledger.budgets import service as budgets
from ledger.core.categories import BudgetCategory
from tests.factories import Org, build_year, save

TODAY = date(2026, 5, 20)
D = Decimal


@pytest.fixture
def ledger(db, org) -> Org:
    """``build_year``: January to May 2026, with the figures the tests below compute by hand."""
    return build_year(org)


def test_unit_budget_actual_variance_and_forecast(db, ledger) -> None:
    table = costs.unit_table(ledger.forskola, 2026, TODAY)
    subs = BudgetCategory.SUBSCRIPTIONS
    assert table.actual[subs][:5] == [D("80.00"), D("80.00"), D("580.00"), D("80.00"), D("80.00")]
    assert table.budget[subs] == [D("100.00")] * 12
    assert (table.ytd_budget(), table.ytd_actual()) == (D("500.00"), D("900.00"))
    # Run rate of March–May without the one-off: 80 a month, seven months left.
    assert table.forecast() == D("900.00") + 7 * D("80.00")
    assert BudgetCategory.SWITCHBOARD not in table.actual  # its extension is paid centrally


def test_switchboard_shares_of_the_carrier_and_a_fee_funded_unit(db, ledger) -> None:
    kansli = costs.unit_table(ledger.kansli, 2026, TODAY)
    va = costs.unit_table(ledger.va, 2026, TODAY)
    assert kansli.ytd_actual(BudgetCategory.SWITCHBOARD) == D("210.00")
    assert va.ytd_actual(BudgetCategory.SWITCHBOARD) == D("210.00")
    assert va.ytd_budget(BudgetCategory.SWITCHBOARD) == D("50.00")


def test_rollup_keeps_months_with_the_administration_of_then(db, ledger) -> None:
    summary = costs.rollup(ledger.id, 2026, TODAY)
    by_code = {admin.code: table for admin, table in summary.administrations}
    assert by_code["BUF"].ytd_actual() == D("900.00") + 3 * D("150.00")
    assert by_code["SBF"].ytd_actual() == 2 * D("150.00") + D("210.00")
    assert by_code["KS"].ytd_actual() == D("210.00")
    # Skolan's budget: January–March in BUF, April on in SBF.
    assert by_code["BUF"].total_budget() == D("1200.00") + 3 * D("200.00")
    assert by_code["SBF"].total_budget() == 9 * D("200.00") + D("120.00")
    assert summary.organisation.ytd_actual() == D("900.00") + 5 * D("150.00") + 2 * D("210.00")


def test_budget_changes_are_kept(db, ledger) -> None:
    from ledger.access.models import User

    history = budgets.history(ledger.forskola, 2026)
    assert len(history) == 12 and all(h.old_amount is None for h in history)

    user = db.query(User).filter_by(role=Role.FINANCE).first()
    months = budgets.phase(D("1200.00"))
    months[11] = D("300.00")
    assert budgets.set_budget(user, ledger.forskola, 2026, BudgetCategory.SUBSCRIPTIONS, months) == 1
    save()
    latest = budgets.history(ledger.forskola, 2026)[0]
    assert (latest.month, latest.old_amount, latest.new_amount, latest.changed_by_id) == (
        12, D("100.00"), D("300.00"), user.id)


def test_switchboard_budget_only_for_carrier_and_fee_funded(db, ledger) -> None:
    from ledger.access.models import User
    from ledger.core.errors import ValidationFailed

    user = db.query(User).filter_by(role=Role.FINANCE).first()
    with pytest.raises(ValidationFailed, match="does not budget for switchboard"):
        budgets.set_budget(user, ledger.forskola, 2026, BudgetCategory.SWITCHBOARD, budgets.phase(D("12.00")))


def test_costs_api_and_scoping(client, ledger, api_headers) -> None:
    department = api_headers(Role.DEPARTMENT, ["3110"])
    response = client.get("/api/v1/units/3110/costs?year=2026", headers=department)
    assert response.status_code == 200
    march = response.json["months"][2]["categories"]["subscriptions"]
    assert march == {"budget": "100.00", "actual": "580.00", "variance": "-480.00"}
    for path in ("/api/v1/units/3140/costs?year=2026", "/api/v1/units/3140/budgets?year=2026",
                 "/api/v1/units/3140/budgets/history?year=2026"):
        assert client.get(path, headers=department).status_code == 403, path
    put = {"year": 2026, "category": "subscriptions", "annual": "1200.00"}
    assert client.put("/api/v1/units/3110/budgets", json=put, headers=department).status_code == 403
    assert client.put("/api/v1/units/3110/budgets", json=put, headers=api_headers(Role.AUDITOR)).status_code == 403


def test_budget_api_write_history_and_csv_import(client, ledger, api_headers) -> None:
    import io

    finance = api_headers(Role.FINANCE)
    months = ["100.00"] * 11 + ["250.00"]
    response = client.put("/api/v1/units/3110/budgets", json={"year": 2026, "category": "subscriptions",
                                                             "months": months}, headers=finance)
    assert response.status_code == 200 and response.json["changed_months"] == 1
    history = client.get("/api/v1/units/3110/budgets/history?year=2026", headers=finance).json
    assert history[0] == history[0] | {"month": 12, "old": "100.00", "new": "250.00", "source": "api"}
    bad = client.put("/api/v1/units/3110/budgets", json={"year": 2026, "category": "switchboard",
                                                        "annual": "10.00"}, headers=finance)
    assert bad.status_code == 422
    csv_body = "Ansvar;År;Kategori;Belopp\n3140;2026;abonnemang;3 600,00\n2150;2026;växel;240\n".encode()
    imported = client.post("/api/v1/budgets/import", headers=finance, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(csv_body), "budget.csv")})
    assert imported.status_code == 200 and imported.json == {"rows": 2, "changed_months": 24}
    wrong = "Ansvar;År;Kategori;Belopp\n3140;2026;abonnemang;100\n3110;2026;växel;50\n".encode()
    refused = client.post("/api/v1/budgets/import", headers=finance, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(wrong), "budget.csv")})
    assert refused.status_code == 422 and refused.json["error"]["details"][0]["line"] == 3
    budget = client.get("/api/v1/units/3140/budgets?year=2026", headers=finance).json
    assert budget["categories"]["subscriptions"][0] == "300.00"  # the refused file changed nothing


def test_pages_show_the_dashboard_and_the_drill_down(client, ledger, make_user) -> None:
    from tests.conftest import log_in

    log_in(client, make_user(Role.DEPARTMENT, ["3110"]).username)
    page = client.get("/?year=2026").get_data(as_text=True)
    assert "<svg" in page and "<desc" in page and "900,00\u00a0kr" in page
    unit_page = client.get("/units/3110?year=2026").get_data(as_text=True)
    assert "/units/3110/2026/3?category=subscriptions" in unit_page
    drill = client.get("/units/3110/2026/3?category=subscriptions").get_data(as_text=True)
    assert "Startavgift nytt SIM" in drill and "580,00\u00a0kr" in drill
    assert client.get("/units/3140/2026/3").status_code == 403
    assert client.get("/units/3140?year=2026").status_code == 403


def test_a_correction_after_a_reorganisation_reverses_under_the_old_administration(db, ledger) -> None:
    """Skolan's January cost was booked under BUF. January–March are closed; a back-dated move
    in January is corrected in April (as it is saved), when Skolan belongs to SBF: the reversal
    still nets BUF."""
    import sqlalchemy as sa

    from ledger.allocation import periods
    from ledger.allocation.check import check
    from ledger.allocation.models import JournalEntry
    from ledger.inventory.assignments import move
    from ledger.inventory.models import Subscription

    for month in ("2026-01", "2026-02", "2026-03"):
        periods.close(None, ledger.id, month)
    sub = db.scalars(sa.select(Subscription).where(Subscription.number == "+46702345678")).one()
    move(None, sub, ledger.forskola, date(2026, 1, 15))
    save()
    again = allocate(None, ledger.organisation, "2026-01")
    assert again.booked_in == "2026-04" and again.entries == again.reversals == 0  # booked already
    reversals = db.scalars(sa.select(JournalEntry).where(JournalEntry.reverses_id.is_not(None))).all()
    assert len(reversals) == 3  # January, February and March: the move holds from 15 January on
    for reversal in reversals:
        original = db.get(JournalEntry, reversal.reverses_id)
        assert reversal.administration_id == original.administration_id == ledger.forskola.administration_id
    assert check() == []


def test_budget_report_pdf_for_a_unit_and_the_organisation(app, db, ledger) -> None:
    import io

    from pypdf import PdfReader

    from ledger.reporting.service import budget_report, report_translations
    from reports.budget_pdf import render_budget_report

    unit_pdf = render_budget_report(budget_report(ledger.organisation, 2026, unit_code="3110", today=TODAY), "sv",
                                    report_translations("sv"))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(unit_pdf)).pages)
    assert "Budgetuppföljning 2026" in text and "3110 Förskolor centrala Karlsborg" in text
    assert "900" in text and "1 460" in text  # actual so far and the forecast, computed by hand above
    assert "Sida 1 av 1" in text
    whole = render_budget_report(budget_report(ledger.organisation, 2026, today=TODAY), "en")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(whole)).pages)
    for name in ("Barn- och utbildningsförvaltningen", "Samhällsbyggnadsförvaltningen", "Page 1 of"):
        assert name in text
    result = app.test_cli_runner().invoke(args=["report", "budget", "2026", "--unit", "9999", "--out", "/dev/null"])
    assert result.exit_code == 1 and "No budget unit with ansvar 9999" in result.output
