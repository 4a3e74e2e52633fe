"""The demo's signs of private use of service phones, on the mobile operator's invoices.

Each month from February: calls to premium-rate numbers (0939, 0900) and a Betal-SMS, billed
in arrears with the month before's traffic, on a few numbers whose holder signed a private-use
agreement (the manager's holder list, the basis for a salary deduction), and now and then on a
number without one (a compliance finding); and every month a third-party content service billed
for the month itself, on two numbers with an agreement and, every other month, one without. The
holders who signed an agreement are given names (``name_holders``), as the register would hold
them for the deduction.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from importers.ubl_writer import DraftLine
from ledger.database import db
from ledger.demo import data
from ledger.inventory.models import Assignment, Subscription, SubscriptionKind
from ledger.organisation.models import BudgetUnit, Organisation

ONE = Decimal(1)
#: Fictional holders, given in the order of the numbers that have an agreement.
HOLDERS = ("Anna Lindqvist", "Björn Sjöberg", "Cecilia Holm", "David Ek", "Eva Nyström", "Fredrik Berg",
           "Gunilla Åkesson", "Hassan Ali", "Ingrid Söderlund", "Johan Strand", "Karin Lundgren", "Leo Mattsson",
           "Maria Forsberg", "Nils Hedlund", "Olga Petrov", "Per Wikström", "Rebecka Dahl", "Sara Öhman")

Period = tuple[date, date]


def _calls(sub: Subscription, rng: random.Random, previous: Period) -> DraftLine:
    """A call to a premium-rate number, per minute, in arrears."""
    if rng.random() < 0.5:
        return DraftLine("Samtal till betalnummer 0939-10 20 30", Decimal(rng.randint(3, 25)), Decimal("9.90"),
                         "MIN", "MOB-BETAL", sub.number, period=previous)
    return DraftLine("Samtal till betalnummer 0900-123 45 67", Decimal(rng.randint(2, 12)), Decimal("14.90"),
                     "MIN", "MOB-BETAL", sub.number, period=previous)


def _betal_sms(sub: Subscription, previous: Period) -> DraftLine:
    return DraftLine("Betal-SMS 72550, tredjepartstjänst", ONE, Decimal("25.00"), "C62", "TP-SMS", sub.number,
                     period=previous)


def _content(sub: Subscription, month: Period) -> DraftLine:
    """Third-party content billed for the month (a content subscription charged via the phone bill)."""
    return DraftLine("Innehållstjänst via SMS (tredjepartstjänst), spel", ONE, Decimal("49.00"), "C62", "TP-INNEH",
                     sub.number, period=month)


def _managed(subscriptions: Sequence[Subscription], day: date) -> set[int]:
    """The subscriptions assigned on ``day`` to a unit of one of the demo's department users (so
    that their unit pages and lists have something to show)."""
    units = {code for codes, _, _, role in data.USERS if role == "department" for code in codes}
    return set(db.session.scalars(
        sa.select(Assignment.asset_id).join(BudgetUnit, BudgetUnit.id == Assignment.unit_id)
        .where(Assignment.asset_id.in_([s.id for s in subscriptions]), BudgetUnit.ansvar.in_(units),
               Assignment.in_force_on(day))))


def _pick(rng: random.Random, subscriptions: list[Subscription], managed: set[int], k: int) -> list[Subscription]:
    """``k`` of the subscriptions, the first of them a managed one when there is one."""
    ours = [s for s in subscriptions if s.id in managed]
    first = [rng.choice(ours)] if ours else []
    rest = [s for s in subscriptions if s not in first]
    return first + rng.sample(rest, k=min(k - len(first), len(rest)))


def private_use_lines(subscriptions: Sequence[Subscription], supplier_id: int, year: int, month: int,
                      billed: Period, previous: Period) -> list[DraftLine]:
    """The month's lines of the mobile invoice that indicate private use (``billed`` is the
    month, ``previous`` the month whose traffic the invoice bills). Only what a second ``demo
    load`` finds as the first did decides the picks (numbers in use through the month, their
    agreements, their units on its first day), so that the invoices come out the same."""
    rng = random.Random(f"demo private use {year}-{month:02d}")
    mobiles = [s for s in subscriptions if s.supplier_id == supplier_id and s.kind == SubscriptionKind.MOBILE_VOICE
               and s.start_date <= previous[0] and (s.end_date is None or s.end_date >= billed[1])]
    agreed = [s for s in mobiles if s.private_use_signed_on is not None and s.private_use_signed_on <= previous[0]]
    without = [s for s in mobiles if s.private_use_reference is None]
    managed = _managed(mobiles, billed[0])
    lines: list[DraftLine] = []
    if month > 1 and agreed:
        chosen = _pick(rng, agreed, managed, 3)
        lines += [_calls(sub, rng, previous) for sub in chosen]
        lines.append(_betal_sms(chosen[0], previous))
    if month > 1 and month % 3 == 0 and without:
        lines.append(_calls(rng.choice(without), rng, previous))
    lines += [_content(sub, billed) for sub in _pick(rng, agreed, managed, 2)]
    if month % 2 == 0 and without:
        lines += [_content(sub, billed) for sub in _pick(rng, without, managed, 1)]
    return lines


def name_holders(organisation: Organisation) -> int:
    """Name the holders of the subscriptions with a private-use agreement that have none; how many."""
    agreed = db.session.scalars(
        sa.select(Subscription).where(Subscription.organisation_id == organisation.id,
                                      Subscription.private_use_reference.is_not(None))
        .order_by(Subscription.number)).all()
    named = 0
    for index, sub in enumerate(agreed):
        if sub.holder_name is None:
            sub.holder_name = HOLDERS[index % len(HOLDERS)]
            named += 1
    return named
