"""private use indicators (not yet written: an empty step in the chain)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

"""

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
