"""finding lifecycle and claims

Compliance findings get a life (``ledger.findings``): ``finding`` (one per organisation and
fingerprint: kind and subject, never the month) with its status, owner and note;
``finding_occurrence`` (a finding in one month, with that month's amount and reason);
``finding_line`` (the claimable lines of a price deviation's month); ``finding_event`` (its
history). ``claim`` and ``claim_line``: prices above contract claimed from one supplier,
settled by the supplier's credit note. New tables only: nothing existing is altered.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

FINDING_STATUSES = ('new', 'acknowledged', 'claimed', 'credited', 'rejected', 'written_off')
CLAIM_STATUSES = ('draft', 'sent', 'credited', 'rejected', 'written_off')


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _fk(table, column, target, **options):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'), **options)


def upgrade():
    op.create_table(
        'finding',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False, comment='The municipality it concerns'),
        sa.Column('fingerprint', sa.String(length=160), nullable=False,
                  comment='Kind, organisation and subject (never the month): the same finding every month'),
        sa.Column('kind', sa.String(length=40), nullable=False, comment='A kind of ledger.procurement.compliance.KINDS'),
        sa.Column('status', _enum(FINDING_STATUSES, 'finding_status'), nullable=False,
                  comment='new, acknowledged, claimed, credited, rejected or written_off'),
        sa.Column('supplier_id', sa.Integer(), nullable=True, comment='The supplier, if any'),
        sa.Column('contract_id', sa.Integer(), nullable=True, comment='The contract, if any'),
        sa.Column('asset_id', sa.Integer(), nullable=True, comment='The subscription or handset, if any'),
        sa.Column('owner_id', sa.Integer(), nullable=True, comment='Who handles it'),
        sa.Column('note', sa.Text(), nullable=True, comment="The handler's note"),
        sa.Column('first_period', sa.String(length=7), nullable=False,
                  comment='The first month it was found in (YYYY-MM)'),
        sa.Column('last_period', sa.String(length=7), nullable=False,
                  comment='The latest month it was found in (YYYY-MM)'),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False, comment='When first recorded'),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True, comment='When its status last changed'),
        _fk('finding', 'asset_id', 'asset'),
        _fk('finding', 'contract_id', 'framework_contract'),
        _fk('finding', 'organisation_id', 'organisation'),
        _fk('finding', 'owner_id', 'user_account'),
        _fk('finding', 'supplier_id', 'supplier'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_finding')),
        sa.UniqueConstraint('organisation_id', 'fingerprint', name='uq_finding_fingerprint'),
    )
    op.create_index(op.f('ix_finding_organisation_id'), 'finding', ['organisation_id'])
    op.create_table(
        'claim',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False, comment='The municipality claiming'),
        sa.Column('supplier_id', sa.Integer(), nullable=False, comment='The supplier claimed from'),
        sa.Column('reference', sa.String(length=40), nullable=False, comment='Our reference, e.g. REK-2026-001'),
        sa.Column('status', _enum(CLAIM_STATUSES, 'claim_status'), nullable=False,
                  comment='draft, sent, credited, rejected or written_off'),
        sa.Column('note', sa.Text(), nullable=True, comment='A note to the supplier or about the claim'),
        sa.Column('created_by_id', sa.Integer(), nullable=True, comment='Who prepared it'),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False, comment='When prepared'),
        sa.Column('sent_on', sa.Date(), nullable=True, comment='The day it was sent to the supplier'),
        sa.Column('settled_on', sa.Date(), nullable=True, comment='The day it was credited, rejected or written off'),
        sa.Column('credit_note_id', sa.Integer(), nullable=True, comment="The supplier's credit note that settled it"),
        sa.Column('recovered_ore', sa.BigInteger(), nullable=True,
                  comment='What the credit note gave back of the claim (at most its total)'),
        _fk('claim', 'created_by_id', 'user_account'),
        _fk('claim', 'credit_note_id', 'invoice'),
        _fk('claim', 'organisation_id', 'organisation'),
        _fk('claim', 'supplier_id', 'supplier'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_claim')),
        sa.UniqueConstraint('credit_note_id', name='uq_claim_credit_note'),
        sa.UniqueConstraint('organisation_id', 'reference', name='uq_claim_reference'),
    )
    op.create_index(op.f('ix_claim_organisation_id'), 'claim', ['organisation_id'])
    op.create_index('uq_claim_draft', 'claim', ['organisation_id', 'supplier_id'], unique=True,
                    postgresql_where=sa.text("status = 'draft'"), sqlite_where=sa.text("status = 'draft'"))
    op.create_table(
        'finding_occurrence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False, comment='The municipality'),
        sa.Column('finding_id', sa.Integer(), nullable=False, comment='The finding'),
        sa.Column('period', sa.String(length=7), nullable=False, comment='The month (YYYY-MM)'),
        sa.Column('amount_ore', sa.BigInteger(), nullable=True,
                  comment="The lines' net amount, or a price deviation's excess"),
        sa.Column('line_count', sa.Integer(), nullable=False, comment='Invoice lines behind it that month'),
        sa.Column('reason', sa.Text(), nullable=False, comment='Why, in English (for scripts and logs)'),
        sa.Column('params', sa.JSON(), nullable=False, comment='The values of the reason'),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False, comment='When last recorded'),
        _fk('finding_occurrence', 'finding_id', 'finding'),
        _fk('finding_occurrence', 'organisation_id', 'organisation'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_occurrence')),
        sa.UniqueConstraint('finding_id', 'period', name='uq_finding_occurrence_period'),
    )
    op.create_index(op.f('ix_finding_occurrence_finding_id'), 'finding_occurrence', ['finding_id'])
    op.create_index('ix_finding_occurrence_org_period', 'finding_occurrence', ['organisation_id', 'period'])
    op.create_table(
        'claim_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False, comment='The municipality'),
        sa.Column('claim_id', sa.Integer(), nullable=False, comment='The claim'),
        sa.Column('finding_id', sa.Integer(), nullable=False, comment='The finding'),
        sa.Column('invoice_line_id', sa.Integer(), nullable=False, comment='The invoice line (claimed once)'),
        sa.Column('amount_ore', sa.BigInteger(), nullable=False, comment='Excess claimed'),
        sa.Column('contract_price', sa.Numeric(precision=18, scale=4), nullable=True,
                  comment="The contract's unit price"),
        _fk('claim_line', 'claim_id', 'claim', ondelete='CASCADE'),
        _fk('claim_line', 'finding_id', 'finding'),
        _fk('claim_line', 'invoice_line_id', 'invoice_line'),
        _fk('claim_line', 'organisation_id', 'organisation'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_line')),
        sa.UniqueConstraint('invoice_line_id', name='uq_claim_line_invoice_line'),
    )
    op.create_index(op.f('ix_claim_line_claim_id'), 'claim_line', ['claim_id'])
    op.create_index(op.f('ix_claim_line_finding_id'), 'claim_line', ['finding_id'])
    op.create_table(
        'finding_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('finding_id', sa.Integer(), nullable=False, comment='The finding'),
        sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False, comment='When'),
        sa.Column('actor_id', sa.Integer(), nullable=True, comment='Who (NULL: the compliance check)'),
        sa.Column('action', sa.String(length=32), nullable=False, comment='record, acknowledge, claim, credit, …, update'),
        sa.Column('from_status', _enum(FINDING_STATUSES, 'finding_event_from'), nullable=True,
                  comment='Status before (NULL when recorded)'),
        sa.Column('to_status', _enum(FINDING_STATUSES, 'finding_event_to'), nullable=False, comment='Status after'),
        sa.Column('period', sa.String(length=7), nullable=True, comment='The month found in, for record and recur'),
        sa.Column('claim_id', sa.Integer(), nullable=True, comment='The claim that moved it'),
        sa.Column('note', sa.Text(), nullable=True, comment='Why'),
        _fk('finding_event', 'actor_id', 'user_account'),
        _fk('finding_event', 'claim_id', 'claim'),
        _fk('finding_event', 'finding_id', 'finding'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_event')),
    )
    op.create_index(op.f('ix_finding_event_finding_id'), 'finding_event', ['finding_id'])
    op.create_table(
        'finding_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('occurrence_id', sa.Integer(), nullable=False, comment="The month's occurrence"),
        sa.Column('invoice_line_id', sa.Integer(), nullable=False, comment='The invoice line'),
        sa.Column('amount_ore', sa.BigInteger(), nullable=False, comment='Excess over the contract price'),
        sa.Column('contract_price', sa.Numeric(precision=18, scale=4), nullable=True,
                  comment="The contract's unit price"),
        _fk('finding_line', 'invoice_line_id', 'invoice_line'),
        _fk('finding_line', 'occurrence_id', 'finding_occurrence', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_line')),
        sa.UniqueConstraint('occurrence_id', 'invoice_line_id', name='uq_finding_line_line'),
    )
    op.create_index(op.f('ix_finding_line_occurrence_id'), 'finding_line', ['occurrence_id'])


def downgrade():
    op.drop_index(op.f('ix_finding_line_occurrence_id'), table_name='finding_line')
    op.drop_table('finding_line')
    op.drop_index(op.f('ix_finding_event_finding_id'), table_name='finding_event')
    op.drop_table('finding_event')
    op.drop_index(op.f('ix_claim_line_finding_id'), table_name='claim_line')
    op.drop_index(op.f('ix_claim_line_claim_id'), table_name='claim_line')
    op.drop_table('claim_line')
    op.drop_index('ix_finding_occurrence_org_period', table_name='finding_occurrence')
    op.drop_index(op.f('ix_finding_occurrence_finding_id'), table_name='finding_occurrence')
    op.drop_table('finding_occurrence')
    op.drop_index('uq_claim_draft', table_name='claim')
    op.drop_index(op.f('ix_claim_organisation_id'), table_name='claim')
    op.drop_table('claim')
    op.drop_index(op.f('ix_finding_organisation_id'), table_name='finding')
    op.drop_table('finding')
