"""Care beyond the clinic door: settings, telehealth states, languages, hours, ...

Coded facts patients filter on live in one table (`clinic_codes`, indexed by
kind and code); telehealth states with their licence numbers in another.

Revision ID: i17_care_settings
Revises: i18_mail_teams_claims
Create Date: 2026-12-02 12:20:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'i17_care_settings'
down_revision = 'i18_mail_teams_claims'
branch_labels = None
depends_on = None

KINDS = "'settings', 'languages', 'accessibility', 'age_groups', 'insurers'"
STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
    "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR"
).split()


def upgrade():
    with op.batch_alter_table('clinics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('telehealth_evaluation', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('remote_companion', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('remote_monitoring', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('first_dose_supervised', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('emergency_plan', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('hours', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('local_timezone', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('accessibility_note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('booking_url', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('clinicians', sa.JSON(), nullable=False, server_default='[]'))

    with op.batch_alter_table('verifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('telehealth_licences_checked_how', sa.Text(), nullable=False, server_default=''))

    op.create_table(
        'clinic_codes',
        sa.Column('clinic_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f('ck_clinic_codes_kind')),
        sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_clinic_codes_clinic_id_clinics')),
        sa.PrimaryKeyConstraint('clinic_id', 'kind', 'code', name=op.f('pk_clinic_codes')),
    )
    op.create_index('ix_clinic_codes_kind_code_clinic', 'clinic_codes', ['kind', 'code', 'clinic_id'], unique=False)
    quoted = ", ".join(f"'{state}'" for state in STATES)
    op.create_table(
        'clinic_telehealth_states',
        sa.Column('clinic_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=2), nullable=False),
        sa.Column('licence_number', sa.String(length=40), nullable=False),
        sa.CheckConstraint(f"state IN ({quoted})", name=op.f('ck_clinic_telehealth_states_state')),
        sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_clinic_telehealth_states_clinic_id_clinics')),
        sa.PrimaryKeyConstraint('clinic_id', 'state', name=op.f('pk_clinic_telehealth_states')),
    )
    op.create_index('ix_clinic_telehealth_states_state_clinic', 'clinic_telehealth_states', ['state', 'clinic_id'], unique=False)


def downgrade():
    with op.batch_alter_table('verifications', schema=None) as batch_op:
        batch_op.drop_column('telehealth_licences_checked_how')
    op.drop_index('ix_clinic_telehealth_states_state_clinic', table_name='clinic_telehealth_states')
    op.drop_table('clinic_telehealth_states')
    op.drop_index('ix_clinic_codes_kind_code_clinic', table_name='clinic_codes')
    op.drop_table('clinic_codes')
    # SQLite drops a column by rebuilding `clinics`; dropping the old table breaks every
    # foreign key pointing at it unless foreign keys are off, which SQLite allows only
    # between transactions (the app turns them on for each connection). Migrations stay
    # self-contained, so this repeats what i15 does.
    bind = op.get_bind()
    sqlite = bind.dialect.name == 'sqlite'
    if sqlite:
        bind.exec_driver_sql('COMMIT')
        bind.exec_driver_sql('PRAGMA foreign_keys=OFF')
        bind.exec_driver_sql('BEGIN IMMEDIATE')
    with op.batch_alter_table('clinics', schema=None) as batch_op:
        for name in ('clinicians', 'booking_url', 'accessibility_note', 'local_timezone', 'timezone',
                     'hours', 'emergency_plan', 'first_dose_supervised', 'remote_monitoring',
                     'remote_companion', 'telehealth_evaluation'):
            batch_op.drop_column(name)
    if sqlite:
        problems = bind.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
        if problems:
            raise RuntimeError(f'foreign keys broken by the rebuild of clinics: {problems[:5]}')
        bind.exec_driver_sql('COMMIT')
        bind.exec_driver_sql('PRAGMA foreign_keys=ON')
        bind.exec_driver_sql('BEGIN IMMEDIATE')
