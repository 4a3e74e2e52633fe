"""personal data retention: the assets whose names were pseudonymised

``pseudonymised_asset`` notes, per subscription or handset past the retention period
(``LEDGER_PRIVACY_RETENTION_MONTHS``), when ``privacy purge`` replaced the names in its columns
and its audit history by pseudonyms, so that the next purge passes it by. It holds no name.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pseudonymised_asset',
        sa.Column('asset_id', sa.Integer(), nullable=False, comment='The subscription or handset'),
        sa.Column('organisation_id', sa.Integer(), nullable=False, comment='The municipality it belongs to'),
        sa.Column('pseudonymised_at', sa.DateTime(timezone=True), nullable=False,
                  comment='When its names were last pseudonymised'),
        sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_pseudonymised_asset_asset_id_asset')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_pseudonymised_asset_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('asset_id', name=op.f('pk_pseudonymised_asset')),
    )
    op.create_index(op.f('ix_pseudonymised_asset_organisation_id'), 'pseudonymised_asset', ['organisation_id'])


def downgrade():
    op.drop_index(op.f('ix_pseudonymised_asset_organisation_id'), table_name='pseudonymised_asset')
    op.drop_table('pseudonymised_asset')
