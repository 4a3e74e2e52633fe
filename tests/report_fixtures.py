"""A small allocated month for the report and export tests, and helpers to read the journal back.

March 2026 in Karlsborg (the ``org`` fixture's four units, each given a verksamhet code):

* ``F-1`` from Operatören AB: a handset number that moves from the preschool to the school on
  15 March (split 14/31 and 17/31), VA's number, two switchboard extensions (the preschool's
  goes to kanslienheten, VA's stays with VA), an unknown number (suspense), a document-level
  allowance of 10.00 spread over the lines, and 0.25 öresavrundning;
* ``H-1`` from Hjo kommun (counterparty 82, an internal recharge between municipalities):
  operator services, paid centrally.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from ledger.allocation.engine import allocate
from ledger.allocation.models import JournalEntry, Period
from ledger.database import db
from ledger.inventory.assignments import move
from ledger.inventory.models import SubscriptionKind
from ledger.invoices.importing import import_file
from ledger.invoices.models import ImportStatus
from ledger.organisation.models import BudgetUnit, Supplier
from tests.allocation_fixtures import SUPPLIER, Ledger, line
from tests.conftest import Org
from tests.importers.ubl_builder import Line, build_invoice

MARCH = ("2026-03-01", "2026-03-31")
HJO = "212000-1645"
ACTIVITIES = {"1110": "110", "2150": "830", "3110": "407", "3140": "425"}


@dataclass
class Month:
    ledger: Ledger
    hjo: Supplier
    invoice_ids: list[int]

    @property
    def org(self) -> Org:
        return self.ledger.org


def build_month(org: Org) -> Month:
    """The month described above, imported and allocated (committed)."""
    for unit in db.session.scalars(sa.select(BudgetUnit).where(BudgetUnit.organisation_id == org.id)):
        unit.activity_code = ACTIVITIES.get(unit.ansvar)
    operator = Supplier(name="Operatören AB", organisation_number=SUPPLIER)
    hjo = Supplier(name="Hjo kommun", organisation_number=HJO, counterparty_code="82")
    db.session.add_all([operator, hjo])
    db.session.commit()
    ledger = Ledger(org, operator)
    moving = ledger.subscription("0701234567", org.forskola)
    move(None, moving, org.skola, date(2026, 3, 15))
    db.session.commit()
    ledger.subscription("0702345678", org.va)
    ledger.subscription("050517123", org.forskola, kind=SubscriptionKind.SWITCHBOARD_EXTENSION)
    ledger.subscription("050517124", org.va, kind=SubscriptionKind.SWITCHBOARD_EXTENSION)
    first = ledger.invoice([
        line("0701234567", "310.00", period=MARCH),
        line("0702345678", "149.00", period=MARCH),
        line("0505-171 23", "42.00", "Anknytning", MARCH),
        line("0505-171 24", "42.00", "Anknytning", MARCH),
        line("0709999999", "80.00", period=MARCH),
    ], number="F-1", issue_date="2026-03-31", doc_allowances=["10.00"], rounding="0.25")
    data = build_invoice([Line(name="Telefonisttjänst mars", price="1850.00")], number="H-1",
                         issue_date="2026-03-31", supplier_orgnr=HJO.replace("-", ""), supplier_name="Hjo kommun")
    outcome = import_file(None, org.organisation, data, "H-1.xml")
    assert outcome.status == ImportStatus.IMPORTED, outcome.errors
    db.session.commit()
    allocate(None, org.organisation, "2026-03")
    db.session.commit()
    return Month(ledger, hjo, [first, outcome.invoice_id])  # type: ignore[list-item]


def journal_sums(period: str = "2026-03", by: str = "unit") -> dict[str | None, Decimal]:
    """Net amount per ansvar (``by="unit"``) or per account of the entries booked in ``period``."""
    column = BudgetUnit.ansvar if by == "unit" else JournalEntry.account
    rows = db.session.execute(
        sa.select(column, JournalEntry.amount).join(Period, Period.id == JournalEntry.period_id)
        .outerjoin(BudgetUnit, BudgetUnit.id == JournalEntry.unit_id).where(Period.period == period))
    sums: dict[str | None, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for key, amount in rows:
        sums[key] += amount
    return dict(sums)


def journal_total(period: str = "2026-03") -> Decimal:
    return sum(journal_sums(period).values(), Decimal("0.00"))
