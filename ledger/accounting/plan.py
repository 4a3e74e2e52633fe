"""An organisation's accounting settings as a value: which accounts the ledger books on, and
how its month hands over to the financial system. Pure: no database, no Flask.

The defaults are Kommun-Bas (``ledger/accounts.toml``): group 64 for equipment, group 68 for
tele/IT. Each organisation keeps its own copy in the database (``accounting.models``), edited
by its admin; this module says what a valid one is and how a ``KEY VALUE`` pair changes it.

The two booking methods (docs/accounting.md has a worked example):

``transfer`` (kostnadsomföring, the default)
    The purchase ledger books each telephony invoice, net of VAT, on the *clearing account*
    ("telefoni att fördela") under the clearing ansvar. Each voucher of the SIE file credits the
    clearing account and debits the units' cost accounts with their ansvar, verksamhet and
    motpart; after import the clearing account holds only what is still in suspense.
``internal_revenue`` (intern debitering)
    The invoice stays the clearing ansvar's cost; each voucher debits the units' cost accounts
    with the *internal* motpart and credits the clearing ansvar on the internal revenue account
    with the same motpart, so that the pairs eliminate by motpart in the consolidated accounts.
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from ledger.core.categories import Category
from ledger.core.errors import ValidationFailed
from ledger.core.text import N_

DEFAULTS_FILE = Path(__file__).resolve().parents[1] / "accounts.toml"

_ACCOUNT = re.compile(r"^[0-9]{4,6}$")
_CODE = re.compile(r"^[0-9A-Za-z]{1,16}$")


class BookingMethod(enum.StrEnum):
    TRANSFER = "transfer"
    INTERNAL_REVENUE = "internal_revenue"


class VoucherGrouping(enum.StrEnum):
    """One SIE voucher per invoice (default, traceable to the purchase ledger) or one per period."""

    INVOICE = "invoice"
    PERIOD = "period"


class CounterpartyMode(enum.StrEnum):
    """Motpart in each row's text (every receiver accepts it) or as an SIE object."""

    TEXT = "text"
    DIMENSION = "dimension"


@dataclass(frozen=True, slots=True)
class AccountingSettings:
    """Everything the allocation and the SIE hand-over need to know about the chart of accounts."""

    cost_accounts: Mapping[Category, str]
    clearing_account: str
    clearing_ansvar: str | None
    rounding_account: str
    suspense_account: str  #: where the journal parks a line with no unit yet; never exported
    default_counterparty: str | None
    booking_method: BookingMethod = BookingMethod.TRANSFER
    internal_revenue_account: str = "3690"
    internal_counterparty: str = "1"
    vouchers: VoucherGrouping = VoucherGrouping.INVOICE
    ansvar_dimension: int = 1
    activity_dimension: int = 20  #: 0: no verksamhet objects
    counterparty_mode: CounterpartyMode = CounterpartyMode.TEXT
    counterparty_dimension: int = 21
    account_names: Mapping[str, str] = field(default_factory=dict, compare=False)

    def for_category(self, category: Category) -> str:
        return self.cost_accounts[category]

    def account_name(self, account: str) -> str:
        return self.account_names.get(account) or f"Konto {account}"

    def dimension_name(self, dimension: int) -> str:
        names = {self.ansvar_dimension: "Ansvar", self.activity_dimension: "Verksamhet",
                 self.counterparty_dimension: "Motpart"}
        return names.get(dimension) or f"Dimension {dimension}"

    def values(self) -> dict[str, str]:
        """Every setting as ``KEY → text``, in the order ``accounts show`` lists them."""
        return {key: setting.show(self) for key, setting in SETTINGS.items()}

    def with_value(self, key: str, text: str) -> AccountingSettings:
        """A copy with ``key`` set from ``text`` (as ``accounts set KEY VALUE`` gives it), validated."""
        setting = SETTINGS.get(key)
        if setting is None:
            raise ValidationFailed(N_("Unknown setting %(key)s; the settings are: %(keys)s"), key=repr(key),
                                   keys=list(SETTINGS),
                                   details=[{"field": key, "message": N_("unknown setting")}])
        try:
            changed = setting.apply(self, text.strip())
        except ValueError:
            raise ValidationFailed(N_("%(key)s: %(value)s is not a valid value"), key=key, value=repr(text),
                                   details=[{"field": key, "message": N_("not a valid value")}]) from None
        return changed.validated()

    def with_values(self, changes: Mapping[str, str]) -> AccountingSettings:
        settings = self
        for key, text in changes.items():
            settings = settings.with_value(key, text)
        return settings

    def validated(self) -> AccountingSettings:
        """Itself, or ``ValidationFailed`` naming every setting that is wrong."""
        problems = [{"field": key, "message": message} for key, message in _problems(self)]
        if problems:
            raise ValidationFailed(N_("The accounting settings are not valid: %(problems)s"), details=problems,
                                   problems=[f"{p['field']}: {p['message']}" for p in problems])
        return self


def _problems(s: AccountingSettings) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    accounts = {f"account.{c.value}": s.cost_accounts.get(c, "") for c in Category}
    accounts |= {"clearing_account": s.clearing_account, "rounding_account": s.rounding_account,
                 "internal_revenue_account": s.internal_revenue_account}
    found += [(key, N_("an account is 4 to 6 digits")) for key, value in accounts.items() if not _ACCOUNT.match(value)]
    codes = {"clearing_ansvar": s.clearing_ansvar, "default_counterparty": s.default_counterparty,
             "internal_counterparty": s.internal_counterparty}
    found += [(key, N_("a code is 1 to 16 letters or digits")) for key, value in codes.items()
              if value is not None and not _CODE.match(value)]
    if s.clearing_account in s.cost_accounts.values():
        found.append(("clearing_account", N_("must not be one of the cost accounts")))
    used = [d for d in (s.ansvar_dimension, s.activity_dimension,
                        s.counterparty_dimension if s.counterparty_mode is CounterpartyMode.DIMENSION else 0) if d]
    if len(set(used)) != len(used):
        found.append(("sie.counterparty_dimension", N_("one dimension number is used for two things")))
    if not 1 <= s.ansvar_dimension <= 999:
        found.append(("sie.ansvar_dimension", N_("a dimension is 1 to 999")))
    return found


# -- the settings a user can name --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Setting:
    """One ``KEY`` of ``accounts set``: how to show it and how a text changes it."""

    description: str
    show: Callable[[AccountingSettings], str]
    apply: Callable[[AccountingSettings, str], AccountingSettings]
    choices: tuple[str, ...] = ()  #: the values an enumerated setting takes


def _plain(name: str, description: str, parse: Callable[[str], Any] = str, optional: bool = False) -> Setting:
    def show(s: AccountingSettings) -> str:
        value = getattr(s, name)
        return "" if value is None else str(value)

    def apply(s: AccountingSettings, text: str) -> AccountingSettings:
        if optional and text in ("", "-"):
            cleared: dict[str, Any] = {name: None}
            return replace(s, **cleared)
        return replace(s, **{name: parse(text)})  # a ValueError names the key in ``with_value``

    enumerated = isinstance(parse, type) and issubclass(parse, enum.Enum)
    choices = tuple(member.value for member in parse) if enumerated else ()  # type: ignore[attr-defined]
    return Setting(description, show, apply, choices)


def _category(category: Category) -> Setting:
    def apply(s: AccountingSettings, text: str) -> AccountingSettings:
        return replace(s, cost_accounts={**s.cost_accounts, category: text})

    return Setting(_CATEGORY_DESCRIPTIONS[category], lambda s: s.cost_accounts[category], apply)


_CATEGORY_DESCRIPTIONS = {
    Category.SUBSCRIPTION: N_("Cost account for subscriptions"),
    Category.USAGE: N_("Cost account for calls and data"),
    Category.EQUIPMENT: N_("Cost account for handsets and equipment"),
    Category.SWITCHBOARD_EXTENSION: N_("Cost account for switchboard extensions"),
    Category.OPERATOR_SERVICE: N_("Cost account for operator services"),
    Category.ONE_OFF: N_("Cost account for one-off fees"),
    Category.OTHER: N_("Cost account for other telephony costs"),
}


SETTINGS: dict[str, Setting] = {
    **{f"account.{category.value}": _category(category) for category in Category},
    "clearing_account": _plain("clearing_account", N_("Clearing account the purchase ledger books invoices on")),
    "clearing_ansvar": _plain("clearing_ansvar", N_("Ansvar that carries the clearing account"), optional=True),
    "rounding_account": _plain("rounding_account", N_("Account for the invoices' öre rounding")),
    "default_counterparty": _plain("default_counterparty", N_("Motpart of a supplier with none of its own"),
                                   optional=True),
    "booking_method": _plain("booking_method", N_("Booking method: transfer or internal_revenue"), BookingMethod),
    "internal_revenue_account": _plain("internal_revenue_account", N_("Internal revenue account (internal_revenue)")),
    "internal_counterparty": _plain("internal_counterparty", N_("Internal motpart, 1-4 (internal_revenue)")),
    "vouchers": _plain("vouchers", N_("One SIE voucher per invoice or per period"), VoucherGrouping),
    "sie.ansvar_dimension": _plain("ansvar_dimension", N_("SIE dimension of ansvar"), int),
    "sie.activity_dimension": _plain("activity_dimension", N_("SIE dimension of verksamhet (0: none)"), int),
    "sie.counterparty": _plain("counterparty_mode", N_("Motpart as text or as a dimension"), CounterpartyMode),
    "sie.counterparty_dimension": _plain("counterparty_dimension", N_("SIE dimension of motpart"), int),
}


# -- the defaults -------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def defaults(path: str | None = None) -> AccountingSettings:
    """The Kommun-Bas defaults a new organisation starts from (``ledger/accounts.toml``)."""
    source = Path(path) if path else DEFAULTS_FILE
    raw = tomllib.loads(source.read_text(encoding="utf-8"))
    missing = set(Category) - {Category(name) for name in raw["category"]}
    if missing:
        raise ValueError(f"{source}: no account for {', '.join(sorted(c.value for c in missing))}")
    special = raw["special"]
    base = AccountingSettings(
        cost_accounts={Category(name): str(account) for name, account in raw["category"].items()},
        clearing_account=str(special["clearing"]), clearing_ansvar=None,
        rounding_account=str(special["rounding"]), suspense_account=str(special["suspense"]),
        default_counterparty=raw.get("counterparty", {}).get("default"),
        account_names={str(k): str(v) for k, v in raw.get("names", {}).items()},
    )
    options = {key: str(value) for key, value in raw.get("booking", {}).items()}
    options |= {f"sie.{key}": str(value) for key, value in raw.get("sie", {}).items()}
    return base.with_values(options)
