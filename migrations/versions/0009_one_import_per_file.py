"""the same file is imported once per organisation: a unique index on the file's hash

Two imports of one file at once could both succeed on SQLite (two ``invoice_import`` rows with
one SHA-256, the lines attached twice), and on PostgreSQL the loser ended in an error. The
index makes the database decide; the import tells the loser it is a duplicate. A database
that already holds such a pair must be mended first (which of the two to keep is a person's
decision), so the migration stops and names them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    twice = op.get_bind().execute(sa.text(
        "SELECT organisation_id, sha256, MIN(id), MAX(id) FROM invoice_import "
        "GROUP BY organisation_id, sha256 HAVING COUNT(*) > 1")).all()
    if twice:
        pairs = "; ".join(f"imports {first} and {last} (organisation {org})" for org, _, first, last in twice)
        raise RuntimeError(f"the same file was imported twice: {pairs}. Delete one import with its invoices "
                           "and lines (and reverse their journal entries), then migrate again.")
    with op.batch_alter_table('invoice_import') as batch:
        batch.drop_index('ix_invoice_import_sha256')
        batch.create_index('uq_invoice_import_file', ['organisation_id', 'sha256'], unique=True)


def downgrade():
    with op.batch_alter_table('invoice_import') as batch:
        batch.drop_index('uq_invoice_import_file')
        batch.create_index('ix_invoice_import_sha256', ['sha256'], unique=False)
