"""March 2026 with three subscriptions that show signs of private use (``world``):

* ``agreed`` (070-100 00 11, förskolan 3110), Anna Lindqvist's, under agreement PA-2025-001
  signed 1 January 2025: a call to 0939 (118.80) and third-party content (49.00), beside its
  ordinary fee (89.00, no sign of private use);
* ``none`` (070-100 00 12, skolan 3140), no agreement: a call to 0939 (59.60);
* ``late`` (070-100 00 13, VA 2150), an agreement signed on 20 March, after the line's day
  (1 March): a Betal-SMS (25.00).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from ledger.core.categories import Category
from ledger.inventory.models import Subscription
from ledger.invoices.models import InvoiceLine
from tests.factories import L, Org, make_contract, make_invoice, make_subscription, make_supplier

PERIOD = "2026-03"


@dataclass
class World:
    org: Org
    agreed: Subscription
    none: Subscription
    late: Subscription
    call: InvoiceLine
    content: InvoiceLine
    fee: InvoiceLine
    unagreed_call: InvoiceLine
    late_sms: InvoiceLine


@pytest.fixture
def world(db, org: Org) -> World:
    demotel = make_supplier("Demotel Mobil AB")
    make_contract(org, demotel, [Category.SUBSCRIPTION, Category.USAGE], start=date(2025, 1, 1),
                  end=date(2027, 12, 31), reference="SKÖ 2025/0145")
    agreed = make_subscription(org, "+46701000011", org.forskola, supplier=demotel, holder_name="Anna Lindqvist",
                               private_use_reference="PA-2025-001", private_use_signed_on=date(2025, 1, 1),
                               private_use_signed_by="Anna Lindqvist och chefen")
    none = make_subscription(org, "+46701000012", org.skola, supplier=demotel, holder_name="Bo Ek")
    late = make_subscription(org, "+46701000013", org.va, supplier=demotel, private_use_reference="PA-2026-007",
                             private_use_signed_on=date(2026, 3, 20), private_use_signed_by="Chefen")
    _, lines = make_invoice(org, demotel, [
        L("118.80", Category.USAGE, description="Samtal till 0939-10 20 30", subscription=agreed),
        L("49.00", Category.USAGE, description="Innehållstjänst (tredjepartstjänst)", subscription=agreed),
        L("89.00", description="Abonnemang Obegränsad", subscription=agreed),
        L("59.60", Category.USAGE, description="Samtal till 0939-10 20 30", subscription=none),
        L("25.00", Category.USAGE, description="Betal-SMS 72550", subscription=late),
    ], number="DM-202603")
    return World(org, agreed, none, late, *lines)
