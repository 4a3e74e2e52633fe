"""The balance table kept with the journal: what a run wrote, folded into ``journal_balance``.

The journal is append-only and grows without end; the pages of budget against actual want
sums per unit, month and category. Each allocation run (and each set-based reversal, such as
an invoice's replacement) adds its entries' sums here in the same transaction, by one grouped
``INSERT … SELECT … ON CONFLICT DO UPDATE``, so a reader sums a few hundred rows instead of
scanning the journal. ``check`` compares the two.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ledger.allocation.models import Balance, JournalEntry
from ledger.database import db
from ledger.database.types import raw_ore
from ledger.invoices.models import InvoiceLine

KEY = ("period_id", "unit_id", "administration_id", "category", "account")


def costs_of(entries: Any) -> sa.Select[Any]:
    """The entries of ``entries`` (a WHERE clause) that are someone's cost, summed by the balance's key."""
    amount = sa.func.sum(raw_ore(JournalEntry.amount))
    return (sa.select(JournalEntry.period_id, JournalEntry.unit_id, JournalEntry.administration_id,
                      InvoiceLine.category, JournalEntry.account, JournalEntry.organisation_id,
                      amount.label("amount_ore"))
            .join(InvoiceLine, InvoiceLine.id == JournalEntry.invoice_line_id)
            .where(entries, JournalEntry.unit_id.is_not(None), JournalEntry.administration_id.is_not(None))
            .group_by(JournalEntry.period_id, JournalEntry.unit_id, JournalEntry.administration_id,
                      InvoiceLine.category, JournalEntry.account, JournalEntry.organisation_id))


def add_run(run_id: int) -> None:
    """Fold the entries of allocation run ``run_id`` into the balances."""
    dialect = db.session.connection().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Balance).from_select([*KEY, "organisation_id", "amount_ore"],
                                            costs_of(JournalEntry.run_id == run_id))
    db.session.execute(statement.on_conflict_do_update(
        index_elements=list(KEY), set_={"amount_ore": Balance.__table__.c.amount_ore + statement.excluded.amount_ore}))


def differences(organisation_id: int | None = None) -> list[tuple[Any, ...]]:
    """Balance keys whose amount is not the journal's sum: (key…, journal öre, balance öre)."""
    scope = JournalEntry.organisation_id == organisation_id if organisation_id else sa.true()
    journal = costs_of(scope).subquery()
    balance = sa.select(Balance).where(Balance.organisation_id == organisation_id if organisation_id
                                       else sa.true()).subquery()
    keys = [journal.c[name] for name in KEY]
    on = sa.and_(*(journal.c[name] == balance.c[name] for name in KEY))
    missing_or_wrong = (sa.select(*keys, journal.c.amount_ore, balance.c.amount_ore)
                        .outerjoin(balance, on).where(sa.or_(balance.c.amount_ore.is_(None),
                                                            balance.c.amount_ore != journal.c.amount_ore)))
    extra = (sa.select(*(balance.c[name] for name in KEY), sa.literal(None), balance.c.amount_ore)
             .outerjoin(journal, on).where(journal.c.amount_ore.is_(None), balance.c.amount_ore != 0))
    return [tuple(row) for row in db.session.execute(sa.union_all(missing_or_wrong, extra))]
