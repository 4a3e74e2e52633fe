"""A Karlsborg whose register holds people: on 15 April 2026, with a 24-month retention, the
names of what ended on or before 15 April 2024 are due for pseudonymisation.

* ``old``: 070-555 00 01, held by Anna Svensson (named by the operator's list), who also signed its
  private-use agreement; its SIM sat in a handset since lost. Ended 10 March 2024 (25 months ago),
  billed and allocated in February 2024.
* ``recent``: 070-555 00 02, Bertil Berg's, ended 20 May 2024 (not quite 23 months ago).
* ``current``: 070-555 00 03, Anna Svensson's again since 2025 (named by the same list).
* ``johanna``: 070-555 00 04, Johanna Svensson's: no Anna Svensson.
* ``handset``: lost on 1 February 2024, reported to Örjan Chef.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from ledger.access.models import Role, User
from ledger.allocation.engine import allocate
from ledger.core import clock
from ledger.inventory import edits, losses, operator_list
from ledger.inventory.models import Handset, Subscription
from tests.conftest import Org
from tests.factories import SUPPLIER, build_month, import_invoice, line, make_imei, make_user, save

TODAY = date(2026, 4, 15)
ANNA, BERTIL, JOHANNA, MANAGER = "Anna Svensson", "Bertil Berg", "Johanna Svensson", "Örjan Chef"
OLD, RECENT, CURRENT, OTHER = "+46705550001", "+46705550002", "+46705550003", "+46705550004"


@dataclass
class People:
    org: Org
    admin: User
    old: Subscription
    recent: Subscription
    current: Subscription
    johanna: Subscription
    handset: Handset


@pytest.fixture
def today(monkeypatch) -> date:
    monkeypatch.setattr(clock, "today", lambda now=None: TODAY)
    return TODAY


def _subscription(admin: User, number: str, reference: str, start: date, unit: str, **values: object) -> Subscription:
    return edits.create_subscription(admin, {"number": number, "kind": "mobile_voice", "operator_reference": reference,
                                             "supplier": SUPPLIER, "start_date": start, **values}, unit=unit)


OPERATOR_LIST = (f"Nummer;Typ;Abonnemangs-id;Startdatum;Operatör organisationsnummer;Namn\n"
                 f"{OLD};Mobil;AB-OLD;2023-01-01;{SUPPLIER};{ANNA}\n"
                 f"{CURRENT};Mobil;AB-CUR;2025-01-01;{SUPPLIER};{ANNA}\n")


@pytest.fixture
def people(db, org, today) -> People:
    build_month(org)
    admin = make_user(org, Role.ADMIN, username="karlsborg-admin")
    handset = edits.create_handset(admin, {"imei": make_imei(55), "model": "Doro 8100",
                                           "purchase_date": date(2023, 1, 1)}, unit="3110")
    old = _subscription(admin, OLD, "AB-OLD", date(2023, 1, 1), "3110", handset=handset.imei)
    recent = _subscription(admin, RECENT, "AB-REC", date(2023, 6, 1), "3140", holder_name=BERTIL)
    current = _subscription(admin, CURRENT, "AB-CUR", date(2025, 1, 1), "3110")
    johanna = _subscription(admin, OTHER, "AB-JOH", date(2025, 1, 1), "3140", holder_name=JOHANNA)
    save()
    operator_list.import_list(admin, org.id, OPERATOR_LIST.encode(), "lista.csv")
    edits.update_subscription(admin, old, {"private_use_reference": "PA-7", "private_use_signed_on": date(2023, 1, 2),
                                           "private_use_signed_by": ANNA})
    save()
    import_invoice(org, [line(OLD, "99.00", period=("2024-02-01", "2024-02-29"))], number="F-OLD",
                   issue_date="2024-02-29")
    allocate(None, org.organisation, "2024-02")
    edits.end_subscription(admin, old, date(2024, 3, 10))
    edits.end_subscription(admin, recent, date(2024, 5, 20))
    losses.report_loss(admin, handset, status="lost", occurred_on=date(2024, 2, 1), reported_to_manager=MANAGER,
                       subscription_blocked=True)
    save()
    return People(org, admin, old, recent, current, johanna, handset)
