"""Freshness and problem reports

An index for finding out-of-date listings; on problem_reports a rule that a
resolution names its moderator and note, an index for the open reports, and a
trigger that keeps reports from being deleted.

Revision ID: 7f3c2a91d5e4
Revises: 33b69ae89f21
Create Date: 2026-11-22 02:05:00

"""
from alembic import op

from portal.dbguards import install_guards


# revision identifiers, used by Alembic.
revision = '7f3c2a91d5e4'
down_revision = '33b69ae89f21'
branch_labels = None
depends_on = None

RESOLUTION_RULE = (
    "resolved_at IS NULL OR (resolved_by_id IS NOT NULL AND length(resolution_note) > 0)"
)


def upgrade():
    with op.batch_alter_table('clinics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clinics_last_confirmed_at'), ['last_confirmed_at'], unique=False)

    with op.batch_alter_table('problem_reports', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_problem_reports_resolution_note_required'), RESOLUTION_RULE)
        batch_op.create_index('ix_problem_reports_open', ['resolved_at', 'created_at'], unique=False)

    install_guards(op.get_bind())


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS problem_reports_no_delete ON problem_reports")
        op.execute("DROP FUNCTION IF EXISTS portal_refuse_delete()")
    else:
        op.execute("DROP TRIGGER IF EXISTS problem_reports_no_delete")

    with op.batch_alter_table('problem_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_problem_reports_open')
        batch_op.drop_constraint(op.f('ck_problem_reports_resolution_note_required'), type_='check')

    with op.batch_alter_table('clinics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinics_last_confirmed_at'))
