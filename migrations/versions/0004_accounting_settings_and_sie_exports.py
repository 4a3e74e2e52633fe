"""accounting settings per organisation; a record of every SIE export; closed months' administrations

``accounting_setting`` holds each organisation's settings as ``KEY → VALUE`` rows (see
``ledger.accounting``); every organisation that keeps a ledger gets the Kommun-Bas defaults as
they stood when this migration was written, its clearing account carried by its switchboard
carrier. ``sie_export`` records each SIE file handed to the financial system and
``sie_export_entry`` the journal entries it held, so that the next export of a period writes
only what is new. ``period_administration`` keeps, for each closed period, the administration
each unit belonged to at the close; the periods closed before this migration get it from the
unit history as it stands.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

"""
from datetime import date, datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# The defaults as this migration knows them (ledger/accounts.toml may move on).
DEFAULTS = {
    'account.subscription': '6810', 'account.usage': '6811', 'account.equipment': '6420',
    'account.switchboard_extension': '6820', 'account.operator_service': '6821', 'account.one_off': '6812',
    'account.other': '6890', 'clearing_account': '6819', 'rounding_account': '6899',
    'default_counterparty': '90', 'booking_method': 'transfer', 'internal_revenue_account': '3690',
    'internal_counterparty': '1', 'vouchers': 'invoice', 'sie.ansvar_dimension': '1',
    'sie.activity_dimension': '20', 'sie.counterparty': 'text', 'sie.counterparty_dimension': '21',
}


def upgrade():
    setting = op.create_table(
        'accounting_setting',
        sa.Column('organisation_id', sa.Integer(), nullable=False, comment='The municipality it belongs to'),
        sa.Column('key', sa.String(length=40), nullable=False, comment='The setting, as `accounts set` names it'),
        sa.Column('value', sa.String(length=40), nullable=False, comment='Its value as text; empty: none'),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False, comment='When it was last set'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_accounting_setting_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('organisation_id', 'key', name=op.f('pk_accounting_setting')),
    )
    op.create_table(
        'sie_export',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False, comment='The municipality it belongs to'),
        sa.Column('period', sa.String(length=7), nullable=False, comment='YYYY-MM'),
        sa.Column('everything', sa.Boolean(), nullable=False,
                  comment='True: the whole period again (--all); false: only what no export held'),
        sa.Column('voucher_count', sa.Integer(), nullable=False, comment='Vouchers in the file'),
        sa.Column('entry_count', sa.Integer(), nullable=False, comment='Journal entries in the file'),
        sa.Column('total_ore', sa.BigInteger(), nullable=False, comment='Sum of the debit rows'),
        sa.Column('sha256', sa.String(length=64), nullable=False, comment="SHA-256 of the file's bytes"),
        sa.Column('exported_by_id', sa.Integer(), nullable=True, comment='Who exported it'),
        sa.Column('exported_by_name', sa.String(length=120), nullable=False, comment='Their name, as in #GEN'),
        sa.Column('exported_at', sa.DateTime(timezone=True), nullable=False, comment='When'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_sie_export_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['exported_by_id'], ['user_account.id'],
                                name=op.f('fk_sie_export_exported_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sie_export')),
    )
    op.create_index(op.f('ix_sie_export_organisation_id'), 'sie_export', ['organisation_id', 'period'])
    op.create_table(
        'sie_export_entry',
        sa.Column('export_id', sa.Integer(), nullable=False, comment='The export'),
        sa.Column('journal_entry_id', sa.Integer(), nullable=False, comment='A journal entry it held'),
        sa.ForeignKeyConstraint(['export_id'], ['sie_export.id'], name=op.f('fk_sie_export_entry_export_id_sie_export')),
        sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entry.id'],
                                name=op.f('fk_sie_export_entry_journal_entry_id_journal_entry')),
        sa.PrimaryKeyConstraint('export_id', 'journal_entry_id', name=op.f('pk_sie_export_entry')),
    )
    op.create_index(op.f('ix_sie_export_entry_journal_entry_id'), 'sie_export_entry', ['journal_entry_id'])
    snapshot = op.create_table(
        'period_administration',
        sa.Column('period_id', sa.Integer(), nullable=False, comment='The closed period'),
        sa.Column('unit_id', sa.Integer(), nullable=False, comment='The unit'),
        sa.Column('administration_id', sa.Integer(), nullable=False,
                  comment='Its administration in that month, as closed'),
        sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_period_administration_period_id_period')),
        sa.ForeignKeyConstraint(['unit_id'], ['budget_unit.id'],
                                name=op.f('fk_period_administration_unit_id_budget_unit')),
        sa.ForeignKeyConstraint(['administration_id'], ['administration.id'],
                                name=op.f('fk_period_administration_administration_id_administration')),
        sa.PrimaryKeyConstraint('period_id', 'unit_id', name=op.f('pk_period_administration')),
    )
    _seed(setting)
    _snapshot_closed_periods(snapshot)


def _seed(setting):
    bind = op.get_bind()
    now = datetime.now(timezone.utc)
    organisations = bind.execute(sa.text('SELECT id FROM organisation WHERE keeps_ledger')).scalars().all()
    for organisation_id in organisations:
        carrier = bind.execute(sa.text('SELECT ansvar FROM budget_unit WHERE organisation_id = :o AND carries_switchboard'),
                               {'o': organisation_id}).scalar()
        values = {**DEFAULTS, 'clearing_ansvar': carrier or ''}
        bind.execute(setting.insert(), [{'organisation_id': organisation_id, 'key': key, 'value': value,
                                         'changed_at': now} for key, value in values.items()])


def _snapshot_closed_periods(snapshot):
    bind = op.get_bind()
    closed = bind.execute(sa.text("SELECT id, organisation_id, period FROM period WHERE status = 'closed'")).all()
    for period_id, organisation_id, period in closed:
        first = date(int(period[:4]), int(period[5:7]), 1)
        units = bind.execute(sa.text('SELECT id, administration_id FROM budget_unit WHERE organisation_id = :o'),
                             {'o': organisation_id}).all()
        rows = []
        for unit_id, current in units:
            member = bind.execute(sa.text(
                'SELECT administration_id FROM unit_membership WHERE unit_id = :u AND valid_from <= :d '
                'AND (valid_to IS NULL OR valid_to > :d)'), {'u': unit_id, 'd': first}).scalar()
            rows.append({'period_id': period_id, 'unit_id': unit_id, 'administration_id': member or current})
        if rows:
            bind.execute(snapshot.insert(), rows)


def downgrade():
    op.drop_table('period_administration')
    op.drop_index(op.f('ix_sie_export_entry_journal_entry_id'), table_name='sie_export_entry')
    op.drop_table('sie_export_entry')
    op.drop_index(op.f('ix_sie_export_organisation_id'), table_name='sie_export')
    op.drop_table('sie_export')
    op.drop_table('accounting_setting')
