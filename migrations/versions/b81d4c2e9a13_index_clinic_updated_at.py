"""Index clinics.updated_at

Its newest value is the listings' version, read on every search to key the
search cache; the index makes that read a single lookup.

Revision ID: b81d4c2e9a13
Revises: 7f3c2a91d5e4
Create Date: 2026-12-02 07:05:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b81d4c2e9a13'
down_revision = '7f3c2a91d5e4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clinics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clinics_updated_at'), ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('clinics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinics_updated_at'))
