"""Reading invoices and their lines."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ledger.access.models import User
from ledger.core.errors import NotFound
from ledger.database import db
from ledger.invoices.models import Invoice, InvoiceImport, InvoiceLine, detailing_source

S = TypeVar("S", bound=sa.Select[Any])


def _invoices_of(user: User, query: S, supplier_id: int | None, number: str | None) -> S:
    query = query.where(Invoice.organisation_id == user.organisation_id)
    if supplier_id:
        query = query.where(Invoice.supplier_id == supplier_id)
    if number:
        query = query.where(Invoice.number == number)
    return query


def list_invoices(user: User, *, supplier_id: int | None = None, number: str | None = None,
                  limit: int = 200, offset: int = 0) -> list[Invoice]:
    """The organisation's invoices, newest first."""
    query = (_invoices_of(user, sa.select(Invoice), supplier_id, number).options(selectinload(Invoice.supplier))
             .order_by(Invoice.issue_date.desc(), Invoice.id.desc()).limit(limit).offset(offset))
    return list(db.session.scalars(query))


def count_invoices(user: User, *, supplier_id: int | None = None, number: str | None = None) -> int:
    """How many invoices ``list_invoices`` would list without a limit (for a list's total)."""
    return db.session.scalar(_invoices_of(user, sa.select(sa.func.count(Invoice.id)), supplier_id, number)) or 0


def get_invoice(user: User, invoice_id: int) -> Invoice:
    invoice = db.session.get(Invoice, invoice_id)
    if invoice is None or invoice.organisation_id != user.organisation_id:
        raise NotFound(f"No invoice {invoice_id}")
    return invoice


def allocation_lines(invoice: Invoice) -> list[InvoiceLine]:
    """The lines the allocation uses: the specification's when the invoice has one (for an
    invoice replaced by its re-issue: the lines it had)."""
    return list(db.session.scalars(
        sa.select(InvoiceLine).join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(InvoiceLine.invoice_id == invoice.id, detailing_source()).order_by(InvoiceLine.position)
        .options(selectinload(InvoiceLine.asset))))


def recent_imports(user: User, limit: int = 20) -> list[InvoiceImport]:
    return list(db.session.scalars(
        sa.select(InvoiceImport).where(InvoiceImport.organisation_id == user.organisation_id)
        .order_by(InvoiceImport.id.desc()).limit(limit)))
