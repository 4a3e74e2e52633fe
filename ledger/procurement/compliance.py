"""Compliance findings for a period: what the invoices show against the contract register.

``check(organisation_id, "2026-03", today=…)`` reads the period's invoice lines and the
registers and returns a ``ComplianceReport``. It is a pure read (nothing is written) and
set-based: one query classifies every line of the period (correlated EXISTS for contract,
exception and assignment), one finds the contract price of every priced line; the contract
register is read once. The number of queries does not grow with the number of lines.

What a line is checked against, in the words of DESIGN.md ("Compliance, checked on every
import"):

``off_contract_supplier`` (a)
    The line's supplier is not the contracted one for the line's category on the line's day:
    no signed framework contract in force that day, with the line's organisation as a party,
    covers the category with that supplier; and no approved coverage exception of the
    organisation for that supplier is valid that day (an area exception covers all the
    organisation's lines from the supplier, a subscription exception only that subscription's
    lines; see ``ledger.procurement.coverage``). Equipment is checked under (e) instead.
``price_above_contract`` (b)
    The unit price is above the contract's price for the item code on that day (the lowest
    one, if several contracts of the supplier list the item). The excess is
    (unit price − contract price) × quantity, exact, rounded half up to öre per line; the
    claims list sums it per supplier. Only invoice lines with a positive quantity (credit
    notes give money back; they are not overcharges).
``billed_after_end`` (c)
    A subscription billed for days after its end date (the line's service period, else the
    invoice date, ends after the subscription's last day).
``no_assignment`` / ``unmatched_reference`` (d)
    A billed subscription (or handset) with no unit assigned on the line's day; a line whose
    reference matched no subscription or handset at all (or named none).
``hardware_off_contract`` (e)
    An equipment line from a supplier with no equipment contract in force that day, or for a
    handset registered as bought off contract; and a handset bought in the period and
    registered off contract (``Handset.contract_id`` NULL) that no equipment line explains.
``contract_ending`` (f)
    A contract whose end (counting extensions used), or the last notice date of an unused
    extension option, falls within six months from ``today``.
``credit_without_invoice`` (g)
    A credit note dated in the period whose billing reference names no imported invoice of its
    supplier (the import warned about it): money given back for an invoice the ledger does not
    know. It is reported until that invoice is imported.
``private_use_without_agreement`` (h)
    A line that indicates private use (a premium-rate number, third-party content: the rules of
    ``ledger/private_use_rules.toml``, found by ``ledger.private_use.detection``) on a
    subscription with no private-use agreement on the line's day; one finding per line.

The line's day is its service period's first day, else the invoice date; a line belongs to the
period (YYYY-MM) its day falls in. Only contracts with status ``signed`` are in force (a
draft is not yet, a terminated one no longer).
"""

from __future__ import annotations

import calendar
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute, aliased, selectinload

from ledger.core import clock
from ledger.core.categories import Category
from ledger.core.money import ZERO, quantize
from ledger.core.month import Month
from ledger.database import db
from ledger.inventory.models import Asset, AssetType, Assignment, Handset, Subscription
from ledger.invoices.models import DocumentType, Invoice, InvoiceLine, allocated_source
from ledger.organisation.models import Supplier
from ledger.private_use import detection as private_use
from ledger.procurement.models import (
    ContractCategory,
    ContractExtensionOption,
    ContractParty,
    ContractStatus,
    CoverageException,
    ExceptionStatus,
    FrameworkContract,
    PriceListItem,
)

#: The kinds of finding, in the order reports show them.
KINDS = (
    "off_contract_supplier",
    "price_above_contract",
    "billed_after_end",
    "no_assignment",
    "unmatched_reference",
    "hardware_off_contract",
    "contract_ending",
    "credit_without_invoice",
    private_use.FINDING_KIND,
)

#: What a kind's ``params`` add to a finding's subject besides its supplier, contract and asset
#: (``Finding.subject``): what makes it the same finding when it recurs in another month.
SUBJECT_PARAMS: dict[str, tuple[str, ...]] = {
    "off_contract_supplier": ("category",),
    "price_above_contract": ("item_code",),
    "unmatched_reference": ("reference",),
    "hardware_off_contract": ("description",),
    "contract_ending": ("event", "option", "date"),
    "credit_without_invoice": ("number",),
    private_use.FINDING_KIND: ("indicator_kind", "text"),
}

#: How far ahead ``contract_ending`` looks.
NOTICE_HORIZON_MONTHS = 6

#: Exceptions that cover the days they were valid: approved ones, and approved ones that have
#: since expired (marked so by ``exceptions expire``). Requested, rejected and withdrawn do not.
COVERING_STATUSES = (ExceptionStatus.APPROVED, ExceptionStatus.EXPIRED)


@dataclass(frozen=True, slots=True)
class LineRef:
    """An invoice line behind a finding, with what a reader needs to find it on the invoice."""

    id: int
    invoice_id: int
    invoice_number: str
    document_type: DocumentType
    supplier_id: int
    supplier_name: str
    position: int
    day: date
    period_end: date | None
    category: Category
    item_code: str | None
    reference: str | None
    description: str | None
    quantity: Decimal | None
    unit_price: Decimal | None
    net_amount: Decimal
    asset_id: int | None
    asset_type: AssetType | None


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong, why (in words), and the invoice lines behind it.

    ``reason`` is an English sentence for scripts and logs; ``params`` holds its parts so
    that pages can say it in the reader's language. ``amount`` is the lines' net amount, or
    for a price deviation the excess to claim.
    """

    kind: str
    reason: str
    line_ids: tuple[int, ...]
    amount: Decimal | None = None
    supplier_id: int | None = None
    supplier_name: str | None = None
    contract_id: int | None = None
    asset_id: int | None = None
    asset_type: AssetType | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def subscription_id(self) -> int | None:
        return self.asset_id if self.asset_type == AssetType.SUBSCRIPTION else None

    @property
    def handset_id(self) -> int | None:
        return self.asset_id if self.asset_type == AssetType.HANDSET else None

    @property
    def subject(self) -> tuple[object, ...]:
        """What the finding is about in any month: its supplier, contract and asset and what
        its kind adds (``SUBJECT_PARAMS``); never the period, the lines or the amount."""
        return (self.supplier_id, self.contract_id, self.asset_id,
                *(self.params.get(name) for name in SUBJECT_PARAMS.get(self.kind, ())))

    def fingerprint(self, organisation_id: int) -> str:
        """The finding's key across months (``ledger.findings``): kind, organisation and subject."""
        key = "|".join(str(part) for part in (self.kind, organisation_id, *self.subject))
        return key if len(key) <= 160 else f"{key[:95]}#{hashlib.sha256(key.encode()).hexdigest()}"


@dataclass(frozen=True, slots=True)
class SupplierClaim:
    """What to claim back from one supplier: the sum of its lines' excess over contract price."""

    supplier_id: int
    supplier_name: str
    excess: Decimal
    line_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ComplianceReport:
    organisation_id: int
    period: str
    first_day: date
    last_day: date
    today: date
    findings: tuple[Finding, ...]
    claims: tuple[SupplierClaim, ...]
    lines: Mapping[int, LineRef]
    lines_checked: int

    def of_kind(self, kind: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind == kind)

    @property
    def counts(self) -> dict[str, int]:
        return {kind: len(self.of_kind(kind)) for kind in KINDS}

    @property
    def claims_total(self) -> Decimal:
        return sum((c.excess for c in self.claims), ZERO)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- SQL building blocks ---------------------------------------------------------------------

_LINE_DAY = sa.func.coalesce(InvoiceLine.period_start, Invoice.issue_date)


def _in_force(day: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """The contract (``FrameworkContract`` in the enclosing query) is in force on ``day``,
    counting extension options already used (``FrameworkContract.end_on`` in SQL)."""
    extended = (
        sa.select(ContractExtensionOption.id)
        .where(
            ContractExtensionOption.contract_id == FrameworkContract.id,
            ContractExtensionOption.exercised_on.is_not(None),
            ContractExtensionOption.extends_to >= day,
        )
        .correlate_except(ContractExtensionOption)  # the line (two levels up) and the contract
        .exists()
    )
    return sa.and_(
        FrameworkContract.status == ContractStatus.SIGNED,
        FrameworkContract.start_date <= day,
        sa.or_(FrameworkContract.end_date >= day, extended),
    )


def _party(organisation_id: QueryableAttribute[int] | int) -> sa.ColumnElement[bool]:
    return (
        sa.select(ContractParty.id)
        .where(ContractParty.contract_id == FrameworkContract.id, ContractParty.organisation_id == organisation_id)
        .correlate_except(ContractParty)
        .exists()
    )


def _contracted() -> sa.ColumnElement[bool]:
    """A contract in force on the line's day, with its organisation as a party, covers its
    category with its supplier."""
    return (
        sa.select(FrameworkContract.id)
        .join(ContractCategory, ContractCategory.contract_id == FrameworkContract.id)
        .where(
            FrameworkContract.supplier_id == Invoice.supplier_id,
            ContractCategory.category == InvoiceLine.category,
            _in_force(_LINE_DAY),
            _party(InvoiceLine.organisation_id),
        )
        .exists()
    )


def _excepted() -> sa.ColumnElement[bool]:
    """An approved coverage exception for the line's supplier is valid on the line's day."""
    return sa.exists().where(
        CoverageException.organisation_id == InvoiceLine.organisation_id,
        CoverageException.supplier_id == Invoice.supplier_id,
        CoverageException.status.in_(COVERING_STATUSES),
        CoverageException.in_force_on(_LINE_DAY),
        sa.or_(CoverageException.subscription_id.is_(None),
               CoverageException.subscription_id == InvoiceLine.asset_id),
    )


def _assigned() -> sa.ColumnElement[bool]:
    """The line's asset is assigned to a unit on the line's day."""
    return sa.exists().where(
        Assignment.asset_id == InvoiceLine.asset_id,
        Assignment.in_force_on(_LINE_DAY),
    )


def _period_lines(organisation_id: int, first: date, after: date) -> list[sa.ColumnElement[bool]]:
    """The line's day in [first, after), spelt so that ``ix_invoice_line_org_period`` serves it.

    Only the lines the allocation uses: an invoice detailed by an operator's specification is
    checked on the specification's lines, not on its summary lines."""
    return [
        InvoiceLine.organisation_id == organisation_id,
        allocated_source(),
        sa.or_(
            sa.and_(InvoiceLine.period_start >= first, InvoiceLine.period_start < after),
            sa.and_(InvoiceLine.period_start.is_(None), Invoice.issue_date >= first, Invoice.issue_date < after),
        ),
    ]


# --- the check -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    line: LineRef
    on_contract: bool
    excepted: bool
    assigned: bool
    asset: str | None  # the number, or IMEI …
    subscription_end: date | None
    handset_imei: str | None
    handset_off_contract: bool
    issue_date: date


def check(organisation_id: int, period: str, today: date | None = None) -> ComplianceReport:
    """Every finding of ``period`` (YYYY-MM) for the organisation, and the claims list."""
    today = today or clock.today()
    month = Month.parse(period)
    first, after = month.first, month.after
    rows = _classified_lines(organisation_id, first, after)
    contracts = _contracts_of(organisation_id)
    lines = {row.line.id: row.line for row in rows}
    findings: list[Finding] = []
    findings += _off_contract_suppliers(rows, contracts)
    price_findings = _price_deviations(organisation_id, first, after, lines)
    findings += price_findings
    findings += _billed_after_end(rows)
    findings += _unassigned(rows)
    findings += _unmatched(rows)
    findings += _hardware(rows, organisation_id, first, after, contracts)
    findings += _contracts_ending(contracts, today)
    findings += _credits_without_invoice(organisation_id, first, after, lines)
    findings += _private_use(organisation_id, first, after, lines)
    order = {kind: index for index, kind in enumerate(KINDS)}
    findings.sort(key=lambda f: (order[f.kind], f.supplier_name or "", f.line_ids, f.reason))
    return ComplianceReport(
        organisation_id=organisation_id, period=f"{first:%Y-%m}", first_day=first,
        last_day=date.fromordinal(after.toordinal() - 1), today=today, findings=tuple(findings),
        claims=_claims(price_findings), lines=lines, lines_checked=len(rows),
    )


def _classified_lines(organisation_id: int, first: date, after: date) -> list[_Row]:
    """The period's lines, each with what the registers say about it: one query."""
    asset = aliased(Asset)  # the line's asset
    # A subscription's end by a subquery, not a polymorphic column: the municipality's scope
    # (ledger.database.tenancy) would put a polymorphic subclass's criterion in WHERE, dropping
    # the lines that match no asset from this outer join.
    subscription_end = sa.select(Subscription.end_date).where(Subscription.id == InvoiceLine.asset_id)
    query = (
        sa.select(
            InvoiceLine.id, InvoiceLine.invoice_id, Invoice.number.label("invoice_number"), Invoice.document_type,
            Invoice.supplier_id, Supplier.name.label("supplier_name"), InvoiceLine.position, _LINE_DAY.label("day"),
            InvoiceLine.period_end,
            InvoiceLine.category, InvoiceLine.item_code, InvoiceLine.reference, InvoiceLine.description,
            InvoiceLine.quantity, InvoiceLine.unit_price, InvoiceLine.net_amount, InvoiceLine.asset_id,
            Invoice.issue_date, asset.type.label("asset_type"), asset.identifier,
            asset.contract_id.label("asset_contract_id"), subscription_end.scalar_subquery().label("subscription_end"),
            _contracted().label("on_contract"),
            _excepted().label("excepted"),
            _assigned().label("assigned"),
        )
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .join(Supplier, Supplier.id == Invoice.supplier_id)
        .outerjoin(asset, asset.id == InvoiceLine.asset_id)
        .where(*_period_lines(organisation_id, first, after))
        .order_by(Invoice.issue_date, Invoice.number, InvoiceLine.position)
    )
    result = []
    for r in db.session.execute(query):
        day = r.day if isinstance(r.day, date) else date.fromisoformat(str(r.day))  # SQLite: COALESCE gives text
        line = LineRef(
            id=r.id, invoice_id=r.invoice_id, invoice_number=r.invoice_number, document_type=r.document_type,
            supplier_id=r.supplier_id, supplier_name=r.supplier_name, position=r.position, day=day,
            period_end=r.period_end, category=r.category, item_code=r.item_code, reference=r.reference,
            description=r.description, quantity=r.quantity, unit_price=r.unit_price, net_amount=r.net_amount,
            asset_id=r.asset_id, asset_type=r.asset_type,
        )
        handset = r.asset_type == AssetType.HANDSET
        result.append(_Row(
            line=line, on_contract=bool(r.on_contract), excepted=bool(r.excepted), assigned=bool(r.assigned),
            asset=Asset.describe_as(r.asset_type, r.identifier) if r.asset_type else None,
            subscription_end=r.subscription_end, handset_imei=r.identifier if handset else None,
            handset_off_contract=handset and r.asset_contract_id is None, issue_date=r.issue_date,
        ))
    return result


def _contracts_of(organisation_id: int) -> list[FrameworkContract]:
    """The signed contracts the organisation is a party to, with what the checks read."""
    return list(db.session.scalars(
        sa.select(FrameworkContract)
        .where(FrameworkContract.status == ContractStatus.SIGNED, _party(organisation_id))
        .options(selectinload(FrameworkContract.supplier), selectinload(FrameworkContract.categories),
                 selectinload(FrameworkContract.extension_options))
        .order_by(FrameworkContract.reference)
    ))


def _in_force_for(contracts: Iterable[FrameworkContract], category: Category, day: date) -> list[FrameworkContract]:
    return [c for c in contracts if c.start_date <= day <= c.end_on()
            and any(cc.category == category for cc in c.categories)]


def _total(lines: Iterable[LineRef]) -> Decimal:
    return sum((line.net_amount for line in lines), ZERO)


def _off_contract_suppliers(rows: list[_Row], contracts: list[FrameworkContract]) -> list[Finding]:
    """(a) per supplier and category: the lines no contract and no exception covers."""
    groups: dict[tuple[int, Category], list[LineRef]] = defaultdict(list)
    for row in rows:
        if row.line.category != Category.EQUIPMENT and not row.on_contract and not row.excepted:
            groups[(row.line.supplier_id, row.line.category)].append(row.line)
    findings = []
    for (supplier_id, category), lines in groups.items():
        contracted = sorted({f"{c.supplier.name} ({c.reference})"
                             for line in lines for c in _in_force_for(contracts, category, line.day)})
        name = lines[0].supplier_name
        if contracted:
            why = f"the contracted supplier is {', '.join(contracted)}"
        else:
            why = "no framework contract in force covers this category"
        reason = (f"{name} billed {category.value} on {len(lines)} line(s) from {min(li.day for li in lines)} "
                  f"without being the contracted supplier and without an approved coverage exception; {why}")
        findings.append(Finding(
            kind="off_contract_supplier", reason=reason, line_ids=tuple(li.id for li in lines),
            amount=_total(lines), supplier_id=supplier_id, supplier_name=name,
            params={"supplier": name, "category": category.value, "contracted": ", ".join(contracted),
                    "lines": len(lines), "first_day": min(li.day for li in lines)},
        ))
    return findings


def _price_deviations(organisation_id: int, first: date, after: date, lines: Mapping[int, LineRef]) -> list[Finding]:
    """(b) one query: each priced line with the contract prices in force on its day."""
    query = (
        sa.select(InvoiceLine.id, PriceListItem.unit_price, FrameworkContract.id, FrameworkContract.reference)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .join(FrameworkContract, FrameworkContract.supplier_id == Invoice.supplier_id)
        .join(PriceListItem, sa.and_(PriceListItem.contract_id == FrameworkContract.id,
                                     PriceListItem.item_code == InvoiceLine.item_code))
        .where(
            *_period_lines(organisation_id, first, after),
            Invoice.document_type == DocumentType.INVOICE,
            InvoiceLine.item_code.is_not(None),
            _in_force(_LINE_DAY),
            _party(InvoiceLine.organisation_id),
            PriceListItem.in_force_on(_LINE_DAY),
        )
    )
    best: dict[int, tuple[Decimal, int, str]] = {}
    for line_id, price, contract_id, reference in db.session.execute(query):
        if line_id not in best or (price, reference) < (best[line_id][0], best[line_id][2]):
            best[line_id] = (price, contract_id, reference)
    findings = []
    for line_id, (contract_price, contract_id, reference) in best.items():
        line = lines[line_id]
        if line.unit_price is None or line.quantity is None or line.quantity <= 0:
            continue
        if line.unit_price <= contract_price:
            continue
        excess = quantize((line.unit_price - contract_price) * line.quantity)
        reason = (f"{line.supplier_name} charged {_price(line.unit_price)} per unit for {line.item_code} on "
                  f"{line.day}; the contract price ({reference}) is {_price(contract_price)}: "
                  f"{_quantity(line.quantity)} × {_price(line.unit_price - contract_price)} = {excess:.2f} too much")
        findings.append(Finding(
            kind="price_above_contract", reason=reason, line_ids=(line_id,), amount=excess,
            supplier_id=line.supplier_id, supplier_name=line.supplier_name, contract_id=contract_id,
            params={"supplier": line.supplier_name, "item_code": line.item_code, "day": line.day,
                    "unit_price": line.unit_price, "contract_price": contract_price, "quantity": line.quantity,
                    "excess": excess, "contract": reference},
        ))
    return findings


def _price(value: Decimal) -> str:
    """A unit price with two to four decimals (``89.0000`` → ``89.00``, ``0.3925`` stays)."""
    text = f"{value.normalize():f}"
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def _quantity(value: Decimal) -> str:
    """A quantity without trailing zeros (``3.0000`` → ``3``, ``1.5000`` → ``1.5``)."""
    return f"{value.normalize():f}"


def _claims(findings: list[Finding]) -> tuple[SupplierClaim, ...]:
    per_supplier: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        per_supplier[finding.supplier_id or 0].append(finding)
    claims = [
        SupplierClaim(supplier_id=supplier_id, supplier_name=group[0].supplier_name or "",
                      excess=sum((f.amount or ZERO for f in group), ZERO),
                      line_ids=tuple(sorted(i for f in group for i in f.line_ids)))
        for supplier_id, group in per_supplier.items()
    ]
    return tuple(sorted(claims, key=lambda c: (-c.excess, c.supplier_name)))


def _billed_after_end(rows: list[_Row]) -> list[Finding]:
    """(c) per subscription: positive lines whose service runs past the subscription's end."""
    groups: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        line = row.line
        if row.subscription_end is None or line.net_amount <= 0 or line.document_type != DocumentType.INVOICE:
            continue
        last_billed = line.period_end or line.day
        if last_billed > row.subscription_end:
            groups[line.asset_id or 0].append(row)
    findings = []
    for subscription_id, group in groups.items():
        lines = [r.line for r in group]
        number, end = group[0].asset, group[0].subscription_end
        last = max(li.period_end or li.day for li in lines)
        findings.append(Finding(
            kind="billed_after_end",
            reason=f"{number} ended on {end} but is billed up to {last} on {len(lines)} line(s)",
            line_ids=tuple(li.id for li in lines), amount=_total(lines), supplier_id=lines[0].supplier_id,
            supplier_name=lines[0].supplier_name, asset_id=subscription_id, asset_type=AssetType.SUBSCRIPTION,
            params={"number": number, "end_date": end, "last_billed": last, "lines": len(lines)},
        ))
    return findings


def _unassigned(rows: list[_Row]) -> list[Finding]:
    """(d) per subscription or handset: billed on a day no unit had it."""
    groups: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.line.asset_id is not None and not row.assigned:
            groups[row.line.asset_id].append(row)
    findings = []
    for asset_id, group in groups.items():
        lines = [r.line for r in group]
        asset, asset_type = group[0].asset, group[0].line.asset_type
        assert asset_type is not None  # the line has an asset
        days = sorted({li.day for li in lines})
        findings.append(Finding(
            kind="no_assignment",
            reason=f"{asset} is billed for {days[0]}{f' to {days[-1]}' if len(days) > 1 else ''} "
                   "but was assigned to no budget unit then",
            line_ids=tuple(li.id for li in lines), amount=_total(lines), supplier_id=lines[0].supplier_id,
            supplier_name=lines[0].supplier_name, asset_id=asset_id, asset_type=asset_type,
            params={"asset": asset, "asset_kind": asset_type.value, "first_day": days[0], "last_day": days[-1]},
        ))
    return findings


def _unmatched(rows: list[_Row]) -> list[Finding]:
    """(d) per supplier and reference: lines that name no known subscription or handset."""
    groups: dict[tuple[int, str | None], list[LineRef]] = defaultdict(list)
    for row in rows:
        if row.line.asset_id is None:
            groups[(row.line.supplier_id, row.line.reference)].append(row.line)
    findings = []
    for (supplier_id, reference), lines in groups.items():
        if reference:
            reason = f"{reference!r} on {lines[0].supplier_name}'s invoice matched no subscription or handset"
        else:
            reason = f"{len(lines)} line(s) of {lines[0].supplier_name} name no number, subscription or handset"
        findings.append(Finding(
            kind="unmatched_reference", reason=reason, line_ids=tuple(li.id for li in lines), amount=_total(lines),
            supplier_id=supplier_id, supplier_name=lines[0].supplier_name,
            params={"reference": reference or "", "supplier": lines[0].supplier_name, "lines": len(lines)},
        ))
    return findings


def _hardware(rows: list[_Row], organisation_id: int, first: date, after: date,
              contracts: list[FrameworkContract]) -> list[Finding]:
    """(e) equipment lines off contract, and handsets registered as bought off contract."""
    equipment = [row for row in rows if row.line.category == Category.EQUIPMENT]
    findings = [_equipment_finding(row, contracts) for row in equipment
                if not row.on_contract or row.handset_off_contract]
    billed = {row.line.asset_id for row in equipment
              if row.line.asset_type == AssetType.HANDSET and row.line.asset_id is not None}
    return findings + _bought_off_contract(organisation_id, first, after, billed)


def _equipment_finding(row: _Row, contracts: list[FrameworkContract]) -> Finding:
    """An equipment line from a supplier without an equipment contract, or for an off-contract handset."""
    line = row.line
    handset_id = line.asset_id if line.asset_type == AssetType.HANDSET else None
    supplier_off = not row.on_contract
    parts = []
    if supplier_off:
        contracted = sorted({f"{c.supplier.name} ({c.reference})"
                             for c in _in_force_for(contracts, Category.EQUIPMENT, line.day)})
        parts.append(f"{line.supplier_name} has no equipment contract in force on {line.day}"
                     + (f" (the contracted supplier is {', '.join(contracted)})" if contracted else ""))
    if row.handset_off_contract:
        parts.append(f"handset IMEI {row.handset_imei} is registered as bought off contract")
    return Finding(
        kind="hardware_off_contract", reason="; ".join(parts), line_ids=(line.id,), amount=line.net_amount,
        supplier_id=line.supplier_id, supplier_name=line.supplier_name, asset_id=handset_id,
        asset_type=AssetType.HANDSET if handset_id is not None else None,
        params={"supplier": line.supplier_name, "description": line.description or line.item_code or "",
                "supplier_off_contract": supplier_off, "handset_off_contract": row.handset_off_contract,
                "imei": row.handset_imei or "", "day": line.day},
    )


def _bought_off_contract(organisation_id: int, first: date, after: date, billed: set[int]) -> list[Finding]:
    """Handsets bought in the period and registered off contract that no equipment line explains."""
    bought = db.session.execute(
        sa.select(Handset.id, Handset.imei, Handset.model, Handset.purchase_date, Handset.purchase_price)
        .where(Handset.organisation_id == organisation_id, Handset.contract_id.is_(None),
               Handset.purchase_date >= first, Handset.purchase_date < after)
        .order_by(Handset.purchase_date, Handset.imei)
    )
    return [
        Finding(
            kind="hardware_off_contract",
            reason=f"{model} IMEI {imei} bought on {purchase_date} is registered as bought off contract",
            line_ids=(), amount=price, asset_id=handset_id, asset_type=AssetType.HANDSET,
            params={"supplier": "", "description": model, "supplier_off_contract": False,
                    "handset_off_contract": True, "imei": imei, "day": purchase_date},
        )
        for handset_id, imei, model, purchase_date, price in bought if handset_id not in billed
    ]


def _contracts_ending(contracts: list[FrameworkContract], today: date) -> list[Finding]:
    """(f) the end, or an unused option's last notice date, within the horizon."""
    horizon = add_months(today, NOTICE_HORIZON_MONTHS)
    findings = []
    for contract in contracts:
        end = contract.end_on()
        base = {"contract": contract.reference, "title": contract.title, "supplier": contract.supplier.name}
        if today <= end <= horizon:
            findings.append(Finding(
                kind="contract_ending",
                reason=f"{contract.reference} ({contract.title}) ends on {end}, within {NOTICE_HORIZON_MONTHS} months",
                line_ids=(), supplier_id=contract.supplier_id, supplier_name=contract.supplier.name,
                contract_id=contract.id, params={**base, "event": "end", "date": end},
            ))
        for option in contract.extension_options:
            if option.exercised_on is None and today <= option.last_notice_date <= horizon:
                findings.append(Finding(
                    kind="contract_ending",
                    reason=f"{contract.reference} ({contract.title}): the last day to decide on extension option "
                           f"{option.sequence} (to {option.extends_to}) is {option.last_notice_date}",
                    line_ids=(), supplier_id=contract.supplier_id, supplier_name=contract.supplier.name,
                    contract_id=contract.id,
                    params={**base, "event": "notice", "date": option.last_notice_date, "option": option.sequence,
                            "extends_to": option.extends_to},
                ))
    return findings


def _credits_without_invoice(organisation_id: int, first: date, after: date,
                             lines: Mapping[int, LineRef]) -> list[Finding]:
    """(g) credit notes of the period whose billing reference matches no imported invoice."""
    credited = sa.orm.aliased(Invoice)
    known = sa.exists().where(
        credited.organisation_id == Invoice.organisation_id, credited.supplier_id == Invoice.supplier_id,
        credited.document_type == DocumentType.INVOICE, credited.number == Invoice.credited_number)
    notes = db.session.execute(
        sa.select(Invoice.id, Invoice.number, Invoice.credited_number, Invoice.issue_date, Invoice.net_total,
                  Invoice.supplier_id, Supplier.name)
        .join(Supplier, Supplier.id == Invoice.supplier_id)
        .where(Invoice.organisation_id == organisation_id, Invoice.document_type == DocumentType.CREDIT_NOTE,
               Invoice.credited_number.is_not(None), Invoice.replaced_at.is_(None),
               Invoice.issue_date >= first, Invoice.issue_date < after, ~known)
        .order_by(Invoice.issue_date, Invoice.number))
    return [
        Finding(
            kind="credit_without_invoice",
            reason=f"credit note {number} from {supplier_name} of {day} credits invoice {credited_number}, "
                   "which is not imported",
            line_ids=tuple(sorted(i for i, line in lines.items() if line.invoice_id == invoice_id)),
            amount=net_total, supplier_id=supplier_id, supplier_name=supplier_name,
            params={"supplier": supplier_name, "number": number, "credited_number": credited_number, "day": day},
        )
        for invoice_id, number, credited_number, day, net_total, supplier_id, supplier_name in notes
    ]


def _private_use(organisation_id: int, first: date, after: date, lines: Mapping[int, LineRef]) -> list[Finding]:
    """(h) each line of the period that indicates private use on a subscription without a
    private-use agreement on its day."""
    return [
        Finding(kind=private_use.FINDING_KIND, reason=hit.reason, line_ids=(hit.line_id,), amount=hit.net_amount,
                supplier_id=hit.supplier_id, supplier_name=hit.supplier_name, asset_id=hit.subscription_id,
                asset_type=AssetType.SUBSCRIPTION, params=hit.params)
        for hit in private_use.without_agreement(organisation_id, first, after) if hit.line_id in lines
    ]
