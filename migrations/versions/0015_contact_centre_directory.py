"""contact centre directory: units' contact details, the change feed and its feed tokens

``unit_contact_details`` holds beside each budget unit what the contact centre tells a caller:
what it answers for, opening hours, phone times, e-mail and web form. ``directory_change`` is the
change feed of who answers a number (moves, approved move requests, reorganisations, new and
ended subscriptions, a unit's administration, its contact details), one row per change recorded
in the change's own transaction, with its numbers in ``directory_change_number``. ``feed_token``
is a user's secret feed address for mail clients (only its SHA-256). New tables only: nothing
existing is altered, so the upgrade needs no data step, and the feed starts empty.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

KINDS = ('moved', 'request', 'reorganisation', 'new', 'ended', 'reopened', 'administration', 'contact_details')


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'))


def upgrade():
    op.create_table(
        'unit_contact_details',
        sa.Column('unit_id', sa.Integer(), nullable=False, comment='The unit'),
        sa.Column('organisation_id', sa.Integer(), nullable=False, comment='The municipality it belongs to'),
        sa.Column('function', sa.String(length=500), nullable=True, comment='What the unit answers for (funktion)'),
        sa.Column('opening_hours', sa.String(length=200), nullable=True,
                  comment='Öppettider, as the unit words them'),
        sa.Column('phone_hours', sa.String(length=200), nullable=True, comment='Telefontider, as the unit words them'),
        sa.Column('email', sa.String(length=254), nullable=True,
                  comment="The unit's e-mail address (a functional box)"),
        sa.Column('web_form_url', sa.String(length=500), nullable=True, comment='Its web form: an http(s) address'),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False, comment='When last changed'),
        sa.Column('updated_by_id', sa.Integer(), nullable=True, comment='Who changed it last'),
        _fk('unit_contact_details', 'unit_id', 'budget_unit'),
        _fk('unit_contact_details', 'organisation_id', 'organisation'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                                name=op.f('fk_unit_contact_details_updated_by_id_user_account')),
        sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_unit_contact_details')),
    )
    op.create_index(op.f('ix_unit_contact_details_organisation_id'), 'unit_contact_details', ['organisation_id'])

    op.create_table(
        'directory_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False, comment='The municipality it belongs to'),
        sa.Column('kind', sa.Enum(*KINDS, name='directory_change_kind', native_enum=False, create_constraint=True,
                                  length=32), nullable=False, comment='moved, request, reorganisation, new, ended, …'),
        sa.Column('effective_on', sa.Date(), nullable=False, comment='First day the change holds'),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False, comment='When it was recorded'),
        sa.Column('from_unit_id', sa.Integer(), nullable=True,
                  comment='The unit that answered before (moves, ends)'),
        sa.Column('to_unit_id', sa.Integer(), nullable=True,
                  comment='The unit that answers from effective_on (moves, new)'),
        sa.Column('unit_id', sa.Integer(), nullable=True, comment='The unit a change of a unit is about'),
        sa.Column('from_administration_id', sa.Integer(), nullable=True, comment="A unit's administration before"),
        sa.Column('to_administration_id', sa.Integer(), nullable=True,
                  comment="A unit's administration from effective_on"),
        sa.Column('request_id', sa.Integer(), nullable=True, comment='The approved move request it carried out'),
        sa.Column('fields', sa.JSON(), nullable=True, comment='The contact details that changed'),
        _fk('directory_change', 'organisation_id', 'organisation'),
        _fk('directory_change', 'from_unit_id', 'budget_unit'),
        _fk('directory_change', 'to_unit_id', 'budget_unit'),
        _fk('directory_change', 'unit_id', 'budget_unit'),
        _fk('directory_change', 'from_administration_id', 'administration'),
        _fk('directory_change', 'to_administration_id', 'administration'),
        _fk('directory_change', 'request_id', 'assignment_request'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_change')),
    )
    op.create_index('ix_directory_change_recorded', 'directory_change', ['organisation_id', 'recorded_at'])

    op.create_table(
        'directory_change_number',
        sa.Column('change_id', sa.Integer(), nullable=False, comment='The change'),
        sa.Column('asset_id', sa.Integer(), nullable=False, comment='The subscription'),
        sa.Column('organisation_id', sa.Integer(), nullable=False, comment='The municipality it belongs to'),
        sa.Column('number', sa.String(length=32), nullable=False,
                  comment='The number (E.164) when the change was recorded'),
        sa.ForeignKeyConstraint(['change_id'], ['directory_change.id'], ondelete='CASCADE',
                                name=op.f('fk_directory_change_number_change_id_directory_change')),
        _fk('directory_change_number', 'asset_id', 'asset'),
        _fk('directory_change_number', 'organisation_id', 'organisation'),
        sa.PrimaryKeyConstraint('change_id', 'asset_id', name=op.f('pk_directory_change_number')),
    )
    op.create_index(op.f('ix_directory_change_number_organisation_id'), 'directory_change_number',
                    ['organisation_id'])

    op.create_table(
        'feed_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False, comment='The municipality of its user'),
        sa.Column('user_id', sa.Integer(), nullable=False, comment='Whose feed it is'),
        sa.Column('token_hash', sa.String(length=64), nullable=False, comment='SHA-256 of the token'),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False, comment='When made'),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True, comment='Last read of the feed with it'),
        _fk('feed_token', 'organisation_id', 'organisation'),
        _fk('feed_token', 'user_id', 'user_account'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_feed_token_token_hash')),
        sa.UniqueConstraint('user_id', name=op.f('uq_feed_token_user_id')),
    )
    op.create_index(op.f('ix_feed_token_organisation_id'), 'feed_token', ['organisation_id'])


def downgrade():
    op.drop_index(op.f('ix_feed_token_organisation_id'), table_name='feed_token')
    op.drop_table('feed_token')
    op.drop_index(op.f('ix_directory_change_number_organisation_id'), table_name='directory_change_number')
    op.drop_table('directory_change_number')
    op.drop_index('ix_directory_change_recorded', table_name='directory_change')
    op.drop_table('directory_change')
    op.drop_index(op.f('ix_unit_contact_details_organisation_id'), table_name='unit_contact_details')
    op.drop_table('unit_contact_details')
