"""A CSV specification's lines, resolved once per distinct value and stored by one ``INSERT … SELECT``.

A specification of a million lines repeats a few thousand references and, per invoice, a
handful of texts, item codes, prices, VAT rates and service periods. So each distinct
reference is matched to its asset once, each distinct *detail* (invoice, text, codes, price,
VAT rate, period) is converted for the database once and categorised once per kind of asset,
and a line is staged as no more than what is its own: its position and file line, its amount,
quantity and reference, and the ids of its detail and asset. Staged rows go to two TEMP tables
in bulk (``executemany`` on SQLite, ``COPY`` on PostgreSQL), and one ``INSERT … SELECT`` joins
them into ``invoice_line``, with its five indexes, in the database's own loop: on SQLite that
is about half of what inserting the full rows from Python cost.

Nothing reaches ``invoice_line`` before the whole file is read and checked: a file with an
error in any row never runs the ``INSERT … SELECT``, and the staging tables go with the
rollback of the file's savepoint. Errors come from the CSV reader and the recorder, as before,
naming file, line and field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple, cast

import sqlalchemy as sa

from ledger.database import db
from ledger.database.bulk import Values, create_staging_table, drop_staging_table, insert_rows
from ledger.inventory.matching import AssetIndex
from ledger.inventory.models import SubscriptionKind
from ledger.invoices.categories import Categoriser

#: Staged lines written in one go.
BATCH = 20000
#: Distinct details, and distinct references, remembered at a time; past it they are written
#: out and forgotten (a file whose every line had its own text or number would otherwise hold
#: one of each per line in memory).
DETAIL_MEMORY = 50000
DETAIL_TABLE = "staged_line_detail"
LINE_TABLE = "staged_line"


class LineDetail(NamedTuple):
    """What lines of one invoice share when their text, codes, price, VAT rate and period are
    the same, database-ready (``Values``)."""

    id: int
    invoice_id: int
    source: str
    description: str | None
    item_code: str | None
    charge_type: str | None
    unit_code: str | None
    unit_price: Any
    vat_rate: Any
    period_start: Any
    period_end: Any


class StagedLine(NamedTuple):
    """What is a line's own; ``seq`` is its order in the file, the order it is stored in."""

    seq: int
    detail_id: int
    position: int
    line: int
    net_amount_ore: int
    quantity: Any
    reference: str | None
    asset_id: int | None
    category: str


_DETAIL_TYPES = {"id": "INTEGER", "invoice_id": "INTEGER", "source": "TEXT", "description": "TEXT",
                 "item_code": "TEXT", "charge_type": "TEXT", "unit_code": "TEXT", "unit_price": "NUMERIC",
                 "vat_rate": "NUMERIC", "period_start": "DATE", "period_end": "DATE"}
_LINE_TYPES = {"seq": "BIGINT", "detail_id": "INTEGER", "position": "INTEGER", "line": "INTEGER",
               "net_amount_ore": "BIGINT", "quantity": "NUMERIC", "reference": "TEXT", "asset_id": "INTEGER",
               "category": "TEXT"}

#: The lines as ``invoice_line`` keeps them; a CSV line has no line id and is VAT category S.
_STORE = sa.text(f"""
    INSERT INTO invoice_line (organisation_id, invoice_id, source, position, line_id, description, item_code,
                              charge_type, category, quantity, unit_code, unit_price, net_amount_ore, vat_category,
                              vat_rate, period_start, period_end, reference, reference_source, location, asset_id)
    SELECT :organisation_id, d.invoice_id, d.source, s.position, NULL, d.description, d.item_code,
           d.charge_type, s.category, s.quantity, d.unit_code, d.unit_price, s.net_amount_ore, 'S',
           d.vat_rate, d.period_start, d.period_end, s.reference,
           CASE WHEN s.reference IS NULL THEN NULL ELSE 'csv' END, 'line ' || s.line, s.asset_id
    FROM {LINE_TABLE} AS s JOIN {DETAIL_TABLE} AS d ON d.id = s.detail_id
    ORDER BY s.seq
""")  # noqa: S608 - names from the code

#: What a detail is known by: the invoice, text, item code, charge type, unit code, unit price,
#: VAT rate, service period and invoice date of the line — everything the stored detail and
#: the category read, but for the asset's kind. Equal Decimals ("149.0", "149.00") are one
#: key: both engines' NUMERIC columns store them alike.
DetailKey = tuple[int, str | None, str | None, str | None, str | None, Decimal | None, Decimal, date | None,
                  date | None, date]


@dataclass(frozen=True, slots=True)
class _Reference:
    """A reference as stored, and what it matched."""

    text: str | None
    asset_id: int | None
    kind: SubscriptionKind | None


@dataclass(slots=True)
class _Detail:
    """A detail's id and its category for each kind of asset its lines are about."""

    id: int
    categorise: Callable[[SubscriptionKind | None], str]
    categories: dict[SubscriptionKind | None, str] = field(default_factory=dict)

    def category(self, kind: SubscriptionKind | None) -> str:
        found = self.categories.get(kind)
        if found is None:
            found = self.categories[kind] = self.categorise(kind)
        return found


class LineStage:
    """Collects one file's lines (``add``) and stores them (``store``) in the current transaction."""

    def __init__(self, organisation_id: int, assets: AssetIndex, values: Values,
                 progress: Callable[[int], None] | None) -> None:
        self.organisation_id = organisation_id
        self.assets = assets
        self.values = values
        self.progress = progress
        self.lines = 0
        self.matched = 0
        self._references: dict[str | None, _Reference] = {}
        self._details: dict[DetailKey, _Detail] = {}
        self._detail_rows: list[LineDetail] = []
        self._detail_count = 0
        self._batch: list[tuple[Any, ...]] = []
        create_staging_table(DETAIL_TABLE, LineDetail, _DETAIL_TYPES)
        create_staging_table(LINE_TABLE, StagedLine, _LINE_TYPES)

    def add(self, detail_key: DetailKey, source: str, categoriser: Categoriser, position: int, line: int,
            net_amount_ore: int, quantity: Decimal | None, reference: str | None) -> None:
        """Stage the ``position``-th line of its invoice's ``source``, read from file line ``line``."""
        detail = self._details.get(detail_key)
        if detail is None:
            detail = self._new_detail(detail_key, source, categoriser)
        known = self._references.get(reference)
        if known is None:
            known = self._references[reference] = self._matched(reference)
        if known.asset_id is not None:
            self.matched += 1
        self.lines += 1
        batch = self._batch
        # A plain tuple in ``StagedLine``'s order: making the NamedTuple would cost more than
        # everything else done here for a line whose detail and reference are known.
        batch.append((self.lines, detail.id, position, line, net_amount_ore, self.values.number(quantity),
                      known.text, known.asset_id, detail.category(known.kind)))
        if len(batch) >= BATCH:
            self._write_lines()

    def store(self) -> int:
        """Move the staged lines into ``invoice_line``, in file order; the lines stored."""
        self._write_details()
        self._write_lines()
        if self.lines:
            db.session.execute(_STORE, {"organisation_id": self.organisation_id})
        drop_staging_table(LINE_TABLE)
        drop_staging_table(DETAIL_TABLE)
        return self.lines

    def _matched(self, reference: str | None) -> _Reference:
        if len(self._references) >= DETAIL_MEMORY:
            self._references.clear()
        match = self.assets.match(reference)
        return _Reference(reference[:64] if reference else None, match.asset_id, match.kind)

    def _new_detail(self, key: DetailKey, source: str, categoriser: Categoriser) -> _Detail:
        if len(self._details) >= DETAIL_MEMORY:
            self._write_details()
            self._details.clear()
        invoice_id, text, item_code, charge_type, unit_code, unit_price, vat_rate, start, end, invoice_date = key
        v = self.values
        self._detail_count += 1
        self._detail_rows.append(LineDetail(
            self._detail_count, invoice_id, source, text[:300] if text else None, item_code, charge_type, unit_code,
            v.number(unit_price), v.number(vat_rate), v.day(start), v.day(end)))
        day = start or invoice_date

        def categorise(kind: SubscriptionKind | None) -> str:
            return categoriser.categorise(item_code, day, kind, charge_type, text, unit_code).value

        detail = self._details[key] = _Detail(self._detail_count, categorise)
        return detail

    def _write_details(self) -> None:
        if self._detail_rows:
            insert_rows(DETAIL_TABLE, LineDetail, self._detail_rows)
            self._detail_rows = []

    def _write_lines(self) -> None:
        if self._batch:
            insert_rows(LINE_TABLE, StagedLine, cast(list[StagedLine], self._batch))
            if self.progress:
                self.progress(len(self._batch))
            self._batch = []
