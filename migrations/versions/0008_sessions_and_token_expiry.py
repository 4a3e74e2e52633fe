"""sessions end on the server's side; API tokens may expire

``user_account.session_generation`` is part of every session cookie: log-out and a password
change raise it, and a cookie of an older generation no longer logs anyone in.
``api_token.expires_at`` is an optional end of a token's life.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False,
                                   comment='Raised on log-out and password change: ends every session'))
    with op.batch_alter_table('api_token') as batch:
        batch.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True,
                                   comment='When it stops working; NULL: never'))


def downgrade():
    with op.batch_alter_table('api_token') as batch:
        batch.drop_column('expires_at')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('session_generation')
