"""The benchmarks' data: an organisation with 60 units and 5,000 subscriptions, one in ten
moved to another unit during the year (some mid-month), and invoice files for it."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

YEAR = 2026
SUPPLIER = ("Benchtel AB", "556900-0010")
BUYER = ("Benchkommun", "212000-1629")


@dataclass(frozen=True)
class Inventory:
    numbers: list[str]  # national notation, as operators print them
    #: (subscription index, unit index, valid_from, valid_to or None)
    assignments: list[tuple[int, int, date, date | None]]
    units: int


def inventory(subscriptions: int = 5000, units: int = 60, seed: int = 1446) -> Inventory:
    rng = random.Random(seed)
    numbers = [f"070-{1000000 + i * 37:07d}" for i in range(subscriptions)]
    numbers = [f"{n[:7]} {n[7:9]} {n[9:]}" for n in numbers]
    assignments: list[tuple[int, int, date, date | None]] = []
    for index in range(subscriptions):
        unit = index % units
        if rng.random() < 0.10:
            moved = date(YEAR, rng.randint(2, 12), rng.choice([1, 1, 10, 15, 20]))
            assignments.append((index, unit, date(YEAR - 2, 1, 1), moved))
            assignments.append((index, (unit + 1 + rng.randrange(units - 1)) % units, moved, None))
        else:
            assignments.append((index, unit, date(YEAR - 2, 1, 1), None))
    return Inventory(numbers, assignments, units)


def month_bounds(month: int) -> tuple[date, date]:
    first = date(YEAR, month, 1)
    return first, date(YEAR + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def csv_rows(inv: Inventory, lines: int) -> Iterator[str]:
    """``lines`` specification rows spread evenly over the twelve months (one invoice each)."""
    per_month = lines // 12
    kinds = (("MOB-OBG", "Abonnemang Obegränsad", "1", "149,00", "149,00"),
             ("MOB-SAMTAL", "Samtal inom Sverige", "100", "0,39", "39,00"),
             ("MOB-DATA", "Mobildata", "12", "8,50", "102,00"))
    written = 0
    for month in range(1, 13):
        first, last = month_bounds(month)
        count = per_month if month < 12 else lines - written
        for row in range(count):
            code, text, quantity, price, amount = kinds[row % 3]
            number = inv.numbers[(row // 3) % len(inv.numbers)]
            yield (f"{SUPPLIER[1]};BT-{YEAR}{month:02d};{first.isoformat()};{number};{code};{text};"
                   f"{first.isoformat()};{last.isoformat()};{quantity};{price};{amount};25")
        written += count


CSV_HEADER = ("Organisationsnummer;Fakturanummer;Fakturadatum;Nummer;Artikelnummer;Text;Från;Till;Antal;"
              "À-pris;Belopp exkl. moms;Momssats")


def csv_bytes(inv: Inventory, lines: int) -> bytes:
    return ("\ufeff" + CSV_HEADER + "\r\n" + "\r\n".join(csv_rows(inv, lines)) + "\r\n").encode("utf-8")


def ubl_bytes(inv: Inventory, lines: int) -> bytes:
    """One PEPPOL invoice of ``lines`` lines for March."""
    from importers.ubl_writer import DraftInvoice, DraftLine, Party, write_invoice

    first, last = month_bounds(3)
    draft_lines = [DraftLine("Abonnemang Obegränsad" if i % 2 == 0 else "Samtal inom Sverige",
                             Decimal(1) if i % 2 == 0 else Decimal(100),
                             Decimal("149.00") if i % 2 == 0 else Decimal("0.39"),
                             "MON" if i % 2 == 0 else "MIN", "MOB-OBG" if i % 2 == 0 else "MOB-SAMTAL",
                             inv.numbers[(i // 2) % len(inv.numbers)], period=(first, last))
                   for i in range(lines)]
    return write_invoice(DraftInvoice(f"BU-{YEAR}03", first, Party(*SUPPLIER), Party(*BUYER), draft_lines,
                                      period=(first, last)))


def load_inventory(inv: Inventory) -> int:
    """The organisation, units, supplier, subscriptions and assignments, with bulk inserts.
    Returns the organisation's id."""
    import sqlalchemy as sa

    from ledger.core.identifiers import phone_number
    from ledger.database import db
    from ledger.inventory.models import Assignment, Subscription
    from ledger.organisation.models import Administration, BudgetUnit, Organisation, Supplier

    org = Organisation(name=BUYER[0], organisation_number=BUYER[1], keeps_ledger=True)
    supplier = Supplier(name=SUPPLIER[0], organisation_number=SUPPLIER[1])
    db.session.add_all([org, supplier])
    db.session.flush()
    admin = Administration(organisation_id=org.id, code="ADM", name="Förvaltningen")
    db.session.add(admin)
    db.session.flush()
    db.session.execute(sa.insert(BudgetUnit), [
        {"organisation_id": org.id, "administration_id": admin.id, "ansvar": f"{1000 + u}", "name": f"Enhet {u}",
         "carries_switchboard": u == 0, "fee_funded": u == 1} for u in range(inv.units)])
    unit_ids = [uid for (uid,) in db.session.execute(
        sa.select(BudgetUnit.id).where(BudgetUnit.organisation_id == org.id).order_by(BudgetUnit.ansvar))]
    # a bulk insert takes the column's own name: a subscription's number is its asset's identifier
    db.session.execute(sa.insert(Subscription), [
        {"organisation_id": org.id, "identifier": phone_number(n), "kind": "mobile_voice",
         "supplier_id": supplier.id, "start_date": date(YEAR - 2, 1, 1)} for n in inv.numbers])
    sub_ids = [sid for (sid,) in db.session.execute(
        sa.select(Subscription.id).where(Subscription.organisation_id == org.id).order_by(Subscription.id))]
    db.session.execute(sa.insert(Assignment), [
        {"organisation_id": org.id, "asset_id": sub_ids[s], "unit_id": unit_ids[u], "valid_from": start,
         "valid_to": end} for s, u, start, end in inv.assignments])
    db.session.commit()
    return org.id
