"""Factories for the procurement, exception and compliance tests (no tests of its own).

Invoices and their lines are made directly with the models: these tests do not depend on the
invoice importer. Everything else goes through the services under test where one exists.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from stdnum import luhn

from ledger.core.categories import Category
from ledger.database import db
from ledger.inventory.assignments import add_assignment
from ledger.inventory.models import Handset, Subscription, SubscriptionKind
from ledger.invoices.models import DocumentType, ImportStatus, Invoice, InvoiceImport, InvoiceLine
from ledger.organisation.models import BudgetUnit, Organisation, Supplier
from ledger.procurement import service as procurement
from ledger.procurement.models import FrameworkContract, PriceListItem

_serial = itertools.count(1)


def orgnr(prefix: str) -> str:
    """A valid organisationsnummer from nine digits (the Luhn digit added)."""
    body = prefix.replace("-", "")
    number = body + luhn.calc_check_digit(body)
    return f"{number[:6]}-{number[6:]}"


SKOVDE = ("Skövde kommun", "212000-1603")


def make_supplier(name: str, prefix: str | None = None) -> Supplier:
    prefix = prefix or f"556901{next(_serial):03d}"
    return procurement.create_supplier(None, name=name, organisation_number=orgnr(prefix))


def skovde() -> Organisation:
    return procurement.ensure_partner_organisation(None, name=SKOVDE[0], organisation_number=SKOVDE[1])


def make_contract(
    org: Any,
    supplier: Supplier,
    categories: list[Category],
    start: date = date(2025, 1, 1),
    end: date = date(2027, 12, 31),
    reference: str | None = None,
    options: list[tuple[date, date]] = (),  # type: ignore[assignment]
    **extra: Any,
) -> FrameworkContract:
    lead = skovde()
    return procurement.create_contract(
        None, reference=reference or f"TEST {next(_serial):06d}", title=f"Ramavtal {supplier.name}",
        supplier_id=supplier.id, lead=lead.id, participants=[org.id],
        categories=categories, start_date=start, end_date=end, notice_months=6,
        extension_options=[procurement.OptionInput(a, b) for a, b in options], **extra,
    )


def add_price(contract: FrameworkContract, code: str, price: str, valid_from: date,
              valid_to: date | None = None, category: Category = Category.SUBSCRIPTION) -> PriceListItem:
    row = PriceListItem(contract_id=contract.id, item_code=code, description=code, category=category,
                        unit_price=Decimal(price), unit="st", valid_from=valid_from, valid_to=valid_to)
    db.session.add(row)
    db.session.flush()
    return row


def make_subscription(org: Any, number: str, supplier: Supplier, unit: BudgetUnit | None,
                      start: date = date(2024, 1, 1), end: date | None = None,
                      assigned_from: date | None = None) -> Subscription:
    sub = Subscription(organisation_id=org.id, number=number, kind=SubscriptionKind.MOBILE_VOICE,
                       supplier_id=supplier.id, start_date=start, end_date=end)
    db.session.add(sub)
    db.session.flush()
    if unit is not None:
        add_assignment(None, sub, unit, assigned_from or start)
    return sub


def make_handset(org: Any, imei: str, unit: BudgetUnit | None, contract: FrameworkContract | None,
                 purchase_date: date = date(2026, 3, 5)) -> Handset:
    handset = Handset(organisation_id=org.id, imei=imei, model="Doro 8100", purchase_date=purchase_date,
                      purchase_price=Decimal("1490.00"), contract_id=contract.id if contract else None)
    db.session.add(handset)
    db.session.flush()
    if unit is not None:
        add_assignment(None, handset, unit, purchase_date)
    return handset


@dataclass
class L:
    """One line for ``make_invoice``: the defaults are a monthly subscription fee in March 2026."""

    net: str = "89.00"
    category: Category = Category.SUBSCRIPTION
    item_code: str | None = None
    quantity: str | None = None
    unit_price: str | None = None
    period_start: date | None = date(2026, 3, 1)
    period_end: date | None = date(2026, 3, 31)
    reference: str | None = None
    subscription: Subscription | None = None
    handset: Handset | None = None
    description: str | None = None


def make_invoice(org: Any, supplier: Supplier, lines: list[L], issue_date: date = date(2026, 3, 5),
                 document_type: DocumentType = DocumentType.INVOICE) -> tuple[Invoice, list[InvoiceLine]]:
    number = f"F{next(_serial):06d}"
    upload = InvoiceImport(organisation_id=org.id, file_name=f"{number}.xml", sha256=number.ljust(64, "0"),
                           format="peppol", status=ImportStatus.IMPORTED, line_count=len(lines))
    db.session.add(upload)
    db.session.flush()
    total = sum((Decimal(line.net) for line in lines), Decimal("0.00"))
    invoice = Invoice(
        organisation_id=org.id, import_id=upload.id, supplier_id=supplier.id, document_type=document_type,
        type_code="381" if document_type == DocumentType.CREDIT_NOTE else "380", number=number,
        issue_date=issue_date, currency="SEK", line_total=total, net_total=total,
        vat_total=(total / 4).quantize(Decimal("0.01")), payable=total + (total / 4).quantize(Decimal("0.01")),
    )
    db.session.add(invoice)
    db.session.flush()
    rows = []
    for position, line in enumerate(lines, start=1):
        asset = line.subscription or line.handset
        rows.append(InvoiceLine(
            organisation_id=org.id, invoice_id=invoice.id, position=position, category=line.category,
            item_code=line.item_code, quantity=Decimal(line.quantity) if line.quantity else None,
            unit_price=Decimal(line.unit_price) if line.unit_price else None, net_amount=Decimal(line.net),
            period_start=line.period_start, period_end=line.period_end,
            reference=line.reference or (line.subscription.number if line.subscription else None),
            description=line.description,
            asset_id=asset.id if asset else None,
        ))
    db.session.add_all(rows)
    db.session.flush()
    return invoice, rows
