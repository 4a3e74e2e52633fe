"""The demo's compliance findings with a life, and a claim to a supplier in each state.

After the year's invoices are imported and allocated (``loader._invoices_and_allocation``):
two supplementary invoices (tilläggsfakturor) of last month charge more than the framework
contract for a few items: data subscriptions and SIM cards and roaming from the mobile operator,
extensions from the switchboard supplier. They come through the import path as every demo
invoice does and are allocated. Every month of the year is then recorded (``ledger.findings.
recording``), and finance and procurement handle what was found:

* the mobile operator's extra charge for calls (the demo's month-before-last) is claimed,
  sent and credited by the operator's credit note, which comes through the import path too and
  is matched to the claim by its billing reference;
* the extensions are claimed and sent: outstanding;
* the data subscriptions are claimed, sent and rejected by the operator;
* the SIM cards are claimed, sent and written off;
* the roaming is in a claim in preparation (a draft);
* the number nobody knows is acknowledged by finance, with a note and an owner, and stays
  acknowledged in every month it recurs; a handset bought off contract (or, when there is none, a
  number billed after it ended) is written off.

Dates are relative to ``today``; a second ``demo load`` finds the claims and adds nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

import sqlalchemy as sa

from importers.ubl_writer import DraftInvoice, DraftLine, Party, write_invoice
from ledger.access.models import User
from ledger.allocation.engine import allocate
from ledger.database import db
from ledger.demo import data
from ledger.demo.invoices import UNKNOWN_NUMBER, month_bounds
from ledger.findings import claims, lifecycle, recording
from ledger.findings.models import Claim, Finding, FindingOccurrence, FindingStatus
from ledger.inventory.models import Subscription, SubscriptionKind
from ledger.invoices.importing import import_file
from ledger.invoices.models import ImportStatus, Invoice, InvoiceLine
from ledger.organisation.models import Organisation, Supplier

ONE = Decimal(1)


class Counts(Protocol):
    def count(self, what: str, n: int = 1) -> None: ...


def load_findings(organisation: Organisation, today: date, summary: Counts) -> None:
    """Record the year's findings and give the demo its claims (see the module); nothing when
    the demo has claims already."""
    if db.session.scalar(sa.select(Claim.id).where(Claim.organisation_id == organisation.id).limit(1)):
        return
    suppliers = {s.key: _supplier(s.organisation_number) for s in data.SUPPLIERS}
    finance, procurement = _user("ekonomi"), _user("upphandling")
    issued = _clamp(date(today.year, max(1, today.month - 1), 15), date(today.year, 1, 1), today)
    summary.count("invoice_files", _supplementary_invoices(organisation, suppliers, issued, today))
    for month in range(1, today.month + 1):
        recording.record_period(organisation.id, f"{today.year}-{month:02d}", today)
    items = _price_findings(organisation.id)
    made = [
        _credited(organisation, finance, suppliers["mobile"], items["MOB-SAMTAL"], today),
        _sent(finance, suppliers["switchboard"], items["VX-ANK"], _clamp(issued + timedelta(days=5), issued, today)),
        _answered(finance, suppliers["mobile"], items["MOB-DATA"], claims.Action.REJECT, issued, today,
                  "Leverantören hänvisar till prisjusteringen i mars; vi bestrider den och tar upp det på nästa "
                  "avtalsmöte."),
        _answered(procurement, suppliers["mobile"], items["MOB-SIM"], claims.Action.WRITE_OFF, issued, today,
                  "Beloppet är för litet för att driva vidare."),
        claims.prepare(finance, suppliers["mobile"].id, [items["MOB-UTL"].id], today=today,
                       note="Utlandstrafik debiterad över avtalspris."),
    ]
    summary.count("claims", len(made))
    summary.count("findings", _handled(organisation.id, finance, procurement))


def _clamp(day: date, earliest: date, latest: date) -> date:
    return max(earliest, min(day, latest))


def _supplier(organisation_number: str) -> Supplier:
    found = db.session.scalar(sa.select(Supplier).where(Supplier.organisation_number == organisation_number))
    assert found is not None, "the demo's suppliers are loaded first"
    return found


def _user(username: str) -> User:
    found = db.session.scalar(sa.select(User).where(User.username == username))
    assert found is not None, "the demo's users are loaded first"
    return found


def _import(organisation: Organisation, draft: DraftInvoice, name: str) -> int:
    outcome = import_file(None, organisation, write_invoice(draft), name)
    if outcome.status != ImportStatus.IMPORTED:
        raise RuntimeError(f"demo invoice {name} was not imported: {outcome.status} {outcome.errors}")
    return 1


def _subscriptions(organisation: Organisation, supplier: Supplier, kind: SubscriptionKind, day: date,
                   count: int) -> list[Subscription]:
    rows = db.session.scalars(sa.select(Subscription).where(
        Subscription.organisation_id == organisation.id, Subscription.supplier_id == supplier.id,
        Subscription.kind == kind, Subscription.start_date <= day,
        sa.or_(Subscription.end_date.is_(None), Subscription.end_date >= day)).order_by(Subscription.number))
    return list(rows)[:count]


def _supplementary_invoices(organisation: Organisation, suppliers: dict[str, Supplier], issued: date,
                            today: date) -> int:
    """The mobile operator's and the switchboard supplier's tilläggsfakturor of last month,
    imported and allocated; how many files."""
    served = month_bounds(issued.year, issued.month)
    buyer = Party(organisation.name, organisation.organisation_number)
    mobile, switchboard = suppliers["mobile"], suppliers["switchboard"]
    data_subs = _subscriptions(organisation, mobile, SubscriptionKind.MOBILE_DATA, served[0], 3)
    voices = _subscriptions(organisation, mobile, SubscriptionKind.MOBILE_VOICE, served[0], 6)
    extensions = _subscriptions(organisation, switchboard, SubscriptionKind.SWITCHBOARD_EXTENSION, served[0], 12)
    mobile_lines = ([DraftLine("Mobilt bredband 100 GB, nytt pris", ONE, Decimal("129.00"), "MON", "MOB-DATA",
                               s.number, period=served) for s in data_subs]
                    + [DraftLine("Nytt SIM-kort", ONE, Decimal("75.00"), "C62", "MOB-SIM", s.number,
                                 period=(issued, issued)) for s in voices[:4]]
                    + [DraftLine("Utlandstrafik, per MB", Decimal(150), Decimal("0.25"), "MB", "MOB-UTL", s.number,
                                 period=served) for s in voices[4:6]])
    extension_lines = [DraftLine("Växelanknytning, prisjustering", ONE, Decimal("45.00"), "MON", "VX-ANK", s.number,
                                 period=served) for s in extensions]
    stamp = f"{issued:%Y%m}"
    files = 0
    for supplier, prefix, lines in ((mobile, "DM-T", mobile_lines), (switchboard, "VX-T", extension_lines)):
        if lines:
            draft = DraftInvoice(f"{prefix}-{stamp}", issued, Party(supplier.name, supplier.organisation_number),
                                 buyer, lines, due_date=issued + timedelta(days=30), period=served)
            files += _import(organisation, draft, f"{prefix}-{stamp}.xml")
    allocate(None, organisation, f"{issued:%Y-%m}")
    return files


def _price_findings(organisation_id: int) -> dict[str, Finding]:
    """The organisation's prices above contract by item code (the latest month's values say it)."""
    rows = db.session.execute(
        sa.select(Finding, FindingOccurrence.params).join(FindingOccurrence, FindingOccurrence.finding_id == Finding.id)
        .where(Finding.organisation_id == organisation_id, Finding.kind == "price_above_contract")
        .order_by(FindingOccurrence.period)).tuples()
    return {str(params.get("item_code")): finding for finding, params in rows}


def _sent(actor: User, supplier: Supplier, finding: Finding, on: date) -> Claim:
    claim = claims.prepare(actor, supplier.id, [finding.id], today=on)
    return claims.act(actor, claim.id, claims.Action.SEND, on=on)


def _answered(actor: User, supplier: Supplier, finding: Finding, action: claims.Action, issued: date, today: date,
              note: str) -> Claim:
    claim = _sent(actor, supplier, finding, _clamp(issued + timedelta(days=3), issued, today))
    return claims.act(actor, claim.id, action, on=_clamp(issued + timedelta(days=12), issued, today), note=note)


def _credited(organisation: Organisation, actor: User, supplier: Supplier, finding: Finding, today: date) -> Claim:
    """Claimed, sent, and credited by the operator's credit note, matched by its billing reference."""
    claim = claims.prepare(actor, supplier.id, [finding.id], today=today)
    claimed = db.session.get(InvoiceLine, claim.lines[0].invoice_line_id)
    invoice = db.session.get(Invoice, claimed.invoice_id) if claimed else None
    assert claimed is not None and invoice is not None
    sent_on = _clamp(today - timedelta(days=25), invoice.issue_date, today)
    claims.act(actor, claim.id, claims.Action.SEND, on=sent_on)
    credited_on = _clamp(today - timedelta(days=5), sent_on, today)
    number = f"DM-K-{credited_on:%Y%m%d}"
    line = DraftLine(f"Kreditering enligt er reklamation {claim.reference}", ONE, claims.total_of(claim), "C62",
                     "MOB-SAMTAL", claimed.reference)
    _import(organisation, DraftInvoice(number, credited_on, Party(supplier.name, supplier.organisation_number),
                                       Party(organisation.name, organisation.organisation_number), [line],
                                       credit_note=True, billing_reference=invoice.number), f"{number}.xml")
    allocate(None, organisation, f"{credited_on:%Y-%m}")
    claims.match_credit_notes(organisation.id)
    return claim


def _handled(organisation_id: int, finance: User, procurement: User) -> int:
    """The number nobody knows, acknowledged by finance; a handset bought off contract (else a number
    billed after its end) written off by procurement."""
    handled = 0
    unknown = db.session.scalar(
        sa.select(Finding).join(FindingOccurrence, FindingOccurrence.finding_id == Finding.id)
        .where(Finding.organisation_id == organisation_id, Finding.kind == "unmatched_reference",
               Finding.status == FindingStatus.NEW, FindingOccurrence.reason.contains(UNKNOWN_NUMBER))
        .limit(1))
    if unknown is not None:
        lifecycle.update(finance, unknown, {"owner": finance.username,
                                            "note": "Numret är inte vårt; operatören utreder och krediterar."})
        lifecycle.fire(finance, unknown, lifecycle.Action.ACKNOWLEDGE, lifecycle.Actor.USER,
                       note="Anmält till operatören.")
        handled += 1
    for kind, note in (("hardware_off_contract", "Köpt i butik vid akut behov; godkänt i efterhand av upphandlingen."),
                       ("billed_after_end", "Operatören har krediterat perioden i sin slutfaktura.")):
        found = db.session.scalar(sa.select(Finding).where(
            Finding.organisation_id == organisation_id, Finding.kind == kind,
            Finding.status == FindingStatus.NEW).order_by(Finding.id).limit(1))
        if found is not None:
            lifecycle.fire(procurement, found, lifecycle.Action.WRITE_OFF, lifecycle.Actor.USER, note=note)
            return handled + 1
    return handled
