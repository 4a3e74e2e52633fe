"""The invoice lines that indicate private use of a service phone, and whether a private-use
agreement covered each on its day.

``lines(organisation_id, first, after)`` reads the lines of subscriptions whose day falls in
[first, after) in one pass (SQLAlchemy Core rows, no ORM object per line), each with its
subscription's holder and agreement and the unit it was assigned to that day, and keeps the
lines the indicator rules (``ledger.private_use.rules``) mark: each distinct line text, item
code and charge type is matched once, not once per line. The lines read are the ones the
allocation and the compliance check use: an invoice's own lines, or its operator
specification's, none of a replaced invoice; a line's day is its service period's first day,
else the invoice date.

An agreement covers a line when the subscription records one (reference, signing day and
signer) signed on or before the line's day. ``without_agreement`` gives the others: each is a
compliance finding (``ledger.procurement.compliance``, kind ``private_use_without_agreement``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ledger.core.month import Month
from ledger.database import db
from ledger.inventory.models import Assignment, Subscription
from ledger.invoices.models import Invoice, InvoiceLine, allocated_source
from ledger.organisation.models import BudgetUnit, Supplier
from ledger.private_use.rules import KINDS, Indicator, Rules, configured

#: The kind of compliance finding a line without an agreement is.
FINDING_KIND = "private_use_without_agreement"

_LINE_DAY = sa.func.coalesce(InvoiceLine.period_start, Invoice.issue_date)


@dataclass(frozen=True, slots=True)
class IndicatorLine:
    """An invoice line that indicates private use, with its subscription, its unit that day and
    the agreement in force that day (``agreement`` None: there was none)."""

    line_id: int
    invoice_id: int
    invoice_number: str
    supplier_id: int
    supplier_name: str
    position: int
    day: date
    description: str | None
    item_code: str | None
    charge_type: str | None
    quantity: Decimal | None
    net_amount: Decimal
    subscription_id: int
    number: str
    holder_name: str | None
    agreement: str | None
    agreement_signed_on: date | None
    agreement_signed_by: str | None
    unit_id: int | None
    unit_ansvar: str | None
    unit_name: str | None
    indicator: str
    kind: str

    @property
    def covered(self) -> bool:
        """Whether a private-use agreement was in force on the line's day."""
        return self.agreement is not None

    @property
    def month(self) -> str:
        return str(Month.of(self.day))

    @property
    def text(self) -> str:
        """What the line says it is: its text, else its item code or charge type."""
        return self.description or self.item_code or self.charge_type or ""

    @property
    def reason(self) -> str:
        """The English sentence of the compliance finding (scripts and logs read it)."""
        return (f"{self.number} was billed {self.net_amount:.2f} on {self.day} for "
                f"{KINDS[self.kind]} ({self.text}) without a private-use agreement")

    @property
    def params(self) -> dict[str, Any]:
        """The finding's values, for a page to say it in the reader's language."""
        return {"number": self.number, "day": self.day, "indicator": self.indicator, "indicator_kind": self.kind,
                "text": self.text, "amount": self.net_amount}


def _query(organisation_id: int, first: date, after: date) -> sa.Select[Any]:
    """The period's subscription lines, each with its subscription, supplier and unit that day."""
    return (
        sa.select(
            InvoiceLine.id, InvoiceLine.invoice_id, Invoice.number.label("invoice_number"), Invoice.supplier_id,
            Supplier.name.label("supplier_name"), InvoiceLine.position, _LINE_DAY.label("day"),
            InvoiceLine.description, InvoiceLine.item_code, InvoiceLine.charge_type, InvoiceLine.quantity,
            InvoiceLine.net_amount, InvoiceLine.asset_id, Subscription.identifier.label("number"),
            Subscription.holder_name, Subscription.private_use_reference, Subscription.private_use_signed_on,
            Subscription.private_use_signed_by, Assignment.unit_id, BudgetUnit.ansvar,
            BudgetUnit.name.label("unit_name"),
        )
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .join(Supplier, Supplier.id == Invoice.supplier_id)
        .join(Subscription, Subscription.id == InvoiceLine.asset_id)
        .outerjoin(Assignment, sa.and_(Assignment.asset_id == InvoiceLine.asset_id, Assignment.in_force_on(_LINE_DAY)))
        .outerjoin(BudgetUnit, BudgetUnit.id == Assignment.unit_id)
        .where(
            InvoiceLine.organisation_id == organisation_id,
            allocated_source(),
            sa.or_(
                sa.and_(InvoiceLine.period_start >= first, InvoiceLine.period_start < after),
                sa.and_(InvoiceLine.period_start.is_(None), Invoice.issue_date >= first, Invoice.issue_date < after),
            ),
        )
        .order_by(_LINE_DAY, Invoice.number, InvoiceLine.position)
    )


def lines(organisation_id: int, first: date, after: date, *, unit_ids: Collection[int] | None = None,
          subscription_id: int | None = None, rules: Rules | None = None) -> list[IndicatorLine]:
    """The lines of [first, after) that meet an indicator, in order of day, invoice and position;
    only those of the units ``unit_ids`` on their day, or of one subscription, when given."""
    rules = rules or configured()
    query = _query(organisation_id, first, after)
    if unit_ids is not None:
        query = query.where(Assignment.unit_id.in_(sorted(unit_ids)))
    if subscription_id is not None:
        query = query.where(InvoiceLine.asset_id == subscription_id)
    matched: dict[tuple[str | None, str | None, str | None], Indicator | None] = {}
    found = []
    for row in db.session.execute(query.execution_options(yield_per=2000)):
        details = (row.description, row.item_code, row.charge_type)
        if details not in matched:
            matched[details] = rules.match(*details)
        indicator = matched[details]
        if indicator is not None:
            found.append(_line(row, indicator))
    return found


def _line(row: Any, indicator: Indicator) -> IndicatorLine:
    day = row.day if isinstance(row.day, date) else date.fromisoformat(str(row.day))  # SQLite: COALESCE gives text
    signed_on = row.private_use_signed_on
    covered = bool(row.private_use_reference) and signed_on is not None and signed_on <= day
    return IndicatorLine(
        line_id=row.id, invoice_id=row.invoice_id, invoice_number=row.invoice_number, supplier_id=row.supplier_id,
        supplier_name=row.supplier_name, position=row.position, day=day, description=row.description,
        item_code=row.item_code, charge_type=row.charge_type, quantity=row.quantity, net_amount=row.net_amount,
        subscription_id=row.asset_id, number=row.number, holder_name=row.holder_name,
        agreement=row.private_use_reference if covered else None,
        agreement_signed_on=signed_on if covered else None,
        agreement_signed_by=row.private_use_signed_by if covered else None,
        unit_id=row.unit_id, unit_ansvar=row.ansvar, unit_name=row.unit_name,
        indicator=indicator.name, kind=indicator.kind,
    )


def without_agreement(organisation_id: int, first: date, after: date) -> list[IndicatorLine]:
    """The lines of [first, after) that indicate private use on a subscription with no
    private-use agreement on the line's day: the compliance findings."""
    return [line for line in lines(organisation_id, first, after) if not line.covered]
