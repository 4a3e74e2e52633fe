"""A small ledger of prices above contract for the findings tests: Operatören AB's framework
contract prices a subscription (MOB-OBG) at 100.00 and a call minute (MOB-SAMTAL) at 0.39; its
invoices, imported through the real import path, charge more."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask.testing import FlaskClient

from ledger.core.categories import Category
from ledger.database import db
from ledger.findings.models import Finding
from ledger.organisation.models import Supplier
from ledger.procurement.models import FrameworkContract
from tests.factories import (
    SUPPLIER,
    Org,
    import_invoice,
    make_contract,
    make_price,
    make_subscription,
    make_supplier,
)
from tests.importers.ubl_builder import Line

NUMBER = "0701234567"
UNKNOWN = "0709999999"


@dataclass
class World:
    org: Org
    operator: Supplier
    contract: FrameworkContract


def make_world(org: Org) -> World:
    operator = make_supplier("Operatören AB", SUPPLIER)
    contract = make_contract(org, operator, [Category.SUBSCRIPTION, Category.USAGE], reference="SKÖ 2025/0145")
    make_price(contract, "MOB-OBG", "100.00")
    make_price(contract, "MOB-SAMTAL", "0.39", category=Category.USAGE)
    make_subscription(org, NUMBER, org.forskola, supplier=operator)
    return World(org, operator, contract)


def month(period: str) -> tuple[str, str]:
    year, number = (int(part) for part in period.split("-"))
    last = (date(year + number // 12, number % 12 + 1, 1) - date.resolution).day
    return f"{period}-01", f"{period}-{last:02d}"


def overcharge(world: World, period: str, number: str, *, quantity: str = "10", price: str = "223.45",
               item: str = "MOB-OBG", unknown: bool = False) -> int:
    """An invoice of ``period`` charging ``quantity`` × ``price`` for ``item`` (10 × 223.45 is
    1 234.50 above the contract's 100.00), and with ``unknown`` a line for a number nobody has."""
    first, last = month(period)
    lines = [Line(quantity=quantity, price=price, seller_item_code=item, object_ref=NUMBER, period=(first, last),
                  name="Abonnemang Obegränsad")]
    if unknown:
        lines.append(Line(quantity="1", price="100.00", seller_item_code="MOB-OBG", object_ref=UNKNOWN,
                          period=(first, last), name="Abonnemang Obegränsad"))
    return import_invoice(world.org, lines, number=number, issue_date=last)


def credit_note(world: World, number: str, credits: str, amount: str, issue_date: str) -> int:
    """The operator's credit note ``number`` of ``amount`` whose billing reference names invoice ``credits``."""
    return import_invoice(world.org, [Line(quantity="1", price=amount, name="Kreditering enligt reklamation",
                                           object_ref=NUMBER)],
                          number=number, issue_date=issue_date, credit_note=True, billing_refs=[credits])


def finding_of(kind: str) -> Finding:
    return db.session.scalars(sa.select(Finding).where(Finding.kind == kind)).one()


def page_text(response) -> str:
    """What a reader sees of a page: its text without tags, spaces as one."""
    html = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("\xa0", " ").replace("&nbsp;", " ").split())


def section(response, section_id: str) -> str:
    """The text of the page's ``<section id=…>``."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<section[^>]*id="{section_id}"[^>]*>(.*?)</section>', html, re.S)
    assert match, f"no section {section_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).replace("\xa0", " ").split())


def form_fields(client: FlaskClient, path: str, action: str) -> dict[str, str]:
    """The hidden fields of the form on ``path`` that posts to ``action`` (its CSRF token among them)."""
    html = client.get(path).get_data(as_text=True)
    forms = re.findall(r'<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>', html, re.S)
    for target, body in forms:
        if target == action:
            return dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', body))
    raise AssertionError(f"no form posting to {action} on {path}: {[t for t, _ in forms]}")
