"""the balance table: the journal summed per period, unit, administration, category and account

The pages and reports of budget against actual read ``journal_balance`` instead of scanning
the journal; the allocation keeps it in the same transaction as the entries. This migration
fills it from the journal as it stands.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

CATEGORIES = ('subscription', 'usage', 'equipment', 'switchboard_extension', 'operator_service', 'one_off', 'other')


def upgrade():
    op.create_table(
        'journal_balance',
        sa.Column('period_id', sa.Integer(), nullable=False, comment='Period booked in'),
        sa.Column('unit_id', sa.Integer(), nullable=False, comment='Unit charged'),
        sa.Column('administration_id', sa.Integer(), nullable=False, comment="The unit's administration as booked"),
        sa.Column('category', sa.Enum(*CATEGORIES, name='balance_category', native_enum=False, create_constraint=True,
                                      length=32), nullable=False, comment="The invoice line's cost category"),
        sa.Column('account', sa.String(length=8), nullable=False, comment='Account booked on'),
        sa.Column('organisation_id', sa.Integer(), nullable=False, comment='The municipality it belongs to'),
        sa.Column('amount_ore', sa.BigInteger(), nullable=False, comment='Sum of the entries, in öre'),
        sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_journal_balance_period_id_period')),
        sa.ForeignKeyConstraint(['unit_id'], ['budget_unit.id'], name=op.f('fk_journal_balance_unit_id_budget_unit')),
        sa.ForeignKeyConstraint(['administration_id'], ['administration.id'],
                                name=op.f('fk_journal_balance_administration_id_administration')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_journal_balance_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('period_id', 'unit_id', 'administration_id', 'category', 'account',
                                name=op.f('pk_journal_balance')),
    )
    op.create_index(op.f('ix_journal_balance_organisation_id'), 'journal_balance', ['organisation_id'])
    op.execute(
        "INSERT INTO journal_balance (period_id, unit_id, administration_id, category, account, organisation_id, "
        "amount_ore) "
        "SELECT e.period_id, e.unit_id, e.administration_id, l.category, e.account, e.organisation_id, "
        "SUM(e.amount_ore) FROM journal_entry e JOIN invoice_line l ON l.id = e.invoice_line_id "
        "WHERE e.unit_id IS NOT NULL AND e.administration_id IS NOT NULL "
        "GROUP BY e.period_id, e.unit_id, e.administration_id, l.category, e.account, e.organisation_id")


def downgrade():
    op.drop_index(op.f('ix_journal_balance_organisation_id'), table_name='journal_balance')
    op.drop_table('journal_balance')
