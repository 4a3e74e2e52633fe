"""Invoice importers: bytes in, ``ParsedInvoice`` records (or errors) out.

This package knows file formats and nothing else: no Flask, no database, no ledger rules.
``parse_file`` is the one entry point the ledger needs; it detects the format and hands the
bytes to the PEPPOL parser (``peppol``) or the operator CSV reader (``csv_spec``).

Errors are values, not exceptions: a ``ParseResult`` holds the invoices of a file, or the
errors that explain why there are none, each naming the file, line or XML path, and field.
"""

from __future__ import annotations

from datetime import date

from importers.csv_spec import (
    DEFAULT_MAPPING,
    CsvMapping,
    CsvRow,
    MappingError,
    iter_rows,
    load_mapping,
    load_mapping_file,
    parse_csv,
)
from importers.model import (
    AllowanceCharge,
    ParsedInvoice,
    ParsedLine,
    ParseError,
    ParseResult,
    SupplierRef,
    gc_paused,
)
from importers.numbers import AmountError, normalise_amount, normalise_organisation_number
from importers.peppol import DEFAULT_MAX_BYTES, parse_peppol
from importers.problems import file_too_large
from importers.text import N_, Message
from importers.xmlsafe import sniff_xml

__all__ = [
    "DEFAULT_MAPPING",
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "AllowanceCharge",
    "AmountError",
    "CsvMapping",
    "CsvRow",
    "MappingError",
    "ParseError",
    "ParseResult",
    "ParsedInvoice",
    "ParsedLine",
    "SupplierRef",
    "detect_format",
    "iter_rows",
    "load_mapping",
    "load_mapping_file",
    "normalise_amount",
    "normalise_organisation_number",
    "parse_csv",
    "parse_file",
    "parse_peppol",
]

#: The values ``parse_file`` accepts for ``format``.
FORMATS = ("auto", "peppol", "csv")


def detect_format(data: bytes, filename: str) -> str:
    """``"peppol"`` for XML, ``"csv"`` for anything else.

    The content decides, not the name: the first character after any byte-order mark and
    blanks is ``<`` for XML. The file name only breaks the tie for an empty file. Any XML
    goes to the PEPPOL parser, which names the root element when it is not a UBL Invoice or
    CreditNote, a clearer answer than "unknown format".
    """
    if sniff_xml(data).is_xml:
        return "peppol"
    if not data.strip() and filename.lower().endswith(".xml"):
        return "peppol"
    return "csv"


def parse_file(
    data: bytes,
    filename: str,
    *,
    format: str = "auto",
    mapping: str = DEFAULT_MAPPING,
    supplier: str | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    today: date | None = None,
) -> ParseResult:
    """Parse one invoice file (PEPPOL XML or an operator's CSV specification).

    ``format`` is ``auto`` (detect), ``peppol`` or ``csv``. CSV options: ``mapping`` names a
    column layout in ``importers/mappings/``, ``supplier`` is the organisationsnummer when
    the file has no such column, ``encoding`` overrides detection, ``today`` anchors the
    date sanity check. ``max_bytes`` refuses larger files before reading them.
    """
    if format not in FORMATS:
        template = N_("unknown format %(format)s; use one of %(formats)s")
        unknown = Message.of(template, format=repr(format), formats=FORMATS)
        return ParseResult(errors=[ParseError.of(filename, None, None, "format", unknown)])
    if len(data) > max_bytes:
        return ParseResult(errors=[ParseError.of(filename, None, None, "file", file_too_large(len(data), max_bytes))])
    chosen = detect_format(data, filename) if format == "auto" else format
    with gc_paused():
        if chosen == "peppol":
            return parse_peppol(data, filename, max_bytes=max_bytes)
        return parse_csv(data, filename, mapping=mapping, supplier=supplier, encoding=encoding, today=today)
