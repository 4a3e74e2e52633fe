"""What a claim to a supplier holds, as the claim's PDF and CSV print it (``reports.claim_pdf``,
``reports.claim_csv``): plain values, no queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

__all__ = ["ClaimDocument", "ClaimRow"]


@dataclass(frozen=True)
class ClaimRow:
    """One invoice line claimed: what the supplier charged, what the contract says, the excess."""

    invoice_number: str
    invoice_date: date
    position: int
    reference: str | None
    item_code: str | None
    description: str | None
    quantity: Decimal | None
    unit_price: Decimal | None
    contract_price: Decimal | None
    excess: Decimal


@dataclass(frozen=True)
class ClaimDocument:
    """A claim (reklamation) from a municipality to a supplier for prices above contract."""

    reference: str
    status: str  # draft, sent, credited, rejected, written_off
    organisation: str
    organisation_number: str
    supplier: str
    supplier_number: str
    contracts: tuple[str, ...]
    sent_on: date | None
    generated_at: datetime
    generated_by: str
    note: str | None
    rows: tuple[ClaimRow, ...]

    @property
    def total(self) -> Decimal:
        return sum((row.excess for row in self.rows), Decimal("0.00"))

    @property
    def invoice_numbers(self) -> tuple[str, ...]:
        """The invoices the claimed lines are on, in the order first claimed."""
        return tuple(dict.fromkeys(row.invoice_number for row in self.rows))
