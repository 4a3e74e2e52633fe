"""Import benchmark: parse + store a generated CSV specification (1,000,000 lines by default)
or PEPPOL invoice (--format peppol, 100,000 lines, with document-level allowances and a
charge), alternating with a bare baseline in the same run (baseline, project, baseline,
project, … ``--rounds`` times each; medians reported). The data (``bench/dataset.py``) has
credit lines and numbers no subscription has.

Baselines, on the same engine: sqlite3.executemany into a table without indexes, or on
PostgreSQL psycopg's COPY into a fresh database of its own. CSV: the stdlib csv module reading
the same bytes into typed columns (dates, amounts as integer öre, the VAT rate). PEPPOL: lxml
iterparse over the same file, taking each line's number, service period, amount (öre) and VAT
category, and the document-level allowances and charges (signed öre). Both must end with the
project's line count, line total and allowance-and-charge total, to the öre, or the benchmark
fails (exit status 1). Prints each round on the way and the INTERFACE.md result line last.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import bare_store, new_ids, ore, peppol_document
from common import alternate, import_whole, organisation_in, report, same_totals
from dataset import CSV_KINDS, PEPPOL_KINDS, Inventory, census, csv_bytes, inventory, month_lines, ubl_bytes, year_lines

Totals = tuple[int, int, int]  # lines, their amount in öre, document allowances and charges in öre

SCHEMA = """
    CREATE TABLE line (id {int}, invoice TEXT, month TEXT, number TEXT, start_day {day}, end_day {day},
                       amount_ore {int}, vat TEXT, issued {day}, item_code TEXT, text TEXT, vat_rate {int});
    CREATE TABLE allowance (id {int}, invoice TEXT, amount_ore {int}, vat TEXT);
"""
TOTALS = """SELECT (SELECT COUNT(*) FROM line), (SELECT COALESCE(SUM(amount_ore), 0) FROM line),
                   (SELECT COALESCE(SUM(amount_ore), 0) FROM allowance)"""
LINE_COLUMNS = ("id", "invoice", "month", "number", "start_day", "end_day", "amount_ore", "vat")


def _csv_rows(data: bytes) -> Iterator[tuple[object, ...]]:
    """The specification's rows as typed values: dates parsed, amounts in öre, the VAT rate."""
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""), delimiter=";")
    next(reader)
    parse = date.fromisoformat
    for line_id, r in enumerate(reader, start=1):
        issued = parse(r[2])
        yield (line_id, r[1], issued.isoformat()[:7], r[3], parse(r[6]), parse(r[7]), ore(r[10]), None, issued, r[4],
               r[5], int(r[11]))


def baseline(engine: str, data: bytes, file_format: str) -> tuple[float, Totals]:
    with bare_store(engine) as store:
        start = time.perf_counter()
        store.execute(SCHEMA.format(**({"int": "INTEGER", "day": "TEXT"} if engine == "sqlite"
                                       else {"int": "BIGINT", "day": "DATE"})))
        if file_format == "csv":
            store.load("line", (*LINE_COLUMNS, "issued", "item_code", "text", "vat_rate"), _csv_rows(data))
        else:
            document = peppol_document(data, new_ids(), new_ids())
            store.load("line", LINE_COLUMNS, document.lines)
            store.load("allowance", ("id", "invoice", "amount_ore", "vat"), document.allowances)
        count, lines_ore, allowances_ore = store.rows(TOTALS)[0]
        store.commit()
        seconds = time.perf_counter() - start
    return seconds, (int(count), int(lines_ore), int(allowances_ore))


def project(engine: str, inv: Inventory, data: bytes, filename: str, lines: int) -> tuple[float, Totals]:
    """The ledger's import of ``data`` into a fresh database: its seconds, lines and amount totals."""
    import sqlalchemy as sa

    from ledger.database import db
    from ledger.database.types import raw_ore
    from ledger.invoices.models import InvoiceAllowanceCharge, InvoiceLine

    with organisation_in(engine, inv) as organisation:
        start = time.perf_counter()
        outcome = import_whole(organisation, data, filename)
        seconds = time.perf_counter() - start
        assert outcome.lines == lines, outcome.errors[:3]
        count, lines_ore = db.session.execute(
            sa.select(sa.func.count(), sa.func.sum(raw_ore(InvoiceLine.net_amount)))).one()
        allowances_ore = db.session.execute(sa.select(sa.func.sum(raw_ore(InvoiceAllowanceCharge.amount)))).scalar()
    return seconds, (int(count), int(lines_ore or 0), int(allowances_ore or 0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--format", choices=["csv", "peppol"], default="csv")
    parser.add_argument("--lines", type=int, default=None)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each, alternated")
    args = parser.parse_args()
    lines = args.lines or (1_000_000 if args.format == "csv" else 100_000)
    inv = inventory()
    if args.format == "csv":
        data, generated = csv_bytes(inv, lines), year_lines(inv, lines, CSV_KINDS)
    else:
        data, generated = ubl_bytes(inv, lines), month_lines(inv, 3, lines, PEPPOL_KINDS)
    facts = census(inv, generated)
    facts["allowances_charges"] = data.count(b"<cac:AllowanceCharge>")
    print(f"generated {lines:,} {args.format} lines ({len(data) / 2**20:.0f} MiB): {facts}", file=sys.stderr)
    filename = f"bench.{'csv' if args.format == 'csv' else 'xml'}"
    seconds, base, ours, theirs = alternate(args.rounds, lambda: baseline(args.engine, data, args.format),
                                            lambda: project(args.engine, inv, data, filename, lines), "import")
    same_totals("import (lines, line öre, allowance and charge öre)", ours, theirs)
    print(f"import: median {seconds:.2f} s ({lines / seconds:,.0f} lines/s), baseline {base:.2f} s; "
          f"{ours[0]:,} lines, {ours[1] / 100:,.2f} SEK, allowances and charges {ours[2] / 100:,.2f} SEK "
          "on both sides", file=sys.stderr)
    report(f"import_{args.format}", args.engine, lines, seconds, base, rounds=args.rounds,
           lines_per_second=round(lines / seconds), baseline_lines_per_second=round(lines / base), **facts)


if __name__ == "__main__":
    main()
