"""Periods, allocation runs and the append-only journal (kostnadsfördelning)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.allocation.rules import Rule, reason_of
from ledger.core.categories import Category
from ledger.core.text import in_source_language
from ledger.database import Model
from ledger.database.tenancy import OrganisationOwned
from ledger.database.types import Money, Timestamp, enum_column, utcnow


class PeriodStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Period(OrganisationOwned, Model):
    """An accounting month. A closed period takes no new entries (periodlåsning)."""

    __tablename__ = "period"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "period", name="uq_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), comment="The municipality it belongs to"
    )
    period: Mapped[str] = mapped_column(sa.String(7), comment="YYYY-MM")
    status: Mapped[PeriodStatus] = mapped_column(
        enum_column(PeriodStatus, "period_status"), default=PeriodStatus.OPEN, comment="open or closed"
    )
    closed_at: Mapped[datetime | None] = mapped_column(Timestamp, comment="When it was closed")
    closed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id"), comment="Who closed it"
    )


class AllocationRun(OrganisationOwned, Model):
    """One run of the allocation for a period: who started it and what it wrote."""

    __tablename__ = "allocation_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), comment="The municipality it belongs to"
    )
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("period.id"), index=True, comment="Period allocated")
    started_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="Start")
    started_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id"), comment="Who ran it"
    )
    summary: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict, comment="Counts and totals")


class JournalEntry(OrganisationOwned, Model):
    """One allocated amount: append-only. Corrections are new rows that reverse old ones.

    The columns the allocation itself fills on the bulk path (organisation, period, run,
    administration, invoice, assignment) carry no foreign key: on PostgreSQL the per-row checks
    cost more server time than the inserts, and the values come from rows the same transaction
    just read. ``check`` verifies them set-based (``orphans``). The columns that point at what a
    user chose or changes (unit, invoice line, allowance, the reversed entry) keep theirs.
    """

    __tablename__ = "journal_entry"
    __table_args__ = (
        sa.Index("ix_journal_entry_line", "invoice_line_id"),
        sa.Index("ix_journal_entry_period_unit", "period_id", "unit_id"),
        sa.Index("ix_journal_entry_reverses", "reverses_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(comment="The municipality it belongs to")
    period_id: Mapped[int] = mapped_column(comment="Period booked in")
    run_id: Mapped[int] = mapped_column(index=True, comment="Run that wrote it")
    unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("budget_unit.id"), comment="Unit charged; NULL for suspense and rounding"
    )
    administration_id: Mapped[int | None] = mapped_column(
        comment="The unit's administration when booked, so reorganisations keep history",
    )
    account: Mapped[str] = mapped_column(sa.String(8), comment="Kommun-Bas account, e.g. 6420")
    counterparty: Mapped[str | None] = mapped_column(sa.String(8), comment="Motpart code")
    activity: Mapped[str | None] = mapped_column(sa.String(16), comment="Verksamhet dimension")
    amount: Mapped[Decimal] = mapped_column("amount_ore", Money, comment="Amount excl. VAT, in öre")
    rule: Mapped[Rule] = mapped_column(
        enum_column(Rule, "journal_rule"), comment="Rule that placed it: direct, switchboard_central, fee_funded_own…"
    )
    reason: Mapped[str | None] = mapped_column(
        sa.String(200), comment="Why, as a code of allocation.rules.REASONS (for suspense: what is missing)")
    reason_params: Mapped[dict[str, Any] | None] = mapped_column(
        sa.JSON, comment="The values the reason's text names (days, dates, invoices), as JSON")
    invoice_id: Mapped[int] = mapped_column(index=True, comment="Invoice")
    invoice_line_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invoice_line.id"), comment="Line (NULL for document rounding)"
    )
    assignment_id: Mapped[int | None] = mapped_column(comment="Assignment used to find the unit")
    allowance_charge_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invoice_allowance_charge.id"),
        comment="The document-level allowance or charge this share was spread from",
    )
    reverses_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("journal_entry.id"), comment="The entry this one reverses"
    )
    is_correction: Mapped[bool] = mapped_column(
        default=False, comment="Booked here because the period it belongs to was closed"
    )
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, comment="When written")

    @property
    def reason_said(self) -> tuple[str, dict[str, Any]] | None:
        """The reason's catalogue text and values, to be shown in the reader's language."""
        return reason_of(self.reason, self.reason_params, self.reverses_id)

    @property
    def reason_text(self) -> str | None:
        """The reason in the catalogue's source language (English), as the API and exports say it."""
        said = self.reason_said
        return in_source_language(*said) if said else None


class PeriodAdministration(Model):
    """Which administration each unit belonged to when its period was closed.

    A unit may later be moved to another administration from a date in a closed month; the
    move is true from that date, but a closed month's figures per administration (its budget
    against actual) stay as they were when it was closed. Entries carry their administration
    as booked; budgets are attributed through this snapshot, written by ``periods.close``.
    """

    __tablename__ = "period_administration"

    period_id: Mapped[int] = mapped_column(sa.ForeignKey("period.id"), primary_key=True, comment="The closed period")
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_unit.id"), primary_key=True, comment="The unit")
    administration_id: Mapped[int] = mapped_column(sa.ForeignKey("administration.id"),
                                                   comment="Its administration in that month, as closed")


class Balance(OrganisationOwned, Model):
    """The journal summed per period, unit, administration, category and account: what every
    page and report of budget against actual reads, so that they do not grow with the journal.

    Written in the same transaction as the entries that change it (``allocation.balances``, once
    per allocation run, set-based); ``check`` verifies it equals the journal's sums. Entries
    without a unit or an invoice line (suspense, öresavrundning) are not anyone's cost and are
    not in it.
    """

    __tablename__ = "journal_balance"

    period_id: Mapped[int] = mapped_column(sa.ForeignKey("period.id"), primary_key=True, comment="Period booked in")
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_unit.id"), primary_key=True, comment="Unit charged")
    administration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("administration.id"), primary_key=True, comment="The unit's administration as booked")
    category: Mapped[Category] = mapped_column(enum_column(Category, "balance_category"), primary_key=True,
                                               comment="The invoice line's cost category")
    account: Mapped[str] = mapped_column(sa.String(8), primary_key=True, comment="Account booked on")
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True,
                                                 comment="The municipality it belongs to")
    amount: Mapped[Decimal] = mapped_column("amount_ore", Money, comment="Sum of the entries, in öre")
