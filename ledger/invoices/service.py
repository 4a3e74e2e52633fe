"""Reading invoices and their lines."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from ledger.access.models import User
from ledger.core.errors import NotFound
from ledger.core.text import N_
from ledger.database import db
from ledger.inventory.models import Asset
from ledger.invoices.models import DocumentType, Invoice, InvoiceImport, InvoiceLine, detailing_source
from ledger.organisation.models import Supplier

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
        raise NotFound(N_("No invoice %(id)s"), id=invoice_id)
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


def invoice_list_query(user: User, *, text: str | None = None, document_type: str | None = None) -> sa.Select[Any]:
    """The organisation's invoices with their supplier, for a list to sort and page: ``text``
    in the number or the supplier's name, of one ``document_type`` (invoice, credit_note)."""
    query = (sa.select(Invoice).join(Supplier, Supplier.id == Invoice.supplier_id)
             .where(Invoice.organisation_id == user.organisation_id).options(contains_eager(Invoice.supplier)))
    if text:
        query = query.where(sa.or_(Invoice.number.icontains(text, autoescape=True),
                                   Supplier.name.icontains(text, autoescape=True)))
    if document_type in {t.value for t in DocumentType}:
        query = query.where(Invoice.document_type == DocumentType(document_type))
    return query


def invoice_rows(query: sa.Select[Any]) -> sa.Select[Any]:
    """``invoice_list_query``'s invoices as plain rows (no model object per invoice), for a download."""
    return query.with_only_columns(Invoice.number, Supplier.name.label("supplier"), Invoice.issue_date,
                                   Invoice.document_type, Invoice.net_total, Invoice.vat_total)


def line_list_query(invoice: Invoice, *, text: str | None = None, matched: str | None = None) -> sa.Select[Any]:
    """The invoice's lines the allocation uses (``allocation_lines``) with their asset's kind, as
    plain rows for a list to sort and page: ``text`` in the text, reference or item code;
    ``matched`` ``yes`` or ``no`` for lines with or without a subscription or handset."""
    query = (sa.select(InvoiceLine.id, InvoiceLine.position, InvoiceLine.description, InvoiceLine.category,
                       InvoiceLine.reference, InvoiceLine.reference_source, InvoiceLine.location,
                       InvoiceLine.asset_id, Asset.type.label("asset_type"), Asset.identifier.label("asset_identifier"),
                       InvoiceLine.period_start, InvoiceLine.period_end, InvoiceLine.net_amount)
             .join(Invoice, Invoice.id == InvoiceLine.invoice_id).outerjoin(Asset, Asset.id == InvoiceLine.asset_id)
             .where(InvoiceLine.invoice_id == invoice.id, detailing_source()))
    if text:
        digits = "".join(ch for ch in text if ch.isdigit())
        found: list[sa.ColumnElement[bool]] = [
            InvoiceLine.description.icontains(text, autoescape=True),
            InvoiceLine.reference.icontains(text, autoescape=True),
            InvoiceLine.item_code.icontains(text, autoescape=True)]
        if len(digits) >= 3:  # a number as typed (070-…) finds the line whatever notation its file used
            found += [InvoiceLine.reference.contains(digits.lstrip("0"), autoescape=True)]
        query = query.where(sa.or_(*found))
    if matched == "yes":
        query = query.where(InvoiceLine.asset_id.is_not(None))
    elif matched == "no":
        query = query.where(InvoiceLine.asset_id.is_(None))
    return query
