"""Imported supplier invoices and credit notes, line by line, and the import that brought them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.core.categories import Category
from ledger.database import Model
from ledger.database.tenancy import OrganisationOwned
from ledger.database.types import Money, Timestamp, enum_column, utcnow
from ledger.inventory.models import Asset
from ledger.organisation.models import Supplier


class DocumentType(enum.StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class ImportStatus(enum.StrEnum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    #: The supplier, document type and number of an imported invoice with other content (a
    #: corrected re-issue): nothing is stored; ``invoices replace`` or a credit note is the way.
    CONFLICT = "conflict"


class InvoiceImport(OrganisationOwned, Model):
    """One uploaded file and what became of it (imported, duplicate or rejected)."""

    __tablename__ = "invoice_import"
    __table_args__ = (
        # The same file is imported once per organisation, whatever races: the loser of two
        # imports at once fails here and is told it is a duplicate (``importing``).
        sa.Index("uq_invoice_import_file", "organisation_id", "sha256", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True, comment="The municipality importing"
    )
    file_name: Mapped[str] = mapped_column(sa.String(255), comment="Name of the file as uploaded")
    sha256: Mapped[str] = mapped_column(sa.String(64), comment="SHA-256 of the file's bytes")
    format: Mapped[str] = mapped_column(sa.String(16), comment="peppol or csv")
    status: Mapped[ImportStatus] = mapped_column(
        enum_column(ImportStatus, "import_status"), comment="imported, duplicate or rejected"
    )
    invoice_count: Mapped[int] = mapped_column(default=0, comment="Invoices (or specifications) in the file")
    line_count: Mapped[int] = mapped_column(default=0, comment="Invoice lines stored from the file")
    result: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict, comment="Messages and counts")
    imported_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id"), comment="Who imported"
    )
    imported_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When")


class Invoice(OrganisationOwned, Model):
    """A supplier invoice or credit note (faktura / kreditnota). Amounts exclude VAT unless
    named otherwise and carry the document's sign: a credit note's amounts are negative."""

    __tablename__ = "invoice"
    __table_args__ = (
        # One current invoice per supplier, type and number; one replaced by its corrected
        # re-issue (``invoices replace``) keeps its number beside the one that replaced it.
        sa.Index(
            "uq_invoice_number", "organisation_id", "supplier_id", "document_type", "number", unique=True,
            postgresql_where=sa.text("replaced_at IS NULL"), sqlite_where=sa.text("replaced_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True, comment="The buyer municipality"
    )
    import_id: Mapped[int] = mapped_column(sa.ForeignKey("invoice_import.id"), comment="The import")
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("supplier.id"), index=True, comment="Seller")
    document_type: Mapped[DocumentType] = mapped_column(
        enum_column(DocumentType, "document_type"), comment="invoice or credit_note"
    )
    type_code: Mapped[str] = mapped_column(sa.String(3), comment="UNCL1001 code, 380 or 381…")
    number: Mapped[str] = mapped_column(sa.String(64), comment="Fakturanummer")
    issue_date: Mapped[date] = mapped_column(comment="Fakturadatum")
    due_date: Mapped[date | None] = mapped_column(comment="Förfallodatum")
    currency: Mapped[str] = mapped_column(sa.String(3), comment="Always SEK (others are refused)")
    period_start: Mapped[date | None] = mapped_column(comment="Header service period, first day")
    period_end: Mapped[date | None] = mapped_column(comment="Header service period, last day")
    credited_number: Mapped[str | None] = mapped_column(
        sa.String(64), comment="Number of the invoice this credits (BillingReference)"
    )
    credited_invoice_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invoice.id"), comment="The invoice this credits, when imported"
    )
    buyer_reference: Mapped[str | None] = mapped_column(sa.String(120), comment="Buyer reference")
    specification_import_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invoice_import.id"),
        comment="The operator's CSV specification that details this invoice; its lines are allocated",
    )
    line_total: Mapped[Decimal] = mapped_column("line_total_ore", Money, comment="Sum of lines")
    allowance_total: Mapped[Decimal] = mapped_column(
        "allowance_total_ore", Money, default=Decimal(0), comment="Document allowances (negative)"
    )
    charge_total: Mapped[Decimal] = mapped_column(
        "charge_total_ore", Money, default=Decimal(0), comment="Document charges"
    )
    net_total: Mapped[Decimal] = mapped_column(
        "net_total_ore", Money, comment="Total excl. VAT: what is allocated"
    )
    vat_total: Mapped[Decimal] = mapped_column("vat_total_ore", Money, comment="VAT")
    rounding: Mapped[Decimal] = mapped_column(
        "rounding_ore", Money, default=Decimal(0), comment="Öresavrundning, booked apart"
    )
    payable: Mapped[Decimal] = mapped_column("payable_ore", Money, comment="Amount to pay")
    replaced_at: Mapped[datetime | None] = mapped_column(
        Timestamp, comment="When a corrected re-issue replaced it (invoices replace); then it is not allocated"
    )
    replaced_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invoice.id"), comment="The corrected re-issue that replaced it"
    )

    supplier: Mapped[Supplier] = relationship()
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position",
        primaryjoin="Invoice.id == foreign(InvoiceLine.invoice_id)",
    )


class InvoiceLine(OrganisationOwned, Model):
    """One invoice line, tied to the asset its reference names when it could be matched.

    The organisation and the invoice carry no foreign key: the import writes them in bulk from
    the invoice row the same transaction has just written, and on PostgreSQL the per-row checks
    cost a third of that statement. ``check`` verifies them set-based (``orphans``). The matched
    asset keeps its key: the inventory, and so a user, keeps the assets.
    """

    __tablename__ = "invoice_line"
    __table_args__ = (
        sa.UniqueConstraint("invoice_id", "source", "position", name="uq_invoice_line_position"),
        sa.CheckConstraint("source IN ('document', 'specification')", name="source_known"),
        sa.Index("ix_invoice_line_org_period", "organisation_id", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(comment="The buyer municipality")
    # no index of its own: the unique constraint (invoice, source, position) begins with it
    invoice_id: Mapped[int] = mapped_column(comment="Invoice")
    source: Mapped[str] = mapped_column(
        sa.String(16), default="document",
        comment="document (the invoice's own lines) or specification (an operator CSV detailing it)",
    )
    position: Mapped[int] = mapped_column(comment="1-based order in its file")
    line_id: Mapped[str | None] = mapped_column(sa.String(64), comment="The line's own id in the file")
    description: Mapped[str | None] = mapped_column(sa.String(300), comment="Line text")
    item_code: Mapped[str | None] = mapped_column(sa.String(40), comment="Seller's item code")
    charge_type: Mapped[str | None] = mapped_column(sa.String(60), comment="Operator's charge type")
    category: Mapped[Category] = mapped_column(
        enum_column(Category, "line_category"), comment="Cost category"
    )
    quantity: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4), comment="Quantity")
    unit_code: Mapped[str | None] = mapped_column(sa.String(8), comment="UN/ECE rec 20 unit code")
    unit_price: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4), comment="Price per unit")
    net_amount: Mapped[Decimal] = mapped_column(
        "net_amount_ore", Money, comment="Line amount excl. VAT, signed as the document"
    )
    vat_category: Mapped[str | None] = mapped_column(sa.String(4), comment="VAT category code, S/E/Z/AE/O")
    vat_rate: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2), comment="VAT percent")
    period_start: Mapped[date | None] = mapped_column(comment="Service period first day")
    period_end: Mapped[date | None] = mapped_column(comment="Service period last day (inclusive)")
    reference: Mapped[str | None] = mapped_column(sa.String(64), comment="Raw reference from the file")
    reference_source: Mapped[str | None] = mapped_column(
        sa.String(16), comment="Where the reference was found: BT-128, BT-18, note, csv…"
    )
    location: Mapped[str | None] = mapped_column(sa.String(200), comment="XML path or CSV line")
    asset_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("asset.id"), index=True, comment="Matched subscription or handset"
    )

    invoice: Mapped[Invoice] = relationship(back_populates="lines",
                                            primaryjoin="Invoice.id == foreign(InvoiceLine.invoice_id)")
    asset: Mapped[Asset | None] = relationship()


class InvoiceAllowanceCharge(Model):
    """A document-level allowance (rabatt) or charge (avgift); spread over lines on allocation."""

    __tablename__ = "invoice_allowance_charge"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoice.id"), index=True, comment="Invoice")
    is_charge: Mapped[bool] = mapped_column(comment="True for a charge, False for an allowance")
    amount: Mapped[Decimal] = mapped_column(
        "amount_ore", Money, comment="Effect on the net total, signed (allowances negative)"
    )
    reason: Mapped[str | None] = mapped_column(sa.String(200), comment="Reason text")
    vat_category: Mapped[str | None] = mapped_column(sa.String(4), comment="VAT category")
    vat_rate: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2), comment="VAT percent")


def allocated_source() -> sa.ColumnElement[bool]:
    """The lines the allocation (and everything that reads like it) uses: an invoice's own
    lines, or its operator specification's lines when it has one, and none of an invoice
    replaced by a corrected re-issue. For queries joining ``InvoiceLine`` to ``Invoice``."""
    return sa.and_(Invoice.replaced_at.is_(None), detailing_source())


def detailing_source() -> sa.ColumnElement[bool]:
    """The lines that detail an invoice, replaced or not: its own, or its specification's."""
    return InvoiceLine.source == sa.case((Invoice.specification_import_id.is_(None), "document"),
                                         else_="specification")
