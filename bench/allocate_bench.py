"""Allocation benchmark: import + allocate + totals per unit and month for a generated data set
(1,000,000 lines by default: 5,000 subscriptions, 60 units, one in ten moved during the year,
some mid-month), alternating with a baseline in the same run (``--rounds`` times each, medians).

Baseline: plain sqlite3 loading the same CSV into typed columns and the assignments, then the
effective-dated join as one INSERT … SELECT into an allocation table (whole lines to the unit
that held the number on the first day of the service period: no day splits, no rules), then
totals per unit and month. A whole line goes to one unit there and is split by days in the
ledger, so the totals compared are per month: the benchmark fails if they differ. Prints each
round and the INTERFACE.md result line last.
"""

from __future__ import annotations

import argparse
import csv
import io
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import alternate, import_whole, organisation_in, report, same_totals
from dataset import YEAR, Inventory, csv_bytes, inventory


def baseline(data: bytes, inv: Inventory) -> tuple[float, dict[str, int]]:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        conn = sqlite3.connect(f"{folder}/baseline.db")
        conn.executescript("""
            CREATE TABLE line (id INTEGER PRIMARY KEY, number TEXT, start TEXT, amount_ore INTEGER);
            CREATE TABLE assignment (number TEXT, unit INTEGER, valid_from TEXT, valid_to TEXT);
            CREATE INDEX ix_assignment ON assignment (number, valid_from);
            CREATE TABLE allocation (line_id INTEGER, unit INTEGER, month TEXT, amount_ore INTEGER);
        """)
        reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""), delimiter=";")
        next(reader)
        conn.executemany("INSERT INTO line (number, start, amount_ore) VALUES (?, ?, ?)",
                         ((r[3], r[6], int(r[10].replace(",", ""))) for r in reader))
        conn.executemany("INSERT INTO assignment VALUES (?, ?, ?, ?)",
                         ((inv.numbers[s], u, f.isoformat(), t.isoformat() if t else None)
                          for s, u, f, t in inv.assignments))
        conn.execute("""
            INSERT INTO allocation
            SELECT l.id, a.unit, substr(l.start, 1, 7), l.amount_ore FROM line l
            JOIN assignment a ON a.number = l.number AND a.valid_from <= l.start
                             AND (a.valid_to IS NULL OR a.valid_to > l.start)""")
        totals = conn.execute("SELECT unit, month, SUM(amount_ore) FROM allocation GROUP BY unit, month").fetchall()
        conn.commit()
        conn.close()
        seconds = time.perf_counter() - start
    per_month: dict[str, int] = {}
    for _unit, month, ore in totals:
        per_month[month] = per_month.get(month, 0) + int(ore)
    return seconds, per_month


def project(engine: str, inv: Inventory, data: bytes, lines: int) -> tuple[float, dict[str, int]]:
    """Import, allocate every month and read the cost tables in a fresh database."""
    from ledger.allocation.engine import allocate
    from ledger.budgets import costs
    from ledger.core.money import to_ore
    from ledger.database import db

    with organisation_in(engine, inv) as organisation:
        start = time.perf_counter()
        outcome = import_whole(organisation, data, "bench.csv")
        imported = time.perf_counter()
        entries = 0
        for month in range(1, 13):
            result = allocate(None, organisation, f"{YEAR}-{month:02d}")
            db.session.commit()
            entries += result.entries
        allocated = time.perf_counter()
        tables, _ = costs.cost_tables(organisation.id, YEAR)
        seconds = time.perf_counter() - start
    assert outcome.lines == lines, outcome.errors[:3]
    print(f"  import {imported - start:.2f} s, allocate {allocated - imported:.2f} s ({entries:,} entries), "
          f"totals {seconds - (allocated - start):.2f} s for {len(tables)} units", file=sys.stderr)
    per_month: dict[str, int] = {}
    for table in tables.values():
        for rows in table.actual.values():
            for index, amount in enumerate(rows):
                if amount:
                    key = f"{YEAR}-{index + 1:02d}"
                    per_month[key] = per_month.get(key, 0) + to_ore(amount)
    return seconds, per_month


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each, alternated")
    args = parser.parse_args()
    inv = inventory()
    data = csv_bytes(inv, args.lines)
    print(f"generated {args.lines:,} lines ({len(data) / 2**20:.0f} MiB)", file=sys.stderr)
    seconds, base, ours, theirs = alternate(args.rounds, lambda: baseline(data, inv),
                                            lambda: project(args.engine, inv, data, args.lines), "allocate")
    same_totals("allocate", ours, theirs)
    print(f"allocate: median {seconds:.2f} s, baseline {base:.2f} s; {sum(ours.values()) / 100:,.2f} SEK over "
          f"{len(ours)} months on both sides", file=sys.stderr)
    report("allocate", args.engine, args.lines, seconds, base, rounds=args.rounds)


if __name__ == "__main__":
    main()
