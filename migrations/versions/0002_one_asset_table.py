"""one asset table: subscriptions and handsets share one identity

Subscriptions and handsets become two kinds of one ``asset`` (joined-table inheritance).
``asset`` holds what both have (organisation, kind, number or IMEI, contract); ``subscription``
and ``handset`` keep what only one kind has, under the asset's id. Assignments, move requests
and invoice lines refer to one ``asset_id`` instead of a subscription or a handset column.

Subscriptions keep their ids. Handsets get new ids after the largest subscription id (old id
plus that offset), so that ids are unique across both kinds; every reference to a handset moves
with it. A downgrade restores the old columns with their data; handsets keep their new ids.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

#: The tables that refer to a subscription or a handset (besides subscription.handset_id): the
#: comment of their asset_id, the comments of the two old columns, the old indexes and the new one.
REFERRING = {
    'assignment': {
        'comment': 'The subscription or handset assigned',
        'old_comments': ('The subscription assigned (or NULL)', 'The handset assigned (or NULL)'),
        'old_indexes': (('ix_assignment_subscription_period', ['subscription_id', 'valid_from']),
                        ('ix_assignment_handset_period', ['handset_id', 'valid_from'])),
        'index': ('ix_assignment_asset_period', ['asset_id', 'valid_from']),
        'required': True,
    },
    'assignment_request': {
        'comment': 'The subscription or handset to move',
        'old_comments': ('The subscription to move (or NULL)', 'The handset to move'),
        'old_indexes': (),
        'index': None,
        'required': True,
    },
    'invoice_line': {
        'comment': 'Matched subscription or handset',
        'old_comments': ('Matched subscription', 'Matched handset'),
        'old_indexes': (('ix_invoice_line_subscription_id', ['subscription_id']),
                        ('ix_invoice_line_handset_id', ['handset_id'])),
        'index': ('ix_invoice_line_asset_id', ['asset_id']),
        'required': False,  # a line may match no asset
    },
}
OLD_COLUMNS = (('subscription_id', 'subscription'), ('handset_id', 'handset'))


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


def _reset_sequence(table):
    """PostgreSQL: the table's id sequence continues after its largest id."""
    op.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
               f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")


def upgrade():
    bind = op.get_bind()
    postgresql = bind.dialect.name == 'postgresql'
    offset = bind.execute(sa.text('SELECT COALESCE(MAX(id), 0) FROM subscription')).scalar_one()
    with _foreign_keys_deferred_to_the_end():
        op.create_table('asset',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False, comment='The municipality it belongs to'),
        sa.Column('type', sa.Enum('subscription', 'handset', name='asset_type', native_enum=False, create_constraint=True, length=32), nullable=False, comment='subscription or handset: the table with the rest of it'),
        sa.Column('identifier', sa.String(length=20), nullable=False, comment="A subscription's phone number in E.164 (+46…); a handset's IMEI (15 digits)"),
        sa.Column('contract_id', sa.Integer(), nullable=True, comment='Framework contract it was ordered or bought on; NULL if off contract'),
        sa.ForeignKeyConstraint(['contract_id'], ['framework_contract.id'], name=op.f('fk_asset_contract_id_framework_contract')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_asset_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_asset')),
        sa.UniqueConstraint('organisation_id', 'type', 'identifier', name='uq_asset_identifier')
        )
        with op.batch_alter_table('asset', schema=None) as batch_op:
            batch_op.create_index(batch_op.f('ix_asset_organisation_id'), ['organisation_id'], unique=False)

        op.execute('INSERT INTO asset (id, organisation_id, type, identifier, contract_id) '
                   "SELECT id, organisation_id, 'subscription', number, contract_id FROM subscription")
        op.execute(sa.text('INSERT INTO asset (id, organisation_id, type, identifier, contract_id) '
                           "SELECT id + :offset, organisation_id, 'handset', imei, contract_id FROM handset")
                   .bindparams(offset=offset))
        if postgresql:
            _reset_sequence('asset')

        # Assignments, requests and lines: one asset_id instead of the two columns.
        for table, spec in REFERRING.items():
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.add_column(sa.Column('asset_id', sa.Integer(), nullable=True, comment=spec['comment']))
            op.execute(sa.text(f'UPDATE {table} SET asset_id = COALESCE(subscription_id, handset_id + :offset)')
                       .bindparams(offset=offset))
            with op.batch_alter_table(table, schema=None) as batch_op:
                for name, _ in spec['old_indexes']:
                    batch_op.drop_index(name)
                if spec['required']:
                    batch_op.drop_constraint(batch_op.f(f'ck_{table}_exactly_one_asset'), type_='check')
                for column, kind in OLD_COLUMNS:
                    batch_op.drop_constraint(batch_op.f(f'fk_{table}_{column}_{kind}'), type_='foreignkey')
                    batch_op.drop_column(column)
                if spec['required']:
                    batch_op.alter_column('asset_id', existing_type=sa.Integer(), nullable=False,
                                          existing_comment=spec['comment'])
                batch_op.create_foreign_key(batch_op.f(f'fk_{table}_asset_id_asset'), 'asset', ['asset_id'], ['id'])
                if spec['index']:
                    batch_op.create_index(*spec['index'], unique=False)

        # The SIM's handset follows the handset to its new id; nothing else refers to a handset now.
        with op.batch_alter_table('subscription', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('fk_subscription_handset_id_handset'), type_='foreignkey')
        op.execute(sa.text('UPDATE subscription SET handset_id = handset_id + :offset WHERE handset_id IS NOT NULL')
                   .bindparams(offset=offset))
        op.execute('UPDATE handset SET id = -id')  # in two steps: no new id meets an old one on the way
        op.execute(sa.text('UPDATE handset SET id = :offset - id').bindparams(offset=offset))

        # What moved into asset leaves the kinds' own tables; their id is the asset's.
        for table, identifier in (('subscription', 'number'), ('handset', 'imei')):
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.drop_index(batch_op.f(f'ix_{table}_organisation_id'))
                batch_op.drop_constraint(f'uq_{table}_{identifier}', type_='unique')
                batch_op.drop_constraint(batch_op.f(f'fk_{table}_organisation_id_organisation'), type_='foreignkey')
                batch_op.drop_constraint(batch_op.f(f'fk_{table}_contract_id_framework_contract'), type_='foreignkey')
                batch_op.drop_column('organisation_id')
                batch_op.drop_column(identifier)
                batch_op.drop_column('contract_id')
                batch_op.alter_column('id', existing_type=sa.Integer(), existing_nullable=False,
                                      comment='The asset it is')
                batch_op.create_foreign_key(batch_op.f(f'fk_{table}_id_asset'), 'asset', ['id'], ['id'])
        with op.batch_alter_table('subscription', schema=None) as batch_op:
            batch_op.create_foreign_key(batch_op.f('fk_subscription_handset_id_handset'), 'handset', ['handset_id'],
                                        ['id'])
        if postgresql:  # new subscriptions and handsets take their id from asset's sequence
            for table in ('subscription', 'handset'):
                op.execute(f'ALTER TABLE {table} ALTER COLUMN id DROP DEFAULT')
                op.execute(f'DROP SEQUENCE IF EXISTS {table}_id_seq')


def downgrade():
    bind = op.get_bind()
    postgresql = bind.dialect.name == 'postgresql'
    with _foreign_keys_deferred_to_the_end():
        # The kinds' own tables take back what asset holds.
        kinds = (
            ('subscription', sa.Column('number', sa.String(length=20), comment='Phone number in E.164, +46…'),
             sa.Column('contract_id', sa.Integer(), comment='Framework contract it was ordered on')),
            ('handset', sa.Column('imei', sa.String(length=15), comment='IMEI, 15 digits, Luhn-checked'),
             sa.Column('contract_id', sa.Integer(), comment='Contract it was bought on; NULL if off contract')),
        )
        for table, identifier, contract in kinds:
            if postgresql:
                op.execute(f'CREATE SEQUENCE {table}_id_seq OWNED BY {table}.id')
                op.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')")
                _reset_sequence(table)
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True,
                                              comment='The municipality it belongs to'))
                batch_op.add_column(identifier)
                batch_op.add_column(contract)
            for column, source in (('organisation_id', 'organisation_id'), (identifier.name, 'identifier'),
                                   ('contract_id', 'contract_id')):
                op.execute(f'UPDATE {table} SET {column} = (SELECT {source} FROM asset WHERE asset.id = {table}.id)')
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.drop_constraint(batch_op.f(f'fk_{table}_id_asset'), type_='foreignkey')
                batch_op.alter_column('id', existing_type=sa.Integer(), existing_nullable=False, comment=None,
                                      existing_comment='The asset it is')
                batch_op.alter_column('organisation_id', existing_type=sa.Integer(), nullable=False,
                                      existing_comment='The municipality it belongs to')
                batch_op.alter_column(identifier.name, existing_type=identifier.type, nullable=False,
                                      existing_comment=identifier.comment)
                batch_op.create_foreign_key(batch_op.f(f'fk_{table}_organisation_id_organisation'), 'organisation',
                                            ['organisation_id'], ['id'])
                batch_op.create_foreign_key(batch_op.f(f'fk_{table}_contract_id_framework_contract'),
                                            'framework_contract', ['contract_id'], ['id'])
                batch_op.create_unique_constraint(f'uq_{table}_{identifier.name}', ['organisation_id', identifier.name])
                batch_op.create_index(batch_op.f(f'ix_{table}_organisation_id'), ['organisation_id'], unique=False)

        # Assignments, requests and lines: the subscription or the handset column again.
        for table, spec in REFERRING.items():
            with op.batch_alter_table(table, schema=None) as batch_op:
                for (column, _), comment in zip(OLD_COLUMNS, spec['old_comments']):
                    batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True, comment=comment))
            for column, kind in OLD_COLUMNS:
                op.execute(f'UPDATE {table} SET {column} = asset_id WHERE asset_id IN '
                           f"(SELECT id FROM asset WHERE type = '{kind}')")
            with op.batch_alter_table(table, schema=None) as batch_op:
                if spec['index']:
                    batch_op.drop_index(spec['index'][0])
                batch_op.drop_constraint(batch_op.f(f'fk_{table}_asset_id_asset'), type_='foreignkey')
                batch_op.drop_column('asset_id')
                for column, kind in OLD_COLUMNS:
                    batch_op.create_foreign_key(batch_op.f(f'fk_{table}_{column}_{kind}'), kind, [column], ['id'])
                if spec['required']:
                    batch_op.create_check_constraint(batch_op.f(f'ck_{table}_exactly_one_asset'),
                                                     '(subscription_id IS NULL) <> (handset_id IS NULL)')
                for name, columns in spec['old_indexes']:
                    batch_op.create_index(name, columns, unique=False)

        with op.batch_alter_table('asset', schema=None) as batch_op:
            batch_op.drop_index(batch_op.f('ix_asset_organisation_id'))
        op.drop_table('asset')
