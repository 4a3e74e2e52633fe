"""``demo load``: build the demo organisation (see ``ledger.demo.data``).

Deterministic (a seeded random generator, dates relative to today) and idempotent: every
row is looked up by its natural key first, so a second run adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import sqlalchemy as sa
from stdnum import luhn

from ledger.access.models import Role, User
from ledger.access.service import create_user
from ledger.accounting import service as accounting
from ledger.allocation.models import JournalEntry
from ledger.audit import service as audit
from ledger.budgets.models import Budget
from ledger.core import clock
from ledger.core.categories import BudgetCategory, Category
from ledger.core.identifiers import phone_number
from ledger.core.money import split
from ledger.database import db
from ledger.demo import data as data
from ledger.demo.contact_centre import load_contact_centre
from ledger.demo.findings import load_findings
from ledger.demo.private_use import name_holders
from ledger.inventory.models import Assignment, Handset, HandsetStatus, Subscription, SubscriptionKind
from ledger.invoices.models import Invoice, InvoiceLine
from ledger.organisation.models import Administration, BudgetUnit, Organisation, Supplier, UnitMembership
from ledger.procurement.models import (
    ContractCategory,
    ContractExtensionOption,
    ContractParty,
    ContractTerm,
    CoverageException,
    ExceptionStatus,
    FrameworkContract,
    PartyRole,
    PriceListItem,
)

FORSVIK_UNITS = ("3130", "3160")
M = TypeVar("M", Organisation, Administration, BudgetUnit, Supplier, CoverageException)


@dataclass
class DemoSummary:
    """What ``demo load`` added (zeros on a second run) and what the ledger now holds."""

    added: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    users: list[tuple[str, str, str]] = field(default_factory=list)
    password: str = data.DEMO_PASSWORD

    def count(self, what: str, n: int = 1) -> None:
        if n:
            self.added[what] = self.added.get(what, 0) + n


def load(today: date | None = None) -> DemoSummary:
    """Create whatever of the demo organisation is missing. The caller commits."""
    today = today or clock.today()
    rng = random.Random(1446)  # Karlsborg's kommunkod: the same demo every time
    summary = DemoSummary()
    karlsborg = _organisations(summary)
    units = _units(karlsborg, summary)
    _reorganisation(karlsborg, units, today, summary)
    suppliers = _suppliers(summary)
    contracts = _contracts(karlsborg, suppliers, today, summary)
    subscriptions = _subscriptions(karlsborg, units, suppliers, contracts, today, rng, summary)
    _handsets(karlsborg, units, subscriptions, contracts, suppliers, today, rng, summary)
    summary.count("private_use_holders", name_holders(karlsborg))
    _coverage_exception(karlsborg, suppliers, today, summary)
    _budgets(karlsborg, units, today.year, summary)
    _users(karlsborg, summary)
    _second_municipality(suppliers, today.year, summary)
    _accounting_settings()
    db.session.flush()
    _invoices_and_allocation(karlsborg, today, summary)
    load_findings(karlsborg, today, summary)
    _second_municipality_invoices(suppliers, today, summary)
    summary.count("unit_contact_details", load_contact_centre(karlsborg, today))
    if summary.added:
        audit.record(None, "demo.load", "organisation", karlsborg.organisation_number,
                     after=summary.added, organisation_id=karlsborg.id)
    summary.totals = _totals(karlsborg.id)
    # The demo writes a year in one go, none of it past the bulk writer's own threshold: without
    # statistics, PostgreSQL plans a unit's month page as if the journal were empty (seconds
    # instead of milliseconds) until autovacuum comes by, which a fresh demo does not wait for.
    db.session.execute(sa.text("ANALYZE"))
    return summary


def _second_municipality(suppliers: dict[str, Supplier], year: int, summary: DemoSummary) -> None:
    """Hjo with a small ledger of its own: two tenants in one deployment (``ledger.demo.hjo``)."""
    from ledger.demo.hjo import load_hjo

    counts: dict[str, int] = {}
    load_hjo(suppliers["mobile"], year, counts)
    for what, n in counts.items():
        summary.count(what, n)
    summary.users.extend((username, role, ", ".join(ansvar)) for ansvar, username, _, role in data.HJO_USERS)


def _second_municipality_invoices(suppliers: dict[str, Supplier], today: date, summary: DemoSummary) -> None:
    """Hjo's invoices and journal, after Karlsborg's (``ledger.demo.hjo.load_hjo_invoices``)."""
    from ledger.demo.hjo import load_hjo_invoices

    files, lines, entries = load_hjo_invoices(suppliers["mobile"], today)
    summary.count("invoice_files", files)
    summary.count("invoice_lines", lines)
    summary.count("journal_entries", entries)


def _accounting_settings() -> None:
    """Every ledger's settings stored from the defaults (the accounting page shows them)."""
    for organisation in db.session.scalars(sa.select(Organisation).where(Organisation.keeps_ledger.is_(True))):
        accounting.seed(organisation)


def _get_or_add(model: type[M], summary: DemoSummary, what: str, key: dict[str, Any], **values: object) -> M:
    row = db.session.scalar(sa.select(model).filter_by(**key))
    if row is None:
        row = model(**key, **values)
        db.session.add(row)
        db.session.flush()
        summary.count(what)
    return row


def _organisations(summary: DemoSummary) -> Organisation:
    name, orgnr, code = data.KARLSBORG
    karlsborg = _get_or_add(Organisation, summary, "organisations", {"organisation_number": orgnr},
                            name=name, municipality_code=code, keeps_ledger=True)
    for name, orgnr, code in data.PARTNERS:
        _get_or_add(Organisation, summary, "organisations", {"organisation_number": orgnr},
                    name=name, municipality_code=code, keeps_ledger=False, counterparty_code="82")
    return karlsborg


def _units(org: Organisation, summary: DemoSummary) -> dict[str, BudgetUnit]:
    units: dict[str, BudgetUnit] = {}
    for admin_def in data.ADMINISTRATIONS:
        admin = _get_or_add(Administration, summary, "administrations",
                            {"organisation_id": org.id, "code": admin_def.code}, name=admin_def.name)
        for unit_def in admin_def.units:
            units[unit_def.ansvar] = _get_or_add(
                BudgetUnit, summary, "budget_units",
                {"organisation_id": org.id, "ansvar": unit_def.ansvar},
                administration_id=admin.id, name=unit_def.name, fee_funded=unit_def.fee_funded,
                carries_switchboard=unit_def.carries_switchboard, activity_code=unit_def.ansvar[:2] + "0",
            )
    with_history = set(db.session.scalars(sa.select(UnitMembership.unit_id).where(
        UnitMembership.organisation_id == org.id)))
    db.session.add_all([UnitMembership(organisation_id=org.id, unit_id=u.id, administration_id=u.administration_id,
                                       valid_from=u.opened_on) for u in units.values() if u.id not in with_history])
    db.session.flush()
    return units


def _reorganisation(org: Organisation, units: dict[str, BudgetUnit], today: date, summary: DemoSummary) -> None:
    """Kulturskolan moved from Barn och utbildning to Kultur och fritid on 1 July: its costs
    before July stay with its old administration in every roll-up."""
    moved_on = date(today.year, 7, 1)
    culture = db.session.scalar(sa.select(Administration).where(
        Administration.organisation_id == org.id, Administration.code == "KOF"))
    unit = units["3190"]
    if today > moved_on and culture is not None and unit.administration_id != culture.id:
        from ledger.organisation.service import move_to_administration

        move_to_administration(None, unit, culture, moved_on)
        summary.count("reorganisations")


def _suppliers(summary: DemoSummary) -> dict[str, Supplier]:
    return {
        s.key: _get_or_add(
            Supplier, summary, "suppliers", {"organisation_number": s.organisation_number},
            name=s.name, peppol_id=f"0007:{s.organisation_number.replace('-', '')}",
            vat_number=f"SE{s.organisation_number.replace('-', '')}01",
            counterparty_code=s.counterparty_code,
        )
        for s in data.SUPPLIERS
    }


def _partner(name: str) -> Organisation:
    partner = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
    assert partner is not None, f"{name} is one of the demo's partners (_organisations)"
    return partner


def _contracts(org: Organisation, suppliers: dict[str, Supplier], today: date,
               summary: DemoSummary) -> dict[str, FrameworkContract]:
    skovde, hjo = _partner("Skövde kommun"), _partner("Hjo kommun")
    partners = db.session.scalars(sa.select(Organisation).where(Organisation.id != org.id)).all()
    year = today.year
    specs = [
        # key, reference, title, supplier, lead, start, end, categories, option (to, notice)
        ("mobile", f"SKÖ {year - 3}/0145", "Mobila tjänster och mobilt bredband", "mobile", skovde,
         date(year - 3, 4, 1), date(year + 1, 3, 31),
         [Category.SUBSCRIPTION, Category.USAGE, Category.ONE_OFF],
         (date(year + 2, 3, 31), date(year, 12, 31))),
        ("equipment", f"SKÖ {year - 2}/0078", "Mobiltelefoner och tillbehör", "equipment", skovde,
         date(year - 2, 6, 1), today + timedelta(days=120), [Category.EQUIPMENT], None),
        ("switchboard", f"SKÖ {year - 4}/0311", "Växeltjänst som tjänst", "switchboard", skovde,
         date(year - 4, 1, 1), date(year + 2, 12, 31), [Category.SWITCHBOARD_EXTENSION],
         (date(year + 4, 12, 31), date(year + 2, 6, 30))),
        ("operator", f"HJO {year - 5}/0012", "Samverkan telefonist Hjo–Tibro–Karlsborg", "hjo", hjo,
         date(year - 5, 1, 1), date(year + 3, 12, 31), [Category.OPERATOR_SERVICE], None),
    ]
    contracts: dict[str, FrameworkContract] = {}
    for key, ref, title, supplier_key, lead, start, end, categories, option in specs:
        contract = db.session.scalar(sa.select(FrameworkContract).where(FrameworkContract.reference == ref))
        if contract is None:
            contract = FrameworkContract(
                reference=ref, title=title, supplier_id=suppliers[supplier_key].id,
                lead_organisation_id=lead.id, start_date=start, end_date=end, notice_months=6,
            )
            contract.parties = [ContractParty(organisation_id=lead.id, role=PartyRole.LEAD)] + [
                ContractParty(organisation_id=p.id, role=PartyRole.PARTICIPANT)
                for p in partners if p.id != lead.id and (key != "operator" or p.name != "Skövde kommun")
            ] + ([ContractParty(organisation_id=org.id, role=PartyRole.PARTICIPANT)] if lead.id != org.id else [])
            contract.categories = [ContractCategory(category=c) for c in categories]
            if option:
                contract.extension_options = [ContractExtensionOption(
                    sequence=1, extends_to=option[0], last_notice_date=option[1])]
            db.session.add(contract)
            db.session.flush()
            db.session.add(ContractTerm(contract_id=contract.id, noted_on=start, kind="amendment",
                                        text="Avtalet tecknat efter samordnad upphandling.",
                                        document_reference=ref))
            summary.count("framework_contracts")
            _price_list(contract, key, year, summary)
        contracts[key] = contract
    return contracts


def _price_list(contract: FrameworkContract, key: str, year: int, summary: DemoSummary) -> None:
    """Prices per contract; the mobile subscription went up by index on 1 January."""
    items = {
        "mobile": [
            ("MOB-BAS", "Mobilabonnemang Bas", Category.SUBSCRIPTION, "89.00", "månad"),
            ("MOB-OBG", "Mobilabonnemang Obegränsad", Category.SUBSCRIPTION, "149.00", "månad"),
            ("MOB-DATA", "Mobilt bredband 100 GB", Category.SUBSCRIPTION, "119.00", "månad"),
            ("MOB-SAMTAL", "Samtal, per minut", Category.USAGE, "0.39", "minut"),
            ("MOB-UTL", "Utlandstrafik, per MB", Category.USAGE, "0.10", "MB"),
            ("MOB-SIM", "Nytt SIM-kort", Category.ONE_OFF, "50.00", "st"),
        ],
        "equipment": [(code, model, Category.EQUIPMENT, price, "st") for model, code, price in [
            ("iPhone 15", "TEL-IP15", "7990.00"), ("iPhone 13", "TEL-IP13", "5490.00"),
            ("Samsung Galaxy A55", "TEL-SGA55", "3290.00"), ("Samsung Galaxy XCover7", "TEL-XC7", "3590.00"),
            ("Doro 8100", "TEL-DORO", "1490.00")]],
        "switchboard": [
            ("VX-ANK", "Växelanknytning", Category.SWITCHBOARD_EXTENSION, "42.00", "månad"),
            ("VX-MOBANK", "Mobil anknytning", Category.SWITCHBOARD_EXTENSION, "29.00", "månad"),
        ],
        "operator": [("TEL-PLATS", "Telefonistplats", Category.OPERATOR_SERVICE, "1850.00", "månad")],
    }[key]
    for code, text, category, price, unit in items:
        start = contract.start_date
        if code == "MOB-BAS":  # an index adjustment this year: two versions of one item
            db.session.add(PriceListItem(contract_id=contract.id, item_code=code, description=text,
                                         category=category, unit_price=Decimal("85.00"), unit=unit,
                                         valid_from=start, valid_to=date(year, 1, 1)))
            start = date(year, 1, 1)
            summary.count("price_list_items")
        db.session.add(PriceListItem(contract_id=contract.id, item_code=code, description=text,
                                     category=category, unit_price=Decimal(price), unit=unit,
                                     valid_from=start))
        summary.count("price_list_items")


def _unique_numbers(rng: random.Random, prefix: str, digits: int, count: int, taken: set[str]) -> list[str]:
    numbers: list[str] = []
    while len(numbers) < count:
        candidate = phone_number(prefix + "".join(str(rng.randrange(10)) for _ in range(digits)))
        if candidate not in taken:
            taken.add(candidate)
            numbers.append(candidate)
    return numbers


#: A planned subscription: number, kind, the ansvar it starts at, its directory label.
PlannedSubscription = tuple[str, SubscriptionKind, str, str | None]


def _subscriptions(org: Organisation, units: dict[str, BudgetUnit], suppliers: dict[str, Supplier],
                   contracts: dict[str, FrameworkContract], today: date, rng: random.Random,
                   summary: DemoSummary) -> list[Subscription]:
    """About 600 subscriptions: a mobile per staff phone, switchboard extensions, seats."""
    existing = {s.number: s for s in db.session.scalars(
        sa.select(Subscription).where(Subscription.organisation_id == org.id))}
    shared_labels = {"4110": "Jourtelefon hemtjänst norra", "4120": "Jourtelefon hemtjänst södra",
                     "2150": "Jour VA", "2170": "Räddningstjänst inre befäl", "4180": "Sjuksköterska natt"}
    result: list[Subscription] = []
    new_rows: list[tuple[Subscription | Handset, str]] = []
    for planned in _planned_subscriptions(rng):
        sub = existing.get(planned[0])
        if sub is None:
            sub = _new_subscription(org, planned, suppliers, contracts, today, shared_labels)
            new_rows.append((sub, planned[2]))
        result.append(sub)
    db.session.add_all([sub for sub, _ in new_rows])
    db.session.flush()
    summary.count("subscriptions", len(new_rows))
    _assignment_history(new_rows, units, today, summary)
    return result


def _planned_subscriptions(rng: random.Random) -> list[PlannedSubscription]:
    """Every unit's mobiles (one per staff phone), a mobile broadband for the large ones and
    switchboard extensions; the operator seats and the fixed lines of the contact centre and VA."""
    taken: set[str] = set()
    planned: list[PlannedSubscription] = []
    for admin_def in data.ADMINISTRATIONS:
        for unit_def in admin_def.units:
            mobile = _unique_numbers(rng, "07" + rng.choice("0236"), 7, unit_def.size, taken)
            planned += [(n, SubscriptionKind.MOBILE_VOICE, unit_def.ansvar, None) for n in mobile]
            if unit_def.size >= 14:
                data_number = _unique_numbers(rng, "0767", 6, 1, taken)[0]
                planned.append((data_number, SubscriptionKind.MOBILE_DATA, unit_def.ansvar, "Mobilt bredband"))
            extensions = max(1, unit_def.size // 3)
            for number in _unique_numbers(rng, "05051", 4, extensions, taken):
                planned.append((number, SubscriptionKind.SWITCHBOARD_EXTENSION, unit_def.ansvar, None))
    for seat in range(1, 4):
        planned.append((phone_number(f"0505-1700{seat}"), SubscriptionKind.OPERATOR_SEAT, "1150",
                        f"Telefonistplats {seat}"))
    planned.append((phone_number("0505-17000"), SubscriptionKind.FIXED_LINE, "1150", "Växelnummer"))
    planned.append((phone_number("0505-17090"), SubscriptionKind.FIXED_LINE, "2150", "Larm VA-verket"))
    return planned


def _new_subscription(org: Organisation, planned: PlannedSubscription, suppliers: dict[str, Supplier],
                      contracts: dict[str, FrameworkContract], today: date,
                      shared_labels: dict[str, str]) -> Subscription:
    """One new subscription: its contract by kind, a start in the last years, now and then a
    private-use agreement or an end this year. A unit's shared label goes to its first mobile."""
    number, kind, ansvar, label = planned
    rng = random.Random(number)  # per-asset randomness: a re-run decides the same way
    switchboard = kind in (SubscriptionKind.SWITCHBOARD_EXTENSION, SubscriptionKind.OPERATOR_SEAT)
    contract = contracts["operator" if kind == SubscriptionKind.OPERATOR_SEAT
                         else "switchboard" if switchboard else "mobile"]
    start = date(today.year - rng.randint(1, 6), rng.randint(1, 12), 1)
    if rng.random() < 0.04:
        start = date(today.year, rng.randint(1, max(1, today.month - 1)), rng.choice([1, 10, 20]))
    # Forsvik has weak coverage on the contracted network: its phones use the other operator
    # under the approved coverage exception (see _coverage_exception).
    forsvik = ansvar in FORSVIK_UNITS and kind == SubscriptionKind.MOBILE_VOICE
    sub = Subscription(
        organisation_id=org.id, number=number, kind=kind,
        supplier_id=suppliers["other_operator"].id if forsvik else contract.supplier_id,
        contract_id=None if forsvik else contract.id, start_date=start,
        extension=number[-4:] if switchboard else None,
        operator_reference=f"AB-{rng.randrange(10**7):07d}" if not switchboard else None,
        label=label or (shared_labels.pop(ansvar, None) if kind == SubscriptionKind.MOBILE_VOICE else None),
    )
    if kind == SubscriptionKind.MOBILE_VOICE and rng.random() < 0.12:
        sub.private_use_reference = f"PA-{today.year - 1}-{rng.randrange(1000):03d}"
        sub.private_use_signed_on = start
        sub.private_use_signed_by = "Arbetstagare och chef"
    if kind == SubscriptionKind.MOBILE_VOICE and rng.random() < 0.015:
        sub.end_date = date(today.year, max(1, today.month - 3), 28)  # terminated this year
    return sub


def _assignment_history(assets: Sequence[tuple[Subscription | Handset, str]], units: dict[str, BudgetUnit],
                        today: date, summary: DemoSummary) -> None:
    """Each new asset's assignments: one row from its start, and for about one in ten a move
    to another unit of the same administration during this year (some on the 1st, some
    mid-month), so that allocation has splits by days to make."""
    by_admin: dict[int, list[BudgetUnit]] = {}
    for unit in units.values():
        by_admin.setdefault(unit.administration_id, []).append(unit)
    rows: list[Assignment] = []
    for asset, ansvar in assets:
        rng = random.Random(f"move {asset.identifier}")
        unit = units[ansvar]
        if isinstance(asset, Subscription):
            start = asset.start_date
        else:
            start = asset.purchase_date or date(today.year - 1, 1, 1)
        siblings = [u for u in by_admin[unit.administration_id] if u.id != unit.id]
        move_on: date | None = None
        if siblings and today.month > 2 and rng.random() < 0.10:
            month = rng.randint(2, today.month - 1)
            move_on = date(today.year, month, rng.choice([1, 1, 15, 10, 20]))
            if move_on <= start:
                move_on = None
        common = {"organisation_id": asset.organisation_id, "asset_id": asset.id}
        rows.append(Assignment(**common, unit_id=unit.id, valid_from=start, valid_to=move_on))
        if move_on:
            rows.append(Assignment(**common, unit_id=rng.choice(siblings).id, valid_from=move_on))
    db.session.add_all(rows)
    summary.count("assignments", len(rows))


def _imei(rng: random.Random, tac: str) -> str:
    body = tac + f"{rng.randrange(10**6):06d}"
    return body + luhn.calc_check_digit(body)


def _handsets(org: Organisation, units: dict[str, BudgetUnit], subscriptions: list[Subscription],
              contracts: dict[str, FrameworkContract], suppliers: dict[str, Supplier], today: date,
              rng: random.Random, summary: DemoSummary) -> None:
    """A handset for most mobile subscriptions, some shared phones, a few lost or stolen."""
    existing = set(db.session.scalars(sa.select(Handset.imei).where(Handset.organisation_id == org.id)))
    prices = {"TEL-IP15": "7990.00", "TEL-IP13": "5490.00", "TEL-SGA55": "3290.00",
              "TEL-XC7": "3590.00", "TEL-DORO": "1490.00"}
    unit_of = _current_units(org.id, today)
    new_rows: list[tuple[Handset, str]] = []
    links: list[tuple[Subscription, Handset]] = []
    for sub in subscriptions:
        if sub.kind != SubscriptionKind.MOBILE_VOICE:
            continue
        rng = random.Random(f"handset {sub.number}")
        model, code, tac = rng.choice(data.HANDSET_MODELS)
        imei = _imei(rng, tac)
        skip = rng.random() < 0.30  # some people use a phone bought long ago and not registered
        if skip or imei in existing or sub.handset_id is not None:
            continue
        off_contract = rng.random() < 0.02
        bought = max(sub.start_date, date(today.year - 3, 1, 1)) + timedelta(days=rng.randint(0, 60))
        bought = min(bought, today - timedelta(days=1))
        handset = Handset(
            organisation_id=org.id, imei=imei, model=model, purchase_date=bought,
            purchase_price=Decimal(prices[code]) + (Decimal("400.00") if off_contract else 0),
            contract_id=None if off_contract else contracts["equipment"].id,
            shared=sub.label is not None, shared_label=sub.label,
            mdm_enrolled=rng.random() < (0.85 if sub.label else 0.95),
        )
        roll = rng.random()
        if roll < 0.01:
            handset.status, handset.status_changed_on = HandsetStatus.STOLEN, today - timedelta(days=40)
            handset.reported_to_manager = "Närmaste chef"
        elif roll < 0.025:
            handset.status, handset.status_changed_on = HandsetStatus.LOST, today - timedelta(days=12)
            handset.reported_to_manager = "Närmaste chef"
        new_rows.append((handset, unit_of.get(sub.id, "1140")))
        existing.add(imei)
        links.append((sub, handset))
    rng = random.Random("spare phones")
    for spare in range(6):  # the IT unit's stock of spare phones
        model, code, tac = data.HANDSET_MODELS[spare % len(data.HANDSET_MODELS)]
        imei = _imei(rng, tac)
        if imei not in existing:
            handset = Handset(organisation_id=org.id, imei=imei, model=model,
                              purchase_date=date(today.year, 1, 15), purchase_price=Decimal(prices[code]),
                              contract_id=contracts["equipment"].id, status=HandsetStatus.IN_STOCK,
                              mdm_enrolled=True)
            new_rows.append((handset, "1140"))
    db.session.add_all([h for h, _ in new_rows])
    db.session.flush()
    for sub, handset in links:
        sub.handset_id = handset.id
    summary.count("handsets", len(new_rows))
    _assignment_history(new_rows, units, today, summary)


def _current_units(organisation_id: int, day: date) -> dict[int, str]:
    """The ansvar each asset is assigned to on ``day``, by asset id."""
    rows = db.session.execute(
        sa.select(Assignment.asset_id, BudgetUnit.ansvar)
        .join(BudgetUnit, BudgetUnit.id == Assignment.unit_id)
        .where(Assignment.organisation_id == organisation_id, Assignment.in_force_on(day))
    )
    return {asset_id: ansvar for asset_id, ansvar in rows}


def _coverage_exception(org: Organisation, suppliers: dict[str, Supplier], today: date,
                        summary: DemoSummary) -> None:
    """Forsvik has weak coverage on the contracted network: an approved exception."""
    _get_or_add(
        CoverageException, summary, "coverage_exceptions",
        {"organisation_id": org.id, "area": "Forsvik"},
        supplier_id=suppliers["other_operator"].id,
        reason="Svag täckning i Forsvik för avtalad operatör; hemtjänsten behöver säker uppkoppling.",
        evidence="Täckningsmätning vid Forsviks skola och hemtjänstens kvarter, 3 av 12 punkter utan signal.",
        valid_from=date(today.year - 1, 6, 1), valid_to=date(today.year + 1, 6, 1),
        status=ExceptionStatus.APPROVED,
    )


def _budgets(org: Organisation, units: dict[str, BudgetUnit], year: int, summary: DemoSummary) -> None:
    """A year's budget per unit from its size, phased evenly over twelve months."""
    existing = set(db.session.execute(
        sa.select(Budget.unit_id, Budget.category).where(Budget.organisation_id == org.id, Budget.year == year)))
    sizes = {u.ansvar: u.size for a in data.ADMINISTRATIONS for u in a.units}
    rows: list[Budget] = []
    for ansvar, unit in units.items():
        size = sizes[ansvar]
        yearly = {
            BudgetCategory.EQUIPMENT: Decimal(size * 1800),
            BudgetCategory.SUBSCRIPTIONS: Decimal(size * 12 * 175),
        }
        if unit.carries_switchboard:
            yearly[BudgetCategory.SWITCHBOARD] = Decimal(180000)
        elif unit.fee_funded:
            yearly[BudgetCategory.SWITCHBOARD] = Decimal(size // 3 * 12 * 45)
        for category, amount in yearly.items():
            if (unit.id, category) in existing:
                continue
            for month, part in enumerate(split(amount, [1] * 12), start=1):
                rows.append(Budget(organisation_id=org.id, unit_id=unit.id, year=year, month=month,
                                   category=category, amount=part))
    db.session.add_all(rows)
    summary.count("budget_rows", len(rows))


def _users(org: Organisation, summary: DemoSummary) -> None:
    cooperation = _partner(data.COOPERATION_ORGANISATION)
    for users, organisation in ((data.USERS, org), (data.COOPERATION_USERS, cooperation)):
        for ansvar, username, display_name, role in users:
            if db.session.scalar(sa.select(User.id).where(User.username == username)) is None:
                create_user(None, organisation_id=organisation.id, username=username, password=data.DEMO_PASSWORD,
                            role=Role(role), display_name=display_name, unit_codes=ansvar)
                summary.count("users")
            summary.users.append((username, role, ", ".join(ansvar)))


def _invoices_and_allocation(org: Organisation, today: date, summary: DemoSummary) -> None:
    """This year's invoices through the import path, every month allocated, and the months
    before last closed, as finance would have left them."""
    from ledger.allocation import periods
    from ledger.allocation.engine import allocate
    from ledger.demo.invoices import import_demo_invoices

    files, _, lines = import_demo_invoices(org, today)
    summary.count("invoice_files", files)
    summary.count("invoice_lines", lines)
    written = 0
    for month in range(1, today.month + 1):
        result = allocate(None, org, f"{today.year}-{month:02d}")
        written += result.entries + result.reversals
    summary.count("journal_entries", written)
    for month in range(1, today.month - 1):
        period = periods.get_or_open(org.id, f"{today.year}-{month:02d}")
        if period.status.value == "open":
            periods.close(None, org.id, period.period)
            summary.count("closed_periods")


def _totals(organisation_id: int) -> dict[str, int]:
    def count(model: type, *where: sa.ColumnElement[bool]) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0

    return {
        "administrations": count(Administration, Administration.organisation_id == organisation_id),
        "budget_units": count(BudgetUnit, BudgetUnit.organisation_id == organisation_id),
        "suppliers": count(Supplier),
        "framework_contracts": count(FrameworkContract),
        "subscriptions": count(Subscription, Subscription.organisation_id == organisation_id),
        "handsets": count(Handset, Handset.organisation_id == organisation_id),
        "assignments": count(Assignment, Assignment.organisation_id == organisation_id),
        "budget_rows": count(Budget, Budget.organisation_id == organisation_id),
        "users": count(User, User.organisation_id == organisation_id),
        "invoices": count(Invoice, Invoice.organisation_id == organisation_id),
        "invoice_lines": count(InvoiceLine, InvoiceLine.organisation_id == organisation_id),
        "journal_entries": count(JournalEntry, JournalEntry.organisation_id == organisation_id),
    }
