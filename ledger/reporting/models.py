"""A record of every SIE file handed to the financial system, and the journal entries it held.

The financial system books what it imports; importing the same voucher twice books it twice.
So each export remembers its entries (``SieExportEntry``), and the next export of the period
writes only entries no earlier export held: corrections and late invoices.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.database import Model
from ledger.database.tenancy import OrganisationOwned
from ledger.database.types import Money, Timestamp, utcnow


class SieExport(OrganisationOwned, Model):
    __tablename__ = "sie_export"
    __table_args__ = (sa.Index("ix_sie_export_organisation_id", "organisation_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"),
                                                 comment="The municipality it belongs to")
    period: Mapped[str] = mapped_column(sa.String(7), comment="YYYY-MM")
    everything: Mapped[bool] = mapped_column(
        default=False, comment="True: the whole period again (--all); false: only what no export held")
    voucher_count: Mapped[int] = mapped_column(comment="Vouchers in the file")
    entry_count: Mapped[int] = mapped_column(comment="Journal entries in the file")
    total: Mapped[Decimal] = mapped_column("total_ore", Money, comment="Sum of the debit rows")
    sha256: Mapped[str] = mapped_column(sa.String(64), comment="SHA-256 of the file's bytes")
    exported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), comment="Who exported it")
    exported_by_name: Mapped[str] = mapped_column(sa.String(120), comment="Their name, as in #GEN")
    exported_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When")


class SieExportEntry(Model):
    __tablename__ = "sie_export_entry"

    export_id: Mapped[int] = mapped_column(sa.ForeignKey("sie_export.id"), primary_key=True, comment="The export")
    journal_entry_id: Mapped[int] = mapped_column(sa.ForeignKey("journal_entry.id"), primary_key=True, index=True,
                                                  comment="A journal entry it held")
