"""the journal's bulk-filled columns carry no foreign keys; check verifies them instead

``journal_entry`` gets its organisation, period, run, administration, invoice and assignment
from rows the allocation has just read in the same transaction; on PostgreSQL the six per-row
checks cost more server time than the inserts themselves. They go; ``flask check`` verifies the
same references set-based (``orphans``). The keys on the unit, the invoice line, the allowance
and the reversed entry stay.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

"""
from contextlib import contextmanager

from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

#: column → the table it refers to; the constraint is named by the naming convention
DROPPED = {
    'organisation_id': 'organisation', 'period_id': 'period', 'run_id': 'allocation_run',
    'administration_id': 'administration', 'invoice_id': 'invoice', 'assignment_id': 'assignment',
}


def _name(column, table):
    return f'fk_journal_entry_{column}_{table}'


@contextmanager
def _foreign_keys_deferred_to_the_end():
    """On SQLite, batch mode copies the table, drops it and renames the copy; other tables
    refer to ``journal_entry``, so enforcement is off for the rebuild and every reference is
    checked before it is on again. PostgreSQL drops constraints in place."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        yield
        return
    with op.get_context().autocommit_block():
        op.execute('PRAGMA foreign_keys=OFF')
    yield
    broken = bind.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
    if broken:
        raise RuntimeError(f'the migration left rows referring to nothing: {broken[:10]}')
    with op.get_context().autocommit_block():
        op.execute('PRAGMA foreign_keys=ON')


def upgrade():
    with _foreign_keys_deferred_to_the_end():
        with op.batch_alter_table('journal_entry') as batch:
            for column, table in DROPPED.items():
                batch.drop_constraint(_name(column, table), type_='foreignkey')


def downgrade():
    with _foreign_keys_deferred_to_the_end():
        with op.batch_alter_table('journal_entry') as batch:
            for column, table in DROPPED.items():
                batch.create_foreign_key(_name(column, table), table, [column], ['id'])
