"""Operator invoice specifications (fakturaspecifikation) in CSV into ``ParsedInvoice``.

The columns are not in code: a *mapping* (``importers/mappings/<name>.toml``) binds the
headers of one operator's layout to the fields the importer knows, so supporting a new
operator is a new data file. ``generic.toml`` is the layout of INTERFACE.md.

Swedish conventions are the default: ``;`` between fields (``,`` or tab only when the header
has no ``;``), decimal comma, spaces or no-break spaces between thousands, UTF-8 with or
without BOM, or Windows-1252 from older Excel exports (detected, or given as ``encoding``).

Each distinct Fakturanummer becomes one invoice. A CSV file states no totals of its own, so
the net total is the sum of the lines and the VAT is computed per line (net × Momssats / 100,
rounded half up to whole öre) and summed. Any error means no invoices for the file; all row
errors are collected (up to ``MAX_ERRORS``) with the physical line number (the header is
line 1) and the column name, so the whole file can be corrected in one go.

Rows are streamed: a million-line file holds only the parsed lines, never the raw text as
a list, and repeated values (dates, numbers, texts) share one object. There is one reading
path: ``iter_rows`` streams the rows, and ``parse_csv`` is that stream collected.

The parts: ``mapping`` (column layouts), ``encoding`` (which text encoding), ``cells`` (each
kind of cell, and cached columns), ``rows`` (one row's cells into values), ``reader`` (the
file: header, then rows) and ``invoices`` (rows into ``ParsedInvoice``).
"""

from __future__ import annotations

from importers.csv_spec.encoding import detect_encoding
from importers.csv_spec.invoices import collect_invoices, parse_csv
from importers.csv_spec.mapping import (
    DEFAULT_MAPPING,
    FIELDS,
    MAPPINGS_DIR,
    ColumnSpec,
    CsvMapping,
    MappingError,
    load_mapping,
    load_mapping_file,
)
from importers.csv_spec.reader import CsvReader, CsvRow, iter_rows
from importers.problems import MAX_ERRORS

__all__ = [
    "DEFAULT_MAPPING",
    "FIELDS",
    "MAPPINGS_DIR",
    "MAX_ERRORS",
    "ColumnSpec",
    "CsvMapping",
    "CsvReader",
    "CsvRow",
    "MappingError",
    "collect_invoices",
    "detect_encoding",
    "iter_rows",
    "load_mapping",
    "load_mapping_file",
    "parse_csv",
]
