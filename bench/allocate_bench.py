"""Allocation benchmark: import + allocate + totals per unit and month for a generated year
(1,000,000 lines by default, ``bench/dataset.py``: a CSV specification a month and, for one
line in fifty, a PEPPOL invoice a month with allowances and a charge), alternating with a
baseline in the same run (``--rounds`` times each, medians).

Baseline, on the same engine (sqlite3; on PostgreSQL psycopg's COPY into a fresh database of
its own): the same files read into typed columns (integer öre, dates) without the ledger's
code, the assignments loaded, then one INSERT … SELECT doing the effective-dated join and the
day split the ledger does (``ledger/allocation/rules.py``: a line one assignment covers goes
whole to its unit; otherwise each assignment overlapping the line's service period gets its
days' share by the largest-remainder method, ties to the earlier assignment; a line whose
number no subscription has goes whole to suspense),
one INSERT … SELECT spreading each document allowance and charge over its invoice's lines of
its VAT category pro rata to their amounts and each line's share over the line's pieces
(largest remainder at both steps, as ``rules.spread_over_lines`` and ``rules.follow_line``),
and the totals per unit and month. The benchmark fails (exit status 1, naming the differing
unit and month) unless every unit's total in every month and every month's suspense are the
same on both sides, to the öre. Prints each round and the INTERFACE.md result line last.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import Store, bare_store, csv_lines, day_before, days, earlier, later, new_ids, peppol_document
from common import alternate, import_whole, organisation_in, report, same_totals
from dataset import YEAR, Inventory, allocation_files, allocation_lines, ansvar, census, inventory

Files = list[tuple[str, bytes]]
#: (unit's ansvar, or "suspense"; YYYY-MM) → öre
Totals = dict[tuple[str, str], int]

SCHEMA = """
    CREATE TABLE line (id {int} PRIMARY KEY, invoice TEXT, month TEXT, number TEXT, start_day {day},
                       end_day {day}, amount_ore {int}, vat TEXT);
    -- scope_vat: the VAT category whose lines the amount is spread over; NULL: all the invoice's lines
    CREATE TABLE allowance (id {int} PRIMARY KEY, invoice TEXT, amount_ore {int}, scope_vat TEXT);
    CREATE TABLE assignment (number TEXT, unit TEXT, valid_from {day}, valid_to {day});
    -- one row per part of a line on a unit (NULL: suspense); ordinal orders a line's parts
    CREATE TABLE piece (line_id {int}, unit TEXT, month TEXT, ordinal {day}, amount_ore {int}, allowance_id {int});
"""

INDEXES = """
    CREATE INDEX ix_assignment ON assignment (number, valid_from);
    CREATE INDEX ix_allowance ON allowance (invoice);
"""


def largest_remainder(total: str, floor: str, partition: str, order: str) -> str:
    """SQL for one part of ``total`` split by the largest-remainder method: ``floor`` is the
    part's floor of |total| × weight / Σ weights; the öre left over go one each to the parts
    with the largest remainders (``order``: remainder descending, then the earlier part), and a
    negative total mirrors a positive one (``ledger.core.money.split_ore``)."""
    return (f"CASE WHEN {total} < 0 THEN -1 ELSE 1 END * ({floor} + CASE WHEN "
            f"row_number() OVER (PARTITION BY {partition} ORDER BY {order}) "
            f"<= abs({total}) - sum({floor}) OVER (PARTITION BY {partition}) THEN 1 ELSE 0 END)")


def split_by_days_sql(store: Store) -> str:
    """Every line on the unit(s) its number was assigned to during its service period. The
    common case, one assignment covering the whole period, takes the line whole (as
    ``rules.place_line`` does); the other lines are joined to every assignment overlapping their
    period and split by the days each covers. A number no subscription has: suspense."""
    covered = days(store, later(store, "l.start_day", "a.valid_from"),
                   earlier(store, "l.end_day", f"COALESCE({day_before(store, 'a.valid_to')}, l.end_day)"))
    whole = days(store, "l.start_day", "l.end_day")
    part = largest_remainder("amount_ore", "floor_ore", "id", "remainder DESC, valid_from")
    return f"""
        WITH overlap AS (
            SELECT l.id, l.month, l.amount_ore, a.unit, a.valid_from, {whole} AS total_days,
                   CASE WHEN a.unit IS NULL THEN {whole} ELSE {covered} END AS covered_days
            FROM line l LEFT JOIN assignment a
                ON a.number = l.number AND a.valid_from <= l.end_day
               AND (a.valid_to IS NULL OR a.valid_to > l.start_day)
            WHERE NOT EXISTS (SELECT 1 FROM assignment c WHERE c.number = l.number AND c.valid_from <= l.start_day
                              AND (c.valid_to IS NULL OR c.valid_to > l.end_day))
        ), floored AS (
            SELECT *, abs(amount_ore) * covered_days / total_days AS floor_ore,
                   abs(amount_ore) * covered_days % total_days AS remainder
            FROM overlap
        )
        INSERT INTO piece (line_id, unit, month, ordinal, amount_ore)
        SELECT l.id, a.unit, l.month, a.valid_from, l.amount_ore FROM line l JOIN assignment a
            ON a.number = l.number AND a.valid_from <= l.start_day AND (a.valid_to IS NULL OR a.valid_to > l.end_day)
        UNION ALL
        SELECT id, unit, month, valid_from, {part} FROM floored"""


def spread_allowances_sql() -> str:
    """Each allowance or charge over its invoice's lines pro rata to |amount|, then each line's
    share over the line's pieces pro rata to |piece|, placed as the piece is. (The data has no
    line of 0.00, whose weight the ledger would replace by equal weights.) The sums of weights
    are cast back to integers: PostgreSQL's sum of bigint is numeric, and the floors must be
    integer divisions."""
    line_share = largest_remainder("total", "floor_ore", "allowance_id", "remainder DESC, line_id")
    piece_share = largest_remainder("share", "floor_ore", "allowance_id, line_id", "remainder DESC, ordinal")
    return f"""
        WITH weighted AS (
            SELECT ac.id AS allowance_id, ac.amount_ore AS total, l.id AS line_id, abs(l.amount_ore) AS weight,
                   CAST(sum(abs(l.amount_ore)) OVER (PARTITION BY ac.id) AS BIGINT) AS weight_sum
            FROM line l JOIN allowance ac ON ac.invoice = l.invoice AND (ac.scope_vat IS NULL OR ac.scope_vat = l.vat)
        ), line_floor AS (
            SELECT allowance_id, line_id, total, abs(total) * weight / weight_sum AS floor_ore,
                   abs(total) * weight % weight_sum AS remainder
            FROM weighted
        ), line_share AS (
            SELECT allowance_id, line_id, {line_share} AS share FROM line_floor
        ), piece_weighted AS (
            SELECT s.allowance_id, s.line_id, s.share, p.unit, p.month, p.ordinal, abs(p.amount_ore) AS weight,
                   CAST(sum(abs(p.amount_ore)) OVER (PARTITION BY s.allowance_id, s.line_id) AS BIGINT)
                       AS weight_sum
            FROM line_share s JOIN piece p ON p.line_id = s.line_id AND p.allowance_id IS NULL
            WHERE s.share <> 0
        ), piece_floor AS (
            SELECT *, abs(share) * weight / weight_sum AS floor_ore, abs(share) * weight % weight_sum AS remainder
            FROM piece_weighted
        )
        INSERT INTO piece (line_id, unit, month, ordinal, amount_ore, allowance_id)
        SELECT line_id, unit, month, ordinal, {piece_share}, allowance_id FROM piece_floor"""


TOTALS = """SELECT COALESCE(unit, 'suspense'), month, SUM(amount_ore) FROM piece
            GROUP BY COALESCE(unit, 'suspense'), month"""


def load_files(store: Store, files: Files) -> None:
    """The CSV and PEPPOL files as typed rows; an allowance's scope is its VAT category when one
    of its invoice's lines has that category, else all its lines (as ``rules.spread_over_lines``)."""
    line_ids, allowance_ids = new_ids(), new_ids()
    columns = ("id", "invoice", "month", "number", "start_day", "end_day", "amount_ore", "vat")
    for name, data in files:
        if name.endswith(".csv"):
            store.load("line", columns, csv_lines(data, line_ids))
            continue
        document = peppol_document(data, line_ids, allowance_ids)
        store.load("line", columns, document.lines)
        categories = {row[7] for row in document.lines}
        store.load("allowance", ("id", "invoice", "amount_ore", "scope_vat"),
                   ((ac_id, invoice, amount, vat if vat in categories else None)
                    for ac_id, invoice, amount, vat in document.allowances))


def baseline(engine: str, files: Files, inv: Inventory) -> tuple[float, Totals]:
    with bare_store(engine) as store:
        start = time.perf_counter()
        typed = {"int": "INTEGER", "day": "TEXT"} if engine == "sqlite" else {"int": "BIGINT", "day": "DATE"}
        store.execute(SCHEMA.format(**typed))
        load_files(store, files)
        store.load("assignment", ("number", "unit", "valid_from", "valid_to"),
                   ((inv.numbers[s], ansvar(u), f, t) for s, u, f, t in inv.assignments))
        store.execute(INDEXES)
        store.execute(split_by_days_sql(store))
        store.execute(spread_allowances_sql())
        totals = {(unit, month): int(ore) for unit, month, ore in store.rows(TOTALS) if ore}
        store.commit()
        seconds = time.perf_counter() - start
    return seconds, totals


def project(engine: str, inv: Inventory, files: Files, lines: int) -> tuple[float, Totals]:
    """Import, allocate every month and read the cost tables in a fresh database."""
    import sqlalchemy as sa

    from ledger.allocation.engine import allocate
    from ledger.budgets import costs
    from ledger.core.money import to_ore
    from ledger.database import db
    from ledger.organisation.models import BudgetUnit

    with organisation_in(engine, inv) as organisation:
        start = time.perf_counter()
        imported_lines = sum(import_whole(organisation, data, name).lines for name, data in files)
        imported = time.perf_counter()
        totals: Totals = {}
        entries = 0
        for month in range(1, 13):
            result = allocate(None, organisation, f"{YEAR}-{month:02d}")
            db.session.commit()
            entries += result.entries
            totals[("suspense", f"{YEAR}-{month:02d}")] = to_ore(result.suspense_total)
        allocated = time.perf_counter()
        tables, _ = costs.cost_tables(organisation.id, YEAR, today=date(YEAR, 12, 31))
        seconds = time.perf_counter() - start
        code_of = {uid: code for uid, code in db.session.execute(sa.select(BudgetUnit.id, BudgetUnit.ansvar))}
    assert imported_lines == lines, f"imported {imported_lines} of {lines} lines"
    print(f"  import {imported - start:.2f} s, allocate {allocated - imported:.2f} s ({entries:,} entries), "
          f"totals {seconds - (allocated - start):.2f} s for {len(tables)} units", file=sys.stderr)
    for unit_id, table in tables.items():
        for rows in table.actual.values():
            for index, amount in enumerate(rows):
                key = (code_of[unit_id], f"{YEAR}-{index + 1:02d}")
                totals[key] = totals.get(key, 0) + to_ore(amount)
    return seconds, {key: ore for key, ore in totals.items() if ore}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each, alternated")
    args = parser.parse_args()
    inv = inventory()
    files = allocation_files(inv, args.lines)
    facts = census(inv, allocation_lines(inv, args.lines))
    facts["allowances_charges"] = sum(data.count(b"<cac:AllowanceCharge>") for _, data in files)
    print(f"generated {args.lines:,} lines ({sum(len(d) for _, d in files) / 2**20:.0f} MiB in {len(files)} files): "
          f"{facts}", file=sys.stderr)
    seconds, base, ours, theirs = alternate(args.rounds, lambda: baseline(args.engine, files, inv),
                                            lambda: project(args.engine, inv, files, args.lines), "allocate")
    same_totals("allocate (öre per unit and month, suspense per month)", ours, theirs)
    suspense = sum(ore for (unit, _), ore in ours.items() if unit == "suspense")
    print(f"allocate: median {seconds:.2f} s, baseline {base:.2f} s; {sum(ours.values()) / 100:,.2f} SEK "
          f"({suspense / 100:,.2f} in suspense) in {len(ours)} unit-months, the same on both sides", file=sys.stderr)
    report("allocate", args.engine, args.lines, seconds, base, rounds=args.rounds, **facts)


if __name__ == "__main__":
    main()
