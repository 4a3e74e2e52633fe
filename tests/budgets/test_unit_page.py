"""The unit page (budget against actual, the budget's history, the unit's assets) in a number of
statements that does not grow with the assets, the invoice lines or the budget changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.access.models import Role
from ledger.allocation.engine import allocate
from ledger.budgets import service as budgets
from ledger.core.categories import BudgetCategory
from ledger.i18n import money
from tests.conftest import log_in
from tests.factories import MARCH, import_invoice, invoice_operator, line, make_handset, make_subscription, save


def test_the_unit_page_reads_in_a_fixed_number_of_queries(client, db, org, make_user, count_queries) -> None:
    invoice_operator()
    finance = make_user(Role.FINANCE)
    log_in(client, finance.username)
    client.get("/units/3110?year=2026")
    numbers: list[str] = []

    def statements(assets: int) -> int:
        lines = []
        for _ in range(assets):
            n = len(numbers) + 1
            make_subscription(org, f"070-700 00 {n:02d}", org.forskola, start=date(2026, 1, 1), label=f"Tjänst {n}")
            make_handset(org, n, org.forskola, model=f"Modell {n:02d}", purchase_price=Decimal("990.00"))
            lines.append(line(f"070-700 00 {n:02d}", "100.00", period=MARCH))
            numbers.append(f"070-700 00 {n:02d}")
        import_invoice(org, lines, number=f"F-{len(numbers)}")
        allocate(None, org.organisation, "2026-03")
        budgets.set_budget(finance, org.forskola, 2026, BudgetCategory.SUBSCRIPTIONS,
                           budgets.phase(Decimal(100 * len(numbers) * 12)))
        save()
        with count_queries() as seen:
            response = client.get("/units/3110?year=2026")
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert all(number in text for number in numbers) and f"Modell {len(numbers):02d}" in text
        assert money(Decimal(100 * len(numbers)), "sv") in text  # March's actual: every line of the unit
        return len(seen)

    assert statements(2) == statements(12)
