"""The benchmarks' data: an organisation with 60 units and 5,000 subscriptions, and invoice files
for it that carry what a real year brings.

- One in twenty subscriptions changes unit inside every month (on a seeded day from the 2nd to
  the 28th), so about 5 % of the lines have an assignment that changes inside their service
  period and the ledger splits them by days. One in ten of the others moves once during the
  year (some on the 1st, most mid-month).
- About 0.5 % of the lines are for numbers no subscription has (they go to suspense).
- One line in a hundred is a credit (a negative amount), as operators write them in a
  specification.
- Each PEPPOL invoice carries document-level allowances and a charge (``cac:AllowanceCharge``),
  which the ledger spreads over the invoice's lines.

Everything is derived from the line's position and a seeded generator: the same ``--lines``
gives the same bytes.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

YEAR = 2026
SUPPLIER = ("Benchtel AB", "556900-0010")
BUYER = ("Benchkommun", "212000-1629")
#: subscription index % MONTHLY_MOVER_EVERY == MONTHLY_MOVER_AT: changes unit inside every month
MONTHLY_MOVER_EVERY, MONTHLY_MOVER_AT = 20, 3
#: line slot % UNKNOWN_EVERY == UNKNOWN_AT: a number no subscription has (early in the cycle, so
#: that even a small invoice has one)
UNKNOWN_EVERY, UNKNOWN_AT = 200, 9
#: row % CREDIT_EVERY == CREDIT_AT: a credit line
CREDIT_EVERY, CREDIT_AT = 100, 7
#: the share of the allocation benchmark's lines that come as PEPPOL invoices (one a month)
PEPPOL_SHARE = 50


@dataclass(frozen=True)
class Inventory:
    numbers: list[str]  # national notation, as operators print them
    #: (subscription index, unit index, valid_from, valid_to or None)
    assignments: list[tuple[int, int, date, date | None]]
    units: int


def ansvar(unit: int) -> str:
    """The ansvar code of unit ``unit`` (its index in ``Inventory``)."""
    return f"{1000 + unit}"


def _spaced(number: str) -> str:
    """``070-1000037`` as operators print it: ``070-100 00 37``."""
    return f"{number[:7]} {number[7:9]} {number[9:]}"


def _monthly_moves(index: int, unit: int, units: int, rng: random.Random) -> list[tuple[int, int, date, date | None]]:
    """Between two units, changing on a day inside each month of the year."""
    other = (unit + 7) % units
    days = [date(YEAR, month, rng.randint(2, 28)) for month in range(1, 13)]
    starts = [date(YEAR - 2, 1, 1), *days]
    ends: list[date | None] = [*days, None]
    return [(index, unit if n % 2 == 0 else other, start, end)
            for n, (start, end) in enumerate(zip(starts, ends, strict=True))]


def inventory(subscriptions: int = 5000, units: int = 60, seed: int = 1446) -> Inventory:
    rng = random.Random(seed)
    numbers = [_spaced(f"070-{1000000 + i * 37:07d}") for i in range(subscriptions)]
    assignments: list[tuple[int, int, date, date | None]] = []
    for index in range(subscriptions):
        unit = index % units
        if index % MONTHLY_MOVER_EVERY == MONTHLY_MOVER_AT:
            assignments.extend(_monthly_moves(index, unit, units, rng))
        elif rng.random() < 0.10:
            moved = date(YEAR, rng.randint(2, 12), rng.choice([1, 1, 10, 15, 20]))
            assignments.append((index, unit, date(YEAR - 2, 1, 1), moved))
            assignments.append((index, (unit + 1 + rng.randrange(units - 1)) % units, moved, None))
        else:
            assignments.append((index, unit, date(YEAR - 2, 1, 1), None))
    return Inventory(numbers, assignments, units)


def month_bounds(month: int) -> tuple[date, date]:
    first = date(YEAR, month, 1)
    return first, date(YEAR + month // 12, month % 12 + 1, 1) - timedelta(days=1)


class Line(NamedTuple):
    """One generated invoice line (its service period is its month)."""

    month: int
    reference: str
    subscription: int | None  #: the subscription's index; None for a number no subscription has
    code: str
    text: str
    quantity: int
    unit_code: str
    price_ore: int
    amount_ore: int


#: (item code, text, quantity, unit code, price in öre) of the regular lines, in turn
CSV_KINDS = (("MOB-OBG", "Abonnemang Obegränsad", 1, "MON", 14900),
             ("MOB-SAMTAL", "Samtal inom Sverige", 100, "MIN", 39),
             ("MOB-DATA", "Mobildata", 12, "GB", 850))
PEPPOL_KINDS = CSV_KINDS[:2]


def month_lines(inv: Inventory, month: int, count: int,
                kinds: tuple[tuple[str, str, int, str, int], ...]) -> Iterator[Line]:
    """``count`` lines for ``month``: a subscription's kinds in turn, then the next subscription."""
    for row in range(count):
        slot = row // len(kinds)
        if slot % UNKNOWN_EVERY == UNKNOWN_AT:
            index, reference = None, _spaced(f"073-{9000000 + slot % 1000000:07d}")
        else:
            index = slot % len(inv.numbers)
            reference = inv.numbers[index]
        if row % CREDIT_EVERY == CREDIT_AT:
            price = 1000 + (row * 7919) % 14000  # a credited part of a month: an uneven amount
            yield Line(month, reference, index, "MOB-KREDIT", "Kreditering abonnemang", -1, "MON", price, -price)
            continue
        code, text, quantity, unit_code, price = kinds[row % len(kinds)]
        yield Line(month, reference, index, code, text, quantity, unit_code, price, quantity * price)


def year_lines(inv: Inventory, lines: int, kinds: tuple[tuple[str, str, int, str, int], ...]) -> Iterator[Line]:
    """``lines`` lines spread evenly over the twelve months."""
    for month, count in enumerate(per_month(lines), start=1):
        yield from month_lines(inv, month, count, kinds)


def per_month(lines: int) -> list[int]:
    """How many of ``lines`` each month gets: an even share, the rest in December."""
    share = lines // 12
    return [share] * 11 + [lines - 11 * share]


def _kronor(ore: int) -> str:
    """Öre in the specification's notation: ``-149,00``."""
    sign = "-" if ore < 0 else ""
    return f"{sign}{abs(ore) // 100},{abs(ore) % 100:02d}"


def csv_rows(inv: Inventory, lines: int) -> Iterator[str]:
    """``lines`` specification rows spread evenly over the twelve months (one invoice each)."""
    for line in year_lines(inv, lines, CSV_KINDS):
        first, last = month_bounds(line.month)
        yield (f"{SUPPLIER[1]};BT-{YEAR}{line.month:02d};{first.isoformat()};{line.reference};{line.code};"
               f"{line.text};{first.isoformat()};{last.isoformat()};{line.quantity};{_kronor(line.price_ore)};"
               f"{_kronor(line.amount_ore)};25")


CSV_HEADER = ("Organisationsnummer;Fakturanummer;Fakturadatum;Nummer;Artikelnummer;Text;Från;Till;Antal;"
              "À-pris;Belopp exkl. moms;Momssats")


def csv_bytes(inv: Inventory, lines: int) -> bytes:
    return ("\ufeff" + CSV_HEADER + "\r\n" + "\r\n".join(csv_rows(inv, lines)) + "\r\n").encode("utf-8")


# PEPPOL --------------------------------------------------------------------------------------

def allowances_charges(line_total: int) -> tuple[list[tuple[int, str]], int]:
    """An invoice's document-level allowances ((öre, reason), positive) and its charge in öre:
    a contract discount of 2 % of the lines, a fixed campaign discount and an invoice fee."""
    return [(line_total * 2 // 100, "Avtalsrabatt 2 %"), (12345, "Kampanjrabatt")], 3900


def _charge(ore: int) -> str:
    return ("<cac:AllowanceCharge><cbc:ChargeIndicator>true</cbc:ChargeIndicator>"
            f"<cbc:AllowanceChargeReason>Fakturaavgift</cbc:AllowanceChargeReason>"
            f'<cbc:Amount currencyID="SEK">{_point(ore)}</cbc:Amount>'
            "<cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent>"
            "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:AllowanceCharge>")


def _point(ore: int) -> str:
    return _kronor(ore).replace(",", ".")


def _totals(line_total: int, allowance_total: int, charge_total: int) -> str:
    """TaxTotal and LegalMonetaryTotal for lines, allowances and charges all at 25 % (EN 16931
    BR-CO-10..16), rounded to whole kronor as Swedish invoices are."""
    taxable = line_total - allowance_total + charge_total
    vat = (taxable * 25 + 50) // 100  # half up; the taxable amount of an invoice is positive
    inclusive = taxable + vat
    rounding = (inclusive + 50) // 100 * 100 - inclusive
    sek = 'currencyID="SEK"'
    return (f"<cac:TaxTotal><cbc:TaxAmount {sek}>{_point(vat)}</cbc:TaxAmount><cac:TaxSubtotal>"
            f"<cbc:TaxableAmount {sek}>{_point(taxable)}</cbc:TaxableAmount><cbc:TaxAmount {sek}>{_point(vat)}"
            "</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent><cac:TaxScheme>"
            "<cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal></cac:TaxTotal>"
            f"<cac:LegalMonetaryTotal><cbc:LineExtensionAmount {sek}>{_point(line_total)}</cbc:LineExtensionAmount>"
            f"<cbc:TaxExclusiveAmount {sek}>{_point(taxable)}</cbc:TaxExclusiveAmount>"
            f"<cbc:TaxInclusiveAmount {sek}>{_point(inclusive)}</cbc:TaxInclusiveAmount>"
            f"<cbc:AllowanceTotalAmount {sek}>{_point(allowance_total)}</cbc:AllowanceTotalAmount>"
            f"<cbc:ChargeTotalAmount {sek}>{_point(charge_total)}</cbc:ChargeTotalAmount>"
            + (f"<cbc:PayableRoundingAmount {sek}>{_point(rounding)}</cbc:PayableRoundingAmount>" if rounding else "")
            + f"<cbc:PayableAmount {sek}>{_point(inclusive + rounding)}</cbc:PayableAmount></cac:LegalMonetaryTotal>")


def ubl_bytes(inv: Inventory, lines: int, month: int = 3, number: str | None = None) -> bytes:
    """One PEPPOL invoice of ``lines`` lines for ``month`` (March unless told), with document-level
    allowances and a charge."""
    from importers.ubl_writer import DraftInvoice, DraftLine, Party, write_invoice

    first, last = month_bounds(month)
    generated = list(month_lines(inv, month, lines, PEPPOL_KINDS))
    draft_lines = [DraftLine(line.text, Decimal(line.quantity), Decimal(line.price_ore) / 100, line.unit_code,
                             line.code, line.reference, period=(first, last)) for line in generated]
    allowances, charge = allowances_charges(sum(line.amount_ore for line in generated))
    draft = DraftInvoice(number or f"BU-{YEAR}{month:02d}", first, Party(*SUPPLIER), Party(*BUYER), draft_lines,
                         period=(first, last), allowances=[(Decimal(ore) / 100, why) for ore, why in allowances],
                         round_to_krona=False)
    # The writer knows allowances only: the charge goes in after them, with the totals it changes.
    text = write_invoice(draft).decode("utf-8")
    head, rest = text.split("<cac:TaxTotal>", 1)
    _, tail = rest.split("</cac:LegalMonetaryTotal>", 1)
    totals = _totals(sum(line.amount_ore for line in generated), sum(ore for ore, _ in allowances), charge)
    return (head + _charge(charge) + "\n" + totals + tail).encode("utf-8")


def allocation_files(inv: Inventory, lines: int) -> list[tuple[str, bytes]]:
    """The allocation benchmark's year: a CSV specification (one invoice a month) and, for
    one line in ``PEPPOL_SHARE``, a PEPPOL invoice a month with allowances and a charge;
    ``lines`` lines in all."""
    peppol = peppol_counts(lines)
    files = [("bench.csv", csv_bytes(inv, lines - sum(peppol)))]
    files += [(f"bench-{month:02d}.xml", ubl_bytes(inv, count, month)) for month, count in enumerate(peppol, 1)]
    return files


def peppol_counts(lines: int) -> list[int]:
    """Lines per month of the allocation benchmark's PEPPOL invoices (``allocation_files``)."""
    return per_month(max(12, lines // PEPPOL_SHARE))


# What the data holds -------------------------------------------------------------------------

def moved_inside(inv: Inventory) -> set[tuple[int, int]]:
    """(subscription index, month) where the subscription's unit changes after the 1st."""
    return {(index, start.month) for index, _, start, _ in inv.assignments if start.year == YEAR and start.day > 1}


def allocation_lines(inv: Inventory, lines: int) -> Iterator[Line]:
    """The lines of ``allocation_files``, as generated."""
    peppol = peppol_counts(lines)
    yield from year_lines(inv, lines - sum(peppol), CSV_KINDS)
    for month, count in enumerate(peppol, start=1):
        yield from month_lines(inv, month, count, PEPPOL_KINDS)


def census(inv: Inventory, lines: Iterable[Line]) -> dict[str, int]:
    """How many of ``lines`` are credits, for numbers no subscription has, or split by days
    (counted as they stream by: the benchmarks report their peak memory)."""
    inside = moved_inside(inv)
    counts = {"credits": 0, "unknown_numbers": 0, "split_mid_period": 0}
    for line in lines:
        counts["credits"] += line.amount_ore < 0
        counts["unknown_numbers"] += line.subscription is None
        counts["split_mid_period"] += (line.subscription, line.month) in inside
    return counts


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
        {"organisation_id": org.id, "administration_id": admin.id, "ansvar": ansvar(u), "name": f"Enhet {u}",
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
