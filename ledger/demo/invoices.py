"""The demo's supplier invoices for the months so far, written as real PEPPOL files (and one
CSV specification) and imported through the same path as finance's uploads.

Each month: the mobile operator's invoice (a subscription fee per number in advance, traffic
in arrears, a volume discount on the document), the switchboard supplier's extensions, Hjo's
operator seats, handsets bought that month, and the other operator's Forsvik numbers. Some
lines are there to be found: a number nobody knows (suspense), a price above the contract, a
number billed after it was terminated, a handset bought off contract, a prepaid subscription
from a shop with no contract; and a credit note. The latest month's mobile invoice comes as
summary lines with the per-number detail in a CSV specification.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from importers.ubl_writer import DraftInvoice, DraftLine, Party, csv_specification, write_invoice
from ledger.database import db
from ledger.demo import data as data
from ledger.demo.private_use import private_use_lines
from ledger.inventory.models import Handset, Subscription, SubscriptionKind
from ledger.invoices.importing import import_file
from ledger.invoices.models import ImportStatus
from ledger.organisation.models import Organisation, Supplier

ONE = Decimal(1)
PRICES = {"MOB-OBG": Decimal("149.00"), "MOB-DATA": Decimal("119.00"), "MOB-SAMTAL": Decimal("0.39"),
          "VX-ANK": Decimal("42.00"), "TEL-PLATS": Decimal("1850.00")}
HANDSET_PRICES = {"TEL-IP15": Decimal("7990.00"), "TEL-IP13": Decimal("5490.00"), "TEL-SGA55": Decimal("3290.00"),
                  "TEL-XC7": Decimal("3590.00"), "TEL-DORO": Decimal("1490.00")}
UNKNOWN_NUMBER = "070-174 06 99"  # a number from PTS's range for fiction: nobody has it


@dataclass(frozen=True)
class DemoFile:
    name: str
    data: bytes


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return first, last


@dataclass(frozen=True)
class _Inventory:
    """What the demo invoices are written from: the parties and the organisation's assets."""

    suppliers: dict[str, Supplier]
    parties: dict[str, Party]
    buyer: Party
    subscriptions: list[Subscription]
    handsets: list[Handset]


def _inventory(organisation: Organisation) -> _Inventory:
    suppliers = {s.key: db.session.scalar(sa.select(Supplier).where(
        Supplier.organisation_number == s.organisation_number)) for s in data.SUPPLIERS}
    found = {key: supplier for key, supplier in suppliers.items() if supplier is not None}
    subs = db.session.scalars(sa.select(Subscription).where(Subscription.organisation_id == organisation.id)
                              .order_by(Subscription.number)).all()
    handsets = db.session.scalars(sa.select(Handset).where(Handset.organisation_id == organisation.id)
                                  .order_by(Handset.imei)).all()
    return _Inventory(found, {key: Party(s.name, s.organisation_number) for key, s in found.items()},
                      Party(organisation.name, organisation.organisation_number), list(subs), list(handsets))


def _active(sub: Subscription, start: date, end: date) -> bool:
    return sub.start_date <= end and (sub.end_date is None or sub.end_date >= start)


def _billed(sub: Subscription, period: tuple[date, date]) -> tuple[date, date]:
    """Operators bill a subscription from the day it started (the full fee, as they do)."""
    return max(period[0], sub.start_date), period[1]


class _DemoMonth:
    """The files of one month, one method per supplier, in the order finance imports them."""

    def __init__(self, inventory: _Inventory, year: int, month: int, today: date) -> None:
        self.inv, self.year, self.month, self.today = inventory, year, month, today
        self.first, self.last = month_bounds(year, month)
        self.previous = month_bounds(year - (month == 1), 12 if month == 1 else month - 1)
        self.issued = min(self.first + timedelta(days=4), today)
        self.rng = random.Random(f"demo invoices {year}-{month:02d}")
        self.stamp = f"{year}{month:02d}"

    def files(self) -> Iterator[DemoFile]:
        yield from self.mobile()
        yield self.switchboard()
        yield self.operator_seats()
        yield from self.other_operator()
        yield from self.handsets()

    def _invoice(self, name: str, number: str, supplier: str, lines: list[DraftLine], *,
                 issued: date | None = None, due_days: int | None = 30, **options: Any) -> DemoFile:
        issued = issued or self.issued
        due = issued + timedelta(days=due_days) if due_days is not None else None
        draft = DraftInvoice(number, issued, self.inv.parties[supplier], self.inv.buyer, lines, due_date=due,
                             **options)
        return DemoFile(name, write_invoice(draft))

    def mobile_lines(self) -> list[DraftLine]:
        """A fee per number in advance, traffic in arrears, a claimable price, a stranger's number."""
        first, last, lines = self.first, self.last, []
        for sub in self.inv.subscriptions:
            if sub.supplier_id != self.inv.suppliers["mobile"].id:
                continue
            billed_after_end = (sub.end_date is not None and sub.end_date < first
                                and self.month == sub.end_date.month + 1)
            if sub.kind in (SubscriptionKind.MOBILE_VOICE, SubscriptionKind.MOBILE_DATA) and (
                    _active(sub, first, last) or billed_after_end):
                code = "MOB-DATA" if sub.kind == SubscriptionKind.MOBILE_DATA else "MOB-OBG"
                lines.append(DraftLine(f"Abonnemang {'Mobilt bredband' if code == 'MOB-DATA' else 'Obegränsad'}",
                                       ONE, PRICES[code], "MON", code, sub.number, period=_billed(sub, (first, last))))
            if sub.kind == SubscriptionKind.MOBILE_VOICE and _active(sub, *self.previous):
                minutes = Decimal(self.rng.randint(15, 420))
                lines.append(DraftLine("Samtal inom Sverige", minutes, PRICES["MOB-SAMTAL"], "MIN",
                                       "MOB-SAMTAL", sub.number, period=_billed(sub, self.previous)))
        if self.month == max(1, self.today.month - 2) and lines:  # a price above the contract's, for a claim
            lines.append(DraftLine("Samtal inom Sverige (efterdebitering)", Decimal(200), Decimal("0.59"),
                                   "MIN", "MOB-SAMTAL", lines[0].reference, period=self.previous))
        lines += private_use_lines(self.inv.subscriptions, self.inv.suppliers["mobile"].id, self.year, self.month,
                                   (first, last), self.previous)
        lines.append(DraftLine("Abonnemang Obegränsad", ONE, PRICES["MOB-OBG"], "MON", "MOB-OBG",
                               UNKNOWN_NUMBER, period=(first, last)))
        return lines

    def mobile(self) -> Iterator[DemoFile]:
        lines = self.mobile_lines()
        number = f"DM-{self.stamp}"
        if self.month == self.today.month and self.today.month > 1:
            yield from self.mobile_with_specification(number, lines)
        else:
            discount = (sum((ln.amount for ln in lines if ln.item_code != "MOB-SAMTAL"), Decimal(0))
                        * Decimal("0.02")).quantize(Decimal("0.01"))
            yield self._invoice(f"{number}.xml", number, "mobile", lines, period=(self.first, self.last),
                                allowances=[(discount, "Volymrabatt 2 % på fasta avgifter")])
        if self.month == 4 and self.today.month > 4:
            yield self._invoice(f"DM-K-{self.year}04.xml", f"DM-K-{self.year}04", "mobile", [DraftLine(
                "Kreditering: dubbeldebiterat abonnemang", ONE, PRICES["MOB-OBG"], "MON", "MOB-OBG",
                lines[0].reference, period=(self.first, self.last))],
                issued=self.issued + timedelta(days=10), due_days=None, credit_note=True, billing_reference=number)

    def mobile_with_specification(self, number: str, lines: list[DraftLine]) -> Iterator[DemoFile]:
        """The latest month: a summary invoice with the detail in a CSV specification."""
        fees = sum((ln.amount for ln in lines), Decimal(0))
        yield self._invoice(f"{number}.xml", number, "mobile",
                            [DraftLine("Mobiltelefoni enligt specifikation", ONE, fees)],
                            period=(self.first, self.last))
        yield DemoFile(f"{number}-specifikation.csv", csv_specification(
            (self.inv.parties["mobile"].organisation_number, number, self.issued, ln.reference or "",
             ln.item_code or "", ln.description, ln.period[0], ln.period[1], ln.quantity,  # type: ignore[index]
             ln.unit_price, ln.amount)
            for ln in lines))

    def switchboard(self) -> DemoFile:
        extensions = [DraftLine("Växelanknytning", ONE, PRICES["VX-ANK"], "MON", "VX-ANK", sub.number,
                                period=_billed(sub, (self.first, self.last)))
                      for sub in self.inv.subscriptions
                      if sub.kind == SubscriptionKind.SWITCHBOARD_EXTENSION and _active(sub, self.first, self.last)]
        return self._invoice(f"VX-{self.stamp}.xml", f"VX-{self.stamp}", "switchboard", extensions,
                             period=(self.first, self.last))

    def operator_seats(self) -> DemoFile:
        seats = [DraftLine("Telefonisttjänst", ONE, PRICES["TEL-PLATS"], "MON", "TEL-PLATS", sub.number,
                           period=(self.first, self.last))
                 for sub in self.inv.subscriptions if sub.kind == SubscriptionKind.OPERATOR_SEAT]
        return self._invoice(f"HJO-{self.stamp}.xml", f"HJO-{self.year}-{self.month:02d}", "hjo", seats,
                             period=(self.first, self.last), buyer_reference="Kanslienheten")

    def other_operator(self) -> Iterator[DemoFile]:
        forsvik = [DraftLine("Mobilabonnemang", ONE, Decimal("139.00"), "MON", "NN-MOB", sub.number,
                             period=_billed(sub, (self.first, self.last)))
                   for sub in self.inv.subscriptions
                   if sub.supplier_id == self.inv.suppliers["other_operator"].id
                   and _active(sub, self.first, self.last)]
        if forsvik:
            yield self._invoice(f"NN-{self.stamp}.xml", f"NN-{self.stamp}", "other_operator", forsvik,
                                period=(self.first, self.last))

    def handsets(self) -> Iterator[DemoFile]:
        """Handsets are invoiced at the end of the month they were delivered, each line dated."""
        codes = {model: code for model, code, _ in data.HANDSET_MODELS}
        bought = [h for h in self.inv.handsets if h.purchase_date and self.first <= h.purchase_date <= self.last]
        month_end = min(self.last, self.today)
        on_contract = [DraftLine(h.model, ONE, HANDSET_PRICES[codes[h.model]], "EA", codes[h.model],
                                 imei=h.imei, period=(h.purchase_date, h.purchase_date))  # type: ignore[arg-type]
                       for h in bought if h.contract_id is not None]
        if on_contract:
            yield self._invoice(f"EQ-{self.stamp}.xml", f"EQ-{self.stamp}", "equipment", on_contract,
                                issued=month_end)
        off_contract = [DraftLine(f"{h.model} (butik)", ONE, h.purchase_price or Decimal(0), "EA", imei=h.imei,
                                  period=(h.purchase_date, h.purchase_date))  # type: ignore[arg-type]
                        for h in bought if h.contract_id is None]
        if self.month == max(1, self.today.month - 1):
            off_contract.append(DraftLine("Kontantkort mobilabonnemang", ONE, Decimal("199.00"), "EA",
                                          reference="070-174 06 98"))
        if off_contract:
            yield self._invoice(f"LM-{self.stamp}.xml", f"LM-{self.stamp}", "offcontract_equipment", off_contract,
                                issued=month_end, due_days=20)


def demo_files(organisation: Organisation, today: date) -> Iterator[DemoFile]:
    """Every demo invoice file, in the order a finance officer would import them."""
    inventory = _inventory(organisation)
    for month in range(1, today.month + 1):
        yield from _DemoMonth(inventory, today.year, month, today).files()


def import_demo_invoices(organisation: Organisation, today: date) -> tuple[int, int, int]:
    """Import every demo file; returns (files imported, duplicates, lines). Commits per file."""
    imported = duplicates = lines = 0
    for file in demo_files(organisation, today):
        outcome = import_file(None, organisation, file.data, file.name)
        if outcome.status == ImportStatus.IMPORTED:
            imported += 1
            lines += outcome.lines
        elif outcome.status == ImportStatus.DUPLICATE:
            duplicates += 1
        else:
            raise RuntimeError(f"demo invoice {file.name} was rejected: {outcome.errors}")
    return imported, duplicates, lines
