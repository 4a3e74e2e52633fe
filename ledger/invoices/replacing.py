"""Replacing an imported invoice by the supplier's corrected re-issue: ``invoices replace ID FILE``.

A re-issue has the supplier, document type and number of the invoice it corrects, so importing
it is a ``conflict`` (``identity``). While the original has no journal entry in a closed period,
it can be replaced instead of credited, in one transaction:

1. the original is locked and marked ``replaced_at`` (so the number is free for the re-issue);
   every period its entries are in is locked, and one closed period refuses the whole replace;
2. the file is imported as usual (``importing.import_file``): it must bring exactly one
   invoice, with the original's supplier, type and number, and other content;
3. the original points at its re-issue (``replaced_by_id``) and is no longer allocated
   (``allocated_source`` leaves it out);
4. the journal is append-only, so nothing of it is changed or deleted: every active entry of
   the original (one no later entry reverses) gets a reversing entry in its own (open) period,
   with the same dimensions, so that the original's entries net to zero;
5. when the original had been allocated, the re-issue's period is allocated by the engine,
   so that the ledger books the corrected amounts where the original ones were;
6. the replace is written to the audit log.

Once an entry of the original is in a closed period, what was booked there stays: the way is
the supplier's credit note and a new invoice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa

from ledger.access.models import User
from ledger.allocation import balances, periods
from ledger.allocation.engine import AllocationResult, allocate
from ledger.allocation.models import AllocationRun, JournalEntry, Period, PeriodStatus
from ledger.audit import service as audit
from ledger.core.errors import Conflict, NotFound, PeriodClosed, ValidationFailed
from ledger.core.month import Month
from ledger.core.text import N_, Label
from ledger.database import db
from ledger.database.types import Timestamp, utcnow
from ledger.invoices import identity
from ledger.invoices.importing import ImportOutcome, import_file
from ledger.invoices.models import ImportStatus, Invoice, InvoiceLine
from ledger.organisation.models import Organisation

NOT_FOUND = N_("no invoice %(invoice)s")
ALREADY_REPLACED = N_("invoice %(invoice)s was already replaced by invoice %(by)s; replace that one instead")
CLOSED = N_("invoice %(invoice)s (%(number)s) has journal entries in the closed period(s) %(periods)s, and what "
            "was booked there stays: import the supplier's credit note and the corrected invoice instead")
NOT_IMPORTED = N_("%(file)s was not imported (%(status)s): %(why)s")
NOT_ONE = N_("%(file)s holds %(count)s invoices; a replacement is one invoice")
NOT_A_REISSUE = N_("%(file)s holds %(type)s %(number)s from %(supplier)s, not a re-issue of invoice %(invoice)s "
                   "(%(original_type)s %(original_number)s from %(original_supplier)s)")
SAME_CONTENT = N_("%(file)s holds the same content as invoice %(invoice)s; there is nothing to replace")


@dataclass(frozen=True)
class Replacement:
    """What ``replace_invoice`` did: the original, its re-issue, the reversals, the allocation."""

    original: Invoice
    invoice: Invoice
    outcome: ImportOutcome
    differences: list[dict[str, Any]]
    reversed_entries: int
    allocation: AllocationResult | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "replaced_invoice_id": self.original.id, "invoice_id": self.invoice.id, "number": self.invoice.number,
            "file": self.outcome.file, "lines": self.outcome.lines, "net_total": f"{self.invoice.net_total:.2f}",
            "differences": [{k: v for k, v in d.items() if k != "label"} for d in self.differences],
            "reversed_entries": self.reversed_entries,
            "allocated": self.allocation.as_dict() if self.allocation else None,
        }


def replace_invoice(actor: User | None, organisation: Organisation, invoice_id: int, data: bytes, filename: str,
                    **options: Any) -> Replacement:
    """Replace invoice ``invoice_id`` by the corrected re-issue in ``data`` (see the module).
    ``options`` go to ``import_file``. Flushes; the caller's unit of work commits it all."""
    original = _replaceable(organisation, invoice_id)
    held = _open_periods_of(original)
    was_allocated = bool(db.session.scalar(sa.select(sa.exists().where(*_active(original.id)))))
    original.replaced_at = utcnow()
    db.session.flush()
    outcome = import_file(actor, organisation, data, filename, **options)
    reissue = _the_reissue(original, outcome)
    found = identity.differences(identity.stored_content(original), identity.stored_content(reissue))
    if not found:
        raise Conflict(SAME_CONTENT, file=filename, invoice=original.id)
    original.replaced_by_id = reissue.id
    db.session.flush()
    reversed_entries = sum(_reverse(actor, organisation, original, reissue, period) for period in held)
    allocation = allocate(actor, organisation, str(Month.of(reissue.issue_date))) if was_allocated else None
    audit.record(actor, "invoice.replace", "invoice", original.id, before={
        "number": original.number, "issue_date": original.issue_date, "net_total": original.net_total,
        "lines": _line_count(original.id),
    }, after={
        "replaced_by_id": reissue.id, "file": filename, "issue_date": reissue.issue_date,
        "net_total": reissue.net_total, "lines": outcome.lines, "reversed_entries": reversed_entries,
        "allocated": allocation.period if allocation else None,
        "differences": [f"{d['field']}: {d['old']} → {d['new']}" for d in found],
    }, organisation_id=organisation.id)
    db.session.flush()
    return Replacement(original, reissue, outcome, found, reversed_entries, allocation)


def _replaceable(organisation: Organisation, invoice_id: int) -> Invoice:
    """The invoice, locked; refused when unknown here or already replaced."""
    original = db.session.scalar(sa.select(Invoice).where(
        Invoice.id == invoice_id, Invoice.organisation_id == organisation.id).with_for_update())
    if original is None:
        raise NotFound(NOT_FOUND, invoice=invoice_id)
    if original.replaced_at is not None:
        raise Conflict(ALREADY_REPLACED, invoice=invoice_id, by=original.replaced_by_id)
    return original


def _open_periods_of(original: Invoice) -> list[Period]:
    """Every period the original's entries are in, locked; refused if one of them is closed."""
    names = db.session.scalars(
        sa.select(Period.period).join(JournalEntry, JournalEntry.period_id == Period.id)
        .where(JournalEntry.invoice_id == original.id).distinct().order_by(Period.period)).all()
    held = [periods.get_or_open(original.organisation_id, name, lock=True) for name in names]
    closed = [period.period for period in held if period.status == PeriodStatus.CLOSED]
    if closed:
        raise PeriodClosed(CLOSED, details=[{"invoice_id": original.id, "closed_periods": closed}],
                           invoice=original.id, number=original.number, periods=closed)
    return held


def _the_reissue(original: Invoice, outcome: ImportOutcome) -> Invoice:
    """The one invoice the file brought, when it is a re-issue of ``original``."""
    if outcome.status != ImportStatus.IMPORTED:
        why = "; ".join(f"{e.get('field')}: {e['message']}" for e in outcome.errors) or outcome.message
        refusal = ValidationFailed if outcome.status == ImportStatus.REJECTED else Conflict
        raise refusal(NOT_IMPORTED, outcome.errors or outcome.as_dict()["differences"], file=outcome.file,
                      status=Label(outcome.status.value), why=why)
    if len(outcome.invoice_ids) != 1:
        raise ValidationFailed(NOT_ONE, file=outcome.file, count=len(outcome.invoice_ids))
    reissue = db.session.get(Invoice, outcome.invoice_ids[0])
    assert reissue is not None  # just imported
    if (reissue.supplier_id, reissue.document_type, reissue.number) != (
            original.supplier_id, original.document_type, original.number) or reissue.id == original.id:
        raise ValidationFailed(NOT_A_REISSUE,
            file=outcome.file, type=Label(reissue.document_type.value), number=reissue.number,
            supplier=reissue.supplier.name, invoice=original.id,
            original_type=Label(original.document_type.value),
            original_number=original.number, original_supplier=original.supplier.name)
    return reissue


def _journal() -> sa.Table:
    return cast(sa.Table, JournalEntry.__table__)  # a mapped class's table, typed as any FromClause


def _active(invoice_id: int, period_id: int | None = None) -> list[sa.ColumnElement[bool]]:
    """The invoice's entries that count (of one period, when given): originals no later entry reverses."""
    entry = _journal()
    reversed_ids = sa.select(entry.c.reverses_id).where(entry.c.reverses_id.is_not(None),
                                                        entry.c.invoice_id == invoice_id)
    where = [entry.c.invoice_id == invoice_id, entry.c.reverses_id.is_(None), entry.c.id.not_in(reversed_ids)]
    return where + ([entry.c.period_id == period_id] if period_id is not None else [])


def _reverse(actor: User | None, organisation: Organisation, original: Invoice, reissue: Invoice,
             period: Period) -> int:
    """Reverse the original's active entries of ``period`` there, set-based: the exact negative
    of each, with its unit, account, rule and dimensions. One allocation run records it."""
    entry = _journal()
    active = _active(original.id, period.id)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(entry).where(*active)) or 0
    if not count:
        return 0
    run = AllocationRun(organisation_id=organisation.id, period_id=period.id, started_by_id=actor.id if actor else None,
                        summary={"replaced_invoice": original.id, "replaced_by": reissue.id, "reversals": count})
    db.session.add(run)
    db.session.flush()
    # The reason's code and values; the entry it names is each row's own ``reverses_id``.
    params = sa.literal({"original": original.id, "reissue": reissue.id}, sa.JSON)
    copied = ("organisation_id", "period_id", "unit_id", "administration_id", "account", "counterparty", "activity",
              "rule", "invoice_id", "invoice_line_id", "assignment_id", "allowance_charge_id", "is_correction")
    reversals = sa.select(
        *(entry.c[name] for name in copied), sa.literal(run.id).label("run_id"),
        (-entry.c.amount_ore).label("amount_ore"), sa.literal("replaced").label("reason"),
        params.label("reason_params"), entry.c.id.label("reverses_id"),
        sa.literal(utcnow(), Timestamp()).label("created_at"),
    ).where(*active)
    db.session.execute(sa.insert(entry).from_select(
        [*copied, "run_id", "amount_ore", "reason", "reason_params", "reverses_id", "created_at"], reversals))
    balances.add_run(run.id)
    return count


def _line_count(invoice_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(InvoiceLine.invoice_id == invoice_id)) or 0
