"""Effective-dated price lists of framework contracts.

A price is valid from ``valid_from`` up to (not including) ``valid_to``. A new version never
erases the old one: the row in force on the new version's first day is ended there
(``valid_to = valid_from`` of the new row) and a new row starts; if a later version already
exists, the new row ends where that one begins. A price that did not change (same price, unit
and category: a reworded description alone makes no new version) is left alone. Items missing
from an upload are left as they are: an upload adds versions, it never ends an item. An import
is all or nothing: one bad row and nothing is stored, and the report says what each row is
(added, superseded, unchanged) or what is wrong with it, by line number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

import sqlalchemy as sa

from importers.price_list import PriceRow, parse_price_list
from ledger.access.models import User
from ledger.audit import service as audit
from ledger.core.categories import Category
from ledger.core.errors import TooLarge, ValidationFailed
from ledger.core.text import N_
from ledger.database import db
from ledger.procurement.maintainers import ensure_maintainer
from ledger.procurement.models import FrameworkContract, PriceListItem

#: A price list is a few hundred rows; anything this large is the wrong file.
MAX_BYTES = 2 * 1024 * 1024

Outcome = Literal["added", "superseded", "unchanged", "error"]


def price_on(contract: FrameworkContract | int, item_code: str, day: date) -> PriceListItem | None:
    """The price list row of ``item_code`` in force on ``day``, or None."""
    contract_id = contract if isinstance(contract, int) else contract.id
    return db.session.scalar(
        sa.select(PriceListItem).where(
            PriceListItem.contract_id == contract_id,
            PriceListItem.item_code == item_code,
            PriceListItem.in_force_on(day),
        )
    )


def versions(contract: FrameworkContract) -> dict[str, list[PriceListItem]]:
    """Every version of every item of the contract: item code → rows, oldest first."""
    rows = db.session.scalars(
        sa.select(PriceListItem).where(PriceListItem.contract_id == contract.id)
        .order_by(PriceListItem.item_code, PriceListItem.valid_from)
    )
    result: dict[str, list[PriceListItem]] = {}
    for row in rows:
        result.setdefault(row.item_code, []).append(row)
    return result


def price_rows(contract: FrameworkContract, item_code: str | None = None, on: date | None = None
               ) -> list[PriceListItem]:
    """The contract's price rows by item code and date, optionally one item's or those in force ``on``."""
    query = sa.select(PriceListItem).where(PriceListItem.contract_id == contract.id)
    if item_code:
        query = query.where(PriceListItem.item_code == item_code)
    if on is not None:
        query = query.where(PriceListItem.in_force_on(on))
    return list(db.session.scalars(query.order_by(PriceListItem.item_code, PriceListItem.valid_from)))


@dataclass(frozen=True, slots=True)
class RowReport:
    """What became (or would have become) of one row of the upload."""

    line: int | None
    item_code: str | None
    outcome: Outcome
    message: str
    field: str | None = None
    unit_price: Decimal | None = None
    previous_price: Decimal | None = None
    #: For an error of the file: the catalogue text and its values, for a page to translate
    #: (``message`` is the same in English), and the file's column it is about.
    text: str | None = None
    params: dict[str, str] | None = None
    column: str | None = None


@dataclass(frozen=True, slots=True)
class PriceImportResult:
    """The outcome of an upload. ``stored`` is False when any row had an error."""

    contract_id: int
    valid_from: date
    rows: tuple[RowReport, ...]
    stored: bool

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def added(self) -> int:
        return self.count("added")

    @property
    def superseded(self) -> int:
        return self.count("superseded")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def errors(self) -> tuple[RowReport, ...]:
        return tuple(row for row in self.rows if row.outcome == "error")


@dataclass(frozen=True, slots=True)
class _Plan:
    row: PriceRow
    outcome: Outcome
    message: str
    ends: PriceListItem | None = None  # the version in force on valid_from, to be ended there
    new_valid_to: date | None = None
    previous_price: Decimal | None = None


def import_price_list(
    actor: User | None, contract: FrameworkContract, data: bytes, filename: str, valid_from: date
) -> PriceImportResult:
    """Import a supplier's CSV price list as the version in force from ``valid_from``."""
    ensure_maintainer(actor, contract)
    if len(data) > MAX_BYTES:
        raise TooLarge(N_("%(file)s is %(size)s bytes; a price list may be at most %(limit)s"), file=filename,
                       size=len(data), limit=MAX_BYTES)
    parsed = parse_price_list(data, filename)
    errors = [RowReport(e.line, e.item_code, "error", e.message, e.field, text=e.template, params=e.params,
                        column=e.column) for e in parsed.errors]
    return _apply(actor, contract, list(parsed.rows), valid_from, errors, source=filename)


def add_price(
    actor: User | None,
    contract: FrameworkContract,
    *,
    item_code: str,
    description: str,
    category: Category | str,
    unit_price: Decimal,
    unit: str,
    valid_from: date,
) -> PriceImportResult:
    """One item as a new version from ``valid_from`` (the same rules as an import of one row)."""
    ensure_maintainer(actor, contract)
    errors: list[RowReport] = []
    if unit_price < 0 or unit_price != unit_price.quantize(Decimal("0.01")):
        errors.append(RowReport(None, item_code, "error", f"price {unit_price} must be öre and not negative",
                                "unit_price"))
    for name, value, limit in (("item_code", item_code, 40), ("description", description, 200), ("unit", unit, 16)):
        if not value.strip() or len(value.strip()) > limit:
            errors.append(RowReport(None, item_code, "error", f"{name} must have 1 to {limit} characters", name))
    row = PriceRow(line=0, item_code=item_code.strip(), description=description.strip(),
                   category=Category(category).value, unit_price=unit_price, unit=unit.strip())
    return _apply(actor, contract, [] if errors else [row], valid_from, errors, source="api")


def _apply(
    actor: User | None,
    contract: FrameworkContract,
    rows: Sequence[PriceRow],
    valid_from: date,
    errors: list[RowReport],
    source: str,
) -> PriceImportResult:
    if valid_from < contract.start_date:
        raise ValidationFailed(
            N_("valid_from %(day)s is before the contract starts (%(start)s)"),
            [{"field": "valid_from", "messages": [f"on or after {contract.start_date}"]}],
            day=valid_from, start=contract.start_date)
    existing = _existing_versions(contract.id, [r.item_code for r in rows])
    plans = [_plan(row, existing.get(row.item_code, []), valid_from) for row in rows]
    reports = sorted([_report(p) for p in plans] + errors, key=lambda r: (r.line or 0, r.item_code or ""))
    if any(r.outcome == "error" for r in reports):
        return PriceImportResult(contract.id, valid_from, tuple(reports), stored=False)
    for plan in plans:
        _store(plan, contract, valid_from)
    db.session.flush()
    _audit(actor, contract, plans, valid_from, source)
    return PriceImportResult(contract.id, valid_from, tuple(reports), stored=True)


def _report(plan: _Plan) -> RowReport:
    return RowReport(plan.row.line or None, plan.row.item_code, plan.outcome, plan.message,
                     "valid_from" if plan.outcome == "error" else None, plan.row.unit_price, plan.previous_price)


def _audit(actor: User | None, contract: FrameworkContract, plans: list[_Plan], valid_from: date,
           source: str) -> None:
    """One audit event for the version: the prices it ends and the prices it adds."""
    changed = [p for p in plans if p.outcome in ("added", "superseded")]
    audit.record(
        actor, "price_list.import", "framework_contract", contract.id,
        before={"contract": contract.reference,
                "prices": {p.row.item_code: {"unit_price": p.previous_price, "valid_from": p.ends.valid_from,
                                             "valid_to": p.new_valid_to}
                           for p in changed if p.ends is not None}},
        after={"contract": contract.reference, "source": source, "valid_from": valid_from,
               "prices": {p.row.item_code: {"unit_price": p.row.unit_price, "valid_to": p.new_valid_to,
                                            "outcome": p.outcome} for p in changed},
               "unchanged": sum(p.outcome == "unchanged" for p in plans)},
    )


def _existing_versions(contract_id: int, item_codes: Sequence[str]) -> dict[str, list[PriceListItem]]:
    result: dict[str, list[PriceListItem]] = {}
    if not item_codes:
        return result
    rows = db.session.scalars(
        sa.select(PriceListItem)
        .where(PriceListItem.contract_id == contract_id, PriceListItem.item_code.in_(set(item_codes)))
        .order_by(PriceListItem.valid_from)
    )
    for row in rows:
        result.setdefault(row.item_code, []).append(row)
    return result


def _same(stored: PriceListItem, row: PriceRow) -> bool:
    return (stored.unit_price == row.unit_price and stored.unit == row.unit
            and stored.category.value == row.category)


def _plan(row: PriceRow, history: list[PriceListItem], valid_from: date) -> _Plan:
    """Decide what the row does, given the item's versions (oldest first)."""
    starting = next((v for v in history if v.valid_from == valid_from), None)
    if starting is not None:
        if _same(starting, row):
            return _Plan(row, "unchanged", "the version from this date already has this price",
                         previous_price=starting.unit_price)
        return _Plan(row, "error", f"a version of {row.item_code} from {valid_from} already exists "
                     f"(price {starting.unit_price}); price lists are never rewritten, use a later date")
    covering = next((v for v in history if v.valid_from < valid_from and v.not_ended_by(valid_from)), None)
    later = next((v for v in history if v.valid_from > valid_from), None)
    if covering is not None:
        if _same(covering, row):
            return _Plan(row, "unchanged", f"same price as since {covering.valid_from}",
                         previous_price=covering.unit_price)
        return _Plan(row, "superseded", f"{covering.unit_price} from {covering.valid_from} ends on {valid_from}",
                     ends=covering, new_valid_to=covering.valid_to, previous_price=covering.unit_price)
    return _Plan(row, "added", "new item" if not history else "new version",
                 new_valid_to=later.valid_from if later else None)


def _store(plan: _Plan, contract: FrameworkContract, valid_from: date) -> None:
    if plan.outcome not in ("added", "superseded"):
        return
    if plan.ends is not None:
        plan.ends.valid_to = valid_from
    row = plan.row
    db.session.add(PriceListItem(
        contract_id=contract.id, item_code=row.item_code, description=row.description,
        category=Category(row.category), unit_price=row.unit_price, unit=row.unit,
        valid_from=valid_from, valid_to=plan.new_valid_to,
    ))
