"""Reading the journal: entries with the rule that placed each, suspense, totals per rule."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import aliased, with_polymorphic

from ledger.access.models import User
from ledger.access.permissions import visible_only, visible_unit_ids
from ledger.allocation.models import JournalEntry, Period
from ledger.allocation.rules import REASONS, Rule, reason_of
from ledger.core.errors import NotFound
from ledger.core.money import from_ore
from ledger.core.month import Month
from ledger.core.text import N_, in_source_language
from ledger.database import db
from ledger.database.types import raw_ore
from ledger.inventory.models import Asset, Assignment, Handset, Subscription
from ledger.invoices.models import Invoice, InvoiceLine
from ledger.organisation.models import BudgetUnit, Supplier

S = TypeVar("S", bound=sa.Select[Any])


@dataclass(frozen=True, slots=True)
class EntryView:
    """A journal entry with what explains it: rule, unit, asset, assignment, invoice line."""

    entry: JournalEntry
    period: str
    unit: BudgetUnit | None
    invoice: Invoice
    supplier: Supplier
    line: InvoiceLine | None
    assignment: Assignment | None
    asset: Asset | None

    @property
    def subscription(self) -> Subscription | None:
        return self.asset if isinstance(self.asset, Subscription) else None

    @property
    def handset(self) -> Handset | None:
        return self.asset if isinstance(self.asset, Handset) else None


def with_context(query: sa.Select[Any]) -> sa.Select[Any]:
    """``query`` of journal entries joined to what names them: the period they are booked in,
    their invoice and its supplier, and (where they have one) their unit and invoice line."""
    return (
        query.join(Period, Period.id == JournalEntry.period_id)
        .join(Invoice, Invoice.id == JournalEntry.invoice_id)
        .join(Supplier, Supplier.id == Invoice.supplier_id)
        .outerjoin(BudgetUnit, BudgetUnit.id == JournalEntry.unit_id)
        .outerjoin(InvoiceLine, InvoiceLine.id == JournalEntry.invoice_line_id)
    )


def _entry_query() -> sa.Select[Any]:
    asset = with_polymorphic(Asset, [Subscription, Handset])  # the line's asset, whichever kind
    return (
        with_context(sa.select(JournalEntry, Period.period, BudgetUnit, Invoice, Supplier, InvoiceLine, Assignment,
                               asset))
        .outerjoin(Assignment, Assignment.id == JournalEntry.assignment_id)
        .outerjoin(asset, asset.id == InvoiceLine.asset_id)
    )


@dataclass(frozen=True, slots=True)
class EntryFilter:
    """Which entries a list shows: booked in ``period`` (YYYY-MM), for ``unit``, by ``rule``, of one line."""

    period: str | None = None
    unit: BudgetUnit | None = None
    rule: str | None = None
    invoice_line_id: int | None = None

    def where(self, query: S, user: User) -> S:
        """``query`` limited to these entries of the user's organisation (department users: their units)."""
        query = query.where(JournalEntry.organisation_id == user.organisation_id)
        if self.period:
            Month.parse(self.period)
            query = query.where(Period.period == self.period)
        if self.unit is not None:
            query = query.where(JournalEntry.unit_id == self.unit.id)
        query = visible_only(query, user, JournalEntry.unit_id.in_)
        if self.rule:
            query = query.where(JournalEntry.rule == self.rule)
        if self.invoice_line_id:
            query = query.where(JournalEntry.invoice_line_id == self.invoice_line_id)
        return query


def entries(user: User, *, period: str | None = None, unit: BudgetUnit | None = None, rule: str | None = None,
            invoice_line_id: int | None = None, limit: int = 500, offset: int = 0) -> list[EntryView]:
    """Entries booked in ``period`` (YYYY-MM), for ``unit``; department users see their units only."""
    chosen = EntryFilter(period, unit, rule, invoice_line_id)
    query = chosen.where(_entry_query(), user).order_by(JournalEntry.id).limit(limit).offset(offset)
    return [EntryView(*row) for row in db.session.execute(query)]


def count_entries(user: User, chosen: EntryFilter) -> int:
    """How many entries ``entries`` would list without a limit (for a list's total)."""
    query = chosen.where(sa.select(sa.func.count(JournalEntry.id)).select_from(JournalEntry)
                         .join(Period, Period.id == JournalEntry.period_id), user)
    return db.session.scalar(query) or 0


def entry(user: User, entry_id: int) -> EntryView:
    row = db.session.execute(_entry_query().where(JournalEntry.id == entry_id,
                                                  JournalEntry.organisation_id == user.organisation_id)).first()
    if row is None:
        raise NotFound(N_("No journal entry %(id)s"), id=entry_id)
    view = EntryView(*row)
    scope = visible_unit_ids(user)
    if scope is not None and view.entry.unit_id not in scope:
        from ledger.core.errors import Forbidden

        raise Forbidden(N_("That entry belongs to another unit"))
    return view


@dataclass(frozen=True, slots=True)
class SuspenseLine:
    """An invoice line with öre in suspense: how much (net of reversals), and why."""

    line: InvoiceLine
    invoice: Invoice
    supplier: Supplier
    amount: Decimal
    reason: str | None  #: why, in English (the API, downloads)
    reason_code: str | None = None  #: the code of ``rules.REASONS``
    said: tuple[str, dict[str, Any]] | None = None  #: the reason's catalogue text and values, for a page


def suspense(user: User, period: str | None = None) -> list[SuspenseLine]:
    """Lines with öre still in suspense (net of reversals), and why."""
    amount = sa.func.sum(raw_ore(JournalEntry.amount))
    # the reason of the line's latest entry that is not a reversal (a reversal says only what it undoes)
    latest = sa.func.max(sa.case((JournalEntry.reverses_id.is_(None), JournalEntry.id)))
    query = (
        sa.select(JournalEntry.invoice_line_id, amount, latest)
        .where(JournalEntry.organisation_id == user.organisation_id, JournalEntry.rule == Rule.SUSPENSE)
        .group_by(JournalEntry.invoice_line_id).having(amount != 0)
    )
    if period:
        month = Month.parse(period)
        start, end = month.first, month.after
        query = query.join(Invoice, Invoice.id == JournalEntry.invoice_id).where(
            Invoice.issue_date >= start, Invoice.issue_date < end)
    held = {line_id: (total, entry_id) for line_id, total, entry_id in db.session.execute(query)}
    if not held:
        return []
    why = _reasons_of([entry_id for _, entry_id in held.values() if entry_id is not None])
    rows = db.session.execute(
        sa.select(InvoiceLine, Invoice, Supplier).join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .join(Supplier, Supplier.id == Invoice.supplier_id).where(InvoiceLine.id.in_(held))
        .order_by(Invoice.issue_date, Invoice.id, InvoiceLine.position))
    return [SuspenseLine(line, invoice, supplier, from_ore(held[line.id][0]), *why.get(held[line.id][1], (None,) * 3))
            for line, invoice, supplier in rows]


def _reasons_of(entry_ids: list[int]) -> dict[int, tuple[str | None, str | None, tuple[str, dict[str, Any]] | None]]:
    """Each entry's reason in English, its code and its text with values, by entry id."""
    found: dict[int, tuple[str | None, str | None, tuple[str, dict[str, Any]] | None]] = {}
    for chunk in range(0, len(entry_ids), 500):
        for entry_id, code, params in db.session.execute(
                sa.select(JournalEntry.id, JournalEntry.reason, JournalEntry.reason_params)
                .where(JournalEntry.id.in_(entry_ids[chunk:chunk + 500]))):
            said = reason_of(code, params)
            found[entry_id] = (in_source_language(*said) if said else None, code if code in REASONS else None, said)
    return found


def totals_by_rule(organisation_id: int, period: str) -> dict[str, Decimal]:
    """Net amount per rule of the entries booked in ``period``."""
    rows = db.session.execute(
        sa.select(JournalEntry.rule, sa.func.sum(raw_ore(JournalEntry.amount)))
        .join(Period, Period.id == JournalEntry.period_id)
        .where(JournalEntry.organisation_id == organisation_id, Period.period == period)
        .group_by(JournalEntry.rule))
    return {rule: from_ore(total or 0) for rule, total in rows}


def reversal_of(entry_id: int) -> JournalEntry | None:
    later = aliased(JournalEntry)
    return db.session.scalar(sa.select(later).where(later.reverses_id == entry_id))


def first_day(period: str) -> date:
    return Month.parse(period).first


def resolve_suspense(actor: User, line_id: int, unit: BudgetUnit, valid_from: date,
                     kind: str = "mobile_voice") -> Subscription:
    """Map a suspense line's number to ``unit`` from ``valid_from``: the subscription is created
    when the ledger does not know the number yet, then assigned. Re-allocate afterwards."""
    from ledger.audit import service as audit
    from ledger.core.errors import ValidationFailed
    from ledger.core.identifiers import IdentifierError, phone_number
    from ledger.inventory import assignments
    from ledger.inventory.models import SubscriptionKind

    line = db.session.get(InvoiceLine, line_id)
    if line is None or line.organisation_id != actor.organisation_id:
        raise NotFound(N_("No invoice line %(id)s"), id=line_id)
    if not line.reference:
        raise ValidationFailed(N_("The line has no reference to map; ask the supplier for a corrected invoice"))
    try:
        number = phone_number(line.reference)
    except IdentifierError:
        raise ValidationFailed(N_("The line's reference %(reference)s is not a phone number; map it in the inventory "
                                  "instead"), reference=repr(line.reference)) from None
    subscription = db.session.scalar(sa.select(Subscription).where(
        Subscription.organisation_id == actor.organisation_id, Subscription.number == number))
    if subscription is None:
        invoice = db.session.get(Invoice, line.invoice_id)
        subscription = Subscription(organisation_id=actor.organisation_id, number=number,
                                    kind=SubscriptionKind(kind), supplier_id=invoice.supplier_id,  # type: ignore[union-attr]
                                    start_date=valid_from)
        db.session.add(subscription)
        db.session.flush()
        audit.record(actor, "subscription.create", "subscription", number,
                     after={"number": number, "kind": kind, "from": "suspense"})
    assignments.add_assignment(actor, subscription, unit, valid_from)
    return subscription


def entries_by_id(user: User, ids: list[int]) -> list[EntryView]:
    """The entries with these ids that the user may see, in id order."""
    if not ids:
        return []
    query = _entry_query().where(JournalEntry.id.in_(ids), JournalEntry.organisation_id == user.organisation_id)
    query = visible_only(query, user, JournalEntry.unit_id.in_)
    return [EntryView(*row) for row in db.session.execute(query.order_by(JournalEntry.id))]


def suggested_units(user: User, lines: list[InvoiceLine]) -> dict[int, BudgetUnit]:
    """For suspense lines, the unit their number's history points at, by line id: the unit the
    line's asset was last assigned to, else the unit an earlier line of the same reference was
    booked to (the latest such entry). Lines without history are left out. Two queries for all
    the lines, whatever their number."""
    by_asset = {line.asset_id: line.id for line in lines if line.asset_id is not None}
    suggested: dict[int, int] = {}
    if by_asset:
        latest = (sa.select(Assignment.asset_id, Assignment.unit_id,
                            sa.func.row_number().over(partition_by=Assignment.asset_id,
                                                      order_by=(Assignment.valid_from.desc(), Assignment.id.desc()))
                            .label("rank"))
                  .where(Assignment.organisation_id == user.organisation_id, Assignment.asset_id.in_(by_asset))
                  .subquery())
        for asset_id, unit_id in db.session.execute(
                sa.select(latest.c.asset_id, latest.c.unit_id).where(latest.c.rank == 1)):
            suggested[by_asset[asset_id]] = unit_id
    suggested.update(_units_booked_before(user, [line for line in lines if line.id not in suggested]))
    chosen = sa.select(BudgetUnit).where(BudgetUnit.id.in_(set(suggested.values())))
    units = {u.id: u for u in db.session.scalars(chosen)}
    return {line_id: units[unit_id] for line_id, unit_id in suggested.items() if unit_id in units}


def _units_booked_before(user: User, lines: list[InvoiceLine]) -> dict[int, int]:
    """The unit the latest entry of another line with the same reference was booked to, by line id."""
    by_reference: dict[str, list[int]] = {}
    for line in lines:
        if line.reference:
            by_reference.setdefault(line.reference, []).append(line.id)
    if not by_reference:
        return {}
    booked = (sa.select(InvoiceLine.reference, JournalEntry.unit_id,
                        sa.func.row_number().over(partition_by=InvoiceLine.reference,
                                                  order_by=JournalEntry.id.desc()).label("rank"))
              .join(InvoiceLine, InvoiceLine.id == JournalEntry.invoice_line_id)
              .where(JournalEntry.organisation_id == user.organisation_id, JournalEntry.rule != Rule.SUSPENSE,
                     JournalEntry.unit_id.is_not(None), JournalEntry.reverses_id.is_(None),
                     InvoiceLine.reference.in_(by_reference))
              .subquery())
    found: dict[int, int] = {}
    for reference, unit_id in db.session.execute(
            sa.select(booked.c.reference, booked.c.unit_id).where(booked.c.rank == 1)):
        for line_id in by_reference[reference]:
            found[line_id] = unit_id
    return found


def _within(query: S, user: User, ids: sa.Select[Any]) -> S:
    query = query.where(JournalEntry.id.in_(ids), JournalEntry.organisation_id == user.organisation_id)
    return visible_only(query, user, JournalEntry.unit_id.in_)


def entries_within(user: User, ids: sa.Select[Any]) -> sa.Select[Any]:
    """The query of the entries among ``ids`` (a select of entry ids) the user may see, as
    ``EntryView`` rows, unordered: a list sorts and pages it."""
    return _within(_entry_query(), user, ids)


def entry_rows_within(user: User, ids: sa.Select[Any]) -> sa.Select[Any]:
    """The same entries as plain rows (no model object per row), for a download."""
    asset = aliased(Asset)
    query = with_context(sa.select(
        JournalEntry.id.label("entry_id"), JournalEntry.rule, Invoice.number.label("invoice_number"),
        Supplier.name.label("supplier"), InvoiceLine.position, InvoiceLine.description, InvoiceLine.reference,
        asset.type.label("asset_type"), asset.identifier.label("asset_identifier"), JournalEntry.reason,
        JournalEntry.reason_params, JournalEntry.reverses_id, JournalEntry.amount,
    )).outerjoin(asset, asset.id == InvoiceLine.asset_id)
    return _within(query, user, ids)


def sum_within(user: User, ids: sa.Select[Any]) -> Decimal:
    """The net amount of the entries among ``ids`` the user may see."""
    query = _within(sa.select(sa.func.sum(raw_ore(JournalEntry.amount))).select_from(JournalEntry), user, ids)
    return from_ore(db.session.scalar(query) or 0)


_PLACEHOLDER = re.compile(r"%\(\w+\)s")


def reasons_saying(text: str, translate: Callable[[str], str]) -> list[str]:
    """The reason codes whose words, as the reader reads them (``translate``), hold ``text``:
    reasons are stored as codes, so a search for "tilldelning" must look at what they say."""
    wanted = text.casefold()
    return sorted(code for code, said in REASONS.items()
                  if any(wanted in _PLACEHOLDER.sub(" ", words).casefold() for words in (said, translate(said))))


def text_in_entries(query: S, text: str | None, translate: Callable[[str], str] = str) -> S:
    """``query`` of entries (``with_context``) limited to those whose invoice number, line text,
    reference or reason (in the reader's words, ``translate``) holds ``text``."""
    if not text:
        return query
    found: list[sa.ColumnElement[bool]] = [
        column.icontains(text, autoescape=True)
        for column in (Invoice.number, InvoiceLine.description, InvoiceLine.reference)]
    # A reason written out (by hand, or by an older version) is searched as it stands; a code by its words.
    found.append(sa.and_(JournalEntry.reason.icontains(text, autoescape=True), JournalEntry.reason.not_in(REASONS)))
    codes = reasons_saying(text, translate)
    if codes:
        found.append(JournalEntry.reason.in_(codes))
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 3:  # a number as typed (070-…) finds the line whatever notation its file used
        found.append(InvoiceLine.reference.contains(digits.lstrip("0"), autoescape=True))
    return query.where(sa.or_(*found))
