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

import sqlalchemy as sa

from importers.ubl_writer import DraftInvoice, DraftLine, Party, csv_specification, write_invoice
from ledger.database import db
from ledger.demo import data as data
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


def demo_files(organisation: Organisation, today: date) -> Iterator[DemoFile]:
    """Every demo invoice file, in the order a finance officer would import them."""
    suppliers = {s.key: db.session.scalar(sa.select(Supplier).where(
        Supplier.organisation_number == s.organisation_number)) for s in data.SUPPLIERS}
    parties = {key: Party(s.name, s.organisation_number) for key, s in suppliers.items() if s}
    buyer = Party(organisation.name, organisation.organisation_number)
    subs = db.session.scalars(sa.select(Subscription).where(Subscription.organisation_id == organisation.id)
                              .order_by(Subscription.number)).all()
    handsets = db.session.scalars(sa.select(Handset).where(Handset.organisation_id == organisation.id)
                                  .order_by(Handset.imei)).all()
    imei_codes = {model: code for model, code, _ in data.HANDSET_MODELS}
    year = today.year
    for month in range(1, today.month + 1):
        first, last = month_bounds(year, month)
        previous = month_bounds(year - (month == 1), 12 if month == 1 else month - 1)
        issued = min(first + timedelta(days=4), today)
        rng = random.Random(f"demo invoices {year}-{month:02d}")

        def active(sub: Subscription, start: date, end: date) -> bool:
            return sub.start_date <= end and (sub.end_date is None or sub.end_date >= start)

        def billed(sub: Subscription, period: tuple[date, date]) -> tuple[date, date]:
            """Operators bill a subscription from the day it started (the full fee, as they do)."""
            return max(period[0], sub.start_date), period[1]

        mobile_lines: list[DraftLine] = []
        for sub in subs:
            if sub.supplier_id != suppliers["mobile"].id:
                continue
            billed_after_end = sub.end_date is not None and sub.end_date < first and month == sub.end_date.month + 1
            if sub.kind in (SubscriptionKind.MOBILE_VOICE, SubscriptionKind.MOBILE_DATA) and (
                    active(sub, first, last) or billed_after_end):
                code = "MOB-DATA" if sub.kind == SubscriptionKind.MOBILE_DATA else "MOB-OBG"
                mobile_lines.append(DraftLine(f"Abonnemang {'Mobilt bredband' if code == 'MOB-DATA' else 'Obegränsad'}",
                                              ONE, PRICES[code], "MON", code, sub.number,
                                              period=billed(sub, (first, last))))
            if sub.kind == SubscriptionKind.MOBILE_VOICE and active(sub, *previous):
                minutes = Decimal(rng.randint(15, 420))
                mobile_lines.append(DraftLine("Samtal inom Sverige", minutes, PRICES["MOB-SAMTAL"], "MIN",
                                              "MOB-SAMTAL", sub.number, period=billed(sub, previous)))
        if month == max(1, today.month - 2) and mobile_lines:  # a price above the contract's, for a claim
            mobile_lines.append(DraftLine("Samtal inom Sverige (efterdebitering)", Decimal(200), Decimal("0.59"),
                                          "MIN", "MOB-SAMTAL", mobile_lines[0].reference, period=previous))
        mobile_lines.append(DraftLine("Abonnemang Obegränsad", ONE, PRICES["MOB-OBG"], "MON", "MOB-OBG",
                                      UNKNOWN_NUMBER, period=(first, last)))
        number = f"DM-{year}{month:02d}"
        discount = (sum((ln.amount for ln in mobile_lines if ln.item_code != "MOB-SAMTAL"), Decimal(0))
                    * Decimal("0.02")).quantize(Decimal("0.01"))
        if month == today.month and today.month > 1:
            # The latest month: a summary invoice with the detail in a CSV specification.
            fees = sum((ln.amount for ln in mobile_lines), Decimal(0))
            yield DemoFile(f"{number}.xml", write_invoice(DraftInvoice(
                number, issued, parties["mobile"], buyer, [DraftLine("Mobiltelefoni enligt specifikation", ONE, fees)],
                due_date=issued + timedelta(days=30), period=(first, last))))
            yield DemoFile(f"{number}-specifikation.csv", csv_specification(
                (parties["mobile"].organisation_number, number, issued, ln.reference or "", ln.item_code or "",
                 ln.description, ln.period[0], ln.period[1], ln.quantity, ln.unit_price,  # type: ignore[index]
                 ln.amount)
                for ln in mobile_lines))
        else:
            yield DemoFile(f"{number}.xml", write_invoice(DraftInvoice(
                number, issued, parties["mobile"], buyer, mobile_lines, due_date=issued + timedelta(days=30),
                period=(first, last), allowances=[(discount, "Volymrabatt 2 % på fasta avgifter")])))
        if month == 4 and today.month > 4:
            yield DemoFile(f"DM-K-{year}04.xml", write_invoice(DraftInvoice(
                f"DM-K-{year}04", issued + timedelta(days=10), parties["mobile"], buyer,
                [DraftLine("Kreditering: dubbeldebiterat abonnemang", ONE, PRICES["MOB-OBG"], "MON", "MOB-OBG",
                           mobile_lines[0].reference, period=(first, last))],
                credit_note=True, billing_reference=number)))

        extensions = [DraftLine("Växelanknytning", ONE, PRICES["VX-ANK"], "MON", "VX-ANK", sub.number,
                                period=billed(sub, (first, last)))
                      for sub in subs
                      if sub.kind == SubscriptionKind.SWITCHBOARD_EXTENSION and active(sub, first, last)]
        yield DemoFile(f"VX-{year}{month:02d}.xml", write_invoice(DraftInvoice(
            f"VX-{year}{month:02d}", issued, parties["switchboard"], buyer, extensions,
            due_date=issued + timedelta(days=30), period=(first, last))))

        seats = [DraftLine("Telefonisttjänst", ONE, PRICES["TEL-PLATS"], "MON", "TEL-PLATS", sub.number,
                           period=(first, last)) for sub in subs if sub.kind == SubscriptionKind.OPERATOR_SEAT]
        yield DemoFile(f"HJO-{year}{month:02d}.xml", write_invoice(DraftInvoice(
            f"HJO-{year}-{month:02d}", issued, parties["hjo"], buyer, seats, due_date=issued + timedelta(days=30),
            period=(first, last), buyer_reference="Kanslienheten")))

        forsvik = [DraftLine("Mobilabonnemang", ONE, Decimal("139.00"), "MON", "NN-MOB", sub.number,
                             period=billed(sub, (first, last)))
                   for sub in subs if sub.supplier_id == suppliers["other_operator"].id and active(sub, first, last)]
        if forsvik:
            yield DemoFile(f"NN-{year}{month:02d}.xml", write_invoice(DraftInvoice(
                f"NN-{year}{month:02d}", issued, parties["other_operator"], buyer, forsvik,
                due_date=issued + timedelta(days=30), period=(first, last))))

        # Handsets are invoiced at the end of the month they were delivered, each line dated.
        bought = [h for h in handsets if h.purchase_date and first <= h.purchase_date <= last]
        month_end = min(last, today)
        on_contract = [DraftLine(h.model, ONE, HANDSET_PRICES[imei_codes[h.model]], "EA", imei_codes[h.model],
                                 imei=h.imei, period=(h.purchase_date, h.purchase_date))  # type: ignore[arg-type]
                       for h in bought if h.contract_id is not None]
        if on_contract:
            yield DemoFile(f"EQ-{year}{month:02d}.xml", write_invoice(DraftInvoice(
                f"EQ-{year}{month:02d}", month_end, parties["equipment"], buyer, on_contract,
                due_date=month_end + timedelta(days=30))))
        off_contract = [DraftLine(f"{h.model} (butik)", ONE, h.purchase_price or Decimal(0), "EA", imei=h.imei,
                                  period=(h.purchase_date, h.purchase_date))  # type: ignore[arg-type]
                        for h in bought if h.contract_id is None]
        if month == max(1, today.month - 1):
            off_contract.append(DraftLine("Kontantkort mobilabonnemang", ONE, Decimal("199.00"), "EA",
                                          reference="070-174 06 98"))
        if off_contract:
            yield DemoFile(f"LM-{year}{month:02d}.xml", write_invoice(DraftInvoice(
                f"LM-{year}{month:02d}", month_end, parties["offcontract_equipment"], buyer, off_contract,
                due_date=month_end + timedelta(days=20))))


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
