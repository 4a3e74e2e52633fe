"""Small ledgers for the allocation tests: an operator, numbers, assignments, invoices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ledger.core.identifiers import phone_number
from ledger.database import db
from ledger.inventory.assignments import add_assignment
from ledger.inventory.models import Subscription, SubscriptionKind
from ledger.invoices.importing import import_file
from ledger.invoices.models import ImportStatus
from ledger.organisation.models import BudgetUnit, Supplier
from tests.conftest import Org
from tests.importers.ubl_builder import Line, build_invoice

SUPPLIER = "556677-8899"


@dataclass
class Ledger:
    org: Org
    supplier: Supplier

    def subscription(self, number: str, unit: BudgetUnit | None, since: date = date(2024, 1, 1),
                     kind: SubscriptionKind = SubscriptionKind.MOBILE_VOICE) -> Subscription:
        sub = Subscription(organisation_id=self.org.id, number=phone_number(number), kind=kind,
                           supplier_id=self.supplier.id, start_date=since)
        db.session.add(sub)
        db.session.flush()
        if unit is not None:
            add_assignment(None, sub, unit, since)
        db.session.commit()
        return sub

    def invoice(self, lines: list[Line], number: str = "F-1", issue_date: str = "2026-03-31", **options) -> int:
        data = build_invoice(lines, number=number, issue_date=issue_date, supplier_orgnr=SUPPLIER.replace("-", ""),
                             **options)
        outcome = import_file(None, self.org.organisation, data, f"{number}.xml")
        assert outcome.status == ImportStatus.IMPORTED, outcome.errors
        db.session.commit()
        return outcome.invoice_id  # type: ignore[return-value]


def line(number: str, amount: str, name: str = "Jobbmobil", period: tuple[str, str] | None = None) -> Line:
    return Line(name=name, price=amount, object_ref=number, period=period)


def money(text: str) -> Decimal:
    return Decimal(text)
