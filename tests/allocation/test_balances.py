"""The balance table equals the journal's sums after every kind of write, ``check`` says when it
does not, and the migration fills it from an existing journal."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from ledger.allocation import balances
from ledger.allocation.check import check
from ledger.allocation.models import Balance, JournalEntry
from ledger.database import db as _db
from tests.factories import build_month, save


def _held(db) -> dict[str, Decimal]:
    """Per unit (ansvar) what the balance table holds for March."""
    from ledger.organisation.models import BudgetUnit

    rows = db.execute(sa.select(BudgetUnit.ansvar, Balance.amount).join(BudgetUnit, BudgetUnit.id == Balance.unit_id))
    sums: dict[str, Decimal] = {}
    for ansvar, amount in rows:
        sums[ansvar] = sums.get(ansvar, Decimal("0.00")) + amount
    return sums


def test_the_balances_are_the_journal_summed(db, org) -> None:
    build_month(org)
    assert balances.differences() == [] and check() == []
    # förskolan 14/31 of 310.00 and its allowance share; skolan 17/31; VA its own number and
    # extension; kanslienheten the switchboard line, the operator services and its allowance share
    held = _held(db)
    assert set(held) == {"1110", "2150", "3110", "3140"}
    assert sum(held.values(), Decimal("0.00")) == Decimal("2384.28")  # all but suspense and rounding


def test_check_names_a_balance_the_journal_does_not_hold(db, org) -> None:
    month = build_month(org)
    entry = db.scalars(sa.select(JournalEntry).where(JournalEntry.unit_id == org.skola.id)).first()
    db.execute(sa.insert(JournalEntry), [{  # written past the allocation, as no code of the ledger does
        "organisation_id": org.id, "period_id": entry.period_id, "run_id": entry.run_id, "unit_id": org.skola.id,
        "administration_id": entry.administration_id, "account": entry.account, "amount": Decimal("1.00"),
        "rule": entry.rule, "invoice_id": month.invoice_ids[0], "invoice_line_id": entry.invoice_line_id,
        "is_correction": False, "created_at": datetime(2026, 4, 1, tzinfo=UTC)}])
    save()
    problems = [v for v in check() if v.rule == "balance"]
    assert len(problems) == 1 and "in the balance table, but the journal sums to" in problems[0].message


def test_the_migration_fills_the_table_from_the_journal(app: Flask, db, org) -> None:
    build_month(org)
    before = _held(db)
    save()
    _db.session.remove()
    downgrade(revision="0005")
    upgrade()
    assert _held(_db.session) == before and balances.differences() == []
