"""Report data from the database: a period's journal for the PDF, SIE, CSV and XLSX renderers.

Every function here reads with a handful of set-based queries (one for the entries, one each
for the summary, the reconciliation and the suspense lines) and hands back the plain objects of
``reports.data`` / ``reports.sie``; the renderers in ``reports/`` never query.

What "a period's journal" means
-------------------------------
The entries *booked* in the period (``JournalEntry.period_id``): the month's allocation and
any corrections booked into it because an earlier month was closed. That is what the
financial system receives and what the report's hash covers. The reconciliation lists the
invoices dated in the period and any other invoice with entries booked in it, each against the
sum of its entries booked in this period or before (so a report of a closed month stays true
when corrections land in a later month, and an invoice dated in the month but booked only
later shows as a difference).

SIE 4I choices (see also ``reports/sie.py``)
-------------------------------------------
* One balanced ``#VER`` per invoice with entries in the period, dated the invoice date (or
  the period's last day for corrections to an invoice of an earlier month). Its cost rows are
  the entries summed per account, ansvar, verksamhet and counterparty (rows that net to zero,
  e.g. a reversal and its rebooking on the same coding, drop out; an invoice whose rows all
  net to zero gets no voucher). One row on the supplier debt account balances it.
* **VAT is not in the file.** Municipalities get VAT compensated (kommunal momskompensation),
  so the ledger allocates amounts excluding VAT; the cost rows and the balancing row are net.
  The VAT stays on the invoice in the supplier ledger. The balancing account is Kommun-Bas
  2440 "Leverantörsskulder" by default (``[sie] balancing_account`` in ``accounts.toml``); a
  municipality whose supplier ledger already books the invoice points it at its clearing
  (avräkning) account instead.
* **Dimensions.** Ansvar is SIE dimension 1 (the spec's "Resultatenhet/Kostnadsställe", what
  Kommun-Bas calls ansvar). The unit's verksamhet (``JournalEntry.activity``) goes to dimension
  20, the first free one, not to 6: 1-19 are reserved by the spec with fixed meanings (6 is
  "Projekt", which verksamhet is not), and a receiver that knows 6 would book it as a
  project. Both numbers are settings (``[sie] activity_dimension``, 0 to leave it out).
* **Counterparty (motpart).** ``[sie] counterparty = "text"`` (default) writes it into each
  row's text ("F-1 Hjo kommun, motpart 82"): every receiver accepts it and a person sees it.
  ``"dimension"`` writes it as an object of ``counterparty_dimension`` (21, free) instead, for
  a financial system that books motpart as a coding dimension, as internal recharges between
  municipalities (motpart 82) need there.
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ledger.allocation.accounts import DEFAULT_ACCOUNTS
from ledger.allocation.journal import with_context
from ledger.allocation.models import JournalEntry, Period, PeriodStatus
from ledger.allocation.rules import Rule
from ledger.core.money import from_ore
from ledger.core.month import Month
from ledger.database import db
from ledger.database.types import raw_ore, utcnow
from ledger.invoices.models import Invoice, InvoiceLine
from ledger.organisation.models import Administration, BudgetUnit, Organisation, Supplier
from reports.budget_pdf import BudgetReport, BudgetRow, BudgetSection
from reports.data import (
    AllocationReport,
    ComplianceRow,
    JournalExport,
    JournalRow,
    Reconciliation,
    SuspenseRow,
    UnitSummary,
    content_hash,
    summary_order,
)
from reports.sie import SieExport, SieTransaction, SieVoucher

__all__ = [
    "PROGRAM",
    "SieSettings",
    "allocation_report",
    "journal_export",
    "journal_rows",
    "sie_export",
    "sie_settings",
]

log = logging.getLogger(__name__)
PROGRAM = ("Telefoniekonomi", "0.1.0")
LOCAL_TIME = ZoneInfo("Europe/Stockholm")


# ---------------------------------------------------------------------------------------------
# The journal of a period


def _period_bounds(period: str) -> tuple[date, date]:
    month = Month.parse(period)  # BadRequest for anything but YYYY-MM
    return month.first, month.last


def journal_rows(organisation_id: int, period: str) -> list[JournalRow]:
    """Every entry booked in ``period``, with its unit, administration, invoice and line; by id."""
    Month.parse(period)
    query = (
        with_context(sa.select(
            JournalEntry.id, Period.period, BudgetUnit.ansvar, BudgetUnit.name, Administration.code,
            Administration.name, JournalEntry.account, JournalEntry.counterparty, JournalEntry.activity,
            raw_ore(JournalEntry.amount), JournalEntry.rule, JournalEntry.reason, Invoice.id, Invoice.number,
            Invoice.issue_date, Supplier.name, InvoiceLine.id, InvoiceLine.position, InvoiceLine.reference,
            JournalEntry.is_correction, JournalEntry.reverses_id,
        ))
        .outerjoin(Administration, Administration.id == JournalEntry.administration_id)
        .where(JournalEntry.organisation_id == organisation_id, Period.period == period)
        .order_by(JournalEntry.id)
    )
    return [
        JournalRow(entry_id, booked, ansvar, unit_name, admin, admin_name, account, counterparty, activity,
                   from_ore(int(ore)), rule, reason, invoice_id, number, issue_date, supplier, line_id, position,
                   reference, bool(correction), reverses)
        for (entry_id, booked, ansvar, unit_name, admin, admin_name, account, counterparty, activity, ore, rule, reason,
             invoice_id, number, issue_date, supplier, line_id, position, reference, correction, reverses)
        in db.session.execute(query)
    ]


def journal_export(organisation: Organisation, period: str) -> JournalExport:
    """The period's journal for the CSV and XLSX exports."""
    return JournalExport(organisation.name, organisation.organisation_number, period,
                         journal_rows(organisation.id, period))


# ---------------------------------------------------------------------------------------------
# The allocation report


def allocation_report(organisation: Organisation, period: str, *, generated_by: str,
                      generated_at: datetime | None = None) -> AllocationReport:
    """Everything the auditors' report shows for ``period``. ``generated_at`` (default now)
    is printed on the cover and dates the compliance check; pass it to make tests repeatable."""
    first, last = _period_bounds(period)
    generated_at = generated_at or utcnow()
    row = db.session.execute(sa.select(Period.status, Period.closed_at).where(
        Period.organisation_id == organisation.id, Period.period == period)).first()
    status, closed_at = (row[0], row[1]) if row else (PeriodStatus.OPEN, None)
    rows = journal_rows(organisation.id, period)
    compliance, note = _compliance(organisation.id, period, generated_at.astimezone(LOCAL_TIME).date())
    return AllocationReport(
        organisation=organisation.name, organisation_number=organisation.organisation_number, period=period,
        first_day=first, last_day=last, status=PeriodStatus(status).value, closed_at=closed_at,
        generated_at=generated_at, generated_by=generated_by, content_hash=content_hash(rows),
        summary=_summary(organisation.id, period), reconciliation=_reconciliation(organisation.id, period),
        suspense=_suspense(organisation.id, period), rows=rows, compliance=compliance, compliance_note=note,
    )


def _summary(organisation_id: int, period: str) -> list[UnitSummary]:
    """Per administration (as booked), unit and rule: one grouped query."""
    total = sa.func.sum(raw_ore(JournalEntry.amount))
    query = (
        sa.select(Administration.code, Administration.name, BudgetUnit.ansvar, BudgetUnit.name, JournalEntry.rule,
                  total)
        .join(Period, Period.id == JournalEntry.period_id)
        .outerjoin(BudgetUnit, BudgetUnit.id == JournalEntry.unit_id)
        .outerjoin(Administration, Administration.id == JournalEntry.administration_id)
        .where(JournalEntry.organisation_id == organisation_id, Period.period == period)
        .group_by(Administration.code, Administration.name, BudgetUnit.ansvar, BudgetUnit.name, JournalEntry.rule)
    )
    units: dict[tuple[str | None, str | None], tuple[str | None, str | None, dict[str, Decimal]]] = {}
    for admin, admin_name, ansvar, unit_name, rule, ore in db.session.execute(query):
        units.setdefault((admin, ansvar), (admin_name, unit_name, {}))[2][rule] = from_ore(int(ore or 0))
    return sorted((UnitSummary(admin, admin_name, ansvar, unit_name, by_rule)
                   for (admin, ansvar), (admin_name, unit_name, by_rule) in units.items()), key=summary_order)


def _reconciliation(organisation_id: int, period: str) -> list[Reconciliation]:
    """The invoices dated in the period, and any other with entries booked in it, against the
    sum of their entries booked up to and including the period: one grouped query."""
    month = Month.parse(period)
    start, after = month.first, month.after
    amount = raw_ore(JournalEntry.amount)
    through = sa.func.coalesce(sa.func.sum(sa.case((Period.period <= period, amount), else_=0)), 0)
    in_period = sa.func.coalesce(sa.func.sum(sa.case((Period.period == period, amount), else_=0)), 0)
    booked_here = (sa.select(JournalEntry.invoice_id).join(Period, Period.id == JournalEntry.period_id)
                   .where(JournalEntry.organisation_id == organisation_id, Period.period == period))
    net, rounding = raw_ore(Invoice.net_total), raw_ore(Invoice.rounding)
    query = (
        sa.select(Invoice.id, Invoice.number, Supplier.name, Invoice.issue_date, net, rounding, through, in_period)
        .join(Supplier, Supplier.id == Invoice.supplier_id)
        .outerjoin(JournalEntry, JournalEntry.invoice_id == Invoice.id)
        .outerjoin(Period, Period.id == JournalEntry.period_id)
        .where(Invoice.organisation_id == organisation_id,
               sa.or_(sa.and_(Invoice.issue_date >= start, Invoice.issue_date < after), Invoice.id.in_(booked_here)))
        .group_by(Invoice.id, Invoice.number, Supplier.name, Invoice.issue_date, net, rounding)
        .order_by(Invoice.issue_date, Invoice.number, Invoice.id)
    )
    return [Reconciliation(invoice_id, number, supplier, issued, from_ore(int(net_ore)), from_ore(int(round_ore)),
                           from_ore(int(through_ore)), from_ore(int(period_ore)))
            for invoice_id, number, supplier, issued, net_ore, round_ore, through_ore, period_ore
            in db.session.execute(query)]


def _suspense(organisation_id: int, period: str) -> list[SuspenseRow]:
    """Lines with öre in suspense in the period's journal (net of reversals), and why."""
    total = sa.func.sum(raw_ore(JournalEntry.amount))
    reason = sa.func.max(sa.case((JournalEntry.reverses_id.is_(None), JournalEntry.reason)))
    query = (
        sa.select(Invoice.number, Supplier.name, InvoiceLine.position, InvoiceLine.reference,
                  InvoiceLine.description, total, reason)
        .join(Period, Period.id == JournalEntry.period_id)
        .join(Invoice, Invoice.id == JournalEntry.invoice_id)
        .join(Supplier, Supplier.id == Invoice.supplier_id)
        .outerjoin(InvoiceLine, InvoiceLine.id == JournalEntry.invoice_line_id)
        .where(JournalEntry.organisation_id == organisation_id, Period.period == period,
               JournalEntry.rule == Rule.SUSPENSE)
        .group_by(JournalEntry.invoice_id, JournalEntry.invoice_line_id, Invoice.issue_date, Invoice.number,
                  Supplier.name, InvoiceLine.position, InvoiceLine.reference, InvoiceLine.description)
        .having(total != 0)
        .order_by(Invoice.issue_date, Invoice.number, InvoiceLine.position)
    )
    return [SuspenseRow(number, supplier, position, reference, description, from_ore(int(ore)), why)
            for number, supplier, position, reference, description, ore, why in db.session.execute(query)]


def _compliance(organisation_id: int, period: str, today: date) -> tuple[list[ComplianceRow], str | None]:
    """The period's findings from ``ledger.procurement.compliance.check``, as the report prints
    them. That service is young: if its interface is not the one read here, the report still
    prints, with an empty list and a note saying why (and the error is logged)."""
    try:
        from ledger.procurement import compliance

        found = compliance.check(organisation_id, period, today=today)
        lines = found.lines
        return [
            ComplianceRow(
                kind=finding.kind, reason=finding.reason, supplier=finding.supplier_name, amount=finding.amount,
                lines=tuple(f"{lines[i].invoice_number}/{lines[i].position}" if i in lines else str(i)
                            for i in finding.line_ids),
            )
            for finding in found.findings
        ], None
    except (ImportError, AttributeError, TypeError) as error:
        log.exception("compliance findings for %s could not be read", period)
        return [], f"Compliance findings could not be read: {type(error).__name__}: {error}"


# ---------------------------------------------------------------------------------------------
# SIE 4I


@dataclass(frozen=True)
class SieSettings:
    """How the journal becomes SIE (``[sie]`` and ``[names]`` in ``accounts.toml``)."""

    balancing_account: str = "2440"
    ansvar_dimension: int = 1
    activity_dimension: int = 20  #: 0: no verksamhet objects
    counterparty: str = "text"  #: "text" or "dimension"
    counterparty_dimension: int = 21
    account_names: Mapping[str, str] = field(default_factory=dict)
    dimension_names: Mapping[int, str] = field(default_factory=dict)

    def account_name(self, account: str) -> str:
        return self.account_names.get(account) or f"Konto {account}"

    def dimension_name(self, dimension: int) -> str:
        defaults = {self.ansvar_dimension: "Ansvar", self.activity_dimension: "Verksamhet",
                    self.counterparty_dimension: "Motpart"}
        return self.dimension_names.get(dimension) or defaults.get(dimension) or f"Dimension {dimension}"


@lru_cache(maxsize=4)
def sie_settings(path: str | None = None) -> SieSettings:
    """The settings from the accounts file (``LEDGER_ACCOUNTS`` or ``ledger/accounts.toml``)."""
    source = Path(path or os.environ.get("LEDGER_ACCOUNTS") or DEFAULT_ACCOUNTS)
    raw = tomllib.loads(source.read_text(encoding="utf-8"))
    sie = raw.get("sie", {})
    defaults = SieSettings()
    settings = SieSettings(
        balancing_account=str(sie.get("balancing_account", defaults.balancing_account)),
        ansvar_dimension=int(sie.get("ansvar_dimension", defaults.ansvar_dimension)),
        activity_dimension=int(sie.get("activity_dimension", defaults.activity_dimension)),
        counterparty=str(sie.get("counterparty", defaults.counterparty)),
        counterparty_dimension=int(sie.get("counterparty_dimension", defaults.counterparty_dimension)),
        account_names={str(k): str(v) for k, v in raw.get("names", {}).items()},
        dimension_names={int(k): str(v) for k, v in sie.get("dimension_names", {}).items()},
    )
    if settings.counterparty not in ("text", "dimension"):
        raise ValueError(f"{source}: [sie] counterparty must be 'text' or 'dimension', not {settings.counterparty!r}")
    used = [settings.ansvar_dimension, settings.activity_dimension or None,
            settings.counterparty_dimension if settings.counterparty == "dimension" else None]
    used = [d for d in used if d is not None]
    if len(set(used)) != len(used):
        raise ValueError(f"{source}: [sie] uses one dimension number for two things: {used}")
    return settings


def sie_export(organisation: Organisation, period: str, *, generated_by: str = "", today: date | None = None,
               settings: SieSettings | None = None) -> SieExport:
    """The period's journal as an ``SieExport`` for ``reports.sie.render_sie4i``."""
    settings = settings or sie_settings()
    first, last = _period_bounds(period)
    rows = journal_rows(organisation.id, period)
    objects: dict[tuple[int, str], str] = {}
    vouchers = [voucher for voucher in _vouchers(rows, settings, first, last, period, objects) if voucher]
    accounts = {trans.account for voucher in vouchers for trans in voucher.transactions}
    dimensions = {dim for dim, _ in objects}
    return SieExport(
        company_name=organisation.name, organisation_number=organisation.organisation_number,
        program_name=PROGRAM[0], program_version=PROGRAM[1],
        generated_on=today or utcnow().astimezone(LOCAL_TIME).date(),
        fiscal_year_start=date(first.year, 1, 1), fiscal_year_end=date(first.year, 12, 31),
        accounts={account: settings.account_name(account) for account in accounts},
        dimensions={dim: settings.dimension_name(dim) for dim in dimensions},
        objects=objects, vouchers=vouchers, generated_by=generated_by,
        period_label=f"Telefonikostnader {period} fördelade per ansvar, exklusive moms",
    )


def _vouchers(rows: Sequence[JournalRow], settings: SieSettings, first: date, last: date, period: str,
              objects: dict[tuple[int, str], str]) -> Iterable[SieVoucher | None]:
    """One voucher per invoice (in invoice-date order); None for an invoice whose rows net to zero."""
    by_invoice: dict[int, list[JournalRow]] = defaultdict(list)
    for row in rows:
        by_invoice[row.invoice_id].append(row)
    ordered = sorted(by_invoice.values(), key=lambda group: (group[0].invoice_date, group[0].invoice_number,
                                                              group[0].invoice_id))
    for group in ordered:
        yield _voucher(group, settings, first, last, period, objects)


def _voucher(group: Sequence[JournalRow], settings: SieSettings, first: date, last: date, period: str,
             objects: dict[tuple[int, str], str]) -> SieVoucher | None:
    """The voucher of one invoice's rows, balanced on the supplier debt; None when they net to zero."""
    head = group[0]
    sums: dict[tuple[str, tuple[tuple[int, str], ...], str], Decimal] = defaultdict(Decimal)
    for row in group:
        coding, text = _coding(row, settings, objects)
        sums[(row.account, coding, text)] += row.amount
    transactions = [SieTransaction(account, amount, coding, text)
                    for (account, coding, text), amount in sorted(sums.items(), key=_trans_order) if amount]
    if not transactions:
        return None
    total = sum((trans.amount for trans in transactions), Decimal("0.00"))
    debt_coding: tuple[tuple[int, str], ...] = ()
    counterparties = {row.counterparty for row in group if row.counterparty}
    if settings.counterparty == "dimension" and len(counterparties) == 1:
        debt_coding = ((settings.counterparty_dimension, next(iter(counterparties))),)
    if total:  # a correction that only moves cost between units owes the supplier nothing
        transactions.append(SieTransaction(settings.balancing_account, -total, debt_coding,
                                           _row_text(head, settings, counterparties)))
    correction = all(row.is_correction for row in group)
    day = head.invoice_date if first <= head.invoice_date <= last else last
    text = f"{'Rättelse: ' if correction else ''}Telefoni {period} {head.supplier} faktura {head.invoice_number}"
    return SieVoucher(day, text, tuple(transactions))


def _coding(row: JournalRow, settings: SieSettings,
            objects: dict[tuple[int, str], str]) -> tuple[tuple[tuple[int, str], ...], str]:
    """The row's object list (declaring each object met) and its text."""
    coding: list[tuple[int, str]] = []
    if row.unit:
        key = (settings.ansvar_dimension, row.unit)
        objects.setdefault(key, row.unit_name or row.unit)
        coding.append(key)
    if row.activity and settings.activity_dimension:
        key = (settings.activity_dimension, row.activity)
        objects.setdefault(key, f"Verksamhet {row.activity}")
        coding.append(key)
    if row.counterparty and settings.counterparty == "dimension":
        key = (settings.counterparty_dimension, row.counterparty)
        objects.setdefault(key, f"Motpart {row.counterparty}")
        coding.append(key)
    return tuple(sorted(coding)), _row_text(row, settings, {row.counterparty} if row.counterparty else set())


def _row_text(row: JournalRow, settings: SieSettings, counterparties: set[str]) -> str:
    text = f"{row.invoice_number} {row.supplier}"
    if settings.counterparty == "text" and counterparties:
        text += f", motpart {', '.join(sorted(counterparties))}"
    return text


def _trans_order(item: tuple[tuple[str, tuple[tuple[int, str], ...], str], Decimal]) -> tuple[object, ...]:
    (account, coding, text), _ = item
    return (len(account), account, coding, text)


def budget_report(organisation: Organisation, year: int, *, unit_code: str | None = None,
                  generated_by: str = "", generated_at: datetime | None = None,
                  today: date | None = None) -> BudgetReport:
    """Budget against actual for ``year``: one unit, or the organisation and each administration."""
    from ledger.budgets import costs
    from ledger.core.categories import BudgetCategory
    from ledger.core.errors import NotFound
    from ledger.organisation.models import BudgetUnit

    def section(title: str, table: costs.CostTable) -> BudgetSection:
        zero = [Decimal("0.00")] * 12
        return BudgetSection(title, tuple(
            BudgetRow(category.value, tuple(table.budget.get(category, zero)), tuple(table.actual.get(category, zero)),
                      table.forecast(category))
            for category in BudgetCategory if category in table.budget or category in table.actual))

    today = today or date.today()
    sections: tuple[BudgetSection, ...]
    if unit_code:
        unit = db.session.scalar(sa.select(BudgetUnit).where(BudgetUnit.organisation_id == organisation.id,
                                                             BudgetUnit.ansvar == unit_code))
        if unit is None:
            raise NotFound(f"No budget unit with ansvar {unit_code}")
        table = costs.unit_table(unit, year, today)
        sections = (section(f"{unit.ansvar} {unit.name}", table),)
        scope = f"{unit.ansvar} {unit.name}"
        current = table.current_month
    else:
        summary = costs.rollup(organisation.id, year, today)
        sections = (section(organisation.name, summary.organisation),
                    *(section(admin.name, table) for admin, table in summary.administrations))
        scope = organisation.name
        current = summary.organisation.current_month
    return BudgetReport(organisation.name, year, scope, current, generated_at or utcnow(), generated_by, sections)
