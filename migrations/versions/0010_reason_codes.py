"""a journal entry's reason is a code with values, said in the reader's language when shown

``journal_entry.reason`` held an English sentence ("no subscription or handset matches the
line's reference", "reverses entry 812"), so a Swedish page showed English. It now holds a code
of ``ledger.allocation.rules.REASONS`` and the new ``reason_params`` column the values the text
names (days, dates, invoice ids) as JSON; the entry a reversal names is its own ``reverses_id``.
The existing rows are converted from the sentences the allocation and the invoice replacement
wrote; a text that is none of them (written by hand or by another tool) stays as it is and is
shown as it is.

This touches rows of closed periods too, and that is deliberate: the journal is append-only
for money (no amount, unit, account, rule, dimension or reference of any entry changes, and no
entry is added or removed), while the reason is an explanation of the entry, and only the form
it is stored in changes, not what it says: every converted row renders to the very sentence it
held. A closed month's reports and exports read the same afterwards. The downgrade writes the
sentences back.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

"""
from __future__ import annotations

import json
import re

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

#: The sentences without values, and their codes.
PLAIN = {
    "no asset: central switchboard cost": "no_asset_switchboard",
    "no subscription or handset matches the line's reference": "no_asset",
    "share of a document allowance or charge": "allowance_share",
}
#: The sentences with values, as the code wrote them: code → pattern (named groups are the values).
PATTERNS = {
    "days_of": re.compile(r"(?P<days>\d+) of (?P<total>\d+) days"),
    "no_assignment_days": re.compile(r"no assignment for (?P<days>\d+) of (?P<total>\d+) days "
                                     r"\((?P<start>\d{4}-\d\d-\d\d) – (?P<end>\d{4}-\d\d-\d\d)\)"),
    "replaced": re.compile(r"invoice (?P<original>\d+) replaced by invoice (?P<reissue>\d+): reverses entry \d+"),
}
#: The sentences back from code and values, for the downgrade ({entry} is the row's reverses_id).
SENTENCES = {
    "no_asset_switchboard": "no asset: central switchboard cost",
    "no_asset": "no subscription or handset matches the line's reference",
    "allowance_share": "share of a document allowance or charge",
    "days_of": "{days} of {total} days",
    "no_assignment_days": "no assignment for {days} of {total} days ({start} – {end})",
    "reverses": "reverses entry {entry}",
    "replaced": "invoice {original} replaced by invoice {reissue}: reverses entry {entry}",
}
_NUMBERS = {"days", "total", "original", "reissue"}


def upgrade():
    # a nullable column is added in place on both engines (no copy of the journal)
    op.add_column('journal_entry', sa.Column('reason_params', sa.JSON(), nullable=True,
                                             comment="The values the reason's text names (days, dates, invoices), "
                                                     "as JSON"))
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':  # SQLite keeps no column comments
        op.alter_column('journal_entry', 'reason', existing_type=sa.String(200), existing_nullable=True,
                        comment='Why, as a code of allocation.rules.REASONS (for suspense: what is missing)')
    entry = sa.table('journal_entry', sa.column('id', sa.Integer), sa.column('reason', sa.String),
                     sa.column('reason_params', sa.JSON), sa.column('reverses_id', sa.Integer))
    for sentence, code in PLAIN.items():
        bind.execute(entry.update().where(entry.c.reason == sentence).values(reason=code))
    # "reverses entry N" names the row's own reverses_id: one statement, no values to keep
    bind.execute(entry.update().where(entry.c.reason.like('reverses entry %'), entry.c.reverses_id.is_not(None))
                 .values(reason='reverses'))
    _convert_with_values(bind, entry)


def _convert_with_values(bind, entry) -> None:
    """The sentences with values, one distinct sentence at a time (there are few: day counts,
    gaps and replaced invoices), each updated by its text in one statement."""
    candidates = bind.execute(
        sa.select(entry.c.reason).where(sa.or_(entry.c.reason.like('% of % days%'),
                                               entry.c.reason.like('invoice % replaced by invoice %')))
        .distinct()).scalars().all()
    replaced: dict[str, dict[str, int]] = {}
    for sentence in candidates:
        for code, pattern in PATTERNS.items():
            match = pattern.fullmatch(sentence)
            if match is None:
                continue
            values = {name: int(value) if name in _NUMBERS else value for name, value in match.groupdict().items()}
            if code == "replaced":
                replaced[sentence] = values
            else:
                bind.execute(entry.update().where(entry.c.reason == sentence)
                             .values(reason=code, reason_params=values))
            break
    # each replacement reversal's sentence names its own entry: group them by their two invoices
    for values in {json.dumps(v, sort_keys=True): v for v in replaced.values()}.values():
        prefix = f"invoice {values['original']} replaced by invoice {values['reissue']}: reverses entry "
        bind.execute(entry.update().where(entry.c.reason.like(prefix + '%'), entry.c.reverses_id.is_not(None))
                     .values(reason='replaced', reason_params=values))


def downgrade():
    bind = op.get_bind()
    entry = sa.table('journal_entry', sa.column('id', sa.Integer), sa.column('reason', sa.String),
                     sa.column('reason_params', sa.JSON), sa.column('reverses_id', sa.Integer))
    rows = bind.execute(sa.select(entry.c.id, entry.c.reason, entry.c.reason_params, entry.c.reverses_id)
                        .where(entry.c.reason.in_(list(SENTENCES)))).all()
    for row_id, code, params, reverses_id in rows:
        values = dict(json.loads(params) if isinstance(params, str) else params or {}, entry=reverses_id)
        bind.execute(entry.update().where(entry.c.id == row_id).values(reason=SENTENCES[code].format(**values)))
    if bind.dialect.name == 'postgresql':
        op.alter_column('journal_entry', 'reason', existing_type=sa.String(200), existing_nullable=True,
                        comment='Why (for suspense: what is missing)')
    if bind.dialect.name == 'sqlite':  # SQLite 3.35+ drops a column in place; batch mode would copy the journal
        op.execute('ALTER TABLE journal_entry DROP COLUMN reason_params')
    else:
        op.drop_column('journal_entry', 'reason_params')
