"""single sign-on: directory groups mapped to roles and units

``sso_group_mapping`` holds, per municipality, which role (and, for department users, which
units) the members of a provider's group get; ``sso_group_unit`` the units.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

ROLES = ('admin', 'finance', 'procurement', 'department', 'auditor')


def upgrade():
    op.create_table(
        'sso_group_mapping',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False,
                  comment='The municipality whose people the group holds'),
        sa.Column('group_name', sa.String(length=256), nullable=False,
                  comment='The group as the provider names it (a claim value)'),
        sa.Column('role', sa.Enum(*ROLES, name='sso_group_role', native_enum=False, create_constraint=True,
                                  length=32), nullable=False, comment='The role its members get'),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False, comment='When added'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_sso_group_mapping_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_group_mapping')),
        sa.UniqueConstraint('organisation_id', 'group_name', name='uq_sso_group_mapping_group'),
    )
    op.create_index(op.f('ix_sso_group_mapping_organisation_id'), 'sso_group_mapping', ['organisation_id'])
    op.create_table(
        'sso_group_unit',
        sa.Column('mapping_id', sa.Integer(), nullable=False, comment='Group mapping'),
        sa.Column('unit_id', sa.Integer(), nullable=False, comment='Unit its members see'),
        sa.ForeignKeyConstraint(['mapping_id'], ['sso_group_mapping.id'], ondelete='CASCADE',
                                name=op.f('fk_sso_group_unit_mapping_id_sso_group_mapping')),
        sa.ForeignKeyConstraint(['unit_id'], ['budget_unit.id'], name=op.f('fk_sso_group_unit_unit_id_budget_unit')),
        sa.PrimaryKeyConstraint('mapping_id', 'unit_id', name=op.f('pk_sso_group_unit')),
        comment="The budget units a directory group's department users see",
    )


def downgrade():
    op.drop_table('sso_group_unit')
    op.drop_index(op.f('ix_sso_group_mapping_organisation_id'), table_name='sso_group_mapping')
    op.drop_table('sso_group_mapping')
