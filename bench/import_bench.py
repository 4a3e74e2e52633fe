"""Import benchmark: parse + store a generated CSV specification (1,000,000 lines by default)
or PEPPOL invoice (--format peppol, 100,000 lines), alternating with a bare baseline in the same
run (baseline, project, baseline, project, … ``--rounds`` times each; medians reported).

Baseline for CSV: the stdlib csv module reading the same bytes into typed columns (dates as
ISO text, amounts as integer öre) and sqlite3.executemany into one table. Baseline for PEPPOL:
lxml iterparse over the same file, taking each line's id and amount (as öre), and
sqlite3.executemany. Both must end with the project's line count and amount total, or the
benchmark fails. Prints each round on the way and the INTERFACE.md result line last.
"""

from __future__ import annotations

import argparse
import csv
import io
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import alternate, import_whole, organisation_in, report, same_totals
from dataset import Inventory, csv_bytes, inventory, ubl_bytes

Totals = tuple[int, int]  # lines, amount in öre


def _ore(text: str) -> int:
    """A Swedish amount ("1 234,50") as öre, exactly."""
    whole, _, fraction = text.replace(" ", "").replace(".", ",").partition(",")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole or "0")) * 100 + int((fraction + "00")[:2]))


def _store(rows: Iterable[tuple[object, ...]], create: str, insert: str) -> Totals:
    with tempfile.TemporaryDirectory() as folder:
        conn = sqlite3.connect(f"{folder}/baseline.db")
        conn.execute(create)
        conn.executemany(insert, rows)
        totals = conn.execute("SELECT COUNT(*), COALESCE(SUM(amount_ore), 0) FROM line").fetchone()
        conn.commit()
        conn.close()
    return int(totals[0]), int(totals[1])


def baseline_csv(data: bytes) -> tuple[float, Totals]:
    start = time.perf_counter()
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""), delimiter=";")
    next(reader)
    rows = ((r[1], r[3], r[5], date.fromisoformat(r[6]).isoformat(), date.fromisoformat(r[7]).isoformat(),
             _ore(r[10])) for r in reader)
    totals = _store(rows, "CREATE TABLE line (invoice TEXT, number TEXT, text TEXT, start TEXT, end TEXT, "
                          "amount_ore INTEGER)", "INSERT INTO line VALUES (?, ?, ?, ?, ?, ?)")
    return time.perf_counter() - start, totals


def baseline_peppol(data: bytes) -> tuple[float, Totals]:
    from lxml import etree

    cbc = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
    cac = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
    start = time.perf_counter()

    def lines() -> Iterator[tuple[object, ...]]:
        for _, element in etree.iterparse(io.BytesIO(data), tag=f"{cac}InvoiceLine", resolve_entities=False,
                                          no_network=True):
            yield element.findtext(f"{cbc}ID"), _ore(element.findtext(f"{cbc}LineExtensionAmount") or "0")
            element.clear()

    totals = _store(lines(), "CREATE TABLE line (id TEXT, amount_ore INTEGER)", "INSERT INTO line VALUES (?, ?)")
    return time.perf_counter() - start, totals


def project(engine: str, inv: Inventory, data: bytes, filename: str, lines: int) -> tuple[float, Totals]:
    """The ledger's import of ``data`` into a fresh database: its seconds, lines and amount total."""
    import sqlalchemy as sa

    from ledger.database import db
    from ledger.database.types import raw_ore
    from ledger.invoices.models import InvoiceLine

    with organisation_in(engine, inv) as organisation:
        start = time.perf_counter()
        outcome = import_whole(organisation, data, filename)
        seconds = time.perf_counter() - start
        assert outcome.lines == lines, outcome.errors[:3]
        count, ore = db.session.execute(sa.select(sa.func.count(), sa.func.sum(raw_ore(InvoiceLine.net_amount)))).one()
    return seconds, (int(count), int(ore or 0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--format", choices=["csv", "peppol"], default="csv")
    parser.add_argument("--lines", type=int, default=None)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each, alternated")
    args = parser.parse_args()
    lines = args.lines or (1_000_000 if args.format == "csv" else 100_000)
    inv = inventory()
    data = csv_bytes(inv, lines) if args.format == "csv" else ubl_bytes(inv, lines)
    print(f"generated {lines:,} {args.format} lines ({len(data) / 2**20:.0f} MiB)", file=sys.stderr)
    filename = f"bench.{'csv' if args.format == 'csv' else 'xml'}"
    bare = baseline_csv if args.format == "csv" else baseline_peppol
    seconds, baseline, ours, theirs = alternate(args.rounds, lambda: bare(data),
                                                lambda: project(args.engine, inv, data, filename, lines), "import")
    same_totals("import", ours, theirs)
    print(f"import: median {seconds:.2f} s ({lines / seconds:,.0f} lines/s), baseline {baseline:.2f} s; "
          f"{ours[0]:,} lines, {ours[1] / 100:,.2f} SEK on both sides", file=sys.stderr)
    report(f"import_{args.format}", args.engine, lines, seconds, baseline, rounds=args.rounds,
           lines_per_second=round(lines / seconds), baseline_lines_per_second=round(lines / baseline))


if __name__ == "__main__":
    main()
