"""Report data: what the ledger's services hand the renderers (plain, frozen values).

The services in ``ledger.reporting.service`` build these from the database; a benchmark or
a test can build them by hand. Renderers read them and nothing else. Amounts are ``Decimal``
kronor with two decimals, dates are ``date``, times are timezone-aware ``datetime``; nothing
is formatted here: the renderer formats for the language it is asked for.

The content hash
----------------
``content_hash(rows)`` is SHA-256 over a canonical serialisation of the journal entries a
report shows, so that the same journal gives the same hash, whenever and by whomever the
report is printed, and any entry added (a re-allocation writes reversals and new entries)
changes it. The serialisation is a first line ``telephony-ledger journal v1``, then one line
per entry in entry-id order with these fields separated by ``|`` (missing values empty):

``entry id | period | unit ansvar | administration code | account | counterparty | activity |
rule | amount in öre | invoice id | invoice line id | reverses entry id | correction (1/0)``

encoded as UTF-8 with ``\\n`` after every line. An auditor can recompute it from the CSV
export (it has every one of these columns but the two ids of the invoice and line).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

__all__ = [
    "RULES",
    "AdministrationTotal",
    "AllocationReport",
    "ComplianceRow",
    "JournalExport",
    "JournalRow",
    "Reconciliation",
    "Said",
    "SuspenseRow",
    "UnitSummary",
    "administration_totals",
    "content_hash",
    "summarise",
    "summary_order",
]

#: A text of the message catalogue (an English msgid with ``%(name)s`` placeholders) and its values.
Said = tuple[str, Mapping[str, object]]
#: The allocation rules in the order reports show them (as ``ledger.allocation.rules.RULES``).
RULES = ("direct", "switchboard_central", "fee_funded_own", "allowance_spread", "rounding", "suspense")
_HASH_HEADER = "telephony-ledger journal v1"
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class JournalRow:
    """One journal entry with what explains it: where it is booked and which invoice line."""

    entry_id: int
    period: str
    unit: str | None  #: ansvar code; None for suspense and rounding
    unit_name: str | None
    administration: str | None  #: the administration's code when the entry was booked
    administration_name: str | None
    account: str
    counterparty: str | None
    activity: str | None
    amount: Decimal
    rule: str
    reason: str | None
    invoice_id: int
    invoice_number: str
    invoice_date: date
    supplier: str
    line_id: int | None
    line_position: int | None
    reference: str | None
    is_correction: bool
    reverses: int | None
    #: the reason as the catalogue says it and its values (``reason`` is it in English), for a
    #: report to say it in its own language; None when the ledger has no catalogue text for it
    reason_said: Said | None = None


@dataclass(frozen=True, slots=True)
class JournalExport:
    """A period's journal for the CSV and XLSX exports."""

    organisation: str
    organisation_number: str
    period: str
    rows: Sequence[JournalRow]

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.rows), ZERO)


class _AmountsByRule:
    """A row of the summary: its amounts by rule (``by_rule``, a field of each kind of row)
    and their total."""

    __slots__ = ()
    by_rule: Mapping[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.by_rule.values(), ZERO)


@dataclass(frozen=True, slots=True)
class UnitSummary(_AmountsByRule):
    """What one unit carries in the period, split by rule. ``unit`` None: entries on no unit
    (suspense and rounding)."""

    administration: str | None
    administration_name: str | None
    unit: str | None
    unit_name: str | None
    by_rule: Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class AdministrationTotal(_AmountsByRule):
    """What one administration's units carry in the period, split by rule."""

    administration: str | None
    administration_name: str | None
    by_rule: Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """One invoice against what the journal holds for it.

    ``allocated`` is the sum of the invoice's entries booked in this period or before (net of
    reversals); ``in_period`` the part booked in this period. ``difference`` is
    ``net_total + rounding - allocated`` and must be zero.
    """

    invoice_id: int
    number: str
    supplier: str
    issue_date: date
    net_total: Decimal
    rounding: Decimal
    allocated: Decimal
    in_period: Decimal

    @property
    def difference(self) -> Decimal:
        return self.net_total + self.rounding - self.allocated


@dataclass(frozen=True, slots=True)
class SuspenseRow:
    """An invoice line with öre in suspense in this period's journal (net), and why."""

    invoice_number: str
    supplier: str
    line_position: int | None
    reference: str | None
    description: str | None
    amount: Decimal
    reason: str | None
    reason_said: Said | None = None  #: as ``JournalRow.reason_said``


@dataclass(frozen=True, slots=True)
class ComplianceRow:
    """A compliance finding of the period (``ledger.procurement.compliance``), as printed."""

    kind: str
    reason: str
    supplier: str | None = None
    amount: Decimal | None = None
    lines: tuple[str, ...] = ()  #: "invoice number/line position" of the lines behind it
    #: the values ``reason`` is made of (``Finding.params``, numbers shown as Swedes write them),
    #: for the report to say it in its language (``reports.findings``)
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class AllocationReport:
    """Everything the auditors' allocation report shows for one period."""

    organisation: str
    organisation_number: str
    period: str
    first_day: date
    last_day: date
    status: str  #: "open" or "closed"
    closed_at: datetime | None
    generated_at: datetime
    generated_by: str  #: the ledger user who asked ("Name (username)"), or the configured author
    content_hash: str
    summary: Sequence[UnitSummary]
    reconciliation: Sequence[Reconciliation]
    suspense: Sequence[SuspenseRow]
    rows: Sequence[JournalRow]  #: the detail, every entry booked in the period
    #: Findings of ``ledger.procurement.compliance.check`` for the period; empty when none (or
    #: when the service could not give them: see ``compliance_note``).
    compliance: Sequence[ComplianceRow] = field(default_factory=tuple)
    #: Why the findings could not be read (the error, for the report to say in its language).
    compliance_note: str | None = None
    vat: Sequence[VatRow] = field(default_factory=tuple)  #: the invoices dated in the period
    clearing: ClearingSummary | None = None

    @property
    def total(self) -> Decimal:
        return sum((unit.total for unit in self.summary), ZERO)

    @property
    def administrations(self) -> list[AdministrationTotal]:
        return administration_totals(self.summary)


def _field(value: object) -> str:
    if value is None:
        return ""
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", "\\n")


def content_hash(rows: Iterable[JournalRow]) -> str:
    """SHA-256 (hex) of the entries' canonical serialisation (see the module docstring)."""
    digest = hashlib.sha256()
    digest.update(_HASH_HEADER.encode() + b"\n")
    for row in sorted(rows, key=lambda r: r.entry_id):
        ore = int((row.amount * 100).to_integral_exact())
        fields = (row.entry_id, row.period, row.unit, row.administration, row.account, row.counterparty, row.activity,
                  row.rule, ore, row.invoice_id, row.line_id, row.reverses, int(row.is_correction))
        digest.update(("|".join(_field(value) for value in fields) + "\n").encode("utf-8"))
    return digest.hexdigest()


def summarise(rows: Iterable[JournalRow]) -> list[UnitSummary]:
    """Per (administration, unit) and rule, in the order reports use; for synthetic data and
    checks (the ledger sums in SQL)."""
    sums: dict[tuple[str | None, str | None], dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    names: dict[tuple[str | None, str | None], tuple[str | None, str | None]] = {}
    for row in rows:
        key = (row.administration, row.unit)
        sums[key][row.rule] += row.amount
        names[key] = (row.administration_name, row.unit_name)
    return sorted(
        (UnitSummary(admin, names[(admin, unit)][0], unit, names[(admin, unit)][1], dict(by_rule))
         for (admin, unit), by_rule in sums.items()),
        key=summary_order,
    )


def summary_order(unit: UnitSummary) -> tuple[int, str, int, str]:
    """Administrations by code, units by ansvar; entries on no unit last."""
    return (unit.administration is None, unit.administration or "", unit.unit is None, unit.unit or "")


def administration_totals(summary: Iterable[UnitSummary]) -> list[AdministrationTotal]:
    """The summary added up per administration (entries on no unit form their own group)."""
    sums: dict[str | None, dict[str, Decimal]] = {}
    names: dict[str | None, str | None] = {}
    for unit in summary:
        by_rule = sums.setdefault(unit.administration, {})
        for rule, amount in unit.by_rule.items():
            by_rule[rule] = by_rule.get(rule, ZERO) + amount
        names[unit.administration] = unit.administration_name
    return [AdministrationTotal(code, names[code], by_rule)
            for code, by_rule in sorted(sums.items(), key=lambda item: (item[0] is None, item[0] or ""))]


@dataclass(frozen=True)
class VatRow:
    """The period's invoices under one VAT category and rate: the taxable amount and its VAT,
    for reconciliation with the financial system's VAT accounts (the allocation itself is net)."""

    category: str  #: UNCL5305: S standard, Z zero, E exempt, AE reverse charge, O outside scope …
    rate: Decimal  #: percent, as the invoices state it
    invoices: int
    taxable: Decimal
    vat: Decimal  #: as invoiced: the taxable amount times the rate, rounded per invoice
    self_assessed: Decimal  #: reverse charge (AE): the VAT the municipality must account for itself


@dataclass(frozen=True)
class ClearingSummary:
    """The clearing account in the period: what the invoices put on it, what was handed over to
    the units; what remains is the suspense."""

    account: str
    ansvar: str | None
    booked: Decimal
    handed_over: Decimal

    @property
    def remainder(self) -> Decimal:
        return self.booked - self.handed_over
