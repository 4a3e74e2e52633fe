"""Karlsborg's allocation rules, in order. Pure functions over plain values (öre as ints).

1. Find the asset the line is about (matched at import by number, id, extension or IMEI;
   ``engine`` re-matches lines that had none, so that a resolved suspense line finds it).
2. Find the unit(s) the asset was assigned to during the line's service period (the line's
   period, else the invoice's, else its issue date); when the unit changed inside the
   period, split by days. Days with no assignment go to suspense.
3. Switchboard categories (extension, operator service) go to the unit that carries
   switchboard costs (kanslienheten), unless the asset's unit is fee-funded: then to that
   unit. A switchboard line with no asset at all (an operator-service fee) goes to the
   carrier too: it is central by the policy, and there is no fee-funded unit to charge.
4. Document-level allowances and charges are spread over the invoice's lines of the same VAT
   category pro rata (over all lines when none shares it); each line's share follows the
   line's own units. Öresavrundning is booked apart, on its own account.
5. A line with no asset, or no assignment, goes to suspense with the reason — never to a
   default unit.
6. Every piece records the rule that placed it and the assignment it used.

Every split uses the largest-remainder method (``ledger.money.split_ore``), so the parts sum
exactly to the whole.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ledger.core.categories import Category
from ledger.core.money import split_ore
from ledger.core.text import N_, in_source_language


class Rule(enum.StrEnum):
    """The rule that placed an entry, stored on every journal entry (a CHECK keeps it to these)."""

    DIRECT = "direct"
    SWITCHBOARD_CENTRAL = "switchboard_central"
    FEE_FUNDED_OWN = "fee_funded_own"
    ALLOWANCE_SPREAD = "allowance_spread"
    ROUNDING = "rounding"
    SUSPENSE = "suspense"

    @property
    def explanation(self) -> str:
        """What the rule means, in the catalogue's source language (translate before showing)."""
        return _EXPLANATIONS[self]


_EXPLANATIONS = {
    Rule.DIRECT: N_("the asset's unit on those days pays (each unit budgets for its own phones and subscriptions)"),
    Rule.SWITCHBOARD_CENTRAL: N_("switchboard extensions and operator services are paid centrally by the unit "
                                "that carries switchboard costs"),
    Rule.FEE_FUNDED_OWN: N_("a fee-funded unit carries its own switchboard costs"),
    Rule.ALLOWANCE_SPREAD: N_("a document-level allowance or charge, spread over the invoice's lines pro rata"),
    Rule.ROUNDING: N_("the invoice's öre rounding, booked apart on its own account"),
    Rule.SUSPENSE: N_("no asset or no assignment was found: waiting for finance to map it"),
}


#: Why a piece went where it did, stored on its journal entry as the code (``journal_entry.reason``)
#: with the values the text names (``reason_params``); shown in the reader's language.
REASONS = {
    "no_asset_switchboard": N_("no asset: central switchboard cost"),
    "no_asset": N_("no subscription or handset matches the line's reference"),
    "days_of": N_("%(days)s of %(total)s days"),
    "no_assignment_days": N_("no assignment for %(days)s of %(total)s days (%(start)s – %(end)s)"),
    "allowance_share": N_("share of a document allowance or charge"),
    "reverses": N_("reverses entry %(entry)s"),
    "replaced": N_("invoice %(original)s replaced by invoice %(reissue)s: reverses entry %(entry)s"),
}
#: The values of a reason that are days (kept as ISO text in the JSON).
_DAY_PARAMS = frozenset({"start", "end"})


@dataclass(frozen=True, slots=True)
class Reason:
    """A reason code of ``REASONS`` and its values (numbers, days as ISO text)."""

    code: str
    params: tuple[tuple[str, int | str], ...] = ()

    def params_json(self) -> str | None:
        """The values as the ``reason_params`` column holds them (``None`` for none)."""
        return json.dumps(dict(self.params), sort_keys=True) if self.params else None


ALLOWANCE_SHARE = Reason("allowance_share")


def reason_of(code: str | None, params: Mapping[str, Any] | str | None = None,
              reverses_id: int | None = None) -> tuple[str, dict[str, Any]] | None:
    """The catalogue text and values of a stored reason, for a shower to put in the reader's
    language: days as dates, the reversed entry from ``reverses_id``. A code the ledger does not
    know (a text written by hand, or by an older version) is shown as it is."""
    if not code:
        return None
    text = REASONS.get(code)
    if text is None:
        return code, {}
    values: dict[str, Any] = dict(json.loads(params) if isinstance(params, str) else params or {})
    for name in _DAY_PARAMS & values.keys():
        if isinstance(values[name], str):
            values[name] = date.fromisoformat(values[name])
    if reverses_id is not None:
        values.setdefault("entry", reverses_id)
    return text, values


def english_reason(code: str | None, params: Mapping[str, Any] | str | None = None,
                   reverses_id: int | None = None) -> str | None:
    """A stored reason as the catalogue's source language says it (exports, the API, scripts)."""
    said = reason_of(code, params, reverses_id)
    return in_source_language(*said) if said else None


@dataclass(frozen=True, slots=True)
class Span:
    """An assignment as far as the rules care: which unit, from when, until (exclusive)."""

    assignment_id: int
    unit_id: int
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True, slots=True)
class UnitFacts:
    fee_funded: bool


@dataclass(frozen=True, slots=True)
class Piece:
    """One part of a line's amount placed on a unit (``unit_id`` None: suspense)."""

    unit_id: int | None
    amount: int
    rule: Rule
    assignment_id: int | None = None
    reason: Reason | None = None


# Rule 2 ------------------------------------------------------------------------------------

def service_period(line_start: date | None, line_end: date | None, invoice_start: date | None,
                   invoice_end: date | None, issue_date: date) -> tuple[date, date]:
    """The days a line is for (both inclusive): the line's period, else the invoice's, else the
    issue date. An end before the start is read as the start day alone."""
    if line_start is not None:
        start, end = line_start, line_end or line_start
    elif invoice_start is not None:
        start, end = invoice_start, invoice_end or invoice_start
    else:
        start, end = issue_date, issue_date
    return start, max(start, end)


def covered_days(span: Span, start: date, end: date) -> int:
    """Days of [start, end] (inclusive) that ``span`` covers."""
    first = max(start, span.valid_from)
    last = end if span.valid_to is None else min(end, span.valid_to - timedelta(days=1))
    return max((last - first).days + 1, 0)


def split_by_days(amount: int, spans: list[Span], start: date, end: date) -> list[tuple[Span | None, int, int]]:
    """(span or None for uncovered days, days, öre) for each part of the service period."""
    total_days = (end - start).days + 1
    parts: list[tuple[Span | None, int]] = [(s, covered_days(s, start, end)) for s in spans]
    parts = [(s, d) for s, d in parts if d > 0]
    uncovered = total_days - sum(d for _, d in parts)
    if uncovered > 0:
        parts.append((None, uncovered))
    if not parts:  # pragma: no cover - total_days >= 1 always leaves a part
        parts = [(None, total_days)]
    amounts = split_ore(amount, [d for _, d in parts])
    return [(s, d, a) for (s, d), a in zip(parts, amounts, strict=True)]


# Rule 3 ------------------------------------------------------------------------------------

def placement(category: Category, unit_id: int, units: dict[int, UnitFacts], carrier_id: int) -> tuple[int, Rule]:
    """The unit and rule for a piece whose asset sat at ``unit_id``."""
    if category.is_switchboard:
        if units[unit_id].fee_funded:
            return unit_id, Rule.FEE_FUNDED_OWN
        return carrier_id, Rule.SWITCHBOARD_CENTRAL
    return unit_id, Rule.DIRECT


# Rules 1, 2, 3 and 5 for one line ---------------------------------------------------------

def place_line(amount: int, category: Category, has_asset: bool, spans: list[Span], start: date, end: date,
               units: dict[int, UnitFacts], carrier_id: int) -> list[Piece]:
    """Where a line's amount goes: pieces that sum exactly to ``amount``."""
    if not has_asset:
        if category.is_switchboard:
            return [Piece(carrier_id, amount, Rule.SWITCHBOARD_CENTRAL, reason=Reason("no_asset_switchboard"))]
        return [Piece(None, amount, Rule.SUSPENSE, reason=Reason("no_asset"))]
    if len(spans) == 1 and spans[0].valid_from <= start and (spans[0].valid_to is None or spans[0].valid_to > end):
        only = spans[0]  # the common case: one unit the whole period
        unit_id, rule = placement(category, only.unit_id, units, carrier_id)
        return [Piece(unit_id, amount, rule, only.assignment_id)]
    total_days = (end - start).days + 1
    pieces: list[Piece] = []
    parts = split_by_days(amount, spans, start, end)
    for span, days, part in parts:
        counted = (("days", days), ("total", total_days))
        reason = Reason("days_of", counted) if len(parts) > 1 else None
        if span is None:
            gap = Reason("no_assignment_days", (*counted, ("start", start.isoformat()), ("end", end.isoformat())))
            pieces.append(Piece(None, part, Rule.SUSPENSE, reason=gap))
            continue
        unit_id, rule = placement(category, span.unit_id, units, carrier_id)
        pieces.append(Piece(unit_id, part, rule, span.assignment_id, reason))
    return _merge(pieces)


def _merge(pieces: list[Piece]) -> list[Piece]:
    """Pieces that land on the same unit, rule and assignment become one."""
    merged: dict[tuple[int | None, str, int | None], Piece] = {}
    for piece in pieces:
        key = (piece.unit_id, piece.rule, piece.assignment_id)
        if key in merged:
            old = merged[key]
            merged[key] = Piece(old.unit_id, old.amount + piece.amount, old.rule, old.assignment_id, old.reason)
        else:
            merged[key] = piece
    return list(merged.values())


# Rule 4 ------------------------------------------------------------------------------------

def spread_over_lines(amount: int, vat_category: str | None,
                      lines: list[tuple[int, int, str | None]]) -> dict[int, int]:
    """A document-level allowance or charge over the lines (id, amount, VAT category) of the
    same VAT category, pro rata to their amounts; over all lines when none shares it."""
    same = [line for line in lines if line[2] == vat_category] or lines
    weights = [abs(a) for _, a, _ in same]
    if not any(weights):
        weights = [1] * len(same)
    return {line_id: part for (line_id, _, _), part in zip(same, split_ore(amount, weights), strict=True) if part}


def follow_line(share: int, pieces: list[Piece]) -> list[Piece]:
    """A line's share of a document allowance or charge, placed as the line itself is."""
    weights = [abs(p.amount) for p in pieces]
    if not any(weights):
        weights = [1] * len(pieces)
    return [
        Piece(p.unit_id, part, Rule.ALLOWANCE_SPREAD if p.rule != Rule.SUSPENSE else Rule.SUSPENSE, p.assignment_id,
              p.reason if p.rule == Rule.SUSPENSE else ALLOWANCE_SHARE)
        for p, part in zip(pieces, split_ore(share, weights), strict=True) if part
    ]
