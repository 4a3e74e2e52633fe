"""The month-end checklist (Månadsavslut): what finance looks at before it closes a month.

It reads, it never changes: the invoices imported per supplier against the contracted suppliers
that invoiced the month before (an invoice that has not come is listed), how many of the
month's lines the allocation placed, what waits in suspense, the compliance findings, the SIE
hand-overs, and who closed the month when (with the reason, if it was closed with lines not
allocated). Every figure is one set-based query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ledger.access.models import User
from ledger.allocation import periods
from ledger.allocation.models import JournalEntry, Period, PeriodStatus
from ledger.allocation.rules import Rule
from ledger.audit.models import AuditEvent
from ledger.core import clock
from ledger.core.money import ZERO, from_ore
from ledger.core.month import Month
from ledger.database import db
from ledger.database.types import raw_ore
from ledger.invoices.models import Invoice, InvoiceLine, allocated_source
from ledger.organisation.models import Organisation, Supplier
from ledger.procurement import compliance
from ledger.procurement.models import ContractParty, ContractStatus, FrameworkContract
from ledger.reporting import sie
from ledger.reporting.models import SieExport


@dataclass(frozen=True)
class SupplierInvoices:
    supplier: str
    invoices: int  #: dated in the month; 0: expected (it invoiced the month before) but missing
    net_total: Decimal
    invoiced_before: bool  #: it invoiced the month before


@dataclass(frozen=True)
class MonthEnd:
    period: str
    status: str
    suppliers: tuple[SupplierInvoices, ...]
    lines: int  #: the lines the allocation uses (a specification's, where an invoice has one), 0.00 left out
    lines_allocated: int
    suspense_total: Decimal
    findings: dict[str, int]
    exports: tuple[SieExport, ...]
    closed_at: datetime | None
    closed_by: str | None
    close_reason: str | None
    notes: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """Contracted suppliers that invoiced the month before and have not this month."""
        return [s.supplier for s in self.suppliers if s.invoices == 0]

    @property
    def unallocated(self) -> int:
        return self.lines - self.lines_allocated

    @property
    def ready(self) -> bool:
        """Nothing stands in the way of the close (missing invoices and findings are for people to weigh)."""
        return self.status == PeriodStatus.OPEN.value and self.unallocated == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period, "status": self.status,
            "suppliers": [{"supplier": s.supplier, "invoices": s.invoices, "net_total": f"{s.net_total:.2f}",
                           "invoiced_month_before": s.invoiced_before, "missing": s.invoices == 0}
                          for s in self.suppliers],
            "missing_invoices": self.missing,
            "lines": {"total": self.lines, "allocated": self.lines_allocated, "unallocated": self.unallocated},
            "suspense_total": f"{self.suspense_total:.2f}", "findings": self.findings,
            "sie_exports": [{"id": e.id, "everything": e.everything, "vouchers": e.voucher_count,
                             "total": f"{e.total:.2f}", "sha256": e.sha256, "by": e.exported_by_name,
                             "at": e.exported_at.isoformat()} for e in self.exports],
            "closed_at": self.closed_at.isoformat() if self.closed_at else None, "closed_by": self.closed_by,
            "close_reason": self.close_reason, "ready_to_close": self.ready,
        }


def month_end(organisation: Organisation, period: str, today: date | None = None) -> MonthEnd:
    """The checklist of ``period`` (YYYY-MM) for the organisation."""
    month = Month.parse(period)
    text = str(month)
    row = db.session.execute(sa.select(Period.status, Period.closed_at, User.display_name)
                             .outerjoin(User, User.id == Period.closed_by_id)
                             .where(Period.organisation_id == organisation.id, Period.period == text)).first()
    status, closed_at, closed_by = (PeriodStatus(row[0]).value, row[1], row[2]) if row else ("open", None, None)
    lines = _line_count(organisation.id, month)
    found = compliance.check(organisation.id, text, today=today or clock.today())
    kinds: dict[str, int] = {}
    for finding in found.findings:
        kinds[finding.kind] = kinds.get(finding.kind, 0) + 1
    return MonthEnd(
        period=text, status=status, suppliers=tuple(_suppliers(organisation.id, month)), lines=lines,
        lines_allocated=lines - periods.unallocated_lines(organisation.id, text),
        suspense_total=_suspense(organisation.id, text), findings=kinds,
        exports=tuple(sie.exports_of(organisation.id, text)), closed_at=closed_at,
        closed_by=closed_by or ("system" if closed_at else None),
        close_reason=_close_reason(organisation.id, text) if closed_at else None,
    )


def _in(month: Month) -> sa.ColumnElement[bool]:
    """Invoices dated in the month, a replaced one left out (its re-issue counts)."""
    return sa.and_(Invoice.issue_date >= month.first, Invoice.issue_date < month.after, Invoice.replaced_at.is_(None))


def _line_count(organisation_id: int, month: Month) -> int:
    query = (sa.select(sa.func.count(InvoiceLine.id)).join(Invoice, Invoice.id == InvoiceLine.invoice_id)
             .where(Invoice.organisation_id == organisation_id, _in(month), allocated_source(),
                    InvoiceLine.net_amount != 0))
    return db.session.scalar(query) or 0


def _suppliers(organisation_id: int, month: Month) -> list[SupplierInvoices]:
    """Each supplier that invoiced this month, and each contracted one that invoiced the month before."""
    before = month.previous()
    this = (sa.select(Invoice.supplier_id, sa.func.count(Invoice.id), sa.func.sum(raw_ore(Invoice.net_total)))
            .where(Invoice.organisation_id == organisation_id, _in(month)).group_by(Invoice.supplier_id))
    current = {supplier_id: (n, from_ore(int(ore or 0))) for supplier_id, n, ore in db.session.execute(this)}
    earlier = set(db.session.scalars(sa.select(Invoice.supplier_id).distinct().where(
        Invoice.organisation_id == organisation_id, _in(before))))
    expected = earlier & _contracted_suppliers(organisation_id, month.last)
    names = dict(db.session.execute(sa.select(Supplier.id, Supplier.name).where(
        Supplier.id.in_(set(current) | expected))).tuples().all())
    rows = [SupplierInvoices(names[sid], *current.get(sid, (0, ZERO)), sid in earlier)
            for sid in set(current) | expected]
    return sorted(rows, key=lambda s: (s.invoices != 0, s.supplier))  # what is missing first


def _contracted_suppliers(organisation_id: int, day: date) -> set[int]:
    """Suppliers with a signed framework contract that names the organisation as a party on ``day``."""
    return set(db.session.scalars(
        sa.select(FrameworkContract.supplier_id).distinct()
        .join(ContractParty, ContractParty.contract_id == FrameworkContract.id)
        .where(ContractParty.organisation_id == organisation_id, FrameworkContract.status == ContractStatus.SIGNED,
               FrameworkContract.start_date <= day)))


def _suspense(organisation_id: int, text: str) -> Decimal:
    ore = db.session.scalar(sa.select(sa.func.sum(raw_ore(JournalEntry.amount)))
                            .join(Period, Period.id == JournalEntry.period_id)
                            .where(JournalEntry.organisation_id == organisation_id, Period.period == text,
                                   JournalEntry.rule == Rule.SUSPENSE))
    return from_ore(int(ore or 0))


def _close_reason(organisation_id: int, text: str) -> str | None:
    after = db.session.scalar(sa.select(AuditEvent.after).where(
        AuditEvent.organisation_id == organisation_id, AuditEvent.action == "period.close",
        AuditEvent.entity_id == text).order_by(AuditEvent.id.desc()).limit(1))
    return (after or {}).get("reason")
