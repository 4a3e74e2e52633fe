"""The month's hand-over to the financial system: the journal as SIE 4I vouchers, each export
recorded so that no voucher is handed over twice.

What a voucher books (``accounting.plan`` and docs/accounting.md say why)
------------------------------------------------------------------------
* **Cost rows.** The period's entries summed per account, ansvar, verksamhet and motpart. An
  entry without a unit (the invoices' öre rounding) is coded to the clearing ansvar. Rows that
  net to zero drop out (a reversal and its rebooking on the same coding); a voucher whose rows
  all net to zero is not written.
* **The other side**, one row per motpart so that each motpart balances on its own:
  ``transfer`` credits the clearing account under the clearing ansvar (the purchase ledger
  booked the invoice there, net of VAT); ``internal_revenue`` credits the clearing ansvar's
  internal revenue account, and every row carries the internal motpart, so the pairs
  eliminate. A correction that only moves cost between units has no other side.
* **Suspense is not handed over.** A line that waits for an asset or an assignment stays on the
  clearing account; when it is resolved, its allocation is a new entry and goes in the next
  export. The allocation report shows the clearing account's remainder equal to the suspense.
* **VAT is not in the file.** Municipalities get VAT compensated; the cost is net. The VAT is
  on the supplier's invoice in the purchase ledger (the allocation report sums it per VAT
  category for reconciliation).
* **Dimensions.** Ansvar is SIE dimension 1 (the spec's "Resultatenhet/Kostnadsställe").
  Verksamhet goes to dimension 20, the first free one, not to 6 ("Projekt"). Motpart is in each
  row's text by default, or an object of dimension 21 (settings ``sie.*``).

Which entries an export holds
-----------------------------
``export_period`` writes the period's entries that no earlier export of the organisation held:
after the first export of a month, that is exactly its corrections and late invoices. With
``everything`` it writes the whole period again and says so in ``#PROSA``. Each export that
writes a voucher is recorded with its file's SHA-256 and its entries (``SieExportEntry``); an
export with nothing new writes a file without vouchers and is not recorded.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa

from ledger.access.models import User
from ledger.accounting.plan import AccountingSettings, BookingMethod, CounterpartyMode, VoucherGrouping
from ledger.accounting.service import settings_of
from ledger.allocation.models import JournalEntry
from ledger.allocation.rules import Rule
from ledger.audit import service as audit
from ledger.core import clock
from ledger.core.errors import ValidationFailed
from ledger.core.money import ZERO
from ledger.core.month import Month
from ledger.database import db
from ledger.database.bulk import insert_rows
from ledger.organisation.models import Organisation
from ledger.reporting.models import SieExport as SieExportRecord
from ledger.reporting.models import SieExportEntry
from ledger.reporting.service import PROGRAM, journal_rows
from reports.data import JournalRow
from reports.sie import SieExport, SieTransaction, SieVoucher, render_sie4i

Coding = tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class SieFile:
    """An export's bytes and what it held; ``record`` is None when it held nothing new."""

    data: bytes
    vouchers: int
    entries: int
    record: SieExportRecord | None


def export_period(actor: User | None, organisation: Organisation, period: str, *, everything: bool = False,
                  generated_by: str = "", today: date | None = None, settings: AccountingSettings | None = None,
                  record: bool = True) -> SieFile:
    """The period's vouchers not exported before (all of them with ``everything``), recorded
    unless ``record`` is false (a preview: the same file, and nothing changes)."""
    month = Month.parse(period)
    settings = settings or settings_of(organisation.id)
    if settings.clearing_ansvar is None:
        raise ValidationFailed("Set the ansvar that carries the clearing account first (accounts set clearing_ansvar)",
                               details=[{"field": "clearing_ansvar", "message": "missing"}])
    wanted = [JournalEntry.rule != Rule.SUSPENSE] + ([] if everything else [~_exported(organisation.id, period)])
    rows = journal_rows(organisation.id, period, *wanted)
    export = sie_export(organisation, month, rows, settings, generated_by=generated_by, today=today,
                        everything=everything)
    data = render_sie4i(export)
    recorded = _record(actor, organisation, period, export, data, rows, everything) if (
        record and export.vouchers) else None
    return SieFile(data, len(export.vouchers), len(rows), recorded)


def sie_export(organisation: Organisation, month: Month, rows: Sequence[JournalRow], settings: AccountingSettings, *,
               generated_by: str = "", today: date | None = None, everything: bool = False) -> SieExport:
    """The rows as an ``SieExport`` for ``reports.sie.render_sie4i``."""
    objects: dict[tuple[int, str], str] = {}
    vouchers = [voucher for group in _groups(rows, settings)
                if (voucher := _voucher(group, settings, month, objects)) is not None]
    accounts = {trans.account for voucher in vouchers for trans in voucher.transactions}
    label = f"Telefonikostnader {month} fördelade per ansvar, exklusive moms"
    if everything:
        label += "; HELA PERIODEN IGEN, även verifikationer som redan lämnats"
    return SieExport(
        company_name=organisation.name, organisation_number=organisation.organisation_number,
        program_name=PROGRAM[0], program_version=PROGRAM[1], generated_on=today or clock.today(),
        fiscal_year_start=date(month.year, 1, 1), fiscal_year_end=date(month.year, 12, 31),
        accounts={account: settings.account_name(account) for account in accounts},
        dimensions={dim: settings.dimension_name(dim) for dim, _ in objects},
        objects=objects, vouchers=vouchers, generated_by=generated_by, period_label=label,
    )


def exports_of(organisation_id: int, period: str | None = None) -> list[SieExportRecord]:
    """The recorded exports, newest first (of one period, when given)."""
    query = sa.select(SieExportRecord).where(SieExportRecord.organisation_id == organisation_id)
    if period is not None:
        query = query.where(SieExportRecord.period == str(Month.parse(period)))
    return list(db.session.scalars(query.order_by(SieExportRecord.id.desc())))


# -- which entries ------------------------------------------------------------------------------


class SieExportEntryRow(NamedTuple):
    """One ``sie_export_entry`` row for the bulk path."""

    export_id: int
    journal_entry_id: int


def _exported(organisation_id: int, period: str) -> sa.ColumnElement[bool]:
    """The journal entry (of the enclosing query) was held by an earlier export of the period."""
    return (sa.select(SieExportEntry.journal_entry_id)
            .join(SieExportRecord, SieExportRecord.id == SieExportEntry.export_id)
            .where(SieExportEntry.journal_entry_id == JournalEntry.id,
                   SieExportRecord.organisation_id == organisation_id, SieExportRecord.period == period)
            .exists())


def _record(actor: User | None, organisation: Organisation, period: str, export: SieExport, data: bytes,
            rows: Sequence[JournalRow], everything: bool) -> SieExportRecord:
    debit = sum((t.amount for v in export.vouchers for t in v.transactions if t.amount > 0), ZERO)
    record = SieExportRecord(
        organisation_id=organisation.id, period=period, everything=everything, voucher_count=len(export.vouchers),
        entry_count=len(rows), total=debit, sha256=hashlib.sha256(data).hexdigest(),
        exported_by_id=actor.id if actor else None, exported_by_name=export.generated_by or audit.SYSTEM)
    db.session.add(record)
    db.session.flush()
    insert_rows("sie_export_entry", SieExportEntryRow, (SieExportEntryRow(record.id, row.entry_id) for row in rows))
    audit.record(actor, "sie.export", "sie_export", record.id, organisation_id=organisation.id,
                 after={"period": period, "everything": everything, "vouchers": record.voucher_count,
                        "entries": record.entry_count, "sha256": record.sha256})
    return record


# -- the vouchers -------------------------------------------------------------------------------


def _groups(rows: Sequence[JournalRow], settings: AccountingSettings) -> Iterable[list[JournalRow]]:
    """The rows of each voucher: per invoice in invoice-date order, or all of them at once."""
    if settings.vouchers is VoucherGrouping.PERIOD:
        if rows:
            yield list(rows)
        return
    by_invoice: dict[int, list[JournalRow]] = defaultdict(list)
    for row in rows:
        by_invoice[row.invoice_id].append(row)
    yield from sorted(by_invoice.values(), key=lambda g: (g[0].invoice_date, g[0].invoice_number, g[0].invoice_id))


def _voucher(group: Sequence[JournalRow], settings: AccountingSettings, month: Month,
             objects: dict[tuple[int, str], str]) -> SieVoucher | None:
    """One voucher: the cost rows, then the other side per motpart; None when they net to zero."""
    per_period = settings.vouchers is VoucherGrouping.PERIOD
    sums: dict[tuple[str, Coding, str], Decimal] = defaultdict(Decimal)
    sides: dict[str | None, Decimal] = defaultdict(Decimal)
    for row in group:
        counterparty = _counterparty(row, settings)
        coding = _coding(settings, objects, row.unit or settings.clearing_ansvar, row.unit_name, row.activity,
                         counterparty)
        sums[(row.account, coding, _text(row, settings, counterparty, per_period, month))] += row.amount
        sides[counterparty] += row.amount
    transactions = [SieTransaction(account, amount, coding, text)
                    for (account, coding, text), amount in sorted(sums.items(), key=_order) if amount]
    if not transactions:
        return None
    transactions += _other_side(group[0], settings, objects, sides, per_period, month)
    head = group[0]
    if per_period:
        return SieVoucher(month.last, f"Telefoni {month} fördelad per ansvar", tuple(transactions))
    day = head.invoice_date if month.first <= head.invoice_date <= month.last else month.last
    correction = "Rättelse: " if all(row.is_correction for row in group) else ""
    return SieVoucher(day, f"{correction}Telefoni {month} {head.supplier} faktura {head.invoice_number}",
                      tuple(transactions))


def _other_side(head: JournalRow, settings: AccountingSettings, objects: dict[tuple[int, str], str],
                sides: dict[str | None, Decimal], per_period: bool, month: Month) -> list[SieTransaction]:
    """The clearing account (transfer) or the internal revenue (internal_revenue), per motpart."""
    account = (settings.internal_revenue_account if settings.booking_method is BookingMethod.INTERNAL_REVENUE
               else settings.clearing_account)
    rows = []
    for counterparty, amount in sorted(sides.items(), key=lambda item: item[0] or ""):
        if amount:  # a correction that only moves cost between units has no other side
            coding = _coding(settings, objects, settings.clearing_ansvar, None, None, counterparty)
            text = _text(head, settings, counterparty, per_period, month)
            rows.append(SieTransaction(account, -amount, coding, text))
    return rows


def _counterparty(row: JournalRow, settings: AccountingSettings) -> str | None:
    if settings.booking_method is BookingMethod.INTERNAL_REVENUE:
        return settings.internal_counterparty
    return row.counterparty


def _coding(settings: AccountingSettings, objects: dict[tuple[int, str], str], ansvar: str | None,
            unit_name: str | None, activity: str | None, counterparty: str | None) -> Coding:
    """A row's objects, each declared (with its name) the first time it is met."""
    coding: list[tuple[int, str]] = []
    if ansvar:
        coding.append(_declare(objects, (settings.ansvar_dimension, ansvar), unit_name or ansvar))
    if activity and settings.activity_dimension:
        coding.append(_declare(objects, (settings.activity_dimension, activity), f"Verksamhet {activity}"))
    if counterparty and settings.counterparty_mode is CounterpartyMode.DIMENSION:
        coding.append(_declare(objects, (settings.counterparty_dimension, counterparty), f"Motpart {counterparty}"))
    return tuple(sorted(coding))


def _declare(objects: dict[tuple[int, str], str], key: tuple[int, str], name: str) -> tuple[int, str]:
    if objects.get(key, key[1]) == key[1]:  # a unit's name, once met, wins over its bare code
        objects[key] = name
    return key


def _text(row: JournalRow, settings: AccountingSettings, counterparty: str | None, per_period: bool,
          month: Month) -> str:
    text = f"Telefoni {month}" if per_period else f"{row.invoice_number} {row.supplier}"
    if settings.counterparty_mode is CounterpartyMode.TEXT and counterparty:
        text += f", motpart {counterparty}"
    return text


def _order(item: tuple[tuple[str, Coding, str], Decimal]) -> tuple[object, ...]:
    (account, coding, text), _ = item
    return (len(account), account, coding, text)
