"""an invoice can be replaced by its corrected re-issue; imports can end in a conflict

``invoices replace ID FILE`` keeps the original invoice, marked ``replaced_at`` and
``replaced_by_id``, beside the corrected re-issue that has its supplier, type and number: the
unique constraint on those becomes a unique index over the invoices not replaced. The import
status ``conflict`` (same number, other content) joins the values ``invoice_import.status``
may hold.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

NUMBER_COLUMNS = ['organisation_id', 'supplier_id', 'document_type', 'number']
CURRENT = sa.text('replaced_at IS NULL')
STATUS_CHECK = 'ck_invoice_import_import_status'
STATUSES_BEFORE = ('imported', 'duplicate', 'rejected')
STATUSES_AFTER = STATUSES_BEFORE + ('conflict',)


@contextmanager
def _foreign_keys_deferred_to_the_end():
    """On SQLite, batch mode recreates a table by copying it, dropping it and renaming the
    copy; with foreign keys enforced, dropping a table other rows refer to fails. Enforcement
    is switched off for the migration (the pragma works only outside a transaction) and every
    reference is checked before it is switched on again. PostgreSQL checks as it goes."""
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


def _statuses(values):
    return 'status IN (' + ', '.join(f"'{value}'" for value in values) + ')'


def upgrade():
    with _foreign_keys_deferred_to_the_end():
        with op.batch_alter_table('invoice') as batch:
            batch.add_column(sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=True,
                                       comment='When a corrected re-issue replaced it (invoices replace); '
                                               'then it is not allocated'))
            batch.add_column(sa.Column('replaced_by_id', sa.Integer(), nullable=True,
                                       comment='The corrected re-issue that replaced it'))
            batch.create_foreign_key(op.f('fk_invoice_replaced_by_id_invoice'), 'invoice', ['replaced_by_id'], ['id'])
            batch.drop_constraint('uq_invoice_number', type_='unique')
        op.create_index('uq_invoice_number', 'invoice', NUMBER_COLUMNS, unique=True,
                        postgresql_where=CURRENT, sqlite_where=CURRENT)
        with op.batch_alter_table('invoice_import') as batch:
            batch.drop_constraint(op.f(STATUS_CHECK), type_='check')
            batch.create_check_constraint(op.f(STATUS_CHECK), sa.text(_statuses(STATUSES_AFTER)))


def downgrade():
    bind = op.get_bind()
    replaced = bind.execute(sa.text('SELECT COUNT(*) FROM invoice WHERE replaced_at IS NOT NULL')).scalar_one()
    if replaced:
        raise RuntimeError(f'{replaced} invoice(s) were replaced by a corrected re-issue with the same number; '
                           'the schema before 0005 cannot hold both')
    conflicts = bind.execute(sa.text("SELECT COUNT(*) FROM invoice_import WHERE status = 'conflict'")).scalar_one()
    if conflicts:
        raise RuntimeError(f'{conflicts} import(s) have the status conflict, which the schema before 0005 refuses')
    with _foreign_keys_deferred_to_the_end():
        with op.batch_alter_table('invoice_import') as batch:
            batch.drop_constraint(op.f(STATUS_CHECK), type_='check')
            batch.create_check_constraint(op.f(STATUS_CHECK), sa.text(_statuses(STATUSES_BEFORE)))
        op.drop_index('uq_invoice_number', table_name='invoice')
        with op.batch_alter_table('invoice') as batch:
            batch.create_unique_constraint('uq_invoice_number', NUMBER_COLUMNS)
            batch.drop_constraint(op.f('fk_invoice_replaced_by_id_invoice'), type_='foreignkey')
            batch.drop_column('replaced_by_id')
            batch.drop_column('replaced_at')
