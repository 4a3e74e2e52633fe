"""The cost category of an invoice line.

In order: the item code on the supplier's framework-contract price list valid on the line's
date; the kind of subscription the line is about (a switchboard extension or an operator
seat makes it a switchboard cost whatever the text says, since the policy pays those
centrally); the configurable text rules in ``ledger/category_rules.toml``; else ``other``.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

from ledger.core.categories import Category
from ledger.database import db
from ledger.inventory.models import SubscriptionKind
from ledger.procurement.models import FrameworkContract, PriceListItem

DEFAULT_RULES = Path(__file__).resolve().parents[1] / "category_rules.toml"

KIND_CATEGORY = {
    SubscriptionKind.SWITCHBOARD_EXTENSION: Category.SWITCHBOARD_EXTENSION,
    SubscriptionKind.OPERATOR_SEAT: Category.OPERATOR_SERVICE,
}


@dataclass(frozen=True, slots=True)
class TextRule:
    category: Category
    pattern: re.Pattern[str]


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> tuple[TextRule, ...]:
    """The text rules from ``path`` (default: ``LEDGER_CATEGORY_RULES`` or the shipped file)."""
    source = Path(path or os.environ.get("LEDGER_CATEGORY_RULES") or DEFAULT_RULES)
    raw = tomllib.loads(source.read_text(encoding="utf-8"))
    return tuple(
        TextRule(Category(rule["category"]), re.compile(rule["pattern"], re.IGNORECASE))
        for rule in raw.get("rule", [])
    )


@dataclass(frozen=True, slots=True)
class PricedItem:
    category: Category
    valid_from: date
    valid_to: date | None


class Categoriser:
    """Decides categories for the lines of one supplier's invoices; loads its price lists once."""

    def __init__(self, supplier_id: int, rules: tuple[TextRule, ...] | None = None) -> None:
        self.rules = rules if rules is not None else load_rules()
        self.items: dict[str, list[PricedItem]] = {}
        rows = db.session.execute(
            sa.select(PriceListItem.item_code, PriceListItem.category, PriceListItem.valid_from,
                      PriceListItem.valid_to)
            .join(FrameworkContract, FrameworkContract.id == PriceListItem.contract_id)
            .where(FrameworkContract.supplier_id == supplier_id)
        )
        for code, category, valid_from, valid_to in rows:
            self.items.setdefault(code, []).append(PricedItem(category, valid_from, valid_to))
        self._text_cache: dict[tuple[str | None, str | None, str | None], Category] = {}
        self._item_cache: dict[tuple[str, date], Category] = {}

    def categorise(self, item_code: str | None, day: date, kind: SubscriptionKind | None,
                   charge_type: str | None, text: str | None, unit_code: str | None) -> Category:
        if item_code and item_code in self.items:
            return self._by_item(item_code, day)
        if kind in KIND_CATEGORY:
            return KIND_CATEGORY[kind]
        key = (charge_type, text, unit_code)
        cached = self._text_cache.get(key)
        if cached is None:
            cached = self._by_text(charge_type, text, unit_code)
            self._text_cache[key] = cached
        return cached

    def _by_item(self, item_code: str, day: date) -> Category:
        key = (item_code, day)
        found = self._item_cache.get(key)
        if found is None:
            versions = self.items[item_code]
            found = next((item.category for item in versions
                          if item.valid_from <= day and (item.valid_to is None or day < item.valid_to)),
                         versions[-1].category)  # billed outside the price's dates: still that item
            self._item_cache[key] = found
        return found

    def _by_text(self, *texts: str | None) -> Category:
        for rule in self.rules:
            if any(t and rule.pattern.search(t) for t in texts):
                return rule.category
        return Category.OTHER
