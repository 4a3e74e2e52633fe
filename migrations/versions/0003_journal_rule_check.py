"""journal entries name one of the allocation's rules

``journal_entry.rule`` was a bare string; it is now the ``Rule`` enum of
``ledger.allocation.rules``, kept to its values by a CHECK constraint as the other enums are.
The column's type and data do not change.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# The values as this migration knows them: a later rule needs a migration of its own.
RULES = ('direct', 'switchboard_central', 'fee_funded_own', 'allowance_spread', 'rounding', 'suspense')
NAME = 'ck_journal_entry_journal_rule'


def upgrade():
    bind = op.get_bind()
    unknown = bind.execute(sa.text('SELECT DISTINCT rule FROM journal_entry WHERE rule NOT IN :rules')
                           .bindparams(sa.bindparam('rules', expanding=True)), {'rules': list(RULES)}).scalars().all()
    if unknown:
        raise RuntimeError(f'journal entries name rules the ledger does not know: {sorted(unknown)}')
    check = 'rule IN (' + ', '.join(f"'{rule}'" for rule in RULES) + ')'
    # journal_entry refers only to itself, so SQLite's batch copy needs no change of pragmas.
    with op.batch_alter_table('journal_entry') as batch:
        batch.create_check_constraint(op.f(NAME), sa.text(check))


def downgrade():
    with op.batch_alter_table('journal_entry') as batch:
        batch.drop_constraint(op.f(NAME), type_='check')
