"""The operator's subscription list (abonnemangsförteckning) into the register.

One header row, ``;`` between fields, UTF-8 with or without BOM or Windows-1252 (detected).
Column names are matched without regard to case; order is free; unknown columns are ignored
and reported.

| column | meaning |
|---|---|
| ``Nummer`` | the phone number, any Swedish notation (stored in E.164) |
| ``Typ`` | kind: mobil, mobilt bredband, växelanknytning, telefonistplats, fast (or the code) |
| ``Abonnemangs-id`` | the operator's subscription id (may be blank, e.g. for extensions) |
| ``Startdatum`` | first day, ``YYYY-MM-DD`` |
| ``Slutdatum`` | optional: last day, ``YYYY-MM-DD`` |
| ``Ansvar`` | optional: the unit's ansvar code; a known number at another unit moves |
| ``Operatör organisationsnummer`` | optional: else the ``supplier`` parameter |
| ``Gäller från`` | optional: the day a unit change takes effect (default today) |
| ``Funktion``, ``Anknytning``, ``Namn`` | optional: directory label, extension, holder's name |

``plan`` compares the file with the register: what would be created, updated (with the
fields' old and new values), moved or left unchanged, and every row's errors with its line
number (the header is line 1) and column name. ``apply`` stores a plan with no errors in
bulk statements, with one audit event; a plan with any error stores nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from importers.csv_spec import detect_encoding
from ledger.access.models import User
from ledger.audit import service as audit
from ledger.core import clock
from ledger.core.errors import TooLarge, ValidationFailed
from ledger.core.identifiers import IdentifierError, organisation_number, phone_number
from ledger.core.text import N_, in_source_language
from ledger.database import db
from ledger.database.types import utcnow
from ledger.inventory import assignments
from ledger.inventory.models import Assignment, Subscription, SubscriptionKind
from ledger.organisation.models import BudgetUnit, Supplier

MAX_BYTES = 10 * 1024 * 1024
MAX_ERRORS = 500

#: field → (header shown in messages, accepted header spellings), matched case-insensitively
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "number": ("Nummer", ("nummer", "telefonnummer", "mobilnummer")),
    "kind": ("Typ", ("typ", "abonnemangstyp")),
    "operator_reference": ("Abonnemangs-id", ("abonnemangs-id", "abonnemangsid", "abonnemang-id")),
    "unit": ("Ansvar", ("ansvar", "ansvarskod")),
    "start_date": ("Startdatum", ("startdatum",)),
    "end_date": ("Slutdatum", ("slutdatum",)),
    "supplier": ("Operatör organisationsnummer", ("operatör organisationsnummer", "operatörens organisationsnummer",
                                                 "organisationsnummer")),
    "move_date": ("Gäller från", ("gäller från", "flyttdatum")),
    "label": ("Funktion", ("funktion", "benämning")),
    "extension": ("Anknytning", ("anknytning",)),
    "holder_name": ("Namn", ("namn", "användare")),
}
REQUIRED = ("number", "kind", "operator_reference", "start_date")

#: How operators and people write the kinds, to the stored code.
KINDS: dict[str, SubscriptionKind] = {
    **{k.value: k for k in SubscriptionKind},
    "mobil": SubscriptionKind.MOBILE_VOICE,
    "mobiltelefoni": SubscriptionKind.MOBILE_VOICE,
    "mobil röst": SubscriptionKind.MOBILE_VOICE,
    "tal": SubscriptionKind.MOBILE_VOICE,
    "mobilt bredband": SubscriptionKind.MOBILE_DATA,
    "mobildata": SubscriptionKind.MOBILE_DATA,
    "data": SubscriptionKind.MOBILE_DATA,
    "växelanknytning": SubscriptionKind.SWITCHBOARD_EXTENSION,
    "anknytning": SubscriptionKind.SWITCHBOARD_EXTENSION,
    "telefonistplats": SubscriptionKind.OPERATOR_SEAT,
    "fast": SubscriptionKind.FIXED_LINE,
    "fast telefoni": SubscriptionKind.FIXED_LINE,
    "fast linje": SubscriptionKind.FIXED_LINE,
}

BEFORE_START = N_("the end date %(end)s is before the start date %(start)s")
#: Fields compared with the register for "updated"; in this order in the diffs.
COMPARED = ("kind", "operator_reference", "start_date", "end_date", "supplier", "label", "extension", "holder_name")


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem of the list, where it is. ``message`` is in English (the API and the command
    line); ``text`` (marked with ``N_``) and ``params`` say the same for a page to translate."""

    line: int | None
    column: str | None
    message: str
    text: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, line: int | None, column: str | None, text: str, /, **params: Any) -> RowError:
        return cls(line, column, in_source_language(text, params), text, params)

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One row, parsed: ``None`` for an absent optional value; ``present`` names given columns."""

    line: int
    number: str
    kind: SubscriptionKind
    operator_reference: str | None
    start_date: date
    end_date: date | None
    unit: str | None
    supplier: str | None
    move_date: date | None
    label: str | None
    extension: str | None
    holder_name: str | None
    present: frozenset[str]


@dataclass(slots=True)
class ParsedList:
    filename: str
    encoding: str | None = None
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def _norm(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").replace("\u00a0", " ").split()).casefold()


def _date(text: str) -> date:
    value = text.strip()
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise ValueError(f"not a date (YYYY-MM-DD): {text!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {text!r}") from None


def read_list(data: bytes, filename: str = "upload.csv", *, encoding: str | None = None) -> ParsedList:
    """Parse the file: bytes in, typed rows and row errors out (no database)."""
    result = ParsedList(filename)
    if len(data) > MAX_BYTES:
        raise TooLarge(N_("%(file)s is %(size)s bytes, over the limit of %(limit)s bytes"), file=filename,
                       size=len(data), limit=MAX_BYTES)
    text = _decode(data, encoding, result)
    if text is None:
        return result
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        result.errors.append(RowError.of(1, None, N_("%(file)s has no header row"), file=filename))
        return result
    columns = _columns(header, result)
    if result.errors:
        return result
    seen: dict[str, int] = {}
    line = reader.line_num
    for cells in reader:
        row_line, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        row = _RowReader(cells, row_line, columns).read(seen)
        result.errors.extend(row.errors)
        if row.parsed is not None:
            result.rows.append(row.parsed)
        if len(result.errors) >= MAX_ERRORS:
            result.errors.append(RowError.of(row_line, None, N_("more than %(count)s errors; stopped reading"),
                                              count=MAX_ERRORS))
            break
    return result


def _decode(data: bytes, encoding: str | None, result: ParsedList) -> str | None:
    """The file's text in the encoding given or detected; None (and the error) when it cannot be read."""
    try:
        result.encoding = detect_encoding(data, encoding)
        text = codecs.decode(data, result.encoding)
    except (LookupError, UnicodeDecodeError) as error:
        result.errors.append(RowError.of(None, None, N_("cannot read %(file)s: %(reason)s"), file=result.filename,
                                          reason=str(error)))
        return None
    return text.lstrip("\ufeff")


@dataclass(frozen=True, slots=True)
class _Columns:
    """Where each known column stands in the file, and its header as the file spells it."""

    positions: dict[str, int]
    shown: dict[str, str]


def _columns(header: list[str], result: ParsedList) -> _Columns:
    """Match the header's cells to the known columns; unknown ones are ignored and listed."""
    lookup = {alias: name for name, (_, aliases) in COLUMNS.items() for alias in aliases}
    columns = _Columns({}, {})
    for index, cell in enumerate(header):
        name = lookup.get(_norm(cell))
        if name is None:
            if cell.strip():
                result.ignored_columns.append(cell.strip())
        elif name in columns.positions:
            result.errors.append(RowError.of(1, cell.strip(), N_("column %(column)s appears twice"),
                                              column=repr(cell.strip())))
        else:
            columns.positions[name] = index
            columns.shown[name] = cell.strip().lstrip("\ufeff")
    missing = [COLUMNS[name][0] for name in REQUIRED if name not in columns.positions]
    if missing:
        result.errors.append(RowError.of(1, None, N_("missing column(s): %(columns)s"), columns=", ".join(missing)))
    return columns


#: Free-text columns and how many characters each may have.
TEXT_LIMITS = (("operator_reference", 40), ("unit", 16), ("label", 120), ("extension", 10), ("holder_name", 120))


class _RowReader:
    """One row's cells into an ``ImportRow``, or the row's errors (each naming its column)."""

    def __init__(self, cells: list[str], line: int, columns: _Columns) -> None:
        self.cells, self.line, self.columns = cells, line, columns
        self.errors: list[RowError] = []
        self.values: dict[str, Any] = {}
        self.parsed: ImportRow | None = None

    def raw(self, name: str) -> str:
        index = self.columns.positions.get(name)
        return self.cells[index].strip() if index is not None and index < len(self.cells) else ""

    def fail(self, name: str, text: str, /, **params: Any) -> None:
        self.errors.append(RowError.of(self.line, self.columns.shown.get(name, COLUMNS[name][0]), text, **params))

    def read(self, seen: dict[str, int]) -> _RowReader:
        self._number(seen)
        self._kind()
        self._dates()
        self._supplier()
        for name, limit in TEXT_LIMITS:
            text = self.raw(name)
            if len(text) > limit:
                self.fail(name, N_("longer than %(limit)s characters"), limit=limit)
            self.values[name] = text or None
        if not self.errors:
            self.parsed = ImportRow(line=self.line, present=frozenset(self.columns.positions), **self.values)
        return self

    def _number(self, seen: dict[str, int]) -> None:
        """The number in E.164, once in the file (``seen``: number → its first line)."""
        text = self.raw("number")
        if not text:
            self.fail("number", N_("the number is missing"))
            return
        try:
            number = phone_number(text)
        except IdentifierError as error:
            self.fail("number", error.text, **error.params)
            return
        self.values["number"] = number
        if number in seen:
            self.fail("number", N_("%(number)s is also on line %(line)s"), number=number, line=seen[number])
        else:
            seen[number] = self.line

    def _kind(self) -> None:
        kind = self.raw("kind")
        if _norm(kind) in KINDS:
            self.values["kind"] = KINDS[_norm(kind)]
        else:
            self.fail("kind", N_("unknown kind %(kind)s; use mobil, mobilt bredband, växelanknytning, "
                                 "telefonistplats or fast"), kind=repr(kind))

    def _dates(self) -> None:
        for name in ("start_date", "end_date", "move_date"):
            text = self.raw(name)
            if not text:
                if name == "start_date":
                    self.fail(name, N_("the start date is missing"))
                self.values[name] = None
                continue
            try:
                self.values[name] = _date(text)
            except ValueError:
                self.fail(name, N_("not a date (YYYY-MM-DD): %(text)s"), text=repr(text))
        start, end = self.values.get("start_date"), self.values.get("end_date")
        if start and end and end < start:
            self.fail("end_date", BEFORE_START, end=end, start=start)

    def _supplier(self) -> None:
        supplier = self.raw("supplier")
        self.values["supplier"] = None
        if supplier:
            try:
                self.values["supplier"] = organisation_number(supplier)
            except IdentifierError as error:
                self.fail("supplier", error.text, **error.params)


# -- plan ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Planned:
    """One row's change. ``fields`` are the new subscription's values (created) or the diffs
    ``{field: [old, new]}`` (updated); a move names the units and its first day."""

    line: int
    number: str
    fields: dict[str, Any] = field(default_factory=dict)
    from_unit: str | None = None
    to_unit: str | None = None
    valid_from: date | None = None


@dataclass(slots=True)
class ImportPlan:
    filename: str
    organisation_id: int
    encoding: str | None = None
    created: list[Planned] = field(default_factory=list)
    updated: list[Planned] = field(default_factory=list)
    moved: list[Planned] = field(default_factory=list)
    unchanged: list[Planned] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    applied: bool = False
    # what apply needs, by line
    _new: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)
    _updates: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict, repr=False)
    _assign: list[dict[str, Any]] = field(default_factory=list, repr=False)
    _end_rows: dict[int, tuple[date, int]] = field(default_factory=dict, repr=False)  # row id → (valid_to, line)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "updated": len(self.updated), "moved": len(self.moved),
                "unchanged": len(self.unchanged), "errors": len(self.errors)}


Progress = Callable[[int], None]


def plan(organisation_id: int, parsed: ParsedList, *, supplier: str | None = None, today: date | None = None,
         progress: Progress | None = None, lock: bool = False) -> ImportPlan:
    """Compare the parsed list with the register, in a handful of queries for the whole file.

    ``lock`` (for a plan that will be applied) takes row locks on the organisation's
    subscriptions on PostgreSQL, so that no move changes them between plan and apply."""
    result = ImportPlan(parsed.filename, organisation_id, parsed.encoding, errors=list(parsed.errors),
                        ignored_columns=list(parsed.ignored_columns))
    default_supplier = None
    if supplier:
        try:
            default_supplier = organisation_number(supplier)
        except IdentifierError as error:
            result.errors.append(RowError.of(None, "supplier", error.text, **error.params))
            return result
    known = _Register.read(organisation_id, parsed, default_supplier, today or clock.today(), lock)
    if default_supplier and default_supplier not in known.suppliers:
        result.errors.append(RowError.of(None, "supplier", N_("no supplier with organisationsnummer %(number)s"),
                                         number=default_supplier))
    for row in parsed.rows:
        if progress:
            progress(1)
        _plan_row(result, row, known, default_supplier)
    result.errors.sort(key=lambda e: (e.line or 0, e.column or ""))
    return result


@dataclass(frozen=True, slots=True)
class _Register:
    """What the plan compares the file with, read once for the whole file."""

    today: date
    units: dict[str, BudgetUnit]  # by ansvar
    unit_codes: dict[int, str]  # ansvar by unit id
    suppliers: dict[str, Supplier]  # by organisationsnummer
    supplier_orgnr: dict[int, str]  # organisationsnummer by supplier id
    existing: dict[str, Subscription]  # by number
    history: dict[int, list[Assignment]]  # by subscription id, oldest first

    @classmethod
    def read(cls, organisation_id: int, parsed: ParsedList, default_supplier: str | None, today: date,
             lock: bool) -> _Register:
        units = {u.ansvar: u for u in db.session.scalars(
            sa.select(BudgetUnit).where(BudgetUnit.organisation_id == organisation_id))}
        orgnrs = {r.supplier for r in parsed.rows if r.supplier} | ({default_supplier} if default_supplier else set())
        suppliers = {s.organisation_number: s for s in db.session.scalars(
            sa.select(Supplier).where(Supplier.organisation_number.in_(orgnrs)))} if orgnrs else {}
        subscriptions = sa.select(Subscription).where(Subscription.organisation_id == organisation_id)
        if lock:
            subscriptions = subscriptions.with_for_update()
        existing = {s.number: s for s in db.session.scalars(subscriptions)}
        history: dict[int, list[Assignment]] = {}
        for assignment in db.session.scalars(
                sa.select(Assignment).join(Subscription, Subscription.id == Assignment.asset_id)
                .where(Assignment.organisation_id == organisation_id).order_by(Assignment.valid_from)):
            history.setdefault(assignment.asset_id, []).append(assignment)
        return cls(today, units, {u.id: code for code, u in units.items()}, suppliers,
                   {s.id: orgnr for orgnr, s in suppliers.items()}, existing, history)


Fail = Callable[..., None]  # (column, text marked with N_, **params)


def _plan_row(result: ImportPlan, row: ImportRow, known: _Register, default_supplier: str | None) -> None:
    """Plan one row; a row with any error plans nothing and adds its errors."""
    errors: list[RowError] = []
    fail = _collector(errors, row.line)
    orgnr = row.supplier or default_supplier
    supplier_row = known.suppliers.get(orgnr) if orgnr else None
    if orgnr is None:
        fail("supplier", N_("no operator: give the column Operatör organisationsnummer, or the operator's "
                            "organisationsnummer for the whole list"))
    elif supplier_row is None and row.supplier:
        fail("supplier", N_("no supplier with organisationsnummer %(number)s; register the supplier first"),
             number=orgnr)
    unit = None
    if row.unit:
        unit = known.units.get(row.unit)
        if unit is None:
            fail("unit", N_("no budget unit with ansvar %(unit)s"), unit=row.unit)
    sub = known.existing.get(row.number)
    if sub is None:
        _plan_new(result, row, supplier_row, unit, fail)
    else:
        _plan_known(result, row, sub, supplier_row, unit, known, fail)
    if errors:
        _drop_line(result, row.line)
        result.errors.extend(errors)


def _collector(errors: list[RowError], line: int) -> Fail:
    def fail(name: str, text: str, /, **params: Any) -> None:
        errors.append(RowError.of(line, COLUMNS[name][0], text, **params))

    return fail


def _drop_line(result: ImportPlan, line: int) -> None:
    for bucket in (result.created, result.updated, result.moved, result.unchanged):
        bucket[:] = [p for p in bucket if p.line != line]
    result._new.pop(line, None)
    result._updates.pop(line, None)
    result._assign[:] = [a for a in result._assign if a["line"] != line]
    for row_id in [k for k, (_, by_line) in result._end_rows.items() if by_line == line]:
        result._end_rows.pop(row_id)


def _unit_usable(unit: BudgetUnit, on: date, fail: Fail) -> bool:
    if not unit.is_open_on(on):
        fail("unit", N_("unit %(unit)s is not open on %(day)s"), unit=unit.ansvar, day=on)
        return False
    if unit.closed_on is not None:
        fail("unit", N_("unit %(unit)s closes on %(day)s; use the unit that takes over"), unit=unit.ansvar,
             day=unit.closed_on)
        return False
    return True


def _plan_new(result: ImportPlan, row: ImportRow, supplier: Supplier | None, unit: BudgetUnit | None,
              fail: Fail) -> None:
    values: dict[str, Any] = {
        "number": row.number, "kind": row.kind, "operator_reference": row.operator_reference,
        "start_date": row.start_date, "end_date": row.end_date, "label": row.label,
        "extension": row.extension, "holder_name": row.holder_name,
        "supplier_id": supplier.id if supplier else None,
    }
    shown = {k: v for k, v in values.items() if k != "supplier_id" and v is not None}
    shown["supplier"] = supplier.organisation_number if supplier else None
    result.created.append(Planned(row.line, row.number, shown, to_unit=unit.ansvar if unit else None,
                                  valid_from=row.start_date if unit else None))
    result._new[row.line] = values
    if unit is not None and _unit_usable(unit, row.start_date, fail):
        result._assign.append({"line": row.line, "number": row.number, "unit_id": unit.id,
                               "valid_from": row.start_date,
                               "valid_to": row.end_date + timedelta(days=1) if row.end_date else None})


def _plan_known(result: ImportPlan, row: ImportRow, sub: Subscription, supplier: Supplier | None,
                unit: BudgetUnit | None, known: _Register, fail: Fail) -> None:
    diffs = _diffs(row, sub, supplier, known)
    end_date = row.end_date if "end_date" in row.present else sub.end_date
    if end_date is not None and end_date < row.start_date:
        fail("end_date", BEFORE_START, end=end_date, start=row.start_date)
        return
    changed = False
    if diffs:
        update = {name: value[1] for name, value in diffs.items() if name != "supplier"}
        if "supplier" in diffs and supplier is not None:
            update["supplier_id"] = supplier.id
        result.updated.append(Planned(row.line, row.number, diffs))
        result._updates[row.line] = (sub.id, update)
        changed = True
    history = known.history.get(sub.id, [])
    if "end_date" in diffs and diffs["end_date"][1] is not None and not _plan_end(
            result, row, sub, diffs["end_date"][1], history, known, fail):
        return
    if unit is not None:
        changed = _plan_move(result, row, sub, unit, history, known, end_date, fail) or changed
    if not changed:
        result.unchanged.append(Planned(row.line, row.number))


def _diffs(row: ImportRow, sub: Subscription, supplier: Supplier | None, known: _Register) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each compared field the row gives and changes."""
    new: dict[str, Any] = {"kind": row.kind, "operator_reference": row.operator_reference,
                           "start_date": row.start_date}
    if "end_date" in row.present:
        new["end_date"] = row.end_date
    if supplier is not None:
        new["supplier"] = supplier.organisation_number
    for name in ("label", "extension", "holder_name"):
        if name in row.present:
            new[name] = getattr(row, name)
    old = {name: getattr(sub, name) for name in COMPARED if name != "supplier"}
    old["supplier"] = known.supplier_orgnr.get(sub.supplier_id, f"supplier {sub.supplier_id}")
    return {name: [old[name], value] for name, value in new.items() if old[name] != value}


def _plan_end(result: ImportPlan, row: ImportRow, sub: Subscription, end_date: date, history: list[Assignment],
              known: _Register, fail: Fail) -> bool:
    """End the assignment running past a new end date; False (and the error) when it cannot."""
    first_after = end_date + timedelta(days=1)
    for a in history:
        if a.valid_from >= first_after:
            fail("end_date", N_("%(number)s is assigned to %(unit)s from %(day)s, after the end date"),
                 number=sub.number, unit=known.unit_codes.get(a.unit_id), day=a.valid_from)
            return False
        if a.not_ended_by(first_after):
            result._end_rows[a.id] = (first_after, row.line)
    return True


def _plan_move(result: ImportPlan, row: ImportRow, sub: Subscription, unit: BudgetUnit, history: list[Assignment],
               known: _Register, end_date: date | None, fail: Fail) -> bool:
    # never assigned: from its first day; else from the row's date, or today
    on = row.move_date or (max(known.today, row.start_date) if history else row.start_date)
    current = next((a for a in history if a.in_force_on(on)), None)
    if _stays(sub, unit, on, current, history, end_date, fail) or not _move_allowed(sub, unit, on, history, known,
                                                                                    fail):
        return False
    planned_end = end_date + timedelta(days=1) if end_date else None
    if current is not None:
        ended = result._end_rows.pop(current.id, None)
        planned_end = ended[0] if ended else current.valid_to or planned_end
        result._end_rows[current.id] = (on, row.line)
    result.moved.append(Planned(row.line, row.number,
                                from_unit=known.unit_codes.get(current.unit_id) if current else None,
                                to_unit=unit.ansvar, valid_from=on))
    result._assign.append({"line": row.line, "asset_id": sub.id, "unit_id": unit.id, "valid_from": on,
                           "valid_to": planned_end})
    return True


def _stays(sub: Subscription, unit: BudgetUnit, on: date, current: Assignment | None, history: list[Assignment],
           end_date: date | None, fail: Fail) -> bool:
    """No move: the subscription is at the row's unit already, or it has ended by then."""
    if current is not None and current.unit_id == unit.id:
        return True
    if end_date is not None and on > end_date:
        ended_there = current is None and bool(history) and history[-1].unit_id == unit.id
        if not ended_there:  # ended where the list says it belongs is no move, and no error
            fail("unit", N_("%(number)s ended on %(end)s; it cannot move on %(day)s"), number=sub.number,
                 end=end_date, day=on)
        return True
    return False


def _move_allowed(sub: Subscription, unit: BudgetUnit, on: date, history: list[Assignment], known: _Register,
                  fail: Fail) -> bool:
    """A move from ``on`` rewrites no later assignment, into a usable unit (a closed month is
    allowed: what it changes there is booked as a correction, ``assignments.changed_from``)."""
    later = [a for a in history if a.valid_from >= on]
    if later:
        fail("unit", N_("%(number)s already has an assignment to %(unit)s from %(day)s; correct that one first"),
             number=sub.number, unit=known.unit_codes.get(later[0].unit_id), day=later[0].valid_from)
        return False
    return _unit_usable(unit, on, fail)


# -- apply -----------------------------------------------------------------------------------


def apply(actor: User | None, result: ImportPlan) -> ImportPlan:
    """Store a plan without errors: bulk inserts and updates, one audit event. The caller commits."""
    if not result.ok:
        raise ValidationFailed(
            N_("%(file)s: %(count)s error(s); nothing was imported"),
            file=result.filename, count=len(result.errors),
            details=[e.as_dict() for e in result.errors],
        )
    ids = _insert_new(result)
    if result._updates:
        db.session.execute(sa.update(Subscription), [{"id": sub_id, **values}
                                                     for sub_id, values in result._updates.values()])
    if result._end_rows:
        db.session.execute(sa.update(Assignment), [{"id": row_id, "valid_to": valid_to}
                                                   for row_id, (valid_to, _) in result._end_rows.items()])
    _insert_assignments(result, actor, ids)
    db.session.expire_all()  # bulk statements bypass the identity map
    result.applied = True
    changed = [day for day, _ in result._end_rows.values()] + [a["valid_from"] for a in result._assign]
    if changed:
        assignments.changed_from(actor, result.organisation_id, min(changed))
    audit.record(actor, "inventory.import", "subscription_list", result.filename, after={
        **result.counts,
        "created": [p.number for p in result.created],
        "updated": [{"number": p.number, "changes": p.fields} for p in result.updated],
        "moved": [{"number": p.number, "from": p.from_unit, "to": p.to_unit, "valid_from": p.valid_from}
                  for p in result.moved],
    }, organisation_id=result.organisation_id)
    db.session.flush()
    return result


def _insert_new(result: ImportPlan) -> dict[str, int]:
    """Insert the new subscriptions in one statement; their ids by number."""
    if not result._new:
        return {}
    # a bulk insert takes the column's own name: a subscription's number is its asset's identifier
    rows = [{"organisation_id": result.organisation_id, "identifier": values["number"],
             **{k: v for k, v in values.items() if k != "number"}} for values in result._new.values()]
    return {number: sub_id for sub_id, number in db.session.execute(
        sa.insert(Subscription).returning(Subscription.id, Subscription.number), rows)}


def _insert_assignments(result: ImportPlan, actor: User | None, ids: dict[str, int]) -> None:
    """The new assignments, of known subscriptions (by id) and of new ones (by number)."""
    if not result._assign:
        return
    now = utcnow()
    db.session.execute(sa.insert(Assignment), [
        {"organisation_id": result.organisation_id, "asset_id": a.get("asset_id") or ids[a["number"]],
         "unit_id": a["unit_id"], "valid_from": a["valid_from"], "valid_to": a["valid_to"],
         "created_by_id": actor.id if actor else None, "created_at": now}
        for a in result._assign
    ])


def import_list(actor: User | None, organisation_id: int, data: bytes, filename: str, *, supplier: str | None = None,
                dry_run: bool = False, today: date | None = None) -> ImportPlan:
    """Read, plan and (unless ``dry_run``) apply. A real run with any error raises 422."""
    parsed = read_list(data, filename)
    result = plan(organisation_id, parsed, supplier=supplier, today=today, lock=not dry_run)
    if dry_run:
        return result
    return apply(actor, result)


def as_dict(result: ImportPlan) -> dict[str, Any]:
    """The plan as JSON-ready data (dates as ISO strings)."""

    def planned(p: Planned) -> dict[str, Any]:
        out: dict[str, Any] = {"line": p.line, "number": p.number}
        if p.fields:
            out["fields" if p in result.created else "changes"] = audit._json_safe(p.fields)
        if p.to_unit is not None:
            out.update({"from": p.from_unit, "to": p.to_unit, "valid_from": audit._json_safe(p.valid_from)})
        return out

    return {
        "file": result.filename, "encoding": result.encoding, "dry_run": not result.applied,
        "applied": result.applied, "counts": result.counts,
        "created": [planned(p) for p in result.created], "updated": [planned(p) for p in result.updated],
        "moved": [planned(p) for p in result.moved], "unchanged": [{"line": p.line, "number": p.number}
                                                                   for p in result.unchanged],
        "errors": [e.as_dict() for e in result.errors], "ignored_columns": result.ignored_columns,
    }
