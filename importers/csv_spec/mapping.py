"""Column layouts (mappings): which header of an operator's file means which field.

A mapping is data, ``importers/mappings/<name>.toml``, so supporting a new operator's layout
is a new file, not new code. Loading one checks it whole; every mistake names the file.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from importers.numbers import ValueProblem
from importers.text import N_, Message

DEFAULT_MAPPING = "generic"
MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"

#: The fields a mapping may bind, and what each means.
FIELDS: dict[str, str] = {
    "supplier": "the supplier's organisationsnummer",
    "invoice_number": "the invoice number (fakturanummer); each distinct value is one invoice",
    "invoice_date": "the invoice date (fakturadatum)",
    "reference": "what the line is about: phone number, subscription id, extension or IMEI",
    "charge_type": "the operator's charge type (avgiftstyp)",
    "text": "the line text",
    "period_start": "service period start, inclusive (från)",
    "period_end": "service period end, inclusive (till)",
    "quantity": "number of units (antal)",
    "net_amount": "amount excluding VAT (belopp exkl. moms)",
    "vat_rate": "VAT percent (momssats)",
    "currency": "ISO 4217 currency code",
    "item_code": "the operator's price-list code",
    "unit_price": "price per unit",
    "unit_code": "unit of measure",
}
#: The fields without which a row is not an invoice line.
_NEEDED = ("invoice_number", "invoice_date", "net_amount")
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class MappingError(ValueProblem):
    """A mapping file that cannot be used; the message names the file and the problem."""

    @classmethod
    def of(cls, template: str, /, **params: object) -> MappingError:
        return cls(Message.of(template, **params))


def normalise_header(text: str) -> str:
    """Header cells compare without case, surrounding blanks or doubled/no-break spaces."""
    return " ".join(text.replace("\ufeff", "").replace("\u00a0", " ").split()).casefold()


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One field's column: its canonical header (used in messages) and accepted aliases."""

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True, slots=True)
class CsvMapping:
    """A column layout, loaded from a TOML data file (see ``mappings/generic.toml``)."""

    name: str
    description: str
    delimiter: str
    columns: tuple[ColumnSpec, ...]
    date_formats: tuple[str, ...] = ("iso",)
    default_vat_rate: Decimal = Decimal(25)
    default_currency: str = "SEK"
    encoding: str | None = None

    def column(self, field: str) -> ColumnSpec | None:
        """The column bound to ``field``, if the mapping has one."""
        for spec in self.columns:
            if spec.field == field:
                return spec
        return None

    def header_for(self, field: str) -> str:
        """The column name to show a user for ``field``."""
        spec = self.column(field)
        return spec.header if spec else field

    def lookup(self) -> dict[str, ColumnSpec]:
        """Normalised header or alias → column."""
        table: dict[str, ColumnSpec] = {}
        for spec in self.columns:
            for name in (spec.header, *spec.aliases):
                table[normalise_header(name)] = spec
        return table


def mapping_from_dict(raw: dict[str, Any], origin: str) -> CsvMapping:
    """Validate a parsed TOML mapping; every mistake names the file (``origin``)."""
    columns = _columns(raw.get("columns"), origin)
    return CsvMapping(
        name=str(raw.get("name", origin)),
        description=str(raw.get("description", "")),
        delimiter=_delimiter(raw, origin),
        columns=columns,
        date_formats=_date_formats(raw, origin),
        default_vat_rate=_default_vat_rate(raw, origin),
        default_currency=str(raw.get("default_currency", "SEK")),
        encoding=_encoding(raw, origin),
    )


def _columns(columns_raw: object, origin: str) -> tuple[ColumnSpec, ...]:
    if not isinstance(columns_raw, dict) or not columns_raw:
        raise MappingError.of(N_("%(origin)s: no [columns.*] tables"), origin=origin)
    columns: list[ColumnSpec] = []
    claimed: dict[str, str] = {}  # normalised header -> field
    for field, spec in columns_raw.items():
        column = _column(field, spec, origin)
        _claim_headers(column, claimed, origin)
        columns.append(column)
    for needed in _NEEDED:
        if needed not in columns_raw:
            raise MappingError.of(N_("%(origin)s: the mapping must bind %(field)s"), origin=origin, field=needed)
    return tuple(columns)


def _column(field: str, spec: object, origin: str) -> ColumnSpec:
    if field not in FIELDS:
        raise MappingError.of(N_("%(origin)s: unknown field %(field)s; known fields: %(known)s"), origin=origin,
                              field=repr(field), known=", ".join(FIELDS))
    if not isinstance(spec, dict) or not isinstance(spec.get("header"), str):
        raise MappingError.of(N_('%(origin)s: [columns.%(field)s] needs header = "..."'), origin=origin, field=field)
    aliases = spec.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise MappingError.of(N_("%(origin)s: [columns.%(field)s] aliases must be a list of strings"), origin=origin,
                              field=field)
    return ColumnSpec(field, spec["header"], tuple(aliases), bool(spec.get("required", False)))


def _claim_headers(column: ColumnSpec, claimed: dict[str, str], origin: str) -> None:
    """Give the column's header and aliases to its field; one header cannot mean two fields."""
    for name in (column.header, *column.aliases):
        key = normalise_header(name)
        if key in claimed and claimed[key] != column.field:
            raise MappingError.of(N_("%(origin)s: header %(header)s is bound to both %(first)s and %(second)s"),
                                  origin=origin, header=repr(name), first=claimed[key], second=column.field)
        claimed[key] = column.field


def _delimiter(raw: dict[str, Any], origin: str) -> str:
    delimiter = raw.get("delimiter", ";")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise MappingError.of(N_("%(origin)s: delimiter must be one character"), origin=origin)
    return delimiter


def _date_formats(raw: dict[str, Any], origin: str) -> tuple[str, ...]:
    date_formats = raw.get("date_formats", ["iso"])
    if not isinstance(date_formats, list) or not date_formats:
        raise MappingError.of(N_("%(origin)s: date_formats must be a non-empty list"), origin=origin)
    return tuple(str(f) for f in date_formats)


def _default_vat_rate(raw: dict[str, Any], origin: str) -> Decimal:
    try:
        return Decimal(str(raw.get("default_vat_rate", "25")))
    except InvalidOperation:
        raise MappingError.of(N_("%(origin)s: default_vat_rate is not a number"), origin=origin) from None


def _encoding(raw: dict[str, Any], origin: str) -> str | None:
    encoding: str | None = raw.get("encoding")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise MappingError.of(N_("%(origin)s: unknown encoding %(encoding)s"), origin=origin,
                                  encoding=repr(encoding)) from None
    return encoding


def load_mapping_file(path: str | Path) -> CsvMapping:
    """Load a mapping from a TOML file anywhere (for tests and local experiments)."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MappingError.of(N_("%(origin)s: %(reason)s"), origin=path.name, reason=exc) from None
    return mapping_from_dict(raw, path.name)


@lru_cache(maxsize=32)
def load_mapping(name: str = DEFAULT_MAPPING) -> CsvMapping:
    """Load a mapping shipped in ``importers/mappings/`` by name (``generic``, ...).

    Only plain names are accepted, never paths, so a name from a web form cannot read other
    files.
    """
    if not _NAME_RE.fullmatch(name):
        raise MappingError.of(N_("%(name)s is not a mapping name"), name=repr(name))
    path = MAPPINGS_DIR / f"{name}.toml"
    if not path.is_file():
        known = sorted(p.stem for p in MAPPINGS_DIR.glob("*.toml"))
        raise MappingError.of(N_("no mapping called %(name)s; known: %(known)s"), name=repr(name),
                              known=", ".join(known))
    return load_mapping_file(path)
