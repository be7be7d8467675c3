"""Former public addresses of listings, kept to redirect after a rename

Revision ID: i13_former_slugs
Revises: b81d4c2e9a13
Create Date: 2026-12-02 12:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "i13_former_slugs"
down_revision = "b81d4c2e9a13"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "former_slugs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_former_slugs_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_former_slugs")),
        sa.UniqueConstraint("slug", name=op.f("uq_former_slugs_slug")),
    )
    with op.batch_alter_table("former_slugs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_former_slugs_clinic_id"), ["clinic_id"], unique=False)


def downgrade():
    with op.batch_alter_table("former_slugs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_former_slugs_clinic_id"))
    op.drop_table("former_slugs")
