"""two roles outside the ledger: the cooperation's administrator and the contact centre

``cooperation`` sees the organisations of the cooperation and its contract register and
creates municipalities, but nothing of any municipality's ledger; ``contact_centre`` reads the
directory and its changes and nothing of costs. Both widen the CHECK constraints of
``user_account.role`` and ``sso_group_mapping.role``; the downgrade refuses while a user or a
group mapping holds one of them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

BEFORE = ('admin', 'finance', 'procurement', 'department', 'auditor')
AFTER = BEFORE + ('cooperation', 'contact_centre')
#: table → the name of its role CHECK (the enum's name under the naming convention)
CHECKS = {'user_account': 'user_role', 'sso_group_mapping': 'sso_group_role'}


@contextmanager
def _foreign_keys_deferred_to_the_end():
    """SQLite's batch mode copies, drops and renames a table; other rows refer to these, so
    enforcement is off for the migration and every reference is checked before it is on again."""
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


def _roles(values):
    return 'role IN (' + ', '.join(f"'{value}'" for value in values) + ')'


def _replace_checks(values):
    with _foreign_keys_deferred_to_the_end():
        for table, name in CHECKS.items():
            with op.batch_alter_table(table) as batch:
                batch.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
                batch.create_check_constraint(op.f(f'ck_{table}_{name}'), sa.text(_roles(values)))


def upgrade():
    _replace_checks(AFTER)


def downgrade():
    bind = op.get_bind()
    new = tuple(sorted(set(AFTER) - set(BEFORE)))
    for table in CHECKS:
        held = bind.execute(sa.text(f'SELECT count(*) FROM {table} WHERE role IN :roles')
                            .bindparams(sa.bindparam('roles', expanding=True)), {'roles': list(new)}).scalar()
        if held:
            raise RuntimeError(f'{held} rows of {table} hold a role the earlier schema does not know: {new}')
    _replace_checks(BEFORE)
