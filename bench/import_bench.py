"""Import benchmark: parse + store a generated CSV specification (1,000,000 lines by default)
or PEPPOL invoice (--format peppol, 100,000 lines), beside a bare baseline in the same run.

Baseline for CSV: the stdlib csv module reading the same bytes and sqlite3.executemany into
one table. Baseline for PEPPOL: lxml iterparse over the same file, taking each line's amount,
and sqlite3.executemany. Prints lines/s on the way and the INTERFACE.md result line last.
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

from common import import_whole, organisation_in, report
from dataset import csv_bytes, inventory, ubl_bytes


def baseline_csv(data: bytes) -> float:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        conn = sqlite3.connect(f"{folder}/baseline.db")
        conn.execute("CREATE TABLE line (invoice TEXT, number TEXT, text TEXT, start TEXT, end TEXT, amount TEXT)")
        reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""), delimiter=";")
        next(reader)
        conn.executemany("INSERT INTO line VALUES (?, ?, ?, ?, ?, ?)",
                         ((r[1], r[3], r[5], r[6], r[7], r[10]) for r in reader))
        conn.commit()
        conn.close()
        return time.perf_counter() - start


def baseline_peppol(data: bytes) -> float:
    from lxml import etree

    cbc = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
    cac = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        conn = sqlite3.connect(f"{folder}/baseline.db")
        conn.execute("CREATE TABLE line (id TEXT, amount TEXT)")

        def lines():
            for _, element in etree.iterparse(io.BytesIO(data), tag=f"{cac}InvoiceLine", resolve_entities=False,
                                              no_network=True):
                yield element.findtext(f"{cbc}ID"), element.findtext(f"{cbc}LineExtensionAmount")
                element.clear()

        conn.executemany("INSERT INTO line VALUES (?, ?)", lines())
        conn.commit()
        conn.close()
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--format", choices=["csv", "peppol"], default="csv")
    parser.add_argument("--lines", type=int, default=None)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    lines = args.lines or (1_000_000 if args.format == "csv" else 100_000)
    inv = inventory()
    data = csv_bytes(inv, lines) if args.format == "csv" else ubl_bytes(inv, lines)
    print(f"generated {lines:,} {args.format} lines ({len(data) / 2**20:.0f} MiB)", file=sys.stderr)
    baseline = baseline_csv(data) if args.format == "csv" else baseline_peppol(data)
    print(f"baseline: {baseline:.2f} s ({lines / baseline:,.0f} lines/s)", file=sys.stderr)

    with organisation_in(args.engine, inv) as organisation:
        start = time.perf_counter()
        outcome = import_whole(organisation, data, f"bench.{'csv' if args.format == 'csv' else 'xml'}")
        seconds = time.perf_counter() - start
    assert outcome.lines == lines, outcome.errors[:3]
    print(f"import: {seconds:.2f} s ({lines / seconds:,.0f} lines/s), {outcome.matched_lines:,} matched",
          file=sys.stderr)
    report(f"import_{args.format}", args.engine, lines, seconds, baseline,
           lines_per_second=round(lines / seconds), baseline_lines_per_second=round(lines / baseline))


if __name__ == "__main__":
    main()
