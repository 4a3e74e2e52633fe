"""Recording imported invoices: exactly once, whole, every line tied to its asset.

One file is one transaction (a savepoint inside the caller's unit of work): either every
invoice of the file is stored with all its lines, or nothing is, and the outcome says why
with the file, line and field. Duplicates (the same file, or the same supplier + document
type + invoice number with the same content) change nothing; the same number with other
content is a conflict, which stores nothing either and names what differs (``identity``).
Dates the ledger could never book (outside the years ``Month`` accepts) are refused. Two
imports of one file at once are decided by the database (a unique index on the file's hash
per organisation, and one on supplier + type + number): the loser is told it is a duplicate.

An operator's CSV specification that carries the number of an already imported PEPPOL
invoice of the same supplier is that invoice's detail: it must sum exactly to the invoice's
net total, and its lines then stand in for the invoice's own lines in the allocation.

Lines are written with bulk inserts, never one ORM object per line: a PEPPOL invoice's as full
rows in batches, a CSV specification's staged and then stored by one ``INSERT … SELECT`` once
the whole file is read without error (``staging``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

import importers
from importers import CsvRow, ParsedInvoice, ParseError, ParseResult
from importers.csv_spec import CsvReader
from importers.problems import FILE_TOO_LARGE
from ledger.access.models import User
from ledger.audit import service as audit
from ledger.core.money import ZERO, from_ore
from ledger.core.month import FIRST_YEAR, LAST_YEAR
from ledger.core.text import N_
from ledger.database import db
from ledger.database.bulk import Values, analyze_if_large, insert_rows
from ledger.database.transaction import unit_of_work
from ledger.inventory.matching import AssetIndex
from ledger.invoices import identity
from ledger.invoices.categories import Categoriser
from ledger.invoices.identity import ConflictingInvoice
from ledger.invoices.messages import said
from ledger.invoices.models import DocumentType, ImportStatus, Invoice, InvoiceAllowanceCharge, InvoiceImport
from ledger.invoices.staging import LineStage
from ledger.organisation.models import Organisation, Supplier

BATCH = 20000
CURRENCY = "SEK"
Progress = Callable[[int], None]
#: The days the ledger can book: those of the years ``Month`` accepts.
FIRST_DAY, LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
UNBOOKABLE_DATE = N_("%(day)s is outside the years the ledger keeps (%(first)s–%(last)s): the invoice could never "
                     "be allocated")
UNKNOWN_SUPPLIER = N_("unknown supplier %(organisation_number)s: register it under suppliers first")
UNKNOWN_SUPPLIER_RULE = "unknown_supplier"
CREDIT_WITHOUT_INVOICE = N_("credit note %(number)s credits invoice %(credited)s, which is not imported; it is "
                            "imported all the same, and compliance reports it until the invoice is imported")
NO_ORGANISATION_NUMBER = N_("the supplier has no Swedish organisationsnummer (EndpointID scheme 0007, "
                            "PartyLegalEntity or an SE VAT number); it cannot be matched")
NOT_SEK = N_("the invoice is in %(currency)s; only SEK invoices can be allocated (ask the supplier for a SEK invoice)")
NOT_SEK_ROW = N_("the invoice is in %(currency)s; only SEK can be allocated")
NO_LINES = N_("the file holds no invoice lines")
REPEATS_IMPORTED = N_("the file repeats invoice(s) already imported (%(numbers)s) beside new ones; nothing was "
                      "imported, so that nothing is booked twice")
SPECIFICATION_SUM = N_("the specification of invoice %(number)s sums to %(sum)s but the invoice's net total is "
                       "%(total)s (difference %(difference)s)")
SAME_FILE = N_("the same file was imported on %(when)s as %(name)s (import %(import_id)s); nothing changed")
SAME_INVOICE = N_("invoice %(number)s from %(supplier)s is already imported with the same content; nothing changed")
SAME_CREDIT_NOTE = N_("credit note %(number)s from %(supplier)s is already imported with the same content; nothing "
                      "changed")
SAME_SPECIFICATIONS = N_("invoice(s) %(numbers)s are already imported; nothing changed")


class InvoiceLineRow(NamedTuple):
    """One ``invoice_line`` row as the bulk path writes it: its fields are the columns, in order.

    Quantities, prices, rates and dates are what ``Values`` makes of them for the engine's
    driver (text on SQLite, the Python value on PostgreSQL), hence ``Any``.
    """

    organisation_id: int
    invoice_id: int  #: -1 for a duplicate specification's row: counted, never stored
    source: str
    position: int
    line_id: str | None
    description: str | None
    item_code: str | None
    charge_type: str | None
    category: str
    quantity: Any
    unit_code: str | None
    unit_price: Any
    net_amount_ore: int
    vat_category: str | None
    vat_rate: Any
    period_start: Any
    period_end: Any
    reference: str | None
    reference_source: str | None
    location: str
    asset_id: int | None


@dataclass
class ImportOutcome:
    """What became of one file; ``as_dict`` is the shape of INTERFACE.md's import output."""

    file: str
    status: ImportStatus
    format: str | None = None
    invoice_ids: list[int] = field(default_factory=list)
    lines: int = 0
    net_total: Decimal = ZERO
    errors: list[dict[str, Any]] = field(default_factory=list)
    matched_lines: int = 0
    message: str = ""
    #: What is worth knowing about an imported file (``said`` dicts, shaped like ``errors``).
    warnings: list[dict[str, Any]] = field(default_factory=list)
    #: For a conflict: the invoice already imported, what differs (``identity.differences``),
    #: and the message and way out as ``said`` dicts, for a page to translate; for a duplicate,
    #: its message as one.
    existing_invoice_id: int | None = None
    differences: list[dict[str, Any]] = field(default_factory=list)
    explanation: list[dict[str, Any]] = field(default_factory=list)

    @property
    def invoice_id(self) -> int | None:
        return self.invoice_ids[0] if len(self.invoice_ids) == 1 else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "status": self.status.value, "format": self.format,
            "invoice_id": self.invoice_id, "invoice_ids": self.invoice_ids, "lines": self.lines,
            "matched_lines": self.matched_lines, "net_total": f"{self.net_total:.2f}",
            "message": self.message, "errors": self.errors, "warnings": self.warnings,
            "existing_invoice_id": self.existing_invoice_id,
            "differences": [{k: v for k, v in d.items() if k != "label"} for d in self.differences],
        }


class Rejected(Exception):
    """Raised inside the savepoint to undo a file; carries the errors to report."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors[0]["message"] if errors else "rejected")
        self.errors = errors


class Duplicate(Exception):
    """Raised inside the savepoint: what the file brings is imported already (``said`` says which)."""

    def __init__(self, text: str, /, **params: Any) -> None:
        self.said = said(text, **params)
        self.message = self.said["message"]
        super().__init__(self.message)


def _error(message: str, field: str = "file", line: int | None = None, path: str | None = None,
           rule: str | None = None) -> dict[str, Any]:
    return {"line": line, "path": path, "field": field, "message": message, "rule": rule}


def _said_at(field: str, path: str | None, text: str, /, line: int | None = None, **params: Any) -> dict[str, Any]:
    """An error or warning in the shape of ``_error``, translatable (``messages.said``), at the file's
    ``line`` when it has one."""
    return _error("", field, line, path) | said(text, **params)


def _from_parse_error(error: ParseError) -> dict[str, Any]:
    """A parser's error or warning in the shape of ``_error``, with its catalogue text and values
    (``text``, ``params``) for a page to translate. The English ``message`` names the rule first
    when the parser's message does not; a page shows the rule beside the translated text."""
    message = f"{error.rule}: {error.message}" if error.rule and error.rule not in error.message else error.message
    shown = error.said
    return _error(message, error.field, error.line, error.path, error.rule) | {"text": shown.template,
                                                                                "params": dict(shown.params)}


def import_file(
    actor: User | None,
    organisation: Organisation,
    data: bytes,
    filename: str,
    *,
    format: str = "auto",
    mapping: str = importers.DEFAULT_MAPPING,
    supplier: str | None = None,
    max_bytes: int = importers.DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Import one file for ``organisation``. Never raises for bad input: the outcome says."""
    if len(data) > max_bytes:
        too_large = _said_at("file", None, FILE_TOO_LARGE, size=f"{len(data):,}", limit=f"{max_bytes:,}")
        return ImportOutcome(filename, ImportStatus.REJECTED, errors=[too_large], message=too_large["message"])
    attempt = partial(_import_once, actor, organisation, data, filename, hashlib.sha256(data).hexdigest(),
                      format=format, mapping=mapping, supplier=supplier, max_bytes=max_bytes, progress=progress)
    try:
        return attempt()
    except IntegrityError:
        # Another import of this file (or of one of its invoices) committed while this one
        # ran, and the database's unique indexes said so. Looked at again, now that the other
        # is visible, this file is the duplicate (or the conflict) it would have been had it
        # come second.
        return attempt()


def _import_once(actor: User | None, organisation: Organisation, data: bytes, filename: str, digest: str, *,
                 format: str, mapping: str, supplier: str | None, max_bytes: int,
                 progress: Progress | None) -> ImportOutcome:
    earlier = _same_file(organisation, digest, filename)
    if earlier is not None:
        return earlier
    chosen = importers.detect_format(data, filename) if format == "auto" else format
    outcome = ImportOutcome(filename, ImportStatus.IMPORTED, format=chosen)
    savepoint = db.session.begin_nested()
    try:
        record = InvoiceImport(organisation_id=organisation.id, file_name=filename[:255], sha256=digest,
                               format=chosen, status=ImportStatus.IMPORTED,
                               imported_by_id=actor.id if actor else None)
        db.session.add(record)
        db.session.flush()
        writer = _Recorder(actor, organisation, record, outcome, progress)
        if chosen == "csv":
            writer.record_csv(data, filename, mapping=mapping, supplier=supplier)
        else:
            writer.record_parsed(importers.parse_file(data, filename, format=chosen, max_bytes=max_bytes))
        writer.finish(filename)
        savepoint.commit()
    except Rejected as rejected:
        savepoint.rollback()
        return ImportOutcome(filename, ImportStatus.REJECTED, format=chosen, errors=rejected.errors,
                             message=rejected.errors[0]["message"])
    except Duplicate as duplicate:
        savepoint.rollback()
        return ImportOutcome(filename, ImportStatus.DUPLICATE, format=chosen, message=duplicate.message,
                             explanation=[duplicate.said])
    except ConflictingInvoice as conflict:
        savepoint.rollback()
        return _conflict_outcome(filename, chosen, conflict)
    except BaseException:
        savepoint.rollback()
        raise
    analyze_if_large("invoice_line", outcome.lines)  # once per file, however many invoices it held
    outcome.message = (f"{len(outcome.invoice_ids)} invoice(s), {outcome.lines} lines, "
                       f"{outcome.matched_lines} matched to an asset")
    return outcome


def _conflict_outcome(filename: str, chosen: str, conflict: ConflictingInvoice) -> ImportOutcome:
    return ImportOutcome(filename, ImportStatus.CONFLICT, format=chosen, message=conflict.message,
                         existing_invoice_id=conflict.existing.id, differences=conflict.found,
                         explanation=[conflict.explanation, conflict.way_out])


def _same_file(organisation: Organisation, digest: str, filename: str) -> ImportOutcome | None:
    """The outcome for a file already imported (by its SHA-256), or None for a new one."""
    earlier = db.session.scalar(sa.select(InvoiceImport).where(
        InvoiceImport.organisation_id == organisation.id, InvoiceImport.sha256 == digest))
    if earlier is None:
        return None
    same = said(SAME_FILE, when=f"{earlier.imported_at:%Y-%m-%d %H:%M}", name=repr(earlier.file_name),
                import_id=earlier.id)
    return ImportOutcome(filename, ImportStatus.DUPLICATE, format=earlier.format, message=same["message"],
                         explanation=[same])


def import_file_alone(actor: User | None, organisation: Organisation, data: bytes, filename: str,
                      **options: Any) -> ImportOutcome:
    """``import_file`` as a transaction of its own, committed before the caller goes on: for
    the command and the upload page, which import several files, each kept or refused whole
    whatever happens to the others (and kept if a later file fails)."""
    with unit_of_work():
        return import_file(actor, organisation, data, filename, **options)


@dataclass(eq=False)
class _Recorder:
    """Stores the invoices of one file; raises ``Rejected`` or ``Duplicate`` to undo it."""

    actor: User | None
    organisation: Organisation
    record: InvoiceImport
    outcome: ImportOutcome
    progress: Progress | None
    organisation_id: int = field(init=False)
    assets: AssetIndex = field(init=False)
    values: Values = field(init=False)
    _suppliers: dict[str, Supplier | None] = field(init=False, default_factory=dict)
    _categorisers: dict[int, Categoriser] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.organisation_id = self.organisation.id
        self.assets = AssetIndex(self.organisation_id)
        self.values = Values()

    # lookups ---------------------------------------------------------------------------

    def supplier(self, organisation_number: str | None, where: dict[str, Any]) -> Supplier:
        if not organisation_number:
            raise Rejected([_error("", **where) | said(NO_ORGANISATION_NUMBER)])
        if organisation_number not in self._suppliers:
            self._suppliers[organisation_number] = db.session.scalar(
                sa.select(Supplier).where(Supplier.organisation_number == organisation_number))
        found = self._suppliers[organisation_number]
        if found is None:  # with its number and rule, so that a page can offer to register it
            raise Rejected([_error("", rule=UNKNOWN_SUPPLIER_RULE, **where) | said(UNKNOWN_SUPPLIER,
                                                                                  organisation_number=organisation_number)])
        return found

    def categoriser(self, supplier: Supplier) -> Categoriser:
        if supplier.id not in self._categorisers:
            self._categorisers[supplier.id] = Categoriser(supplier.id)
        return self._categorisers[supplier.id]

    def existing(self, supplier: Supplier, document_type: DocumentType, number: str) -> Invoice | None:
        """The current invoice (not replaced by a re-issue) of that supplier, type and number."""
        return db.session.scalar(sa.select(Invoice).where(
            Invoice.organisation_id == self.organisation.id, Invoice.supplier_id == supplier.id,
            Invoice.document_type == document_type, Invoice.number == number, Invoice.replaced_at.is_(None)))

    def same_or_conflicting(self, existing: Invoice, supplier: Supplier, content: identity.Content) -> None:
        """Raise ``Duplicate`` when ``content`` is what ``existing`` holds, else ``ConflictingInvoice``."""
        found = identity.differences(identity.stored_content(existing), content)
        if found:
            raise ConflictingInvoice(existing, supplier.name, found)
        text = SAME_CREDIT_NOTE if existing.document_type == DocumentType.CREDIT_NOTE else SAME_INVOICE
        raise Duplicate(text, number=existing.number, supplier=supplier.name)

    def finish(self, filename: str) -> None:
        """What the file brought, on its import record and in the audit log."""
        record, outcome = self.record, self.outcome
        record.invoice_count = len(outcome.invoice_ids)
        record.line_count = outcome.lines
        record.result = {"invoice_ids": outcome.invoice_ids, "lines": outcome.lines,
                         "matched_lines": outcome.matched_lines, "net_total": f"{outcome.net_total:.2f}"}
        if outcome.warnings:
            record.result["warnings"] = [w["message"] for w in outcome.warnings]
        audit.record(self.actor, "invoice.import", "invoice_import", record.id, after=record.result | {
            "file": filename, "sha256": record.sha256, "format": record.format}, organisation_id=self.organisation_id)
        db.session.flush()

    # PEPPOL ------------------------------------------------------------------------------

    def record_parsed(self, result: ParseResult) -> None:
        if result.errors:
            raise Rejected([_from_parse_error(e) for e in result.errors])
        self.outcome.warnings += [_from_parse_error(w) for w in result.warnings]
        for parsed in result.invoices:
            self.record_invoice(parsed)

    def record_invoice(self, parsed: ParsedInvoice) -> None:
        if parsed.currency != CURRENCY:
            raise Rejected([_said_at("cbc:DocumentCurrencyCode", None, NOT_SEK, currency=parsed.currency)])
        unbookable = _unbookable_dates(parsed)
        if unbookable:
            raise Rejected(unbookable)
        supplier = self.supplier(parsed.supplier.organisation_number,
                                 {"field": "cac:AccountingSupplierParty", "path": None})
        document_type = DocumentType(parsed.document_type)
        existing = self.existing(supplier, document_type, parsed.number)
        if existing is not None:
            self.same_or_conflicting(existing, supplier, identity.parsed_content(parsed))
        invoice = self._new_invoice(parsed, supplier, document_type)
        if parsed.allowances_charges:
            _store_allowances(invoice.id, parsed)
        self._insert_lines(self._document_rows(invoice.id, parsed, self.categoriser(supplier)))
        self.outcome.invoice_ids.append(invoice.id)
        self.outcome.net_total += parsed.net_total
        self._warn_if_crediting_nothing(invoice)

    def _warn_if_crediting_nothing(self, invoice: Invoice) -> None:
        """A credit note whose billing reference names no imported invoice is imported, with a
        warning (and ``compliance`` reports it as ``credit_without_invoice``)."""
        if invoice.document_type != DocumentType.CREDIT_NOTE or not invoice.credited_number:
            return
        if invoice.credited_invoice_id is None:
            self.outcome.warnings.append(_said_at(
                "cac:BillingReference", "/CreditNote/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID",
                CREDIT_WITHOUT_INVOICE, number=invoice.number, credited=invoice.credited_number))

    def _new_invoice(self, parsed: ParsedInvoice, supplier: Supplier, document_type: DocumentType) -> Invoice:
        credited_number = parsed.billing_references[0] if parsed.billing_references else None
        credited = None
        if credited_number:
            credited = self.existing(supplier, DocumentType.INVOICE, credited_number)
        invoice = Invoice(
            organisation_id=self.organisation.id, import_id=self.record.id, supplier_id=supplier.id,
            document_type=document_type, type_code=parsed.type_code, number=parsed.number,
            issue_date=parsed.issue_date, due_date=parsed.due_date, currency=parsed.currency,
            period_start=parsed.period_start, period_end=parsed.period_end,
            credited_number=credited_number, credited_invoice_id=credited.id if credited else None,
            buyer_reference=parsed.buyer_reference, line_total=parsed.line_total,
            allowance_total=sum((ac.amount for ac in parsed.allowances_charges if not ac.is_charge), ZERO),
            charge_total=sum((ac.amount for ac in parsed.allowances_charges if ac.is_charge), ZERO),
            net_total=parsed.net_total, vat_total=parsed.vat_total, rounding=parsed.rounding,
            payable=parsed.payable,
        )
        db.session.add(invoice)
        db.session.flush()
        return invoice

    def _document_rows(self, invoice_id: int, parsed: ParsedInvoice,
                       categoriser: Categoriser) -> Iterator[InvoiceLineRow]:
        day = parsed.period_start or parsed.issue_date
        for line in parsed.lines:
            yield self._line_row(
                invoice_id, "document", categoriser, line.position, line.line_id, line.description or line.item_name,
                line.seller_item_code, line.charge_type, line.quantity, line.unit_code, line.unit_price,
                line.net_amount, line.vat_category, line.vat_rate, line.period_start, line.period_end,
                line.reference, line.reference_source, line.location, line.period_start or day)

    # CSV ---------------------------------------------------------------------------------

    def record_csv(self, data: bytes, filename: str, *, mapping: str, supplier: str | None) -> None:
        """Stage the rows, then store them in one statement; a row in error anywhere undoes the
        whole file (and, found before anything is stored, stores nothing to undo)."""
        reader = importers.iter_rows(data, filename, mapping=mapping, supplier=supplier)
        specs: dict[tuple[str, str], _CsvInvoice] = {}
        stage = LineStage(self.organisation_id, self.assets, self.values, self.progress)
        self._stage_csv_rows(reader, specs, stage)
        if reader.errors:
            raise Rejected([_from_parse_error(e) for e in reader.errors])
        if not specs:
            raise Rejected([_said_at("file", None, NO_LINES)])
        duplicates = [number for (_, number), spec in specs.items() if spec.duplicate]
        if duplicates:
            if len(duplicates) == len(specs):
                for spec in specs.values():
                    self._same_specification_or_conflicting(spec)
                raise Duplicate(SAME_SPECIFICATIONS, numbers=", ".join(duplicates))
            raise Rejected([_said_at("Fakturanummer", None, REPEATS_IMPORTED, numbers=", ".join(duplicates))])
        for spec in specs.values():
            self._close_csv_invoice(spec)
        self.outcome.lines += stage.store()
        self.outcome.matched_lines += stage.matched

    def _stage_csv_rows(self, reader: CsvReader, specs: dict[tuple[str, str], _CsvInvoice],
                        stage: LineStage) -> None:
        """Each row to its invoice's totals and to the stage; a duplicate's rows only to the
        content it is compared by. Rows come as plain tuples, unpacked by name: making a
        ``CsvRow`` of each and reading its fields would cost about a microsecond a line more."""
        add = stage.add
        for values in reader.tuples():
            (line, number, invoice_date, supplier, reference, charge_type, text, start, end, quantity, net, rate,
             currency, item_code, unit_price, unit_code) = values
            if currency != CURRENCY:  # on any row, not only an invoice's first: it would be booked as kronor
                raise Rejected([_said_at("Valuta", None, NOT_SEK_ROW, line=line, currency=currency)])
            key = (supplier or "", number)
            spec = specs.get(key)
            if spec is None:
                spec = specs[key] = self._open_csv_invoice(CsvRow._make(values))
            ore = int(net.scaleb(2))
            spec.add(ore, rate)
            if spec.duplicate:
                spec.content.append(identity.line_content(net, reference, start, end, item_code))
                continue
            detail = (spec.invoice_id, text, item_code, charge_type, unit_code, unit_price, rate, start, end,
                      invoice_date)
            add(detail, spec.source, spec.categoriser, spec.position, line, ore, quantity, reference)

    def _open_csv_invoice(self, row: CsvRow) -> _CsvInvoice:
        where = {"field": "Organisationsnummer", "line": row.line}
        supplier = self.supplier(row.supplier, where)
        existing = self.existing(supplier, DocumentType.INVOICE, row.invoice_number)
        if existing is not None and existing.specification_import_id is None and existing.import_id != self.record.id:
            # The detail of an invoice already imported from PEPPOL.
            return _CsvInvoice(existing.id, self.categoriser(supplier), "specification", row.line, existing=existing)
        if existing is not None:
            return _CsvInvoice(-1, self.categoriser(supplier), "specification", row.line, existing=existing,
                               duplicate=True)
        invoice = Invoice(
            organisation_id=self.organisation.id, import_id=self.record.id, supplier_id=supplier.id,
            document_type=DocumentType.INVOICE, type_code="380", number=row.invoice_number,
            issue_date=row.invoice_date, currency=CURRENCY, line_total=ZERO, net_total=ZERO, vat_total=ZERO,
            payable=ZERO,
        )
        db.session.add(invoice)
        db.session.flush()
        return _CsvInvoice(invoice.id, self.categoriser(supplier), "document", row.line)

    def _same_specification_or_conflicting(self, spec: _CsvInvoice) -> None:
        """A specification already attached to its invoice, again: the same rows, or a conflict."""
        existing = spec.existing
        assert existing is not None  # a duplicate is one
        stored = identity.Content({"net_total": existing.net_total},
                                  identity.stored_lines(existing.id, "specification"))
        found = identity.differences(stored, identity.Content({"net_total": from_ore(spec.net_ore)},
                                                              tuple(spec.content)))
        if found:
            raise ConflictingInvoice(existing, existing.supplier.name, found)

    def _close_csv_invoice(self, spec: _CsvInvoice) -> None:
        net = from_ore(spec.net_ore)
        vat = sum((from_ore(ore) * rate / 100 for rate, ore in spec.net_by_rate.items()), ZERO).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)
        if spec.existing is not None:
            if net != spec.existing.net_total:
                raise Rejected([_said_at(
                    "Belopp exkl. moms", None, SPECIFICATION_SUM, line=spec.first_line, number=spec.existing.number,
                    sum=f"{net:.2f}", total=f"{spec.existing.net_total:.2f}",
                    difference=f"{net - spec.existing.net_total:.2f}")])
            spec.existing.specification_import_id = self.record.id
            self.outcome.invoice_ids.append(spec.existing.id)
        else:
            db.session.execute(sa.update(Invoice).where(Invoice.id == spec.invoice_id).values(
                line_total=net, net_total=net, vat_total=vat, payable=net + vat))
            self.outcome.invoice_ids.append(spec.invoice_id)
        self.outcome.net_total += net

    # lines -------------------------------------------------------------------------------

    def _line_row(self, invoice_id: int, source: str, categoriser: Categoriser, position: int, line_id: str | None,
                  description: str | None, item_code: str | None, charge_type: str | None,
                  quantity: Decimal | None, unit_code: str | None, unit_price: Decimal | None, net_amount: Decimal,
                  vat_category: str | None, vat_rate: Decimal | None, period_start: date | None,
                  period_end: date | None, reference: str | None, reference_source: str | None, location: str,
                  day: date) -> InvoiceLineRow:
        """One line, matched to its asset and categorised, as a database-ready row."""
        match = self.assets.match(reference)
        category = categoriser.categorise(item_code, day, match.kind, charge_type, description, unit_code)
        v = self.values
        return InvoiceLineRow(
            self.organisation_id, invoice_id, source, position, line_id,
            description[:300] if description else None, item_code, charge_type, category.value,
            v.number(quantity), unit_code, v.number(unit_price), int(net_amount.scaleb(2)), vat_category,
            v.number(vat_rate), v.day(period_start), v.day(period_end), reference[:64] if reference else None,
            reference_source, location[:200], match.asset_id,
        )

    def _insert_lines(self, rows: Iterable[InvoiceLineRow]) -> None:
        batch: list[InvoiceLineRow] = []
        for row in rows:
            if row.invoice_id < 0:  # a duplicate's rows are counted, never stored
                continue
            batch.append(row)
            if len(batch) >= BATCH:
                self._flush(batch)
                batch = []
        if batch:
            self._flush(batch)

    def _flush(self, batch: list[InvoiceLineRow]) -> None:
        insert_rows("invoice_line", InvoiceLineRow, batch)
        self.outcome.lines += len(batch)
        self.outcome.matched_lines += sum(1 for row in batch if row.asset_id)
        if self.progress:
            self.progress(len(batch))


def _unbookable_dates(parsed: ParsedInvoice) -> list[dict[str, Any]]:
    """An error for each date outside the years the ledger keeps: the invoice date, the header's
    service period and each line's. Such an invoice could never be allocated (0001-01-01 and
    9999-12-31 are what systems write for "no date")."""
    root = "/CreditNote" if parsed.document_type == "credit_note" else "/Invoice"
    dated = [("cbc:IssueDate", f"{root}/cbc:IssueDate", parsed.issue_date),
             ("cbc:StartDate", f"{root}/cac:InvoicePeriod/cbc:StartDate", parsed.period_start),
             ("cbc:EndDate", f"{root}/cac:InvoicePeriod/cbc:EndDate", parsed.period_end)]
    first, last = FIRST_DAY, LAST_DAY
    for line in parsed.lines:
        start, end = line.period_start, line.period_end
        if start is not None and not first <= start <= last:
            dated.append(("cbc:StartDate", f"{line.location}/cac:InvoicePeriod/cbc:StartDate", start))
        if end is not None and not first <= end <= last:
            dated.append(("cbc:EndDate", f"{line.location}/cac:InvoicePeriod/cbc:EndDate", end))
    return [_said_at(name, path, UNBOOKABLE_DATE, day=day.isoformat(), first=FIRST_YEAR, last=LAST_YEAR)
            for name, path, day in dated if day is not None and not first <= day <= last]


def _store_allowances(invoice_id: int, parsed: ParsedInvoice) -> None:
    db.session.execute(sa.insert(InvoiceAllowanceCharge), [
        {"invoice_id": invoice_id, "is_charge": ac.is_charge, "amount": ac.amount,
         "reason": (ac.reason or ac.reason_code or "")[:200] or None, "vat_category": ac.vat_category,
         "vat_rate": ac.vat_rate} for ac in parsed.allowances_charges])


@dataclass(slots=True)
class _CsvInvoice:
    """An invoice being collected from a specification's rows: totals in öre, per VAT rate."""

    invoice_id: int
    categoriser: Categoriser
    source: str
    first_line: int
    existing: Invoice | None = None
    duplicate: bool = False
    position: int = 0
    net_ore: int = 0
    net_by_rate: dict[Decimal, int] = field(default_factory=dict)
    #: A duplicate's rows as ``identity`` compares them with the specification already stored.
    content: list[identity.LineContent] = field(default_factory=list)

    def add(self, ore: int, rate: Decimal) -> None:
        self.position += 1
        self.net_ore += ore
        self.net_by_rate[rate] = self.net_by_rate.get(rate, 0) + ore
