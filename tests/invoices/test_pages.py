"""The invoices page: the imported invoices listed, in a number of statements that does not grow with them."""

from __future__ import annotations

from ledger.access.models import Role
from tests.conftest import log_in
from tests.factories import L, make_invoice, make_supplier


def test_the_invoice_list_reads_in_a_fixed_number_of_queries(client, db, org, make_user, count_queries) -> None:
    log_in(client, make_user(Role.FINANCE).username)
    client.get("/invoices")  # the first page after logging in: what is read once per session is read here
    made: list[str] = []

    def statements(invoices: int) -> int:
        for _ in range(invoices):  # each from a supplier of its own, with two lines
            invoice, _lines = make_invoice(org, make_supplier(f"Leverantör {len(made) + 1}"), [L("89.00"), L("10.00")])
            made.append(invoice.number)
        with count_queries() as seen:
            page = client.get("/invoices")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert all(number in text for number in made) and f"Leverantör {len(made)}" in text
        return len(seen)

    assert statements(2) == statements(12)
