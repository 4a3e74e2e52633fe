"""What marks an invoice line as a sign of private use: the indicator rules, read from TOML.

Pure: no Flask, no database. ``load_rules(path)`` reads ``ledger/private_use_rules.toml`` (or the
file ``LEDGER_PRIVATE_USE_RULES`` names, ``configured()``) and checks every rule; a mistake is a
``RulesError`` that names the file, the line and the field. ``Rules.match(text, item_code,
charge_type)`` gives the first indicator an invoice line's fields meet, or None. The file's
comments say what a rule may hold.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ledger.core.errors import LedgerError
from ledger.core.text import N_
from reports.findings import INDICATOR_KINDS

DEFAULT_RULES = Path(__file__).resolve().parents[1] / "private_use_rules.toml"
ENVIRONMENT = "LEDGER_PRIVATE_USE_RULES"

#: The fields of an invoice line a rule can match, in the order of ``Rules.match``'s arguments.
FIELDS = ("text", "item_code", "charge_type")
#: The kinds of indicator and what the pages call them.
#: The kinds a rule may give its lines; the pages and the allocation report name them alike.
KINDS = INDICATOR_KINDS
MATCHERS = ("prefixes", "words", "codes", "pattern")
KEYS = ("name", "kind", "fields", *MATCHERS)

UNREADABLE = N_("%(file)s cannot be read: %(problem)s")
NOT_TOML = N_("%(file)s, line %(line)s: not TOML (%(problem)s)")
UNKNOWN_TABLE = N_("%(file)s, line %(line)s, field %(field)s: not known here; the rules are [[indicator]] tables")
NO_INDICATORS = N_("%(file)s, line %(line)s: the file holds no [[indicator]]")
UNKNOWN_KEY = N_("%(file)s, line %(line)s, field %(field)s: not a field of an indicator (they are %(known)s)")
MISSING = N_("%(file)s, line %(line)s, field %(field)s: every indicator needs one")
NOT_TEXT = N_("%(file)s, line %(line)s, field %(field)s: must be a text that is not empty")
NOT_TEXTS = N_("%(file)s, line %(line)s, field %(field)s: must be a list of texts, none of them empty")
BAD_NAME = N_("%(file)s, line %(line)s, field name: %(value)s is not a code (letters, digits, _ and -)")
TWICE = N_("%(file)s, line %(line)s, field name: %(value)s is also the name of the indicator on line %(other)s")
BAD_KIND = N_("%(file)s, line %(line)s, field kind: %(value)s is not a kind of indicator (they are %(known)s)")
BAD_FIELD = N_("%(file)s, line %(line)s, field fields: %(value)s is not a field a rule can match (they are %(known)s)")
BAD_PREFIX = N_("%(file)s, line %(line)s, field prefixes: %(value)s is not a number prefix (digits, starting with 0)")
BAD_PATTERN = N_("%(file)s, line %(line)s, field pattern: not a regular expression (%(problem)s)")
NOTHING_TO_MATCH = N_("%(file)s, line %(line)s: the indicator %(value)s says nothing to match; give it prefixes, "
                      "words, codes or a pattern")

_NAME = re.compile(r"[A-Za-z0-9_-]{1,60}")
_PREFIX = re.compile(r"0[0-9]{1,6}")
_KEY_LINE = re.compile(r"\s*([A-Za-z0-9_-]+)\s*=")
_TABLE_LINE = re.compile(r"\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?")
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


class RulesError(LedgerError):
    """The private-use rules file cannot be used: the message names the file, line and field."""

    status, code = 500, "private_use_rules"


@dataclass(frozen=True, slots=True)
class Indicator:
    """One rule: its name and kind, the fields it looks at, and what it looks for there."""

    name: str
    kind: str
    fields: tuple[str, ...]
    search: re.Pattern[str] | None  # the prefixes and words, as one expression
    pattern: re.Pattern[str] | None
    codes: frozenset[str]
    line: int

    def meets(self, values: Mapping[str, str | None]) -> bool:
        """Whether one of the line's ``values`` (field → text) holds what the rule looks for."""
        for field in self.fields:
            value = values.get(field)
            if not value:
                continue
            if self.codes and value.strip().casefold() in self.codes:
                return True
            if self.search is not None and self.search.search(value):
                return True
            if self.pattern is not None and self.pattern.search(value):
                return True
        return False


@dataclass(frozen=True, slots=True)
class Rules:
    """The indicators of one file, in its order."""

    source: str
    indicators: tuple[Indicator, ...]

    def match(self, text: str | None, item_code: str | None, charge_type: str | None) -> Indicator | None:
        """The first indicator the line's text, item code or charge type meets, else None."""
        values = {"text": text, "item_code": item_code, "charge_type": charge_type}
        return next((indicator for indicator in self.indicators if indicator.meets(values)), None)


def configured() -> Rules:
    """The rules of the file ``LEDGER_PRIVATE_USE_RULES`` names, else the shipped file."""
    return load_rules(os.environ.get(ENVIRONMENT) or None)


@lru_cache(maxsize=8)
def load_rules(path: str | Path | None = None) -> Rules:
    """The rules of ``path`` (default: the shipped file), every one checked; a ``RulesError``
    naming file, line and field for the first mistake."""
    source = Path(path) if path else DEFAULT_RULES
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RulesError(UNREADABLE, file=str(source), problem=str(error)) from None
    return parse_rules(text, str(source))


def parse_rules(text: str, source: str) -> Rules:
    """The rules in ``text`` (the contents of the file ``source``, which errors name)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_POSITION.search(str(error))
        raise RulesError(NOT_TOML, file=source, line=int(found.group(1)) if found else 1,
                         problem=_TOML_POSITION.sub("", str(error)).strip()) from None
    places = _Places(text)
    for key in raw:
        if key != "indicator":
            raise RulesError(UNKNOWN_TABLE, file=source, line=places.top(key), field=key)
    tables = raw.get("indicator")
    if not tables:
        raise RulesError(NO_INDICATORS, file=source, line=1)
    if not isinstance(tables, list):
        raise RulesError(UNKNOWN_TABLE, file=source, line=places.top("indicator"), field="indicator")
    indicators: list[Indicator] = []
    for index, table in enumerate(tables):
        indicators.append(_indicator(table, _Where(source, places, index)))
    _names_once(indicators, source)
    return Rules(source, tuple(indicators))


# -- where in the file ---------------------------------------------------------------------------


class _Places:
    """The lines of the file's keys: each ``[[indicator]]`` header and the keys under it."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.tables: list[tuple[int, dict[str, int]]] = []
        inside = False
        for number, line in enumerate(self.lines, start=1):
            table = _TABLE_LINE.match(line)
            if table is not None:
                inside = table.group(1) == "indicator" and line.strip().startswith("[[")
                if inside:
                    self.tables.append((number, {}))
                continue
            key = _KEY_LINE.match(line)
            if inside and key is not None:
                self.tables[-1][1].setdefault(key.group(1), number)

    def top(self, key: str) -> int:
        """The line that names ``key`` as a table or a key of the file itself."""
        for number, line in enumerate(self.lines, start=1):
            table, plain = _TABLE_LINE.match(line), _KEY_LINE.match(line)
            if (table is not None and table.group(1).split(".")[0] == key) or (
                    plain is not None and plain.group(1) == key):
                return number
        return 1

    def of(self, index: int, key: str | None = None) -> int:
        if index >= len(self.tables):  # an inline array of tables: no header to point at
            return self.top("indicator")
        header, keys = self.tables[index]
        return keys.get(key, header) if key else header


@dataclass(frozen=True, slots=True)
class _Where:
    source: str
    places: _Places
    index: int

    def error(self, text: str, field: str | None = None, **params: Any) -> RulesError:
        values: dict[str, Any] = {"file": self.source, "line": self.places.of(self.index, field), **params}
        if field:
            values["field"] = field
        return RulesError(text, **values)

    @property
    def line(self) -> int:
        return self.places.of(self.index)


# -- one indicator -------------------------------------------------------------------------------


def _indicator(table: object, where: _Where) -> Indicator:
    if not isinstance(table, dict):
        raise where.error(UNKNOWN_TABLE, "indicator")
    for key in table:
        if key not in KEYS:
            raise where.error(UNKNOWN_KEY, key, known=", ".join(KEYS))
    name, kind = _text(table, "name", where), _text(table, "kind", where)
    if not _NAME.fullmatch(name):
        raise where.error(BAD_NAME, "name", value=repr(name))
    if kind not in KINDS:
        raise where.error(BAD_KIND, "kind", value=repr(kind), known=", ".join(KINDS))
    fields = tuple(_texts(table, "fields", where)) if "fields" in table else FIELDS
    for field in fields:
        if field not in FIELDS:
            raise where.error(BAD_FIELD, "fields", value=repr(field), known=", ".join(FIELDS))
    prefixes, words = _texts(table, "prefixes", where), _texts(table, "words", where)
    for prefix in prefixes:
        if not _PREFIX.fullmatch(prefix):
            raise where.error(BAD_PREFIX, "prefixes", value=repr(prefix))
    codes = frozenset(code.strip().casefold() for code in _texts(table, "codes", where))
    pattern = _pattern(table, where)
    if not (prefixes or words or codes or pattern):
        raise where.error(NOTHING_TO_MATCH, value=repr(name))
    return Indicator(name=name, kind=kind, fields=fields, search=_search(prefixes, words), pattern=pattern,
                     codes=codes, line=where.line)


def _text(table: dict[str, Any], key: str, where: _Where) -> str:
    if key not in table:
        raise where.error(MISSING, key)
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise where.error(NOT_TEXT, key)
    return value.strip()


def _texts(table: dict[str, Any], key: str, where: _Where) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise where.error(NOT_TEXTS, key)
    if key in table and not value:
        raise where.error(NOT_TEXTS, key)
    return [v.strip() for v in value]


def _pattern(table: dict[str, Any], where: _Where) -> re.Pattern[str] | None:
    if "pattern" not in table:
        return None
    text = _text(table, "pattern", where)
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as error:
        raise where.error(BAD_PATTERN, "pattern", problem=str(error)) from None


def prefix_expression(prefix: str) -> str:
    """A called number beginning with ``prefix`` (``0939``) as a regular expression: nationally
    (``0939…``) or internationally (``+46 939…``, ``0046939…``), with no digit just before it."""
    rest = re.escape(prefix[1:])
    return rf"(?<!\d)(?:0|\+46[ -]?|0046[ -]?){rest}"


def _search(prefixes: list[str], words: list[str]) -> re.Pattern[str] | None:
    parts = [prefix_expression(p) for p in prefixes] + [re.escape(w) for w in words]
    return re.compile("|".join(f"(?:{part})" for part in parts), re.IGNORECASE) if parts else None


def _names_once(indicators: list[Indicator], source: str) -> None:
    seen: dict[str, int] = {}
    for indicator in indicators:
        if indicator.name in seen:
            raise RulesError(TWICE, file=source, line=indicator.line, value=repr(indicator.name),
                             other=seen[indicator.name])
        seen[indicator.name] = indicator.line
