"""The month-end checklist (``periods status``, its API and page) and the close it guards."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from ledger.access.models import Role
from ledger.allocation import periods
from ledger.allocation.engine import allocate
from ledger.allocation.models import Period, PeriodStatus
from ledger.closing.service import month_end
from ledger.core.errors import Conflict
from ledger.reporting import sie
from tests.conftest import audit_actions, csrf_token, log_in
from tests.factories import build_month, import_invoice, line, make_contract, make_subscription, save


@pytest.fixture
def march(db, org):
    """March allocated (``build_month``), the operator under contract; in April one invoice
    imported but not allocated, and Hjo's (which invoiced in March) not come."""
    month = build_month(org)
    make_contract(org, month.operator)
    make_subscription(org, "0703456789", org.skola, supplier=month.operator)
    import_invoice(org, [line("0703456789", "99.00")], number="F-2", issue_date="2026-04-30")
    return month


def test_the_checklist_of_an_allocated_month(db, march) -> None:
    status = month_end(march.org.organisation, "2026-03")
    assert status.status == "open" and status.ready
    assert [(s.supplier, s.invoices) for s in status.suppliers] == [("Hjo kommun", 1), ("Operatören AB", 1)]
    assert (status.lines, status.lines_allocated) == (6, 6)
    assert str(status.suspense_total) == "78.72"
    assert status.exports == ()


def test_the_checklist_lists_a_missing_invoice_and_the_lines_not_allocated(db, march) -> None:
    status = month_end(march.org.organisation, "2026-04")
    assert status.missing == []
    by_name = {s.supplier: s for s in status.suppliers}
    assert by_name["Operatören AB"].invoices == 1
    assert "Hjo kommun" not in by_name  # Hjo is under no contract: it is not expected every month
    assert (status.lines, status.unallocated) == (1, 1) and not status.ready


def test_a_contracted_supplier_that_invoiced_the_month_before_is_missing(db, march) -> None:
    make_contract(march.org, march.hjo)
    status = month_end(march.org.organisation, "2026-04")
    assert status.missing == ["Hjo kommun"]
    assert status.suppliers[0].supplier == "Hjo kommun"  # what is missing comes first


def test_the_close_is_refused_while_lines_are_not_allocated_unless_forced(db, march) -> None:
    with pytest.raises(Conflict, match="1 lines of the invoices of 2026-04 are not allocated"):
        periods.close(None, march.org.id, "2026-04")
    closed = periods.close(None, march.org.id, "2026-04", force_reason="F-2 is disputed with the operator")
    save()
    assert closed.unallocated == 1 and closed.period.status == PeriodStatus.CLOSED
    [event] = audit_actions(db, "period.close")
    assert event.after == {"status": "closed", "unallocated_lines": 1, "reason": "F-2 is disputed with the operator"}
    status = month_end(march.org.organisation, "2026-04")
    assert status.close_reason == "F-2 is disputed with the operator" and status.closed_by == "system"


def test_the_command(app, db, march) -> None:
    runner = app.test_cli_runner()
    text = runner.invoke(args=["periods", "status", "2026-04"])
    assert text.exit_code == 0
    assert "lines: 0 of 1 allocated, 1 NOT ALLOCATED" in text.output and "not ready" in text.output
    refused = runner.invoke(args=["periods", "close", "2026-04"])
    assert refused.exit_code == 1 and "not allocated" in refused.output
    assert db.scalar(sa.select(Period.status).where(Period.period == "2026-04")) in (None, PeriodStatus.OPEN)
    forced = runner.invoke(args=["periods", "close", "2026-04", "--force", "waiting for a credit note"])
    assert forced.exit_code == 0 and "1 lines were not allocated: waiting for a credit note" in forced.output
    sie.export_period(None, march.org.organisation, "2026-03")
    periods.close(None, march.org.id, "2026-03")
    save()
    closed = json.loads(runner.invoke(args=["periods", "status", "2026-03", "--json"]).output)
    assert closed["status"] == "closed" and closed["closed_by"] == "system" and closed["close_reason"] is None
    assert [e["vouchers"] for e in closed["sie_exports"]] == [2]
    assert closed["lines"] == {"total": 6, "allocated": 6, "unallocated": 0}


def test_the_api(client, db, march, api_headers) -> None:
    finance = api_headers(Role.FINANCE)
    status = client.get("/api/v1/periods/2026-04/status", headers=finance)
    assert status.status_code == 200 and status.json["lines"]["unallocated"] == 1
    assert client.get("/api/v1/periods/2026-04/status", headers=api_headers(Role.AUDITOR)).status_code == 200
    assert client.get("/api/v1/periods/2026-04/status",
                      headers=api_headers(Role.DEPARTMENT, ["3110"])).status_code == 403
    assert client.get("/api/v1/periods/2026-13/status", headers=finance).status_code == 400
    refused = client.post("/api/v1/periods/2026-04/close", headers=finance)
    assert refused.status_code == 409 and refused.json["error"]["details"] == [{"unallocated_lines": 1}]
    allocate(None, march.org.organisation, "2026-04")
    save()
    closed = client.post("/api/v1/periods/2026-04/close", headers=finance)
    assert closed.status_code == 200 and closed.json["unallocated_lines"] == 0


def test_the_page_closes_with_a_reason(client, db, march, make_user) -> None:
    finance = make_user(Role.FINANCE)
    log_in(client, finance.username)
    page = client.get("/periods/2026-04")
    assert page.status_code == 200 and 'name="reason"' in page.get_data(as_text=True)
    token = csrf_token(client, "/periods/2026-04")
    refused = client.post("/periods/2026-04", data={"csrf_token": token})
    assert refused.status_code == 409
    closed = client.post("/periods/2026-04", data={"csrf_token": token, "reason": "disputed"})
    assert closed.status_code == 302
    assert "disputed" in client.get("/periods/2026-04").get_data(as_text=True)
