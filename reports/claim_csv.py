"""A claim as CSV, for the supplier's system: one row per invoice line claimed, then the total.

For Swedish Excel by default (``;`` between fields, decimal comma, UTF-8 with a byte-order mark,
CR LF), or with ``separator=","`` a decimal point, as scripts expect. The headings are in the
claim's language; amounts and prices are plain numbers (no thousands separator, no currency),
so that a spreadsheet reads them as numbers. Text from data that would start a spreadsheet
formula is neutralised (``reports.spreadsheet``).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from reports.claim_data import ClaimDocument
from reports.spreadsheet import csv_text
from reports.text import Translations, language

__all__ = ["render_claim_csv"]


def _number(value: Decimal | None, sign: str, places: int | None = 2) -> str:
    if value is None:
        return ""
    text = f"{value:.{places}f}" if places is not None else f"{value.normalize():f}"
    return text.replace(".", sign) if sign != "." else text


def render_claim_csv(claim: ClaimDocument, language_code: str = "sv", translations: Translations | None = None, *,
                     separator: str = ";") -> bytes:
    """The claim's lines as CSV bytes (UTF-8 with BOM); the last row holds the total."""
    if separator not in (";", ","):
        raise ValueError(f"separator {separator!r}: use ';' or ','")
    lang = language(language_code, translations)
    _ = lang.gettext
    sign = "," if separator == ";" else "."
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([_("Claim"), _("Invoice"), _("Invoice date"), _("Line"), _("Reference"), _("Item code"),
                     _("Text"), _("Quantity"), _("Charged"), _("Contract price"), _("Excess")])
    for row in claim.rows:
        writer.writerow([csv_text(claim.reference), csv_text(row.invoice_number), row.invoice_date.isoformat(),
                         row.position, csv_text(row.reference), csv_text(row.item_code), csv_text(row.description),
                         _number(row.quantity, sign, None), _number(row.unit_price, sign, 4),
                         _number(row.contract_price, sign, 4), _number(row.excess, sign)])
    writer.writerow([csv_text(claim.reference), _("Total"), "", "", "", "", "", "", "", "",
                     _number(claim.total, sign)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
