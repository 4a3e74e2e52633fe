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

The SIE 4I hand-over is ``ledger.reporting.sie``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ledger.accounting.service import settings_of
from ledger.allocation.journal import with_context
from ledger.allocation.models import JournalEntry, Period, PeriodStatus
from ledger.allocation.rules import Rule, english_reason, reason_of
from ledger.core import clock
from ledger.core.identifiers import display_phone_number
from ledger.core.money import ZERO, from_ore, percent_of
from ledger.core.month import Month
from ledger.database import db
from ledger.database.types import raw_ore, utcnow
from ledger.invoices.models import Invoice, InvoiceAllowanceCharge, InvoiceLine
from ledger.organisation.models import Administration, BudgetUnit, Organisation, Supplier
from reports.budget_pdf import BudgetReport, BudgetRow, BudgetSection
from reports.data import (
    AllocationReport,
    ClearingSummary,
    ComplianceRow,
    JournalExport,
    JournalRow,
    Reconciliation,
    SuspenseRow,
    UnitSummary,
    VatRow,
    content_hash,
    summary_order,
)
from reports.text import Translations, load_translations

__all__ = [
    "PROGRAM",
    "allocation_report",
    "journal_export",
    "journal_rows",
    "report_translations",
    "system_author",
]

log = logging.getLogger(__name__)
PROGRAM = ("Telefoniekonomi", "0.1.0")
#: The compiled message catalogues (``make translations``), the same the pages are translated from.
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"


@lru_cache(maxsize=4)
def report_translations(language: str) -> Translations:
    """The catalogue a report in ``language`` (``sv``/``en``) is written with when no request
    gives one (a command, the API's ``lang``); a missing Swedish catalogue is an error, never a
    report in English."""
    return load_translations(TRANSLATIONS, language)


def system_author(organisation: Organisation, configured: str | None = None) -> str:
    """Who a report made by a command names as its maker ("Skapad av"): the configured name
    (``--by``, ``LEDGER_REPORT_AUTHOR``), else the organisation's system user, "Karlsborgs
    kommun (system)". Never the operating system's account, which tells an auditor nothing."""
    return (configured or "").strip() or f"{organisation.name} (system)"


# ---------------------------------------------------------------------------------------------
# The journal of a period


def _period_bounds(period: str) -> tuple[date, date]:
    month = Month.parse(period)  # BadRequest for anything but YYYY-MM
    return month.first, month.last


def journal_rows(organisation_id: int, period: str, *where: sa.ColumnElement[bool]) -> list[JournalRow]:
    """Every entry booked in ``period`` (and meeting ``where``), with its unit, administration,
    invoice and line; by id."""
    Month.parse(period)
    query = (
        with_context(sa.select(
            JournalEntry.id, Period.period, BudgetUnit.ansvar, BudgetUnit.name, Administration.code,
            Administration.name, JournalEntry.account, JournalEntry.counterparty, JournalEntry.activity,
            raw_ore(JournalEntry.amount), JournalEntry.rule, JournalEntry.reason, JournalEntry.reason_params,
            Invoice.id, Invoice.number,
            Invoice.issue_date, Supplier.name, InvoiceLine.id, InvoiceLine.position, InvoiceLine.reference,
            JournalEntry.is_correction, JournalEntry.reverses_id,
        ))
        .outerjoin(Administration, Administration.id == JournalEntry.administration_id)
        .where(JournalEntry.organisation_id == organisation_id, Period.period == period, *where)
        .order_by(JournalEntry.id)
    )
    return [
        JournalRow(entry_id, booked, ansvar, unit_name, admin, admin_name, account, counterparty, activity,
                   from_ore(int(ore)), rule, english_reason(reason, params, reverses), invoice_id, number, issue_date,
                   supplier, line_id, position,
                   reference, bool(correction), reverses, reason_of(reason, params, reverses))
        for (entry_id, booked, ansvar, unit_name, admin, admin_name, account, counterparty, activity, ore, rule, reason,
             params, invoice_id, number, issue_date, supplier, line_id, position, reference, correction, reverses)
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
    compliance, note = _compliance(organisation.id, period, clock.today(generated_at))
    return AllocationReport(
        organisation=organisation.name, organisation_number=organisation.organisation_number, period=period,
        first_day=first, last_day=last, status=PeriodStatus(status).value, closed_at=closed_at,
        generated_at=generated_at, generated_by=generated_by, content_hash=content_hash(rows),
        summary=_summary(organisation.id, period), reconciliation=_reconciliation(organisation.id, period),
        suspense=_suspense(organisation.id, period), rows=rows, compliance=compliance, compliance_note=note,
        vat=vat_summary(organisation.id, period), clearing=_clearing(organisation.id, rows),
    )


#: The rate a reverse-charge (AE) telephony service is self-assessed at in Sweden (ML 7 kap.).
SELF_ASSESSED_RATE = Decimal("25")


def vat_summary(organisation_id: int, period: str) -> list[VatRow]:
    """The invoices dated in the period per VAT category and rate: their own lines and document
    allowances and charges (a specification does not change the invoice's VAT), the VAT rounded
    per invoice and category as the invoice computes it (EN 16931, BR-S-09 and the like)."""
    month = Month.parse(period)
    dated = sa.and_(Invoice.organisation_id == organisation_id, Invoice.issue_date >= month.first,
                    Invoice.issue_date < month.after, Invoice.replaced_at.is_(None))
    lines = (sa.select(InvoiceLine.invoice_id, InvoiceLine.vat_category, InvoiceLine.vat_rate,
                       raw_ore(InvoiceLine.net_amount).label("ore"))
             .join(Invoice, Invoice.id == InvoiceLine.invoice_id).where(dated, InvoiceLine.source == "document"))
    charges = (sa.select(InvoiceAllowanceCharge.invoice_id, InvoiceAllowanceCharge.vat_category,
                         InvoiceAllowanceCharge.vat_rate, raw_ore(InvoiceAllowanceCharge.amount).label("ore"))
               .join(Invoice, Invoice.id == InvoiceAllowanceCharge.invoice_id).where(dated))
    both = sa.union_all(lines, charges).subquery()
    grouped = (sa.select(both.c.invoice_id, both.c.vat_category, both.c.vat_rate, sa.func.sum(both.c.ore))
               .group_by(both.c.invoice_id, both.c.vat_category, both.c.vat_rate))
    rows: dict[tuple[str, Decimal], list[Decimal]] = {}
    for _invoice, category, rate, ore in db.session.execute(grouped):
        key = (category or "S", Decimal(rate if rate is not None else 0).quantize(Decimal("0.01")))
        taxable = from_ore(int(ore or 0))
        sums = rows.setdefault(key, [Decimal(0), ZERO, ZERO, ZERO])
        sums[0] += 1
        sums[1] += taxable
        sums[2] += percent_of(taxable, key[1])
        if key[0] == "AE":
            sums[3] += percent_of(taxable, SELF_ASSESSED_RATE)
    return [VatRow(category, rate, int(n), taxable, vat, own) for (category, rate), (n, taxable, vat, own)
            in sorted(rows.items())]


def _clearing(organisation_id: int, rows: list[JournalRow]) -> ClearingSummary:
    """The clearing account's movement in the period's journal: the suspense is what remains."""
    settings = settings_of(organisation_id)
    booked = sum((row.amount for row in rows), ZERO)
    handed_over = sum((row.amount for row in rows if row.rule != Rule.SUSPENSE), ZERO)
    return ClearingSummary(settings.clearing_account, settings.clearing_ansvar, booked, handed_over)


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
    # a replaced invoice owes nothing: its entries are reversed and its re-issue carries the amount
    replaced = Invoice.replaced_at.is_not(None)
    net = sa.case((replaced, 0), else_=raw_ore(Invoice.net_total))
    rounding = sa.case((replaced, 0), else_=raw_ore(Invoice.rounding))
    query = (
        sa.select(Invoice.id, Invoice.number, Supplier.name, Invoice.issue_date, net, rounding, through, in_period)
        .join(Supplier, Supplier.id == Invoice.supplier_id)
        .outerjoin(JournalEntry, JournalEntry.invoice_id == Invoice.id)
        .outerjoin(Period, Period.id == JournalEntry.period_id)
        .where(Invoice.organisation_id == organisation_id,
               sa.or_(sa.and_(Invoice.issue_date >= start, Invoice.issue_date < after), Invoice.id.in_(booked_here)))
        .group_by(Invoice.id, Invoice.number, Supplier.name, Invoice.issue_date, Invoice.replaced_at,
                  Invoice.net_total, Invoice.rounding)
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
    params = sa.func.max(sa.case((JournalEntry.reverses_id.is_(None), sa.cast(JournalEntry.reason_params, sa.Text))))
    query = (
        sa.select(Invoice.number, Supplier.name, InvoiceLine.position, InvoiceLine.reference,
                  InvoiceLine.description, total, reason, params)
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
    return [SuspenseRow(number, supplier, position, reference, description, from_ore(int(ore)),
                        english_reason(why, values), reason_of(why, values))
            for number, supplier, position, reference, description, ore, why, values in db.session.execute(query)]


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
                params=_printable(finding.kind, getattr(finding, "params", None) or {}),
            )
            for finding in found.findings
        ], None
    except (ImportError, AttributeError, TypeError) as error:
        log.exception("compliance findings for %s could not be read", period)
        return [], f"{type(error).__name__}: {error}"


def _printable(kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """A finding's values as the report says them: a subscription's number in the notation
    Swedes read (``070-123 45 67``), as the compliance page shows it."""
    printable = dict(params)
    phone = ("number" if kind in ("billed_after_end", "private_use_without_agreement")
             else "asset" if params.get("asset_kind") == "subscription" else None)
    if phone is not None and isinstance(printable.get(phone), str):
        printable[phone] = display_phone_number(printable[phone])
    return printable


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

    today = today or clock.today()
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
