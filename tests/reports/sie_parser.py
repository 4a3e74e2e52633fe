"""A strict SIE 4 reader for tests, written from the spec (SIE file format 4B, 2008-09-30).

It shares no code with ``reports.sie``: the renderer's output is checked by a second,
independent reading of the spec. Problems come back as values (``ParsedSie.issues``), each with
its line, a stable code and a message, so one run reports a whole file (as beancount does).

Strict means: unknown labels, bad quoting, unbalanced vouchers, malformed amounts and dates,
empty ``#RAR`` dates, a wrong ``#KSUMMA`` and text that is not really CP437 are errors. What
the spec lets a reader ignore (fields after the last known one), and what is legal but
suspicious (an account used but missing from a partial ``#KONTO`` list, an object used but not
declared, ``#FLAGGA 1``), are warnings.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

ERROR = "error"
WARNING = "warning"

# Label -> (fewest fields, most fields the spec defines, positions of object lists).
_SCHEMA: dict[str, tuple[int, int, tuple[int, ...]]] = {
    "#ADRESS": (0, 4, ()),
    "#BKOD": (1, 1, ()),
    "#BTRANS": (3, 7, (1,)),
    "#DIM": (2, 2, ()),
    "#ENHET": (2, 2, ()),
    "#FLAGGA": (1, 1, ()),
    "#FNAMN": (1, 1, ()),
    "#FNR": (1, 1, ()),
    "#FORMAT": (1, 1, ()),
    "#FTYP": (1, 1, ()),
    "#GEN": (1, 2, ()),
    "#IB": (3, 4, ()),
    "#KONTO": (2, 2, ()),
    "#KPTYP": (1, 1, ()),
    "#KSUMMA": (0, 1, ()),
    "#KTYP": (2, 2, ()),
    "#OBJEKT": (3, 3, ()),
    "#OIB": (4, 5, (2,)),
    "#OMFATTN": (1, 1, ()),
    "#ORGNR": (1, 3, ()),
    "#OUB": (4, 5, (2,)),
    "#PBUDGET": (5, 6, (3,)),
    "#PROGRAM": (2, 2, ()),
    "#PROSA": (1, 1, ()),
    "#PSALDO": (5, 6, (3,)),
    "#RAR": (1, 3, ()),  # fewer than 3 is reported as missing dates, not as a field count
    "#RES": (3, 4, ()),
    "#RTRANS": (3, 7, (1,)),
    "#SIETYP": (1, 1, ()),
    "#SRU": (2, 2, ()),
    "#TAXAR": (1, 1, ()),
    "#TRANS": (3, 7, (1,)),
    "#UB": (3, 4, ()),
    "#UNDERDIM": (3, 3, ()),
    "#VALUTA": (1, 1, ()),
    "#VER": (3, 6, ()),
}
# Records a file has at most once, and those every SIE 4 file must have.
_SINGLE = frozenset(
    {
        "#FLAGGA", "#PROGRAM", "#FORMAT", "#GEN", "#SIETYP", "#PROSA", "#FTYP", "#FNR",
        "#ORGNR", "#BKOD", "#ADRESS", "#FNAMN", "#TAXAR", "#OMFATTN", "#KPTYP", "#VALUTA",
    }
)  # fmt: skip
_MANDATORY = ("#FLAGGA", "#PROGRAM", "#FORMAT", "#GEN", "#SIETYP", "#FNAMN")
# Dimensions the spec reserves (1 cost centre, 2 cost unit, 6 project, 7 employee, ...).
_RESERVED_DIMENSIONS = range(1, 20)

# [0-9], not \d: \d also matches Arabic-Indic and other Unicode digits.
_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")
_QUANTITY = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_ORGNR = re.compile(r"[0-9]{6}-[0-9]{4}")
_DIGITS = re.compile(r"[0-9]+")
_LABEL = re.compile(r"#[A-Z0-9]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(frozen=True)
class Issue:
    """One problem: ``line`` is 1-based (0 for the whole file); ``code`` is stable for tests."""

    severity: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity} at line {self.line} [{self.code}]: {self.message}"


@dataclass(frozen=True)
class Token:
    """A plain field: ``value`` without quotes and with ``\\"`` read as ``"``."""

    value: str
    quoted: bool


@dataclass(frozen=True)
class ObjectList:
    """``{1 "100" 6 "P1"}`` as ((dimension, object code), ...), dimension still text."""

    pairs: tuple[tuple[str, str], ...]


FieldValue = Token | ObjectList


@dataclass(frozen=True)
class Record:
    line: int
    label: str
    fields: tuple[FieldValue, ...]

    def checksum_text(self) -> str:
        """Label and field contents with no separators, quotes or braces (spec, #KSUMMA)."""
        parts = [self.label]
        for item in self.fields:
            if isinstance(item, ObjectList):
                parts += [dim + code for dim, code in item.pairs]
            else:
                parts.append(item.value)
        return "".join(parts)


@dataclass(frozen=True)
class ParsedTransaction:
    line: int
    kind: str  # "#TRANS", or "#RTRANS"/"#BTRANS" (rows added/struck after registration)
    account: str
    objects: tuple[tuple[int, str], ...]
    amount: Decimal
    date: date | None
    text: str
    quantity: Decimal | None


@dataclass
class ParsedVoucher:
    line: int
    series: str
    number: str
    date: date | None
    text: str
    transactions: list[ParsedTransaction] = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        """Sum of the #TRANS rows (an #RTRANS is repeated as a #TRANS; #BTRANS is struck)."""
        rows = (t.amount for t in self.transactions if t.kind == "#TRANS")
        return sum(rows, Decimal(0))

    @property
    def name(self) -> str:
        numbered = " ".join(part for part in (self.series, self.number) if part)
        return f"voucher {numbered or '(unnumbered)'} at line {self.line}"


@dataclass
class ParsedSie:
    encoding: str
    line_ending: str = "none"  # "CRLF", "LF", "mixed" or "none"
    records: list[Record] = field(default_factory=list)
    header: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fiscal_years: dict[int, tuple[date | None, date | None]] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    dimensions: dict[int, str] = field(default_factory=dict)
    objects: dict[tuple[int, str], str] = field(default_factory=dict)
    vouchers: list[ParsedVoucher] = field(default_factory=list)
    ksumma_declared: int | None = None
    ksumma_computed: int | None = None
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == WARNING]

    def codes(self, severity: str = ERROR) -> set[str]:
        return {i.code for i in self.issues if i.severity == severity}

    @property
    def ksumma_ok(self) -> bool:
        return self.ksumma_declared is not None and self.ksumma_declared == self.ksumma_computed

    def value(self, label: str, index: int = 0) -> str | None:
        """Field ``index`` of a header record (#FNAMN, #PROGRAM, ...), None when absent."""
        values = self.header.get(label, ())
        return values[index] if index < len(values) else None


# ---------------------------------------------------------------------------------------------
# Tokenising one line


class _TokenError(Exception):
    pass


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """The value of the quoted field opening at ``start`` and the index after it."""
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and text[i + 1 : i + 2] == '"':
            chars.append('"')
            i += 2
        elif ch == '"':
            end = i + 1
            if end < len(text) and text[end] not in " \t}":
                raise _TokenError(f"text right after a closing quote at column {end + 1}")
            return "".join(chars), end
        else:
            chars.append(ch)
            i += 1
    raise _TokenError(f"quote opened at column {start + 1} is never closed")


def _read_bare(text: str, start: int, stops: str) -> tuple[str, int]:
    i = start
    while i < len(text) and text[i] not in stops:
        if text[i] in '"{}':
            raise _TokenError(f"{text[i]!r} inside an unquoted field at column {i + 1}")
        i += 1
    return text[start:i], i


def _tokens(text: str, start: int, stop: str) -> tuple[list[Token], int]:
    """Fields from ``start`` up to ``stop`` ("" = end of line, "}" = end of an object list)."""
    found: list[Token] = []
    i = start
    while True:
        while i < len(text) and text[i] in " \t":
            i += 1
        if i >= len(text):
            if stop:
                raise _TokenError("object list is never closed with '}'")
            return found, i
        if stop and text[i] == stop:
            return found, i + 1
        if text[i] == '"':
            value, i = _read_quoted(text, i)
            found.append(Token(value, quoted=True))
        elif text[i] == "}":
            raise _TokenError(f"'}}' without '{{' at column {i + 1}")
        elif text[i] == "{" and not stop:
            return found, i
        else:
            value, i = _read_bare(text, i, " \t}" if stop else " \t")
            found.append(Token(value, quoted=False))


def tokenize(text: str) -> list[FieldValue]:
    """The fields after a label; raises ``_TokenError`` with the reason."""
    fields: list[FieldValue] = []
    i = 0
    while i < len(text):
        plain, i = _tokens(text, i, "")
        fields += plain
        if i < len(text):  # at "{"
            inner, i = _tokens(text, i + 1, "}")
            if len(inner) % 2:
                raise _TokenError("object list has a dimension without an object")
            values = [t.value for t in inner]
            fields.append(ObjectList(tuple(zip(values[::2], values[1::2], strict=True))))
            if i < len(text) and text[i] not in " \t":
                raise _TokenError(f"text right after '}}' at column {i + 1}")
    return fields


# ---------------------------------------------------------------------------------------------
# Field values


def _date(value: str) -> date | None:
    if not re.fullmatch(r"[0-9]{8}", value):
        return None
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None


def _int(value: str) -> int | None:
    return int(value) if re.fullmatch(r"-?[0-9]+", value) else None


# ---------------------------------------------------------------------------------------------
# The reader


@dataclass
class _State:
    result: ParsedSie
    encoding: str
    voucher: ParsedVoucher | None = None
    awaiting_block: bool = False
    in_block: bool = False
    ksumma_open: bool = False
    ksumma_closed: bool = False
    crc: int = 0
    first_record: bool = True
    seen: set[str] = field(default_factory=set)

    def issue(self, severity: str, line: int, code: str, message: str) -> None:
        self.result.issues.append(Issue(severity, line, code, message))

    def error(self, line: int, code: str, message: str) -> None:
        self.issue(ERROR, line, code, message)

    def warn(self, line: int, code: str, message: str) -> None:
        self.issue(WARNING, line, code, message)


def _values(record: Record) -> list[str]:
    return [f.value for f in record.fields if isinstance(f, Token)]


def _check_shape(state: _State, record: Record) -> bool:
    """Field count and object-list positions; False when the record is unusable."""
    fewest, most, object_positions = _SCHEMA[record.label]
    count = len(record.fields)
    if count < fewest:
        state.error(record.line, "field_count", f"{record.label} needs {fewest} fields, has {count}")
        return False
    if count > most:
        state.warn(
            record.line,
            "extra_fields",
            f"{record.label} has {count} fields, the spec defines {most}; the rest is ignored"
            f" (unquoted text with spaces?)",
        )
    for position, item in enumerate(record.fields[:most]):
        wanted = position in object_positions
        if wanted != isinstance(item, ObjectList):
            what = "an object list" if wanted else "a plain field"
            state.error(record.line, "object_list", f"{record.label} field {position + 1} must be {what}")
            return False
    return True


def _objects(state: _State, record: Record, item: FieldValue) -> tuple[tuple[int, str], ...]:
    assert isinstance(item, ObjectList)
    pairs: list[tuple[int, str]] = []
    for dim_text, code in item.pairs:
        dim = _int(dim_text)
        if dim is None or dim < 1:
            state.error(record.line, "bad_dimension", f"dimension {dim_text!r} is not a number")
            continue
        if not code:
            state.error(record.line, "bad_object", f"empty object code in dimension {dim}")
        pairs.append((dim, code))
    dims = [dim for dim, _ in pairs]
    if len(set(dims)) != len(dims):
        state.error(record.line, "bad_object", "a dimension appears twice in one object list")
    return tuple(pairs)


def _amount(state: _State, record: Record, value: str) -> Decimal:
    if not _AMOUNT.fullmatch(value):
        state.error(record.line, "bad_amount", f"{value!r} is not an amount like -1234.50")
        return Decimal(0)
    return Decimal(value)


def _required_date(state: _State, record: Record, value: str, what: str) -> date | None:
    parsed = _date(value)
    if parsed is None:
        state.error(record.line, "bad_date", f"{record.label} {what} {value!r} is not YYYYMMDD")
    return parsed


def _optional_date(state: _State, record: Record, value: str, what: str) -> date | None:
    return _required_date(state, record, value, what) if value else None


def _on_flagga(state: _State, record: Record, values: list[str]) -> None:
    if values[0] not in ("0", "1"):
        state.error(record.line, "bad_flag", f"#FLAGGA is {values[0]!r}, not 0 or 1")
    elif values[0] == "1":
        state.warn(record.line, "already_imported", "#FLAGGA 1: the file was already imported")


def _on_format(state: _State, record: Record, values: list[str]) -> None:
    if values[0] != "PC8":
        state.error(record.line, "format_not_pc8", f"#FORMAT is {values[0]!r}; SIE 4 uses PC8")
    elif state.encoding.replace("-", "").lower() not in ("cp437", "ibm437", "437"):
        state.warn(
            record.line,
            "declared_pc8",
            f"#FORMAT PC8 (CP437) but the file was read as {state.encoding}",
        )


def _on_sietyp(state: _State, record: Record, values: list[str]) -> None:
    if values[0] not in ("1", "2", "3", "4"):
        state.error(record.line, "bad_sie_type", f"#SIETYP {values[0]!r} is not 1-4")


def _on_gen(state: _State, record: Record, values: list[str]) -> None:
    _required_date(state, record, values[0], "date")


def _on_orgnr(state: _State, record: Record, values: list[str]) -> None:
    if not _ORGNR.fullmatch(values[0]):
        state.warn(record.line, "orgnr_format", f"#ORGNR {values[0]!r} is not NNNNNN-NNNN")


def _on_rar(state: _State, record: Record, values: list[str]) -> None:
    year = _int(values[0])
    if year is None or year > 0:
        state.error(record.line, "bad_year", f"#RAR year {values[0]!r} is not 0 or negative")
        return
    if len(values) < 3 or not values[1] or not values[2]:
        state.error(record.line, "rar_missing_dates", f"#RAR {year} lacks its start or end date")
        state.result.fiscal_years[year] = (None, None)
        return
    start = _required_date(state, record, values[1], "start")
    end = _required_date(state, record, values[2], "end")
    if start and end and start > end:
        state.error(record.line, "bad_date", f"#RAR {year} ends before it starts")
    if year in state.result.fiscal_years:
        state.error(record.line, "duplicate_record", f"#RAR {year} appears twice")
    state.result.fiscal_years[year] = (start, end)


def _on_konto(state: _State, record: Record, values: list[str]) -> None:
    account, name = values[0], values[1]
    if not _DIGITS.fullmatch(account):
        state.error(record.line, "bad_account", f"account {account!r} is not numeric")
    if account in state.result.accounts:
        state.warn(record.line, "duplicate_record", f"#KONTO {account} appears twice")
    state.result.accounts[account] = name


def _on_dim(state: _State, record: Record, values: list[str]) -> None:
    dim = _int(values[0])
    if dim is None or dim < 1:
        state.error(record.line, "bad_dimension", f"dimension {values[0]!r} is not a number")
        return
    if record.label == "#UNDERDIM" and _int(values[2]) is None:
        state.error(record.line, "bad_dimension", f"superdimension {values[2]!r} is not a number")
    state.result.dimensions[dim] = values[1]


def _on_objekt(state: _State, record: Record, values: list[str]) -> None:
    dim = _int(values[0])
    if dim is None or dim < 1:
        state.error(record.line, "bad_dimension", f"dimension {values[0]!r} is not a number")
        return
    if (dim, values[1]) in state.result.objects:
        state.warn(record.line, "duplicate_record", f"#OBJEKT {dim} {values[1]!r} appears twice")
    state.result.objects[(dim, values[1])] = values[2]


def _on_balance(state: _State, record: Record, values: list[str]) -> None:
    """#IB, #UB, #RES, #OIB, #OUB, #PSALDO, #PBUDGET: year, (period,) account, amount."""
    if _int(values[0]) is None:
        state.error(record.line, "bad_year", f"{record.label} year {values[0]!r} is not a number")
    period_first = record.label in ("#PSALDO", "#PBUDGET")
    if period_first and not re.fullmatch(r"[0-9]{4}(0[1-9]|1[0-2])", values[1]):
        state.error(record.line, "bad_date", f"period {values[1]!r} is not YYYYMM")
    amount_at = 3 if period_first else 2
    _amount(state, record, values[amount_at])
    for position, item in enumerate(record.fields):
        if isinstance(item, ObjectList) and position < _SCHEMA[record.label][1]:
            _objects(state, record, item)


def _on_ver(state: _State, record: Record, values: list[str]) -> None:
    if state.voucher is not None or state.in_block:
        state.error(record.line, "nested_voucher", "#VER inside another voucher")
    voucher_date = _required_date(state, record, values[2], "date")
    text = values[3] if len(values) > 3 else ""
    if len(values) > 4:
        _optional_date(state, record, values[4], "registration date")
    state.voucher = ParsedVoucher(record.line, values[0], values[1], voucher_date, text)
    state.awaiting_block = True


def _on_trans(state: _State, record: Record, values: list[str]) -> None:
    voucher = state.voucher
    if voucher is None or not state.in_block:
        state.error(record.line, "trans_outside_voucher", f"{record.label} outside a voucher")
        return
    account = values[0]
    if not _DIGITS.fullmatch(account):
        state.error(record.line, "bad_account", f"account {account!r} is not numeric")
    quantity: Decimal | None = None
    if len(values) > 4 and values[4]:
        if _QUANTITY.fullmatch(values[4]):
            quantity = Decimal(values[4])
        else:
            state.error(record.line, "bad_quantity", f"quantity {values[4]!r} is not a number")
    voucher.transactions.append(
        ParsedTransaction(
            line=record.line,
            kind=record.label,
            account=account,
            objects=_objects(state, record, record.fields[1]),
            amount=_amount(state, record, values[1]),
            date=_optional_date(state, record, values[2], "date") if len(values) > 2 else None,
            text=values[3] if len(values) > 3 else "",
            quantity=quantity,
        )
    )


def _on_ksumma(state: _State, record: Record, values: list[str]) -> None:
    if not state.ksumma_open:
        if values:
            state.error(record.line, "ksumma_misplaced", "the first #KSUMMA must have no value")
        state.ksumma_open = True
        return
    if state.ksumma_closed:
        state.error(record.line, "ksumma_misplaced", "a third #KSUMMA")
        return
    state.ksumma_closed = True
    declared = _int(values[0]) if values else None
    state.result.ksumma_computed = state.crc
    if declared is None:
        state.error(record.line, "ksumma_misplaced", "the closing #KSUMMA has no number")
        return
    state.result.ksumma_declared = declared
    if declared != state.crc:
        state.error(
            record.line,
            "ksumma_mismatch",
            f"#KSUMMA says {declared}, the content gives {state.crc}",
        )


_Handler = Callable[[_State, Record, list[str]], None]
_HANDLERS: dict[str, _Handler] = {
    "#FLAGGA": _on_flagga,
    "#FORMAT": _on_format,
    "#SIETYP": _on_sietyp,
    "#GEN": _on_gen,
    "#ORGNR": _on_orgnr,
    "#RAR": _on_rar,
    "#KONTO": _on_konto,
    "#DIM": _on_dim,
    "#UNDERDIM": _on_dim,
    "#OBJEKT": _on_objekt,
    "#IB": _on_balance,
    "#UB": _on_balance,
    "#RES": _on_balance,
    "#OIB": _on_balance,
    "#OUB": _on_balance,
    "#PSALDO": _on_balance,
    "#PBUDGET": _on_balance,
    "#VER": _on_ver,
    "#TRANS": _on_trans,
    "#RTRANS": _on_trans,
    "#BTRANS": _on_trans,
    "#KSUMMA": _on_ksumma,
}


def _open_block(state: _State, line: int) -> None:
    if not state.awaiting_block:
        state.error(line, "stray_brace", "'{' not after a #VER")
        return
    state.awaiting_block = False
    state.in_block = True


def _close_block(state: _State, line: int) -> None:
    voucher = state.voucher
    if not state.in_block or voucher is None:
        state.error(line, "stray_brace", "'}' without an open voucher")
        return
    state.in_block = False
    state.voucher = None
    state.result.vouchers.append(voucher)
    if not voucher.transactions:
        state.error(line, "empty_voucher", f"{voucher.name} has no rows")
    elif voucher.balance != 0:
        state.error(
            voucher.line,
            "unbalanced_voucher",
            f"{voucher.name} does not balance: difference {voucher.balance:.2f}",
        )


def _record_line(state: _State, number: int, text: str) -> None:
    label_end = len(text.split(maxsplit=1)[0])
    label = text[:label_end]
    if not _LABEL.fullmatch(label) or label not in _SCHEMA:
        state.error(number, "unknown_label", f"unknown label {label!r}")
        return
    try:
        record = Record(number, label, tuple(tokenize(text[label_end:])))
    except _TokenError as exc:
        state.error(number, "bad_syntax", f"{label}: {exc}")
        return
    _accept(state, record)


def _accept(state: _State, record: Record) -> None:
    result = state.result
    if state.first_record and record.label != "#FLAGGA":
        state.error(record.line, "flagga_not_first", "#FLAGGA must be the first record")
    state.first_record = False
    if state.awaiting_block:
        state.error(record.line, "voucher_without_rows", "#VER not followed by '{'")
        state.awaiting_block = False
        state.voucher = None
    if state.ksumma_closed:
        state.error(record.line, "ksumma_misplaced", "a record after the closing #KSUMMA")
    if record.label in _SINGLE:
        if record.label in state.seen:
            state.error(record.line, "duplicate_record", f"{record.label} appears twice")
        else:
            result.header[record.label] = tuple(_values(record))
    state.seen.add(record.label)
    result.records.append(record)
    if state.ksumma_open and not state.ksumma_closed and record.label != "#KSUMMA":
        state.crc = zlib.crc32(record.checksum_text().encode(state.encoding), state.crc)
    if _check_shape(state, record) and record.label in _HANDLERS:
        _HANDLERS[record.label](state, record, _values(record))


def _decode(data: bytes, encoding: str, state: _State) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        state.error(0, "not_decodable", f"not valid {encoding}: {exc.reason} at byte {exc.start}")
        text = data.decode(encoding, errors="replace")
    replaced = [n for n, line in enumerate(text.split("\n"), start=1) if "\ufffd" in line]
    if replaced:
        state.error(
            replaced[0],
            "replacement_character",
            f"{text.count(chr(0xFFFD))} replacement characters (U+FFFD) on {len(replaced)}"
            f" lines, first at line {replaced[0]}: the text was damaged before it was written",
        )
    if encoding.replace("-", "").lower() in ("cp437", "ibm437", "437") and _is_utf8(data):
        state.error(
            0,
            "utf8_in_pc8",
            "the bytes are UTF-8, not CP437: read this way, Swedish letters are garbled",
        )
    return text


def _is_utf8(data: bytes) -> bool:
    """Bytes that are UTF-8 text a PC8 writer would not have produced.

    Any CP437 text is also *some* byte string, and a few (box-drawing pairs such as "├╢") are
    valid UTF-8 too. The signature of a UTF-8 file is stronger: read as UTF-8 it spells a
    letter CP437 has (a PC8 writer would have used its one byte, so "Ö" as two bytes means
    UTF-8), or U+FFFD, the replacement character UTF-8 writers leave.
    """
    if data.isascii():
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(not ch.isascii() and (ch == "\ufffd" or _in_cp437(ch)) for ch in text)


def _in_cp437(ch: str) -> bool:
    try:
        ch.encode("cp437")
    except UnicodeEncodeError:
        return False
    return True


def _line_ending(text: str) -> str:
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    if crlf and lf:
        return "mixed"
    return "CRLF" if crlf else "LF" if lf else "none"


def _finish(state: _State) -> None:
    result = state.result
    if state.voucher is not None:
        state.error(state.voucher.line, "unclosed_voucher", f"{state.voucher.name} never closes")
    if state.ksumma_open and not state.ksumma_closed:
        state.error(0, "ksumma_unterminated", "#KSUMMA opened but no closing #KSUMMA")
    for label in _MANDATORY:
        if label not in state.seen:
            state.error(0, "missing_record", f"no {label} record")
    _check_references(state, result)


def _check_references(state: _State, result: ParsedSie) -> None:
    """Accounts, dimensions and objects used but not declared; vouchers outside year 0."""
    rows = [t for v in result.vouchers for t in v.transactions]
    if result.accounts:  # 4I may omit #KONTO; a partial list is the suspicious case
        for account in sorted({t.account for t in rows} - set(result.accounts)):
            line = next(t.line for t in rows if t.account == account)
            state.warn(line, "undeclared_account", f"account {account} has no #KONTO")
    used = {obj for t in rows for obj in t.objects}
    for dim in sorted({dim for dim, _ in used} - set(result.dimensions)):
        if dim not in _RESERVED_DIMENSIONS:
            state.warn(0, "undeclared_dimension", f"dimension {dim} is used but has no #DIM")
    if result.objects:
        for dim, code in sorted(used - set(result.objects)):
            state.warn(0, "undeclared_object", f"object {dim} {code!r} is used but has no #OBJEKT")
    start, end = result.fiscal_years.get(0, (None, None))
    for voucher in result.vouchers:
        if start and end and voucher.date and not start <= voucher.date <= end:
            state.warn(voucher.line, "outside_year", f"{voucher.name} is outside #RAR 0")


def parse_sie(data: bytes, encoding: str = "cp437") -> ParsedSie:
    """Read SIE bytes (PC8 = CP437 unless told otherwise) into a ParsedSie; never raises."""
    result = ParsedSie(encoding=encoding)
    state = _State(result, encoding)
    text = _decode(data, encoding, state)
    result.line_ending = _line_ending(text)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line
    for number, raw in enumerate(lines, start=1):
        _read_line(state, number, raw.removesuffix("\r"))
    _finish(state)
    return result


def _read_line(state: _State, number: int, raw: str) -> None:
    if _CONTROL.search(raw):
        state.error(number, "control_character", "a control character inside the line")
        raw = _CONTROL.sub("", raw)
    text = raw.strip(" \t")
    if not text:
        return
    if text == "{":
        _open_block(state, number)
    elif text == "}":
        _close_block(state, number)
    elif text.startswith("#"):
        _record_line(state, number, text)
    else:
        state.error(number, "bad_syntax", f"a line that is no record: {text[:30]!r}")


def checksum_records(records: Iterable[Record]) -> list[tuple[str, list[str]]]:
    """Records as (label, field contents) for ``reports.sie.ksumma``, from the opening #KSUMMA
    to the closing one (both excluded)."""
    out: list[tuple[str, list[str]]] = []
    inside = False
    for record in records:
        if record.label == "#KSUMMA":
            if inside:
                break
            inside = True
            continue
        if inside:
            contents = [
                "".join(d + c for d, c in f.pairs) if isinstance(f, ObjectList) else f.value
                for f in record.fields
            ]
            out.append((record.label, contents))
    return out
