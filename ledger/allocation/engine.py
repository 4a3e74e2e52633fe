"""Running the allocation rules over a period: set-based reads and writes, append-only.

Two paths book a period's lines (its invoices by issue date):

* **The common case, in one statement** (``set_based``): a line whose asset has exactly one
  assignment, covering the line's whole service period, on an invoice without document
  allowances or charges, and with no journal entry yet. ``rules.place_line`` would give it one
  piece, so ``INSERT INTO journal_entry … SELECT`` books it straight from the tables (account by
  category, the switchboard rule, the unit's administration in the booked month and activity,
  the counterparty), and one grouped query counts and sums what it wrote for the result. Most
  of a month's lines are such lines; reading them through the ORM and building their objects
  was 43 % of the allocation's time.
* **Every other line, one by one** (the per-line path): one ordered query reads the period's
  invoices with their remaining lines and the assignments overlapping each line's service
  period (lines with an entry of this run are the set-based ones and are left out), computes
  where each öre goes (``rules``: day splits, gaps to suspense, allowances spread pro rata,
  öresavrundning), and compares that target with what the journal already holds for each
  line (the net of its entries and reversals before this run, read in a second ordered query
  and merged invoice by invoice). Lines whose target differs get reversing entries for what
  they have and new entries for the target; unchanged lines get nothing, so a second run
  without changes writes nothing.
* **A re-run's unchanged common-case lines, by set operations** (``set_based.keep_unchanged_lines``,
  before the statement above): a common-case line that already has entries gets the target the
  statement would book, compared in SQL (INTERSECT and EXCEPT) with the journal's net sums per
  key. The lines whose entries are exactly that target go to a TEMP table, are counted and
  summed from it for the result (unchanged, so not changed lines), and the per-line path reads
  neither them nor their journal state. The lines that differ take the per-line path, which
  reverses and rewrites them.

``allocate(..., set_based=False)`` takes every line through the per-line path; the
equivalence test compares the two paths' journals entry by entry.

A closed period takes no entries: when the period allocated is closed, the changes land in
the first open period after it, marked as corrections (on both paths).

The per-line path's entries go to the database through ``database.bulk`` in batches of
``JournalEntryRow``; no ORM object per line or entry. Every entry of a run carries its run id,
which ``balances.add_run`` folds into the balance table.
Two runs of one period never double-book: the period row is locked (``FOR UPDATE`` on
PostgreSQL; on SQLite the database's single writer does the same, and a run that lost the
race gets 409).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import InitVar, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from ledger.access.models import User
from ledger.accounting.plan import AccountingSettings
from ledger.accounting.service import settings_of
from ledger.allocation import balances, periods, rules, set_based
from ledger.allocation.models import AllocationRun, JournalEntry, PeriodStatus
from ledger.allocation.rules import Piece, Rule, Span, UnitFacts
from ledger.audit import service as audit
from ledger.core.categories import Category
from ledger.core.errors import Conflict
from ledger.core.money import from_ore
from ledger.core.month import Month
from ledger.core.text import N_
from ledger.database import db
from ledger.database.bulk import Values, analyze_if_large, insert_rows
from ledger.database.types import raw_ore, utcnow
from ledger.inventory.matching import AssetIndex
from ledger.inventory.models import Assignment
from ledger.invoices.models import Invoice, InvoiceAllowanceCharge, InvoiceLine, detailing_source
from ledger.organisation.models import BudgetUnit, Organisation, Supplier
from ledger.organisation.service import AdministrationHistory, switchboard_carrier

BATCH = 5000
Progress = Callable[[int], None]

#: A reversal's reason; the entry it names is the row's ``reverses_id``.
REVERSES = rules.Reason("reverses")


class JournalEntryRow(NamedTuple):
    """One ``journal_entry`` row as the bulk path writes it: its fields are the columns, in order
    (the amount in integer öre, the time as ``Values.moment`` makes it for the driver)."""

    organisation_id: int
    period_id: int
    run_id: int
    unit_id: int | None
    administration_id: int | None
    account: str
    counterparty: str | None
    activity: str | None
    amount_ore: int
    rule: str
    reason: str | None
    reason_params: str | None
    invoice_id: int
    invoice_line_id: int | None
    assignment_id: int | None
    allowance_charge_id: int | None
    reverses_id: int | None
    is_correction: bool
    created_at: Any


class Key(NamedTuple):
    """What the journal's net state of an invoice is summed by (``None`` line: the invoice's rounding)."""

    invoice_line_id: int | None
    unit_id: int | None
    account: str
    rule: str
    assignment_id: int | None
    allowance_charge_id: int | None


@dataclass
class AllocationResult:
    period: str
    booked_in: str
    invoices: int = 0
    lines: int = 0
    entries: int = 0
    reversals: int = 0
    changed_lines: int = 0
    allocated_total: Decimal = Decimal("0.00")
    suspense_total: Decimal = Decimal("0.00")
    by_rule: dict[str, Decimal] = field(default_factory=dict)
    run_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period, "booked_in": self.booked_in, "invoices": self.invoices, "lines": self.lines,
            "entries": self.entries, "reversals": self.reversals, "changed_lines": self.changed_lines,
            "allocated_total": f"{self.allocated_total:.2f}", "suspense_total": f"{self.suspense_total:.2f}",
            "by_rule": {rule: f"{amount:.2f}" for rule, amount in sorted(self.by_rule.items())},
            "run_id": self.run_id,
        }


@dataclass(slots=True)
class _Line:
    id: int
    invoice_id: int
    category: Category
    amount: int
    vat_category: str | None
    has_asset: bool
    start: date
    end: date
    spans: list[Span]


@dataclass(slots=True)
class _Invoice:
    id: int
    rounding: int
    counterparty: str | None
    lines: list[_Line]


def allocate(actor: User | None, organisation: Organisation, period_text: str,
             progress: Progress | None = None, *, set_based: bool = True) -> AllocationResult:
    """Allocate (or re-allocate) every line of the period's invoices. The caller commits.

    ``set_based=False`` takes every line through the per-line path: the reference the
    set-based common case is tested against, with the same result."""
    month = Month.parse(period_text)
    start, end = month.first, month.after
    try:
        period = periods.get_or_open(organisation.id, period_text, lock=True)
        target_period = period if period.status == PeriodStatus.OPEN else periods.first_open_from(
            organisation.id, str(month.next()))
        run = AllocationRun(organisation_id=organisation.id, period_id=period.id,
                            started_by_id=actor.id if actor else None)
        db.session.add(run)
        db.session.flush()
    except OperationalError as error:  # SQLite: another writer holds the database
        raise Conflict(N_("another allocation of %(period)s is running; try again"),
                       period=period_text) from error
    result = AllocationResult(period_text, target_period.period, run_id=run.id)
    runner = _Runner(organisation.id, run.id, target_period.id, Month.parse(target_period.period).first,
                     target_period.period != period_text, result, progress, set_based)
    runner.rematch_lines(start, end)
    runner.run(start, end)
    analyze_if_large("journal_entry", result.entries + result.reversals - runner.analyzed_rows)
    balances.add_run(run.id)
    run.summary = result.as_dict()
    audit.record(actor, "allocation.run", "period", period_text, after=run.summary, organisation_id=organisation.id)
    db.session.flush()
    return result


@dataclass(eq=False)
class _Runner:
    organisation_id: int
    run_id: int
    period_id: int
    booked_on: InitVar[date]
    is_correction: bool
    result: AllocationResult
    progress: Progress | None
    set_based: bool = True
    plan: AccountingSettings = field(init=False)
    carrier_id: int = field(init=False)
    units: dict[int, UnitFacts] = field(init=False, default_factory=dict)
    unit_dims: dict[int, tuple[int, str | None]] = field(init=False, default_factory=dict)
    #: units that belonged to another administration in the booked month than they do now: that one
    moved_since: dict[int, int] = field(init=False, default_factory=dict)
    now: datetime = field(init=False)
    created_at: Any = field(init=False)
    #: rows the planner's statistics already count (a large set-based statement refreshes them)
    analyzed_rows: int = field(init=False, default=0)
    #: the run's unchanged common-case lines are in ``set_based.UNCHANGED``, left out of the reads
    skips_unchanged: bool = field(init=False, default=False)
    pending: list[JournalEntryRow] = field(init=False, default_factory=list)
    #: changed lines that already have entries: reversed and rebooked at the end
    pending_changes: list[tuple[_Invoice, dict[Key, int]]] = field(init=False, default_factory=list)
    #: why a piece went where it did (day splits, suspense), by (line, unit, rule, assignment)
    reasons: dict[tuple[int, int | None, str, int | None], rules.Reason] = field(init=False, default_factory=dict)

    def __post_init__(self, booked_on: date) -> None:
        self.plan = settings_of(self.organisation_id)
        self.carrier_id = switchboard_carrier(self.organisation_id).id
        # The administration a unit belonged to in the booked month, so reorganisations keep history.
        history = AdministrationHistory(self.organisation_id)
        for unit_id, fee_funded, activity, current in db.session.execute(
            sa.select(BudgetUnit.id, BudgetUnit.fee_funded, BudgetUnit.activity_code, BudgetUnit.administration_id)
            .where(BudgetUnit.organisation_id == self.organisation_id)
        ):
            self.units[unit_id] = UnitFacts(fee_funded)
            self.unit_dims[unit_id] = (history.on(unit_id, booked_on), activity)
            if self.unit_dims[unit_id][0] != current:
                self.moved_since[unit_id] = self.unit_dims[unit_id][0]
        self.now = utcnow()
        self.created_at = Values().moment(self.now)

    # Rule 1 again: lines that matched no asset at import may match one now ----------------

    def rematch_lines(self, start: date, end: date) -> None:
        rows = db.session.execute(
            sa.select(InvoiceLine.id, InvoiceLine.reference)
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(Invoice.organisation_id == self.organisation_id, Invoice.issue_date >= start,
                   Invoice.issue_date < end, InvoiceLine.asset_id.is_(None), InvoiceLine.reference.is_not(None))
        ).all()
        if not rows:
            return
        index = AssetIndex(self.organisation_id)
        updates = []
        for line_id, reference in rows:
            match = index.match(reference)
            if match.asset_id:
                updates.append({"line": line_id, "asset": match.asset_id})
        if updates:
            table = cast(sa.Table, InvoiceLine.__table__)  # a mapped class's table, typed as any FromClause
            db.session.execute(
                table.update().where(table.c.id == sa.bindparam("line"))
                .values(asset_id=sa.bindparam("asset")), updates)

    # reading ---------------------------------------------------------------------------------

    def invoices(self, start: date, end: date) -> Iterator[_Invoice]:
        """The period's invoices with their lines and overlapping assignments, one query, streamed.

        Every invoice with a line to allocate comes, for its rounding; lines the set-based
        statement booked in this run do not, nor the unchanged lines it compared."""
        # Asked of the line's few entries: ``run_id + 0`` keeps both engines' planners from walking
        # the run's index instead, through every entry the set-based statement wrote, for each line.
        booked_now = sa.exists().where(JournalEntry.invoice_line_id == InvoiceLine.id,
                                       JournalEntry.run_id + 0 == self.run_id)
        query = (
            sa.select(Invoice.id, raw_ore(Invoice.rounding), Supplier.counterparty_code, Invoice.period_start,
                      Invoice.period_end, Invoice.issue_date, InvoiceLine.id, InvoiceLine.category,
                      raw_ore(InvoiceLine.net_amount), InvoiceLine.vat_category, InvoiceLine.asset_id,
                      InvoiceLine.period_start, InvoiceLine.period_end,
                      Assignment.id, Assignment.unit_id, Assignment.valid_from, Assignment.valid_to)
            .join(Supplier, Supplier.id == Invoice.supplier_id)
            .outerjoin(InvoiceLine, sa.and_(InvoiceLine.invoice_id == Invoice.id, detailing_source(), ~booked_now,
                                           # two NOT EXISTS, not one of an OR: each an anti-join
                                           ~self._unchanged(InvoiceLine.id)))
            .outerjoin(Assignment, set_based.overlaps_line(Assignment))
            .where(Invoice.organisation_id == self.organisation_id, Invoice.issue_date >= start,
                   Invoice.issue_date < end, Invoice.replaced_at.is_(None), _has_allocated_lines())
            .order_by(Invoice.id, InvoiceLine.id, Assignment.valid_from)
            .execution_options(yield_per=BATCH)
        )
        current: _Invoice | None = None
        line: _Line | None = None
        for (inv_id, rounding, counterparty, inv_start, inv_end, issue, line_id, category, amount, vat_category,
             asset_id, l_start, l_end, a_id, unit_id, valid_from, valid_to) in db.session.execute(query):
            if current is None or current.id != inv_id:
                if current is not None:
                    yield current
                current, line = _Invoice(inv_id, rounding or 0, counterparty, []), None
            if line_id is not None and (line is None or line.id != line_id):
                s, e = rules.service_period(l_start, l_end, inv_start, inv_end, issue)
                line = _Line(line_id, inv_id, category, amount, vat_category, asset_id is not None, s, e, [])
                current.lines.append(line)
            if a_id is not None and line is not None:
                line.spans.append(Span(a_id, unit_id, valid_from, valid_to))
        if current is not None:
            yield current

    def allowances(self, start: date, end: date) -> dict[int, list[tuple[int, int, str | None]]]:
        rows = db.session.execute(
            sa.select(InvoiceAllowanceCharge.invoice_id, InvoiceAllowanceCharge.id,
                      raw_ore(InvoiceAllowanceCharge.amount), InvoiceAllowanceCharge.vat_category)
            .join(Invoice, Invoice.id == InvoiceAllowanceCharge.invoice_id)
            .where(Invoice.organisation_id == self.organisation_id, Invoice.issue_date >= start,
                   Invoice.issue_date < end, Invoice.specification_import_id.is_(None))
            .order_by(InvoiceAllowanceCharge.id))
        found: dict[int, list[tuple[int, int, str | None]]] = defaultdict(list)
        for invoice_id, ac_id, amount, vat_category in rows:
            found[invoice_id].append((ac_id, amount, vat_category))
        return found

    def journal_state(self, start: date, end: date) -> Iterator[tuple[int, dict[Key, int]]]:
        """What the journal holds now for each invoice of the period: net öre per key."""
        key_columns = (JournalEntry.invoice_line_id, JournalEntry.unit_id, JournalEntry.account, JournalEntry.rule,
                       JournalEntry.assignment_id, JournalEntry.allowance_charge_id)
        query = (
            sa.select(JournalEntry.invoice_id, *key_columns, sa.func.sum(raw_ore(JournalEntry.amount)))
            .join(Invoice, Invoice.id == JournalEntry.invoice_id)
            # This run's entries are of lines the per-line path does not read (set-based) or has passed.
            .where(Invoice.organisation_id == self.organisation_id, Invoice.issue_date >= start,
                   Invoice.issue_date < end, JournalEntry.run_id != self.run_id,
                   # the invoice's rounding (no line) is never an unchanged line's
                   ~self._unchanged(JournalEntry.invoice_line_id))
            .group_by(JournalEntry.invoice_id, *key_columns)
            .order_by(JournalEntry.invoice_id)
            .execution_options(yield_per=BATCH)
        )
        for invoice_id, group in itertools.groupby(db.session.execute(query), key=lambda row: row[0]):
            yield invoice_id, {Key._make(row[1:7]): int(row[7]) for row in group if row[7]}

    def _unchanged(self, line_id: Any) -> sa.ColumnElement[bool]:
        """``line_id`` is one of the run's unchanged lines (never, without their table). ``EXISTS``,
        not ``IN``: a NULL line (the invoice's rounding) is simply not one."""
        if not self.skips_unchanged:
            return sa.false()
        table = set_based.unchanged_lines
        return sa.exists().where(table.c.invoice_line_id == line_id)

    # the run ---------------------------------------------------------------------------------

    def run(self, start: date, end: date) -> None:
        by_rule: dict[str, int] = defaultdict(int, self.book_whole_lines(start, end))
        changed = self.result.entries  # the set-based lines are new, so changed (one entry each)
        allowances = self.allowances(start, end)
        states = self.journal_state(start, end)
        state_invoice, state = next(states, (None, {}))
        for invoice in self.invoices(start, end):
            while state_invoice is not None and state_invoice < invoice.id:
                state_invoice, state = next(states, (None, {}))
            held = _by_line(state) if state_invoice == invoice.id else {}
            target = self.target(invoice, allowances.get(invoice.id, []))
            self.result.invoices += 1
            self.result.lines += len(invoice.lines)
            for key, amount in target.items():
                by_rule[key.rule] += amount
            for line_id, wanted in _by_line(target).items():
                have = held.get(line_id, {})
                if have == wanted:
                    continue
                changed += line_id is not None
                if have:
                    self.pending_changes.append((invoice, wanted))
                else:  # nothing to reverse: book the target straight away
                    self.write_target(invoice, wanted)
            if self.progress:
                self.progress(len(invoice.lines))
        if self.skips_unchanged:
            set_based.drop_unchanged_lines()
        self.result.changed_lines = changed
        self.result.by_rule = {rule: from_ore(ore) for rule, ore in by_rule.items()}
        self.result.suspense_total = from_ore(by_rule.get(Rule.SUSPENSE, 0))
        self.result.allocated_total = from_ore(sum(ore for rule, ore in by_rule.items() if rule != Rule.SUSPENSE))
        self.reverse_and_rewrite()
        self.flush()

    def book_whole_lines(self, start: date, end: date) -> dict[str, int]:
        """The common case in SQL (``set_based``): a re-run's unchanged lines set aside, then new
        lines on one unit for their whole period booked in one statement. Counts their lines and
        the new entries in the result; their sums by rule (öre)."""
        if not self.set_based:
            return {}
        booking = set_based.Booking(self.organisation_id, self.period_id, self.run_id, self.is_correction, self.now,
                                    self.plan, self.carrier_id, self.unit_dims[self.carrier_id], self.moved_since)
        # Before the statement: its lines have entries after it, and would be compared too.
        unchanged = set_based.keep_unchanged_lines(booking, start, end)
        self.skips_unchanged = unchanged is not None
        kept = unchanged or set_based.Tally()
        tally = set_based.book_whole_lines(booking, start, end)
        self.result.lines += kept.lines + tally.lines
        self.result.entries += tally.lines
        # The per-line path's reads that follow are planned for the journal as it now is.
        if analyze_if_large("journal_entry", tally.lines):
            self.analyzed_rows = tally.lines
        if self.progress and kept.lines + tally.lines:
            self.progress(kept.lines + tally.lines)
        by_rule: dict[str, int] = defaultdict(int, kept.by_rule)
        for rule, amount in tally.by_rule.items():
            by_rule[rule] += amount
        return dict(by_rule)

    def target(self, invoice: _Invoice, allowances: list[tuple[int, int, str | None]]) -> dict[Key, int]:
        """Where every öre of the invoice should be, keyed like ``journal_state``."""
        target: dict[Key, int] = defaultdict(int)
        placed: dict[int, tuple[_Line, list[Piece]]] = {}
        for line in invoice.lines:
            pieces = rules.place_line(line.amount, line.category, line.has_asset, line.spans, line.start, line.end,
                                      self.units, self.carrier_id)
            placed[line.id] = (line, pieces)
            account = self.plan.for_category(line.category)
            for piece in pieces:
                target[self._key(line.id, piece, account, None)] += piece.amount
        line_facts = [(line.id, line.amount, line.vat_category) for line in invoice.lines]
        for ac_id, amount, vat_category in allowances:
            if not line_facts:
                continue
            for line_id, share in rules.spread_over_lines(amount, vat_category, line_facts).items():
                line, pieces = placed[line_id]
                account = self.plan.for_category(line.category)
                for piece in rules.follow_line(share, pieces):
                    target[self._key(line_id, piece, account, ac_id)] += piece.amount
        if invoice.rounding:
            target[Key(None, None, self.plan.rounding_account, Rule.ROUNDING, None, None)] += invoice.rounding
        for line_id, (_, pieces) in placed.items():
            for piece in pieces:
                if piece.reason:
                    self.reasons[(line_id, piece.unit_id, piece.rule, piece.assignment_id)] = piece.reason
        return {k: v for k, v in target.items() if v}

    def _key(self, line_id: int, piece: Piece, account: str, ac_id: int | None) -> Key:
        if piece.rule == Rule.SUSPENSE:
            account = self.plan.suspense_account
        return Key(line_id, piece.unit_id, account, piece.rule, piece.assignment_id, ac_id)

    # writing ---------------------------------------------------------------------------------

    def write_target(self, invoice: _Invoice, wanted: dict[Key, int]) -> None:
        for key, amount in wanted.items():
            self.add_row(invoice, key, amount, None)

    def add_row(self, invoice: _Invoice, key: Key, amount: int, reverses_id: int | None,
                reason: rules.Reason | None = None,
                dimensions: tuple[int | None, str | None, str | None] | None = None) -> None:
        line_id, unit_id, account, rule, assignment_id, ac_id = key
        admin_id, activity = self.unit_dims.get(unit_id, (None, None)) if unit_id else (None, None)
        counterparty = invoice.counterparty or self.plan.default_counterparty
        if dimensions is not None:
            admin_id, activity, counterparty = dimensions
        if reason is None and rule == Rule.ALLOWANCE_SPREAD:
            reason = rules.ALLOWANCE_SHARE
        elif reason is None and line_id is not None:
            reason = self.reasons.get((line_id, unit_id, rule, assignment_id))
        self.pending.append(JournalEntryRow(
            self.organisation_id, self.period_id, self.run_id, unit_id, admin_id, account, counterparty, activity,
            amount, rule, reason.code if reason else None, reason.params_json() if reason else None, invoice.id,
            line_id, assignment_id, ac_id, reverses_id, self.is_correction, self.created_at,
        ))
        if reverses_id is None:
            self.result.entries += 1
        else:
            self.result.reversals += 1
        if len(self.pending) >= BATCH:
            self.flush()

    def reverse_and_rewrite(self) -> None:
        """For changed lines that had entries: reverse each active entry, then book the target."""
        for chunk in _chunks(self.pending_changes, 500):
            line_ids = [line_id for _, wanted in chunk for line_id in {k.invoice_line_id for k in wanted}
                        if line_id is not None]
            invoice_ids = [inv.id for inv, wanted in chunk if any(k.invoice_line_id is None for k in wanted)]
            # Active: an original entry that no later entry reverses.
            reversed_ids = sa.select(JournalEntry.reverses_id).where(JournalEntry.reverses_id.is_not(None))
            active = db.session.execute(
                sa.select(JournalEntry.id, JournalEntry.invoice_line_id, JournalEntry.unit_id, JournalEntry.account,
                          JournalEntry.rule, JournalEntry.assignment_id, JournalEntry.allowance_charge_id,
                          raw_ore(JournalEntry.amount), JournalEntry.invoice_id, JournalEntry.administration_id,
                          JournalEntry.activity, JournalEntry.counterparty)
                .where(JournalEntry.reverses_id.is_(None), JournalEntry.id.not_in(reversed_ids),
                       sa.or_(JournalEntry.invoice_line_id.in_(line_ids or [-1]),
                              sa.and_(JournalEntry.invoice_line_id.is_(None),
                                      JournalEntry.invoice_id.in_(invoice_ids or [-1]))))
                .order_by(JournalEntry.id)
            ).all()
            invoices = {inv.id: inv for inv, _ in chunk}
            for (entry_id, line_id, unit_id, account, rule, assignment_id, ac_id, amount, invoice_id, admin_id,
                 activity, counterparty) in active:
                # A reversal carries the dimensions of the entry it reverses, so that every
                # administration's, activity's and counterparty's totals net to zero.
                self.add_row(invoices[invoice_id], Key(line_id, unit_id, account, rule, assignment_id, ac_id),
                             -int(amount), entry_id, reason=REVERSES,
                             dimensions=(admin_id, activity, counterparty))
            for invoice, wanted in chunk:
                self.write_target(invoice, wanted)

    def flush(self) -> None:
        if self.pending:
            insert_rows("journal_entry", JournalEntryRow, self.pending)
            self.pending = []


def _has_allocated_lines() -> sa.ColumnElement[bool]:
    """The invoice has a line of its allocated source (the per-line path's invoices, for their count
    and rounding, even when the set-based statement booked every line)."""
    # Only the invoice correlates: the subquery's invoice_line is a table of its own.
    return sa.exists().where(InvoiceLine.invoice_id == Invoice.id, detailing_source()).correlate(Invoice)


def _by_line(target: dict[Key, int]) -> dict[int | None, dict[Key, int]]:
    grouped: dict[int | None, dict[Key, int]] = defaultdict(dict)
    for key, amount in target.items():
        grouped[key.invoice_line_id][key] = amount
    return grouped



def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for index in range(0, len(items), size):
        yield items[index:index + size]
