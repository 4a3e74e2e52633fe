"""Private use as the acting user may see it: a month's indicator lines, per holder and month,
for the organisation, one unit or one subscription.

Every read is of the user's organisation; a department user sees only the lines billed while
the subscription was assigned to one of their units (``access.permissions.visible_unit_ids``),
and a subscription by id is looked up through the inventory (another municipality's is not
found). The lines with an agreement are the manager's basis for a salary deduction; those
without are compliance findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ledger.access.models import User
from ledger.access.permissions import ensure_unit_visible, visible_unit_ids
from ledger.core.errors import BadRequest
from ledger.core.money import ZERO
from ledger.core.month import FIRST_YEAR, LAST_YEAR, Month
from ledger.core.text import N_
from ledger.inventory.models import Subscription
from ledger.inventory.register import get_subscription
from ledger.organisation.models import BudgetUnit
from ledger.private_use import detection
from ledger.private_use.detection import IndicatorLine

#: Which lines a list holds: ``with`` an agreement, ``without`` one, or both (None).
AGREEMENT_CHOICES = ("with", "without")


@dataclass(frozen=True, slots=True)
class HolderMonth:
    """A subscription's indicator lines of one month, under one agreement (or none)."""

    month: str
    subscription_id: int
    number: str
    holder_name: str | None
    agreement: str | None
    agreement_signed_on: date | None
    unit_ansvar: str | None
    unit_name: str | None
    lines: tuple[IndicatorLine, ...]

    @property
    def covered(self) -> bool:
        return self.agreement is not None

    @property
    def total(self) -> Decimal:
        return sum((line.net_amount for line in self.lines), ZERO)

    @property
    def line_count(self) -> int:
        return len(self.lines)


def _scope(user: User, unit: BudgetUnit | None) -> set[int] | None:
    """The units whose lines the user is shown: ``unit`` alone when asked (if theirs to see),
    a department user's own units, or all (None)."""
    if unit is not None:
        ensure_unit_visible(user, unit)
        return {unit.id}
    return visible_unit_ids(user)


def _year(year: int) -> tuple[date, date]:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadRequest(N_("The year %(year)s is out of range"), details=[{"field": "year"}], year=year)
    return date(year, 1, 1), date(year + 1, 1, 1)


def chosen(lines: Iterable[IndicatorLine], agreement: str | None) -> list[IndicatorLine]:
    """The lines with an agreement, without one, or all (``agreement`` None or unknown)."""
    if agreement == "with":
        return [line for line in lines if line.covered]
    if agreement == "without":
        return [line for line in lines if not line.covered]
    return list(lines)


def period_lines(user: User, period: str, *, unit: BudgetUnit | None = None,
                 agreement: str | None = None) -> list[IndicatorLine]:
    """The indicator lines of ``period`` (YYYY-MM) the user may see (of ``unit`` when given)."""
    month = Month.parse(period)
    found = detection.lines(user.organisation_id, month.first, month.after, unit_ids=_scope(user, unit))
    return chosen(found, agreement)


def unit_year(user: User, unit: BudgetUnit, year: int) -> list[HolderMonth]:
    """The unit's indicator lines of ``year``, per month and subscription (the unit page)."""
    first, after = _year(year)
    return by_holder(detection.lines(user.organisation_id, first, after, unit_ids=_scope(user, unit)))


def subscription_year(user: User, subscription_id: int, year: int) -> tuple[Subscription, list[HolderMonth]]:
    """One subscription (404 unless the user's organisation has it, 403 unless they may see it)
    and its indicator lines of ``year`` the user may see, per month."""
    subscription = get_subscription(user, subscription_id)
    first, after = _year(year)
    found = detection.lines(user.organisation_id, first, after, unit_ids=visible_unit_ids(user),
                            subscription_id=subscription.id)
    return subscription, by_holder(found)


def by_holder(lines: Iterable[IndicatorLine]) -> list[HolderMonth]:
    """The lines per month, subscription and agreement: by month, then holder and number."""
    groups: dict[tuple[str, int, str | None], list[IndicatorLine]] = {}
    for line in lines:
        groups.setdefault((line.month, line.subscription_id, line.agreement), []).append(line)
    months = [
        HolderMonth(month=month, subscription_id=subscription_id, number=group[0].number,
                    holder_name=group[0].holder_name, agreement=agreement,
                    agreement_signed_on=group[0].agreement_signed_on, unit_ansvar=group[-1].unit_ansvar,
                    unit_name=group[-1].unit_name, lines=tuple(group))
        for (month, subscription_id, agreement), group in groups.items()
    ]
    return sorted(months, key=lambda h: (h.month, h.holder_name is None, (h.holder_name or "").casefold(), h.number,
                                        h.agreement or ""))
