"""an invoice line's organisation and invoice carry no foreign keys; check verifies them instead

The import writes ``invoice_line`` in bulk from its staging table, one ``INSERT … SELECT`` per
file, taking the organisation and the invoice from the invoice row the same transaction has
just written. On PostgreSQL the two per-row checks cost about a third of that statement's
server time. They go; ``flask check`` verifies the same references set-based (``orphans``), as
for the journal's bulk-filled columns (0007). The key on the matched asset stays: the asset
is what the inventory, and so a user, keeps.

The index on ``invoice_id`` alone goes too: the unique constraint on (invoice, source,
position) begins with the invoice and serves every lookup by it, and each index is one more
write per line.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02

"""
from contextlib import contextmanager

from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

#: column → the table it refers to; the constraint is named by the naming convention
DROPPED = {'organisation_id': 'organisation', 'invoice_id': 'invoice'}


def _name(column, table):
    return f'fk_invoice_line_{column}_{table}'


@contextmanager
def _foreign_keys_deferred_to_the_end():
    """On SQLite, batch mode copies the table, drops it and renames the copy; the journal
    refers to ``invoice_line``, so enforcement is off for the rebuild and every reference is
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
        with op.batch_alter_table('invoice_line') as batch:
            for column, table in DROPPED.items():
                batch.drop_constraint(_name(column, table), type_='foreignkey')
            batch.drop_index('ix_invoice_line_invoice_id')


def downgrade():
    with _foreign_keys_deferred_to_the_end():
        with op.batch_alter_table('invoice_line') as batch:
            batch.create_index('ix_invoice_line_invoice_id', ['invoice_id'], unique=False)
            for column, table in DROPPED.items():
                batch.create_foreign_key(_name(column, table), table, [column], ['id'])
