"""An invoice's identity and content: a second file with its number is a duplicate or a conflict.

An invoice is known by its supplier, document type and number. A file that brings a known
number with the same content is a ``duplicate`` (nothing changes); with other content it is a
corrected re-issue, a ``conflict``: nothing is stored, and the outcome names every field that
differs with its old and new value. The correction is never lost silently: the way out is the
supplier's credit note and a new invoice, or ``invoices replace ID FILE`` (``replacing``).

Content is what the ledger books from: the dates, the totals and, line by line, the amount,
the reference, the service period and the item code. Line texts and the due date are not
compared (a re-sent invoice may word a line differently and still book the same).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from importers import ParsedInvoice
from ledger.core.text import N_
from ledger.database import db
from ledger.invoices.messages import said
from ledger.invoices.models import Invoice, InvoiceImport, InvoiceLine

#: A line as compared: amount, reference (as stored, at most 64 characters), service period, item code.
LineContent = tuple[Decimal, str | None, date | None, date | None, str | None]
LINE_FIELDS = ("net_amount", "reference", "period_start", "period_end", "item_code")

#: What each compared field is called where a person reads it.
HEADER_LABELS = {
    "issue_date": N_("date"),
    "period_start": N_("period start"),
    "period_end": N_("period end"),
    "net_total": N_("total"),
    "vat_total": N_("VAT"),
    "rounding": N_("rounding"),
    "payable": N_("amount to pay"),
}
LINE_COUNT_LABEL = N_("line count")
LINE_LABELS = {
    "net_amount": N_("line %(position)s amount"),
    "reference": N_("line %(position)s reference"),
    "period_start": N_("line %(position)s period start"),
    "period_end": N_("line %(position)s period end"),
    "item_code": N_("line %(position)s item code"),
}
#: Line differences named one by one, at most (a re-issue may change every line).
SHOWN_LINE_DIFFERENCES = 10

CONFLICT_TEXT = N_("%(number)s from %(supplier)s is already imported (invoice %(invoice)s) with other content; "
                   "nothing was imported.")
#: The way out as a page says it: in the product's terms (replacing is done by an administrator).
WAY_OUT_TEXT = N_("Import the supplier's credit note and then the new invoice, or, while invoice %(invoice)s is "
                  "not allocated in a closed period, have an administrator replace it by the corrected invoice.")
#: The way out as the command line and the API say it: with the command that replaces.
WAY_OUT_COMMAND = ("Import the supplier's credit note and then the new invoice, or, while invoice {invoice} is not "
                   "allocated in a closed period, replace it: invoices replace {invoice} FILE.")


@dataclass(frozen=True, slots=True)
class Content:
    """What is compared: header fields by name, and the lines (``None``: not comparable)."""

    header: dict[str, Any]
    lines: tuple[LineContent, ...] | None = None


def line_content(amount: Decimal, reference: str | None, start: date | None, end: date | None,
                 item_code: str | None) -> LineContent:
    return amount, reference[:64] if reference else None, start, end, item_code


def parsed_content(parsed: ParsedInvoice) -> Content:
    """The content of an invoice as a file brings it."""
    header = {"issue_date": parsed.issue_date, "period_start": parsed.period_start, "period_end": parsed.period_end,
              "net_total": parsed.net_total, "vat_total": parsed.vat_total, "rounding": parsed.rounding,
              "payable": parsed.payable}
    return Content(header, tuple(line_content(line.net_amount, line.reference, line.period_start, line.period_end,
                                              line.seller_item_code) for line in parsed.lines))


def stored_content(invoice: Invoice) -> Content:
    """The content of an imported invoice. One made from an operator's CSV specification is
    compared by its date and total only: a PEPPOL invoice of the same number summarises it."""
    source_format = db.session.scalar(sa.select(InvoiceImport.format).where(InvoiceImport.id == invoice.import_id))
    if source_format == "csv":
        return Content({"issue_date": invoice.issue_date, "net_total": invoice.net_total})
    header = {"issue_date": invoice.issue_date, "period_start": invoice.period_start,
              "period_end": invoice.period_end, "net_total": invoice.net_total, "vat_total": invoice.vat_total,
              "rounding": invoice.rounding, "payable": invoice.payable}
    return Content(header, stored_lines(invoice.id, "document"))


def stored_lines(invoice_id: int, source: str) -> tuple[LineContent, ...]:
    rows = db.session.execute(
        sa.select(InvoiceLine.net_amount, InvoiceLine.reference, InvoiceLine.period_start, InvoiceLine.period_end,
                  InvoiceLine.item_code)
        .where(InvoiceLine.invoice_id == invoice_id, InvoiceLine.source == source).order_by(InvoiceLine.position))
    return tuple(line_content(*row) for row in rows)


def _shown(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _difference(name: str, label: str, old: Any, new: Any, position: int | None = None) -> dict[str, Any]:
    return {"field": name, "line": position, "old": _shown(old), "new": _shown(new), "label": label}


def differences(old: Content, new: Content) -> list[dict[str, Any]]:
    """Every field that differs, old → new: the header fields both contents hold, the number of
    lines, and (when both have lines) the first lines that differ, field by field."""
    found = [_difference(name, label, old.header[name], new.header[name])
             for name, label in HEADER_LABELS.items()
             if name in old.header and name in new.header and old.header[name] != new.header[name]]
    if old.lines is None or new.lines is None:
        return found
    if len(old.lines) != len(new.lines):
        found.append(_difference("line_count", LINE_COUNT_LABEL, len(old.lines), len(new.lines)))
    found += _line_differences(old.lines, new.lines)
    return found


def _line_differences(old: Iterable[LineContent], new: Iterable[LineContent]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for position, (was, now) in enumerate(zip(old, new, strict=False), start=1):
        if was == now:
            continue
        for index, name in enumerate(LINE_FIELDS):
            if was[index] != now[index]:
                found.append(_difference(f"lines[{position}].{name}", LINE_LABELS[name], was[index], now[index],
                                         position))
        if len(found) >= SHOWN_LINE_DIFFERENCES:
            break
    return found[:SHOWN_LINE_DIFFERENCES]


def describe(found: list[dict[str, Any]]) -> str:
    """``date 2026-03-31 → 2026-04-01, total 100.00 → 105.00`` (in the catalogue's source language)."""
    return ", ".join(f"{d['label'] % {'position': d['line']}} {d['old']} → {d['new']}" for d in found)


class ConflictingInvoice(Exception):
    """Raised inside an import's savepoint: a known number with other content."""

    def __init__(self, existing: Invoice, supplier_name: str, found: list[dict[str, Any]]) -> None:
        self.existing = existing
        self.supplier_name = supplier_name
        self.found = found
        super().__init__(self.message)

    @property
    def explanation(self) -> dict[str, Any]:
        return said(CONFLICT_TEXT, number=self.existing.number, supplier=self.supplier_name,
                    invoice=self.existing.id)

    @property
    def way_out(self) -> dict[str, Any]:
        return said(WAY_OUT_TEXT, invoice=self.existing.id)

    @property
    def message(self) -> str:
        way_out = WAY_OUT_COMMAND.format(invoice=self.existing.id)
        return f"{self.explanation['message']} What differs: {describe(self.found)}. {way_out}"
