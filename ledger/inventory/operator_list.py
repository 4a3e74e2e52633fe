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
from ledger.allocation.models import Period, PeriodStatus
from ledger.audit import service as audit
from ledger.core.errors import TooLarge, ValidationFailed
from ledger.core.identifiers import IdentifierError, organisation_number, phone_number
from ledger.database import db
from ledger.database.types import utcnow
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

#: Fields compared with the register for "updated"; in this order in the diffs.
COMPARED = ("kind", "operator_reference", "start_date", "end_date", "supplier", "label", "extension", "holder_name")


@dataclass(frozen=True, slots=True)
class RowError:
    line: int | None
    column: str | None
    message: str

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
        raise TooLarge(f"{filename} is {len(data):,} bytes, over the limit of {MAX_BYTES:,} bytes")
    try:
        result.encoding = detect_encoding(data, encoding)
        text = codecs.decode(data, result.encoding)
    except (LookupError, UnicodeDecodeError) as error:
        result.errors.append(RowError(None, None, f"cannot read {filename}: {error}"))
        return result
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        result.errors.append(RowError(1, None, f"{filename} has no header row"))
        return result
    lookup = {alias: name for name, (_, aliases) in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    shown: dict[str, str] = {}
    for index, cell in enumerate(header):
        name = lookup.get(_norm(cell))
        if name is None:
            if cell.strip():
                result.ignored_columns.append(cell.strip())
        elif name in positions:
            result.errors.append(RowError(1, cell.strip(), f"column {cell.strip()!r} appears twice"))
        else:
            positions[name] = index
            shown[name] = cell.strip().lstrip("\ufeff")
    missing = [COLUMNS[name][0] for name in REQUIRED if name not in positions]
    if missing:
        result.errors.append(RowError(1, None, f"missing column(s): {', '.join(missing)}"))
    if result.errors:
        return result
    seen: dict[str, int] = {}
    line = reader.line_num
    for cells in reader:
        row_line, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        row, errors = _row(cells, row_line, positions, shown, seen)
        result.errors.extend(errors)
        if row is not None:
            result.rows.append(row)
        if len(result.errors) >= MAX_ERRORS:
            result.errors.append(RowError(row_line, None, f"more than {MAX_ERRORS} errors; stopped reading"))
            break
    return result


def _row(cells: list[str], line: int, positions: dict[str, int], shown: dict[str, str],
         seen: dict[str, int]) -> tuple[ImportRow | None, list[RowError]]:
    errors: list[RowError] = []

    def raw(name: str) -> str:
        index = positions.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def fail(name: str, message: str) -> None:
        errors.append(RowError(line, shown.get(name, COLUMNS[name][0]), message))

    values: dict[str, Any] = {}
    text = raw("number")
    if not text:
        fail("number", "the number is missing")
    else:
        try:
            values["number"] = phone_number(text)
        except IdentifierError as error:
            fail("number", str(error))
        else:
            if values["number"] in seen:
                fail("number", f"{values['number']} is also on line {seen[values['number']]}")
            else:
                seen[values["number"]] = line
    kind = raw("kind")
    if _norm(kind) in KINDS:
        values["kind"] = KINDS[_norm(kind)]
    else:
        fail("kind", f"unknown kind {kind!r}; use mobil, mobilt bredband, växelanknytning, telefonistplats or fast")
    for name in ("start_date", "end_date", "move_date"):
        text = raw(name)
        if not text:
            if name == "start_date":
                fail(name, "the start date is missing")
            values[name] = None
            continue
        try:
            values[name] = _date(text)
        except ValueError as error:
            fail(name, str(error))
    if values.get("start_date") and values.get("end_date") and values["end_date"] < values["start_date"]:
        fail("end_date", f"the end date {values['end_date']} is before the start date {values['start_date']}")
    supplier = raw("supplier")
    values["supplier"] = None
    if supplier:
        try:
            values["supplier"] = organisation_number(supplier)
        except IdentifierError as error:
            fail("supplier", str(error))
    for name, limit in (("operator_reference", 40), ("unit", 16), ("label", 120), ("extension", 10),
                        ("holder_name", 120)):
        text = raw(name)
        if len(text) > limit:
            fail(name, f"longer than {limit} characters")
        values[name] = text or None
    if errors:
        return None, errors
    return ImportRow(line=line, present=frozenset(positions), **values), errors


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
    day = today or date.today()
    result = ImportPlan(parsed.filename, organisation_id, parsed.encoding, errors=list(parsed.errors),
                        ignored_columns=list(parsed.ignored_columns))
    default_supplier = None
    if supplier:
        try:
            default_supplier = organisation_number(supplier)
        except IdentifierError as error:
            result.errors.append(RowError(None, "supplier", str(error)))
            return result
    units = {u.ansvar: u for u in db.session.scalars(
        sa.select(BudgetUnit).where(BudgetUnit.organisation_id == organisation_id))}
    unit_codes = {u.id: code for code, u in units.items()}
    orgnrs = {r.supplier for r in parsed.rows if r.supplier} | ({default_supplier} if default_supplier else set())
    suppliers = {s.organisation_number: s for s in db.session.scalars(
        sa.select(Supplier).where(Supplier.organisation_number.in_(orgnrs)))} if orgnrs else {}
    supplier_orgnr = {s.id: orgnr for orgnr, s in suppliers.items()}
    subscriptions = sa.select(Subscription).where(Subscription.organisation_id == organisation_id)
    if lock:
        subscriptions = subscriptions.with_for_update()
    existing = {s.number: s for s in db.session.scalars(subscriptions)}
    history: dict[int, list[Assignment]] = {}
    for assignment in db.session.scalars(
            sa.select(Assignment).join(Subscription, Subscription.id == Assignment.asset_id)
            .where(Assignment.organisation_id == organisation_id).order_by(Assignment.valid_from)):
        history.setdefault(assignment.asset_id, []).append(assignment)
    last_closed = db.session.scalar(sa.select(sa.func.max(Period.period)).where(
        Period.organisation_id == organisation_id, Period.status == PeriodStatus.CLOSED))
    if default_supplier and default_supplier not in suppliers:
        result.errors.append(RowError(None, "supplier", f"no supplier with organisationsnummer {default_supplier}"))

    def closed(on: date) -> str | None:
        return last_closed if last_closed and on.strftime("%Y-%m") <= last_closed else None

    for row in parsed.rows:
        if progress:
            progress(1)
        errors: list[RowError] = []
        fail = _collector(errors, row.line)
        orgnr = row.supplier or default_supplier
        supplier_row = suppliers.get(orgnr) if orgnr else None
        if orgnr is None:
            fail("supplier", "no operator: give the column Operatör organisationsnummer or the supplier parameter")
        elif supplier_row is None and row.supplier:
            fail("supplier", f"no supplier with organisationsnummer {orgnr}; register the supplier first")
        unit = None
        if row.unit:
            unit = units.get(row.unit)
            if unit is None:
                fail("unit", f"no budget unit with ansvar {row.unit}")
        sub = existing.get(row.number)
        if sub is None:
            _plan_new(result, row, supplier_row, unit, fail, closed)
        else:
            _plan_known(result, row, sub, supplier_row, supplier_orgnr, unit, unit_codes,
                        history.get(sub.id, []), day, fail, closed)
        if errors:
            _drop_line(result, row.line)
            result.errors.extend(errors)
    result.errors.sort(key=lambda e: (e.line or 0, e.column or ""))
    return result


def _collector(errors: list[RowError], line: int) -> Callable[[str, str], None]:
    def fail(name: str, message: str) -> None:
        errors.append(RowError(line, COLUMNS[name][0], message))

    return fail


def _drop_line(result: ImportPlan, line: int) -> None:
    for bucket in (result.created, result.updated, result.moved, result.unchanged):
        bucket[:] = [p for p in bucket if p.line != line]
    result._new.pop(line, None)
    result._updates.pop(line, None)
    result._assign[:] = [a for a in result._assign if a["line"] != line]
    for row_id in [k for k, (_, by_line) in result._end_rows.items() if by_line == line]:
        result._end_rows.pop(row_id)


def _unit_usable(unit: BudgetUnit, on: date, fail: Callable[..., None]) -> bool:
    if not unit.is_open_on(on):
        fail("unit", f"unit {unit.ansvar} is not open on {on}")
        return False
    if unit.closed_on is not None:
        fail("unit", f"unit {unit.ansvar} closes on {unit.closed_on}; use the unit that takes over")
        return False
    return True


def _plan_new(result: ImportPlan, row: ImportRow, supplier: Supplier | None, unit: BudgetUnit | None,
              fail: Callable[..., None], closed: Callable[[date], str | None]) -> None:
    values = {"number": row.number, "kind": row.kind, "operator_reference": row.operator_reference,
              "start_date": row.start_date, "end_date": row.end_date, "label": row.label,
              "extension": row.extension, "holder_name": row.holder_name,
              "supplier_id": supplier.id if supplier else None}
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
                supplier_orgnr: dict[int, str], unit: BudgetUnit | None, unit_codes: dict[int, str],
                history: list[Assignment], today: date, fail: Callable[..., None],
                closed: Callable[[date], str | None]) -> None:
    new = {"kind": row.kind, "operator_reference": row.operator_reference, "start_date": row.start_date}
    if "end_date" in row.present:
        new["end_date"] = row.end_date
    if supplier is not None:
        new["supplier"] = supplier.organisation_number
    for name in ("label", "extension", "holder_name"):
        if name in row.present:
            new[name] = getattr(row, name)
    old = {name: getattr(sub, name) for name in COMPARED if name != "supplier"}
    old["supplier"] = supplier_orgnr.get(sub.supplier_id, f"supplier {sub.supplier_id}")
    diffs = {name: [old[name], value] for name, value in new.items() if old[name] != value}
    if "supplier" in diffs and supplier is None:
        diffs.pop("supplier")
    end_date = new.get("end_date", sub.end_date)
    if end_date is not None and end_date < row.start_date:
        fail("end_date", f"the end date {end_date} is before the start date {row.start_date}")
        return
    changed = False
    if diffs:
        update = {name: value[1] for name, value in diffs.items() if name != "supplier"}
        if "supplier" in diffs and supplier is not None:
            update["supplier_id"] = supplier.id
        result.updated.append(Planned(row.line, row.number, diffs))
        result._updates[row.line] = (sub.id, update)
        changed = True
    if "end_date" in diffs and diffs["end_date"][1] is not None:
        first_after = diffs["end_date"][1] + timedelta(days=1)
        for a in history:
            if a.valid_from >= first_after:
                fail("end_date", f"{sub.number} is assigned to {unit_codes.get(a.unit_id)} from {a.valid_from}, "
                                 f"after the end date")
                return
            if a.valid_to is None or a.valid_to > first_after:
                if closed(first_after):
                    fail("end_date", f"period {closed(first_after)} is closed: ending {sub.number} on "
                                     f"{diffs['end_date'][1]} would change it")
                    return
                result._end_rows[a.id] = (first_after, row.line)
    if unit is not None:
        changed = _plan_move(result, row, sub, unit, unit_codes, history, today, end_date, fail, closed) or changed
    if not changed:
        result.unchanged.append(Planned(row.line, row.number))


def _plan_move(result: ImportPlan, row: ImportRow, sub: Subscription, unit: BudgetUnit, unit_codes: dict[int, str],
               history: list[Assignment], today: date, end_date: date | None, fail: Callable[..., None],
               closed: Callable[[date], str | None]) -> bool:
    # never assigned: from its first day; else from the row's date, or today
    on = row.move_date or (max(today, row.start_date) if history else row.start_date)
    current = next((a for a in history if a.covers(on)), None)
    if current is not None and current.unit_id == unit.id:
        return False
    if end_date is not None and on > end_date:
        if current is None and history and history[-1].unit_id == unit.id:
            return False  # ended where the list says it belongs
        fail("unit", f"{sub.number} ended on {end_date}; it cannot move on {on}")
        return False
    later = [a for a in history if a.valid_from >= on]
    if later:
        fail("unit", f"{sub.number} already has an assignment to {unit_codes.get(later[0].unit_id)} from "
                     f"{later[0].valid_from}; correct that one first")
        return False
    if closed(on):
        fail("unit", f"period {closed(on)} is closed: moving {sub.number} from {on} would change it")
        return False
    if not _unit_usable(unit, on, fail):
        return False
    planned_end = end_date + timedelta(days=1) if end_date else None
    if current is not None:
        ended = result._end_rows.pop(current.id, None)
        planned_end = ended[0] if ended else current.valid_to or planned_end
        result._end_rows[current.id] = (on, row.line)
    result.moved.append(Planned(row.line, row.number, from_unit=unit_codes.get(current.unit_id) if current else None,
                                to_unit=unit.ansvar, valid_from=on))
    result._assign.append({"line": row.line, "asset_id": sub.id, "unit_id": unit.id, "valid_from": on,
                           "valid_to": planned_end})
    return True


# -- apply -----------------------------------------------------------------------------------


def apply(actor: User | None, result: ImportPlan) -> ImportPlan:
    """Store a plan without errors: bulk inserts and updates, one audit event. The caller commits."""
    if not result.ok:
        raise ValidationFailed(
            f"{result.filename}: {len(result.errors)} error(s); nothing was imported",
            details=[e.as_dict() for e in result.errors],
        )
    org = result.organisation_id
    actor_id = actor.id if actor else None
    ids: dict[str, int] = {}
    if result._new:
        # a bulk insert takes the column's own name: a subscription's number is its asset's identifier
        rows = [{"organisation_id": org, "identifier": values["number"],
                 **{k: v for k, v in values.items() if k != "number"}} for values in result._new.values()]
        for sub_id, number in db.session.execute(
            sa.insert(Subscription).returning(Subscription.id, Subscription.number), rows
        ):
            ids[number] = sub_id
    if result._updates:
        db.session.execute(sa.update(Subscription), [{"id": sub_id, **values}
                                                     for sub_id, values in result._updates.values()])
    if result._end_rows:
        db.session.execute(sa.update(Assignment), [{"id": row_id, "valid_to": valid_to}
                                                   for row_id, (valid_to, _) in result._end_rows.items()])
    if result._assign:
        now = utcnow()
        db.session.execute(sa.insert(Assignment), [
            {"organisation_id": org, "asset_id": a.get("asset_id") or ids[a["number"]],
             "unit_id": a["unit_id"], "valid_from": a["valid_from"], "valid_to": a["valid_to"],
             "created_by_id": actor_id, "created_at": now}
            for a in result._assign
        ])
    db.session.expire_all()  # bulk statements bypass the identity map
    result.applied = True
    audit.record(actor, "inventory.import", "subscription_list", result.filename, after={
        **result.counts,
        "created": [p.number for p in result.created],
        "updated": [{"number": p.number, "changes": p.fields} for p in result.updated],
        "moved": [{"number": p.number, "from": p.from_unit, "to": p.to_unit, "valid_from": p.valid_from}
                  for p in result.moved],
    }, organisation_id=org)
    db.session.flush()
    return result


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
