"""SIE 4I export: a month's journal as a file the municipality's financial system imports.

SIE ("Standard Import Export", SIE-Gruppen, file format edition 4B of 2008-09-30) is the Swedish
exchange format for accounting data. This module renders it from plain report data; it runs no
queries and knows nothing of Flask or the database.

Choices, and why
----------------
* **Type 4I, not 4E.** 4E exports a whole ledger (opening balances, results, every voucher of
  the year); 4I carries only vouchers (verifikationer) that a subsidiary system, such as
  payroll, invoicing or this cost-allocation ledger, hands to the main ledger to book. Both say
  ``#SIETYP 4``; the spec tells them apart by use and by file name (``.SI`` for 4I). So there are
  no ``#IB``/``#UB``/``#RES`` records, and ``#KONTO`` is optional: we still declare every account
  used, so the receiver can show names and reject unknown accounts before booking.
* **``#VER "" ""``: empty series and number.** A 4I voucher is a booking order; the receiving
  system gives it its series and number when it books it (Bokföringslagen wants an unbroken
  sequence kept by the ledger of record). ``SieVoucher`` still has ``series``/``number`` for a
  receiver that asks for a given series.
* **``#FLAGGA 0``** says "not yet imported"; the importing program sets it to 1. That is also
  why the opening ``#KSUMMA`` comes right after ``#FLAGGA``: the flag is outside the checksum.
* **``#RAR 0`` always has both dates.** Some programs write ``#RAR 0`` with empty dates, and
  some readers crash on it; the fiscal year is known, so we write it.
* **``#KSUMMA``** (spec section "Kontrollsummering"): an empty ``#KSUMMA`` after ``#FLAGGA``
  starts the checksum, a ``#KSUMMA <value>`` as the last record ends it. The value is CRC-32
  (the common one: polynomial 0xEDB88320 reflected, preset 0xFFFFFFFF, final inversion, the
  same as ``zlib.crc32``) written as an unsigned decimal integer, computed over the CP437 bytes
  of every record between the two: its label and its field contents, without the whitespace
  between fields, without enclosing quotes and braces, without line ends; the ``{``/``}`` lines
  around a voucher's rows add nothing. That reading reproduces the value in Norstedts' public
  test file "Norstedts Bokslut SIE 4I.si" (1573150874) byte for byte; the tests check it. An
  escaped quote counts as the quote character alone (its value), an unverified but natural
  reading, and a case our texts rarely produce.
* **``#FORMAT PC8`` = code page 437.** Text is transliterated, never refused: characters CP437
  lacks become a close form (en dash to "-", curly apostrophe to "'", euro sign to "EUR", "ø"
  to "o", accents stripped through NFKD), and "?" only as the last resort. å, ä, ö, Å, Ä, Ö
  and é are in CP437 and are kept.
* **Quoting** (spec: fields with spaces must be quoted, a quote inside as ``\\"``): text
  fields are always quoted; codes, dates and amounts are bare unless they need quotes.
  Control characters are removed (tab and line breaks become a space), and a backslash becomes
  "/" because ``\\`` before a closing quote would read as an escaped quote and the spec has no
  escape for the backslash itself.
* **Amounts** have a point and two decimals (``-1234.50``); a value with fractions of an öre is
  refused rather than rounded, and every voucher must balance to exactly zero.
* **Deterministic:** accounts, dimensions and objects are sorted; vouchers and rows keep their
  given order; nothing depends on the clock. Lines end in CR LF.
"""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

__all__ = [
    "SieExport",
    "SieTransaction",
    "SieVoucher",
    "ksumma",
    "render_sie4i",
    "transliterate",
]

ENCODING = "cp437"  # what #FORMAT PC8 means
_ORE = Decimal("0.01")
_K = TypeVar("_K")


@dataclass(frozen=True)
class SieTransaction:
    """One row of a voucher (#TRANS): an account, its objects (dimension, code) and an amount."""

    account: str
    amount: Decimal
    objects: tuple[tuple[int, str], ...] = ()
    text: str = ""
    quantity: Decimal | None = None


@dataclass(frozen=True)
class SieVoucher:
    """A booking order (#VER); ``series``/``number`` stay empty so the receiver numbers it."""

    date: date
    text: str
    transactions: tuple[SieTransaction, ...]
    series: str = ""
    number: str = ""


@dataclass(frozen=True)
class SieExport:
    """Everything one SIE 4I file says: who sends it, for which company and year, and vouchers.

    ``dimensions`` maps SIE dimension numbers to names. Numbers 1-19 are reserved by the spec:
    1 is the cost centre ("Resultatenhet/Kostnadsställe", in Kommun-Bas the *ansvar*), 2 the
    cost unit, 6 the project, 7 the employee; 20 and up are free (e.g. *verksamhet*).
    ``generated_by`` is #GEN's signature; ``period_label`` goes to #PROSA, the free-text note.
    """

    company_name: str
    organisation_number: str
    program_name: str
    program_version: str
    generated_on: date
    fiscal_year_start: date
    fiscal_year_end: date
    accounts: Mapping[str, str]
    dimensions: Mapping[int, str]
    objects: Mapping[tuple[int, str], str]
    vouchers: Sequence[SieVoucher]
    generated_by: str = ""
    period_label: str = ""


# ---------------------------------------------------------------------------------------------
# Text: transliteration to CP437 and quoting

# Characters CP437 lacks that have a better stand-in than what NFKD gives (often nothing).
_REPLACEMENTS: Mapping[str, str] = {
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2026": "...", "\u2022": "*", "\u00b7": ".",
    "\u20ac": "EUR", "\u2122": "(TM)", "\u00a9": "(c)", "\u00ae": "(R)", "\u00d7": "x",
    "\u00f8": "o", "\u00d8": "O", "\u0142": "l", "\u0141": "L", "\u0111": "d", "\u0110": "D",
    "\u00fe": "th", "\u00de": "Th", "\u00f0": "d", "\u00d0": "D", "\u0153": "oe", "\u0152": "OE",
    "\u00a0": " ",  # CP437 has no-break space, but the receiver would not show it as a space
}  # fmt: skip


def _encodable(ch: str) -> bool:
    try:
        ch.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def _transliterate_char(ch: str) -> str:
    category = unicodedata.category(ch)
    if category == "Cc":  # control characters: line breaks and tabs read as a space
        return " " if ch in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x85" else ""
    if ch in _REPLACEMENTS:
        return _REPLACEMENTS[ch]
    if _encodable(ch):
        return ch
    return _stand_in(ch, category)


def _stand_in(ch: str, category: str) -> str:
    """What to write for a character CP437 lacks and ``_REPLACEMENTS`` does not name."""
    if category == "Cf":  # invisible format characters: zero-width space, soft hyphen, BOM
        return ""
    if category == "Zs" or ch in "\u2028\u2029":
        return " "
    # Decompose (é -> e + accent, ﬁ -> fi) and keep what CP437 can show.
    decomposed = "".join(
        part
        for part in unicodedata.normalize("NFKD", ch)
        if not unicodedata.combining(part) and _encodable(part) and part.isprintable()
    )
    return decomposed or "?"


def transliterate(text: str) -> str:
    """``text`` as CP437 can carry it: kept where it can, a close form where not, never an error.

    Also drops control characters (tabs and line breaks become a space) and turns a backslash
    into "/" (see the module docstring), so the result is safe inside a quoted SIE field.
    """
    if text.isascii() and text.isprintable() and "\\" not in text:
        return text  # the common case, at no cost
    return "".join(_transliterate_char(ch) for ch in text).replace("\\", "/")


@dataclass(frozen=True)
class _Field:
    """A field as written (``text``) and what the checksum sees of it (``content``)."""

    text: str
    content: str


def _quoted(value: str) -> _Field:
    clean = transliterate(value)
    return _Field('"' + clean.replace('"', '\\"') + '"', clean)


def _bare(value: str) -> _Field:
    """A code, date or number: unquoted unless it is empty or has a space, quote or brace."""
    clean = transliterate(value)
    if clean and not any(ch in clean for ch in ' "{}'):
        return _Field(clean, clean)
    return _quoted(clean)


def _object_list(objects: Sequence[tuple[int, str]]) -> _Field:
    """``{1 "1100" 20 "420"}``: codes always quoted, so "0015" keeps its zeros everywhere."""
    pairs = [(str(dim), _quoted(code)) for dim, code in sorted(objects)]
    text = " ".join(f"{dim} {code.text}" for dim, code in pairs)
    return _Field("{" + text + "}", "".join(dim + code.content for dim, code in pairs))


# ---------------------------------------------------------------------------------------------
# Numbers and dates


def _sie_date(value: date) -> str:
    return value.strftime("%Y%m%d")


def _check_finite(value: Decimal, where: str, what: str) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{where}: {what} {value!r} is not a finite Decimal")


def _amount(value: Decimal, where: str) -> str:
    """``-1234.50``: a point, two decimals, no grouping; refuses floats and part-öre values."""
    _check_finite(value, where, "amount")
    rounded = value.quantize(_ORE)
    if rounded != value:
        raise ValueError(f"{where}: amount {value} has fractions of an öre")
    return f"{abs(rounded) if rounded == 0 else rounded:.2f}"  # never "-0.00"


def _quantity(value: Decimal, where: str) -> str:
    _check_finite(value, where, "quantity")
    return f"{abs(value) if value == 0 else value:f}"


def _is_digits(text: str) -> bool:
    """0-9 only: ``str.isdigit`` also accepts "٣" and "²", which CP437 cannot carry as digits."""
    return text.isascii() and text.isdigit()


def _organisation_number(value: str) -> str:
    """``NNNNNN-NNNN`` as the spec writes it; a 12-digit form loses its century digits."""
    digits = "".join(ch for ch in value if _is_digits(ch))
    if len(digits) not in (10, 12):
        raise ValueError(f"organisation number {value!r} has not 10 (or 12) digits")
    digits = digits[-10:]
    return f"{digits[:6]}-{digits[6:]}"


# ---------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class _Line:
    """One line of the file; ``checksummed`` is False for the voucher braces and #KSUMMA."""

    label: str
    fields: tuple[_Field, ...] = ()
    checksummed: bool = True

    @property
    def text(self) -> str:
        return " ".join([self.label, *(f.text for f in self.fields)])


def _record(label: str, *fields: _Field) -> _Line:
    return _Line(label, fields)


def _voucher_name(index: int, voucher: SieVoucher) -> str:
    """``voucher 3 A 12 (2025-03-31 'Telefoni mars')``: the position, and what a person sees."""
    numbered = "".join(f" {part}" for part in (voucher.series, voucher.number) if part)
    return f"voucher {index}{numbered} ({voucher.date.isoformat()} {voucher.text!r})"


def _check_voucher(index: int, voucher: SieVoucher, export: SieExport) -> None:
    name = _voucher_name(index, voucher)
    if not voucher.transactions:
        raise ValueError(f"{name} has no transactions")
    if not export.fiscal_year_start <= voucher.date <= export.fiscal_year_end:
        raise ValueError(f"{name} is dated outside the fiscal year")
    for row, trans in enumerate(voucher.transactions, start=1):
        _check_transaction(trans, f"{name}, row {row}")
    total = sum((trans.amount for trans in voucher.transactions), Decimal(0))
    if total != 0:
        raise ValueError(f"{name} does not balance: the rows sum to {total}, not 0")


def _check_transaction(trans: SieTransaction, where: str) -> None:
    if not _is_digits(trans.account):  # the spec's kontonr is numeric
        raise ValueError(f"{where}: account {trans.account!r} is not numeric")
    dims = [dim for dim, _code in trans.objects]
    if len(set(dims)) != len(dims):
        raise ValueError(f"{where}: a dimension appears twice in {trans.objects}")
    for dim, code in trans.objects:
        if dim < 1 or not transliterate(code):
            raise ValueError(f"{where}: bad object {(dim, code)!r}")
    _amount(trans.amount, where)


def _voucher_lines(index: int, voucher: SieVoucher) -> list[_Line]:
    name = _voucher_name(index, voucher)
    lines = [
        _record(
            "#VER",
            _quoted(voucher.series),
            _quoted(voucher.number),
            _bare(_sie_date(voucher.date)),
            _quoted(voucher.text),
        ),
        _Line("{", checksummed=False),
    ]
    for row, trans in enumerate(voucher.transactions, start=1):
        fields = [
            _bare(trans.account),
            _object_list(trans.objects),
            _bare(_amount(trans.amount, f"{name}, row {row}")),
            _quoted(""),  # transdat: the voucher's date applies
            _quoted(trans.text),
        ]
        if trans.quantity is not None:
            fields.append(_bare(_quantity(trans.quantity, f"{name}, row {row}")))
        lines.append(_record("#TRANS", *fields))
    lines.append(_Line("}", checksummed=False))
    return lines


def _lookup(names: Mapping[_K, str], key: _K, what: str) -> str:
    try:
        return names[key]
    except KeyError:
        raise ValueError(f"{what} {key!r} is used in a voucher but has no name") from None


def _account_key(account: str) -> tuple[int, str]:
    return (len(account), account)  # numeric order for digit strings of any length


def _declaration_lines(export: SieExport) -> list[_Line]:
    """#KONTO, #DIM and #OBJEKT for exactly what the vouchers use, sorted."""
    rows = [trans for voucher in export.vouchers for trans in voucher.transactions]
    accounts = sorted({trans.account for trans in rows}, key=_account_key)
    objects = sorted({obj for trans in rows for obj in trans.objects})
    dimensions = sorted({dim for dim, _code in objects})
    lines = [
        _record("#KONTO", _bare(acc), _quoted(_lookup(export.accounts, acc, "account"))) for acc in accounts
    ]
    lines += [
        _record("#DIM", _bare(str(dim)), _quoted(_lookup(export.dimensions, dim, "dimension")))
        for dim in dimensions
    ]
    return lines + _object_lines(export, objects)


def _object_lines(export: SieExport, objects: Sequence[tuple[int, str]]) -> list[_Line]:
    """#OBJEKT for each (dimension, code), refusing two codes that read the same in CP437."""
    lines: list[_Line] = []
    seen: set[tuple[int, str]] = set()
    for dim, code in objects:
        if (dim, transliterate(code)) in seen:
            raise ValueError(f"object codes in dimension {dim} collide as {transliterate(code)!r}")
        seen.add((dim, transliterate(code)))
        name = _lookup(export.objects, (dim, code), "object")
        lines.append(_record("#OBJEKT", _bare(str(dim)), _quoted(code), _quoted(name)))
    return lines


def _check_header(export: SieExport) -> None:
    if not transliterate(export.company_name).strip():
        raise ValueError("company name (#FNAMN) is empty")
    if not export.program_name.strip() or not export.program_version.strip():
        raise ValueError("program name and version (#PROGRAM) are required")
    if export.fiscal_year_start > export.fiscal_year_end:
        raise ValueError("the fiscal year ends before it starts")


def _header_lines(export: SieExport) -> list[_Line]:
    _check_header(export)
    gen = [_bare(_sie_date(export.generated_on))]
    if export.generated_by:
        gen.append(_quoted(export.generated_by))
    lines = [
        _record("#PROGRAM", _quoted(export.program_name), _bare(export.program_version)),
        _record("#FORMAT", _bare("PC8")),
        _record("#GEN", *gen),
        _record("#SIETYP", _bare("4")),
    ]
    if export.period_label:
        lines.append(_record("#PROSA", _quoted(export.period_label)))
    lines += [
        _record("#FNAMN", _quoted(export.company_name)),
        _record("#ORGNR", _bare(_organisation_number(export.organisation_number))),
        _record(
            "#RAR",
            _bare("0"),
            _bare(_sie_date(export.fiscal_year_start)),
            _bare(_sie_date(export.fiscal_year_end)),
        ),
    ]
    return lines


def ksumma(records: Iterable[tuple[str, Sequence[str]]], encoding: str = ENCODING) -> int:
    """The #KSUMMA value of records given as (label, field contents), in file order.

    Pass the records between the opening and the closing #KSUMMA, without the ``{``/``}``
    lines; a field's content is its value without quotes, and an object list's content is its
    dimension numbers and codes run together (``{1 "100"}`` -> ``"1100"``).
    """
    crc = 0
    for label, contents in records:
        crc = zlib.crc32("".join([label, *contents]).encode(encoding), crc)
    return crc


def render_sie4i(export: SieExport) -> bytes:
    """The export as SIE 4I bytes (CP437, CR LF, with #KSUMMA); ValueError names what is wrong."""
    for index, voucher in enumerate(export.vouchers, start=1):
        _check_voucher(index, voucher, export)
    body = _header_lines(export) + _declaration_lines(export)
    for index, voucher in enumerate(export.vouchers, start=1):
        body += _voucher_lines(index, voucher)
    checksum = ksumma((line.label, [f.content for f in line.fields]) for line in body if line.checksummed)
    lines = [
        _record("#FLAGGA", _bare("0")),
        _Line("#KSUMMA", checksummed=False),
        *body,
        _Line("#KSUMMA", (_bare(str(checksum)),), checksummed=False),
    ]
    return "".join(line.text + "\r\n" for line in lines).encode(ENCODING)
