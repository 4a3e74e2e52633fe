"""The policy's cost categories: what an invoice line is, and what a unit budgets for."""

from __future__ import annotations

import enum


class Category(enum.StrEnum):
    """Cost category of an invoice line; decides the account and the switchboard rule."""

    SUBSCRIPTION = "subscription"  # abonnemangsavgift
    USAGE = "usage"  # trafik / förbrukning
    EQUIPMENT = "equipment"  # mobiltelefoner och utrustning
    SWITCHBOARD_EXTENSION = "switchboard_extension"  # växelanknytning
    OPERATOR_SERVICE = "operator_service"  # telefonisttjänst
    ONE_OFF = "one_off"  # engångsavgift
    OTHER = "other"

    @property
    def is_switchboard(self) -> bool:
        """Switchboard categories are paid centrally (rule 3 of the allocation)."""
        return self in (Category.SWITCHBOARD_EXTENSION, Category.OPERATOR_SERVICE)


class BudgetCategory(enum.StrEnum):
    """The three lines a unit budgets for its telephony."""

    EQUIPMENT = "equipment"  # handsets and equipment
    SUBSCRIPTIONS = "subscriptions"  # subscriptions and usage
    SWITCHBOARD = "switchboard"  # only the switchboard carrier and fee-funded units
