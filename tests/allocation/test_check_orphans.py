"""The journal's and the invoice lines' bulk-filled references have no foreign keys; ``check``
finds one that points at nothing, on both engines, and the database itself still refuses a unit
or an asset that does not exist."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from ledger.allocation.check import check
from ledger.allocation.models import JournalEntry
from ledger.invoices.models import InvoiceLine
from tests.factories import build_month, save


def _copy_of_an_entry(db, **changes: object) -> None:
    entry = db.scalars(sa.select(JournalEntry).where(JournalEntry.unit_id.is_not(None))).first()
    columns = [c.key for c in sa.inspect(JournalEntry).column_attrs if c.key != "id"]
    values = {name: getattr(entry, name) for name in columns} | {"created_at": datetime(2026, 4, 1, tzinfo=UTC)}
    db.execute(sa.insert(JournalEntry), [values | changes | {"amount": -entry.amount}])
    db.execute(sa.insert(JournalEntry), [values | changes])  # a pair that nets to zero: only the reference is wrong


def test_an_entry_naming_a_period_that_does_not_exist_is_found(db, org) -> None:
    build_month(org)
    assert check() == []
    _copy_of_an_entry(db, period_id=999_999, invoice_line_id=None)
    save()
    orphans = [v.message for v in check() if v.rule == "orphan"]
    assert orphans == [orphans[0]] and "2 journal entries name a period_id that does not exist in period" in orphans[0]


def test_a_unit_that_does_not_exist_is_still_refused_by_the_database(db, org) -> None:
    build_month(org)
    with pytest.raises(sa.exc.IntegrityError):
        _copy_of_an_entry(db, unit_id=999_999)
        db.flush()


def test_an_invoice_line_naming_an_invoice_that_does_not_exist_is_found(db, org) -> None:
    build_month(org)
    db.scalars(sa.select(InvoiceLine)).first().invoice_id = 999_999
    save()
    orphans = [v.message for v in check() if v.rule == "orphan"]
    assert len(orphans) == 1 and "1 invoice lines name a invoice_id that does not exist in invoice" in orphans[0]


def test_an_invoice_line_of_an_asset_that_does_not_exist_is_still_refused_by_the_database(db, org) -> None:
    build_month(org)
    line = db.scalars(sa.select(InvoiceLine)).first()
    with pytest.raises(sa.exc.IntegrityError):
        line.asset_id = 999_999
        db.flush()
