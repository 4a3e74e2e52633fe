"""Which account each category is booked on: configuration with Kommun-Bas defaults."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ledger.core.categories import Category

DEFAULT_ACCOUNTS = Path(__file__).resolve().parents[1] / "accounts.toml"


@dataclass(frozen=True, slots=True)
class AccountPlan:
    by_category: dict[Category, str]
    rounding: str
    suspense: str
    default_counterparty: str | None

    def for_category(self, category: Category) -> str:
        return self.by_category[category]


@lru_cache(maxsize=4)
def account_plan(path: str | None = None) -> AccountPlan:
    source = Path(path or os.environ.get("LEDGER_ACCOUNTS") or DEFAULT_ACCOUNTS)
    raw = tomllib.loads(source.read_text(encoding="utf-8"))
    by_category = {Category(name): str(account) for name, account in raw["category"].items()}
    missing = set(Category) - set(by_category)
    if missing:
        raise ValueError(f"{source}: no account for {', '.join(sorted(c.value for c in missing))}")
    return AccountPlan(by_category, str(raw["special"]["rounding"]), str(raw["special"]["suspense"]),
                       raw.get("counterparty", {}).get("default"))
