"""The tests' factories: model objects with sensible defaults, every value overridable by keyword.

Each factory builds through the service where one exists (users, tokens, contracts, assignments,
the invoice importer, the allocation) and with the models elsewhere, and commits what it made.
This is where the tests commit, and the only place: a test that changes by hand what it built,
or runs a service and keeps the result, calls ``save()``.

The values tests compare with (organisation numbers, the operator on the invoices) are named
below, beside the factories that use them.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from stdnum import luhn

from ledger.access.models import Role, User
from ledger.access.service import create_user, issue_token
from ledger.allocation.engine import allocate
from ledger.allocation.models import Period
from ledger.budgets import service as budgets
from ledger.core.categories import BudgetCategory, Category
from ledger.core.identifiers import phone_number
from ledger.database import db
from ledger.database.transaction import commit
from ledger.inventory.assignments import add_assignment, move
from ledger.inventory.models import Assignment, Handset, Subscription, SubscriptionKind
from ledger.invoices.importing import import_file
from ledger.invoices.models import DocumentType, ImportStatus, Invoice, InvoiceImport, InvoiceLine
from ledger.organisation.models import Administration, BudgetUnit, Organisation, Supplier
from ledger.organisation.service import move_to_administration
from ledger.procurement import service as procurement
from ledger.procurement.models import CoverageException, FrameworkContract, PriceListItem
from tests.importers.ubl_builder import Line, build_invoice

PASSWORD = "correct-horse-battery"
#: Operatören AB, the seller of the invoices ``import_invoice`` builds.
SUPPLIER = "556677-8899"
#: Two fictional operators with valid organisationsnummer check digits (the inventory tests').
OPERATOR_ORGNR = "556900-0010"
OTHER_ORGNR = "556900-0028"
#: The lead of the framework contracts ``make_contract`` registers.
SKOVDE = ("Skövde kommun", "212000-1603")
#: Hjo kommun as a supplier: an internal recharge between municipalities (counterparty 82).
HJO = "212000-1645"
MARCH = ("2026-03-01", "2026-03-31")
#: The verksamhet code ``build_month`` gives each of ``make_org``'s units.
ACTIVITIES = {"1110": "110", "2150": "830", "3110": "407", "3140": "425"}

_serial = itertools.count(1)
M = TypeVar("M")


class HasId(Protocol):
    id: int


def save(*objects: object) -> None:
    """Commit, as a request or a command does: the objects given (added when new) and whatever
    else the session holds, after the work the unit of work does before it commits."""
    db.session.add_all(objects)
    commit()


def _add(row: M) -> M:
    db.session.add(row)
    db.session.flush()
    return row


# --- identifiers -----------------------------------------------------------------------------


def orgnr(prefix: str) -> str:
    """A valid organisationsnummer from nine digits (the Luhn digit added)."""
    body = prefix.replace("-", "")
    number = body + luhn.calc_check_digit(body)
    return f"{number[:6]}-{number[6:]}"


def make_imei(serial: int, tac: str = "35332011") -> str:
    """A valid IMEI: the type allocation code, a six-digit serial and the Luhn digit."""
    body = f"{tac}{serial:06d}"
    return body + luhn.calc_check_digit(body)


# --- organisations, units, users -------------------------------------------------------------


@dataclass
class Org:
    """A small organisation: kanslienheten (switchboard), VA (fee-funded), two others."""

    organisation: Organisation
    kansli: BudgetUnit
    va: BudgetUnit
    forskola: BudgetUnit
    skola: BudgetUnit

    @property
    def id(self) -> int:
        return self.organisation.id


def make_org(**overrides: Any) -> Org:
    """Karlsborg in miniature (see ``Org``): three administrations, four units."""
    organisation = _add(Organisation(**{"name": "Karlsborgs kommun", "organisation_number": "212000-1629",
                                        "municipality_code": "1446", "keeps_ledger": True, **overrides}))
    ks = _add(Administration(organisation_id=organisation.id, code="KS", name="Kommunstyrelseförvaltningen"))
    sbf = _add(Administration(organisation_id=organisation.id, code="SBF", name="Samhällsbyggnadsförvaltningen"))
    buf = _add(Administration(organisation_id=organisation.id, code="BUF", name="Barn- och utbildningsförvaltningen"))
    result = Org(
        organisation,
        kansli=_unit(organisation, ks, "1110", "Kanslienheten", carries_switchboard=True),
        va=_unit(organisation, sbf, "2150", "VA-verksamheten", fee_funded=True),
        forskola=_unit(organisation, buf, "3110", "Förskolor centrala Karlsborg"),
        skola=_unit(organisation, buf, "3140", "Ekbackeskolan"),
    )
    save()
    return result


def make_organisation(**overrides: Any) -> Organisation:
    """Another municipality that keeps its ledger here (Hjo kommun unless told)."""
    organisation = _add(Organisation(**{"name": "Hjo kommun", "organisation_number": "212000-1637",
                                        "keeps_ledger": True, **overrides}))
    save()
    return organisation


def make_administration(org: HasId, code: str = "SOC", name: str = "Socialförvaltningen",
                        **overrides: Any) -> Administration:
    administration = _add(Administration(organisation_id=org.id, code=code, name=name, **overrides))
    save()
    return administration


def _unit(org: HasId, administration: Administration, ansvar: str, name: str, **values: Any) -> BudgetUnit:
    return _add(BudgetUnit(organisation_id=org.id, administration_id=administration.id, ansvar=ansvar, name=name,
                           **values))


def make_unit(org: HasId, ansvar: str = "3150", name: str | None = None, *,
              administration: Administration | None = None, **overrides: Any) -> BudgetUnit:
    """A budget unit, in the organisation's first administration unless told."""
    administration = administration or db.session.scalars(
        sa.select(Administration).where(Administration.organisation_id == org.id).order_by(Administration.id)).first()
    assert administration is not None, "the organisation has no administration"
    unit = _unit(org, administration, ansvar, name or f"Enhet {ansvar}", **overrides)
    save()
    return unit


def make_user(org: HasId, role: Role = Role.FINANCE, units: tuple[str, ...] | list[str] = (), *,
              username: str | None = None, password: str = PASSWORD, **overrides: Any) -> User:
    """A user through the access service: ``make_user(org, Role.DEPARTMENT, ["3110"])``."""
    user = create_user(None, organisation_id=org.id, username=username or f"{role.value}-{uuid.uuid4().hex[:6]}",
                       password=password, role=role, unit_codes=list(units), **overrides)
    save()
    return user


def make_token(user: User, label: str | None = None) -> str:
    """A bearer token for ``user`` (the token itself: only its hash is stored)."""
    token = issue_token(None, user, label)
    save()
    return token


# --- suppliers and framework contracts -------------------------------------------------------


def make_supplier(name: str = "Operatören AB", organisation_number: str | None = None, **overrides: Any) -> Supplier:
    """A supplier, stored as given; a fresh valid organisationsnummer unless one is named."""
    number = organisation_number or orgnr(f"556901{next(_serial):03d}")
    supplier = _add(Supplier(name=name, organisation_number=number, **overrides))
    save()
    return supplier


def invoice_operator() -> Supplier:
    """Operatören AB (``SUPPLIER``), the seller on ``import_invoice``'s invoices; registered when missing."""
    found = db.session.scalar(sa.select(Supplier).where(Supplier.organisation_number == SUPPLIER))
    return found or make_supplier("Operatören AB", SUPPLIER)


def make_contract(org: HasId, supplier: Supplier, categories: list[Category] | tuple[Category, ...] = (
        Category.SUBSCRIPTION,), *, start: date = date(2025, 1, 1), end: date = date(2027, 12, 31),
        reference: str | None = None, options: list[tuple[date, date]] | tuple[()] = (),
        **extra: Any) -> FrameworkContract:
    """A signed framework contract through the procurement service: Skövde leads, ``org`` takes part.
    ``options`` are extension options as (extends to, last notice date)."""
    lead = procurement.ensure_partner_organisation(None, name=SKOVDE[0], organisation_number=SKOVDE[1])
    contract = procurement.create_contract(
        None, reference=reference or f"TEST {next(_serial):06d}", title=f"Ramavtal {supplier.name}",
        supplier_id=supplier.id, lead=lead.id, participants=[org.id],
        categories=categories, start_date=start, end_date=end, notice_months=6,
        extension_options=[procurement.OptionInput(a, b) for a, b in options], **extra,
    )
    save()
    return contract


def make_price(contract: FrameworkContract, item_code: str = "MOB-BAS", unit_price: str = "85.00",
               valid_from: date = date(2025, 1, 1), valid_to: date | None = None,
               category: Category = Category.SUBSCRIPTION, **overrides: Any) -> PriceListItem:
    """One version of a price-list item (``valid_to`` exclusive, ``None``: until superseded)."""
    row = _add(PriceListItem(**{
        "contract_id": contract.id, "item_code": item_code, "description": item_code, "category": category,
        "unit_price": Decimal(unit_price), "unit": "st", "valid_from": valid_from, "valid_to": valid_to,
        **overrides}))
    save()
    return row


def make_coverage_exception(org: HasId, supplier: Supplier, *, area: str | None = "Forsvik",
                            subscription: Subscription | None = None, reason: str = "Ingen täckning",
                            valid_from: date = date(2026, 1, 1), valid_to: date | None = None,
                            **overrides: Any) -> CoverageException:
    """An exception for an area or (when one is given) a subscription; ``status`` as the model's
    default (requested) unless told."""
    exception = _add(CoverageException(
        organisation_id=org.id, supplier_id=supplier.id, area=None if subscription else area,
        subscription_id=subscription.id if subscription else None, reason=reason, valid_from=valid_from,
        valid_to=valid_to, **overrides))
    save()
    return exception


# --- assets and their assignments ------------------------------------------------------------


def _e164(number: str) -> str:
    """Any Swedish notation read as the register stores it; a number already in E.164 as written."""
    return number if number.startswith("+") else phone_number(number)


def make_subscription(org: HasId, number: str = "070-100 00 01", unit: BudgetUnit | None = None, *,
                      supplier: Supplier | None = None, start: date = date(2024, 1, 1), end: date | None = None,
                      kind: SubscriptionKind = SubscriptionKind.MOBILE_VOICE, assigned_from: date | None = None,
                      contract: FrameworkContract | None = None, **values: Any) -> Subscription:
    """A subscription of ``supplier`` (``invoice_operator()`` unless told), assigned to ``unit``
    from ``assigned_from`` (the start unless told) when a unit is given."""
    subscription = _add(Subscription(
        organisation_id=org.id, number=_e164(number), kind=kind, supplier_id=(supplier or invoice_operator()).id,
        start_date=start, end_date=end, **({"contract_id": contract.id} if contract else {}), **values))
    if unit is not None:
        add_assignment(None, subscription, unit, assigned_from or start)
    save()
    return subscription


def make_handset(org: HasId, imei: str | int = 1, unit: BudgetUnit | None = None, *,
                 purchase_date: date | None = date(2025, 1, 1), assigned_from: date | None = None,
                 model: str = "Doro 8100", contract: FrameworkContract | None = None, **values: Any) -> Handset:
    """A handset (an IMEI as given, or ``make_imei(serial)`` from a number), assigned to ``unit``
    from ``assigned_from`` (the purchase date unless told) when a unit is given."""
    handset = _add(Handset(
        organisation_id=org.id, imei=make_imei(imei) if isinstance(imei, int) else imei, model=model,
        purchase_date=purchase_date, **({"contract_id": contract.id} if contract else {}), **values))
    if unit is not None:
        since = assigned_from or purchase_date
        assert since is not None, "an assignment needs a first day"
        add_assignment(None, handset, unit, since)
    save()
    return handset


def make_assignment(asset: Subscription | Handset, unit: BudgetUnit, valid_from: date = date(2025, 1, 1),
                    valid_to: date | None = None) -> Assignment:
    """An assignment through the inventory service (which refuses overlaps and closed units)."""
    row = add_assignment(None, asset, unit, valid_from, valid_to)
    save()
    return row


def make_period(org: HasId, period: str = "2026-03", **overrides: Any) -> Period:
    """An accounting month (``status=PeriodStatus.CLOSED`` for a closed one)."""
    row = _add(Period(organisation_id=org.id, period=period, **overrides))
    save()
    return row


# --- invoices --------------------------------------------------------------------------------


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


def make_invoice(org: HasId, supplier: Supplier, lines: list[L] | None = None, issue_date: date = date(2026, 3, 5),
                 document_type: DocumentType = DocumentType.INVOICE,
                 number: str | None = None) -> tuple[Invoice, list[InvoiceLine]]:
    """An invoice with its lines (one ``L()`` unless told), made with the models as an import
    would have stored them, without the importer: 25 % VAT, a fresh number unless told."""
    lines = [L()] if lines is None else lines
    number = number or f"F{next(_serial):06d}"
    upload = _add(InvoiceImport(organisation_id=org.id, file_name=f"{number}.xml", sha256=number.ljust(64, "0"),
                                format="peppol", status=ImportStatus.IMPORTED, line_count=len(lines)))
    total = sum((Decimal(line.net) for line in lines), Decimal("0.00"))
    vat = (total / 4).quantize(Decimal("0.01"))
    invoice = _add(Invoice(
        organisation_id=org.id, import_id=upload.id, supplier_id=supplier.id, document_type=document_type,
        type_code="381" if document_type == DocumentType.CREDIT_NOTE else "380", number=number,
        issue_date=issue_date, currency="SEK", line_total=total, net_total=total, vat_total=vat, payable=total + vat,
    ))
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
    save()
    return invoice, rows


def line(number: str, amount: str, name: str = "Jobbmobil", period: tuple[str, str] | None = None) -> Line:
    """A UBL invoice line for ``import_invoice``, its object reference the number billed."""
    return Line(name=name, price=amount, object_ref=number, period=period)


def import_invoice(org: Org, lines: list[Line], number: str = "F-1", issue_date: str = "2026-03-31", *,
                   supplier_orgnr: str = SUPPLIER, **options: Any) -> int:
    """A PEPPOL invoice from ``supplier_orgnr`` (Operatören AB unless told) built with
    ``ubl_builder`` and recorded by the invoice importer; its id. ``options`` go to ``build_invoice``."""
    data = build_invoice(lines, number=number, issue_date=issue_date, supplier_orgnr=supplier_orgnr.replace("-", ""),
                         **options)
    outcome = import_file(None, org.organisation, data, f"{number}.xml")
    assert outcome.status == ImportStatus.IMPORTED, outcome.errors
    save()
    assert outcome.invoice_id is not None
    return outcome.invoice_id


# --- whole ledgers ---------------------------------------------------------------------------


@dataclass
class Month:
    org: Org
    operator: Supplier
    hjo: Supplier
    invoice_ids: list[int]


def build_month(org: Org) -> Month:
    """March 2026 in Karlsborg, imported and allocated (each of ``org``'s units given its
    verksamhet code from ``ACTIVITIES``):

    * ``F-1`` from Operatören AB: a handset number that moves from the preschool to the school on
      15 March (split 14/31 and 17/31), VA's number, two switchboard extensions (the preschool's
      goes to kanslienheten, VA's stays with VA), an unknown number (suspense), a document-level
      allowance of 10.00 spread over the lines, and 0.25 öresavrundning;
    * ``H-1`` from Hjo kommun (counterparty 82, an internal recharge between municipalities):
      operator services, paid centrally.
    """
    for unit in db.session.scalars(sa.select(BudgetUnit).where(BudgetUnit.organisation_id == org.id)):
        unit.activity_code = ACTIVITIES.get(unit.ansvar)
    operator = make_supplier("Operatören AB", SUPPLIER)
    hjo = make_supplier("Hjo kommun", HJO, counterparty_code="82")
    moving = make_subscription(org, "0701234567", org.forskola, supplier=operator)
    move(None, moving, org.skola, date(2026, 3, 15))
    save()
    make_subscription(org, "0702345678", org.va, supplier=operator)
    make_subscription(org, "050517123", org.forskola, supplier=operator,
                      kind=SubscriptionKind.SWITCHBOARD_EXTENSION)
    make_subscription(org, "050517124", org.va, supplier=operator,
                      kind=SubscriptionKind.SWITCHBOARD_EXTENSION)
    first = import_invoice(org, [
        line("0701234567", "310.00", period=MARCH),
        line("0702345678", "149.00", period=MARCH),
        line("0505-171 23", "42.00", "Anknytning", MARCH),
        line("0505-171 24", "42.00", "Anknytning", MARCH),
        line("0709999999", "80.00", period=MARCH),
    ], number="F-1", issue_date="2026-03-31", doc_allowances=["10.00"], rounding="0.25")
    second = import_invoice(org, [Line(name="Telefonisttjänst mars", price="1850.00")], number="H-1",
                            issue_date="2026-03-31", supplier_orgnr=HJO, supplier_name="Hjo kommun")
    allocate(None, org.organisation, "2026-03")
    save()
    return Month(org, operator, hjo, [first, second])


def build_year(org: Org) -> Org:
    """January to May 2026, allocated, with budgets; the figures the budget tests compute by hand.

    Förskolan (3110, BUF): a mobile at 80 kr a month, a one-off of 500 kr in March, and an
    ordinary switchboard extension at 42 kr (paid by kanslienheten). Skolan (3140): 150 kr a
    month; it moved from BUF to SBF on 1 April. VA (2150, fee-funded): its own extension at
    42 kr a month. A finance user set the budgets.
    """
    operator = make_supplier("Operatören AB", SUPPLIER)
    since = date(2025, 1, 1)
    make_subscription(org, "0701234567", org.forskola, supplier=operator, start=since)
    make_subscription(org, "0702345678", org.skola, supplier=operator, start=since)
    make_subscription(org, "050517123", org.forskola, supplier=operator, start=since,
                      kind=SubscriptionKind.SWITCHBOARD_EXTENSION)
    make_subscription(org, "050517124", org.va, supplier=operator, start=since,
                      kind=SubscriptionKind.SWITCHBOARD_EXTENSION)
    move_to_administration(None, org.skola, org.va.administration, date(2026, 4, 1))
    save()
    finance = make_user(org, Role.FINANCE)
    budgets.set_budget(finance, org.forskola, 2026, BudgetCategory.SUBSCRIPTIONS, budgets.phase(Decimal("1200.00")))
    budgets.set_budget(finance, org.skola, 2026, BudgetCategory.SUBSCRIPTIONS, budgets.phase(Decimal("2400.00")))
    budgets.set_budget(finance, org.va, 2026, BudgetCategory.SWITCHBOARD, budgets.phase(Decimal("120.00")))
    budgets.set_budget(finance, org.kansli, 2026, BudgetCategory.SWITCHBOARD, budgets.phase(Decimal("600.00")))
    save()
    for month in range(1, 6):
        period = (f"2026-{month:02d}-01", f"2026-{month:02d}-28")
        lines = [line("0701234567", "80.00", "Abonnemang", period), line("0702345678", "150.00", "Abonnemang", period),
                 line("0505-171 23", "42.00", "Anknytning", period), line("0505-171 24", "42.00", "Anknytning", period)]
        if month == 3:
            lines.append(Line(name="Startavgift nytt SIM", price="500.00", object_ref="0701234567", period=period))
        import_invoice(org, lines, number=f"F-{month}", issue_date=f"2026-{month:02d}-05")
        allocate(None, org.organisation, f"2026-{month:02d}")
        save()
    return org
