"""Yes/no facts become three-valued; moderators' dismissals of text-based red flags

Eight yes/no facts of a listing can now say "not stated" (NULL) besides yes and
no. How existing values migrate:

- True stays True: ticking a box was something the clinic chose to say.
- False becomes NULL ("not stated") for the six facts whose checkbox started
  unticked (physician_on_site, transport_required, pharmaceutical_grade,
  emergency_trained, offers_home_iv, maintenance_offered). An unticked box
  cannot tell "we don't" from "we didn't say"; publishing it as "No" claimed an
  answer the clinic never gave, and a red flag on it would accuse a clinic of
  something it never said. "Not stated: ask them" is the honest reading, and
  the clinic can state a real No on its next edit.
- False stays False for in_person_evaluation and accepting_new_patients: those
  boxes started ticked, so a False means the clinic unticked it, a real No.

Drafts and revisions keep their JSON as written (revisions are append-only);
`Profile.from_stored` reads JSON without the new `format` key by the same rule,
so an old revision and the listing made from it read alike.

Revision ID: i15_tristate_facts_dismissals
Revises: i13_former_slugs
Create Date: 2026-12-02 12:30:00

"""

import sqlalchemy as sa
from alembic import op

from portal.dbguards import install_guards

# revision identifiers, used by Alembic.
revision = "i15_tristate_facts_dismissals"
down_revision = "i13_former_slugs"
branch_labels = None
depends_on = None

UNTICKED_MEANS_UNSTATED = (
    "physician_on_site",
    "transport_required",
    "pharmaceutical_grade",
    "emergency_trained",
    "offers_home_iv",
    "maintenance_offered",
)
TICKED_BY_DEFAULT = ("in_person_evaluation", "accepting_new_patients")
FACTS = UNTICKED_MEANS_UNSTATED + TICKED_BY_DEFAULT

clinics = sa.table("clinics", *(sa.column(name, sa.Boolean()) for name in FACTS))


def _set_nullable(nullable: bool) -> None:
    """SQLite rebuilds the table to change a column, and dropping the old `clinics`
    breaks every foreign key pointing at it unless foreign keys are off, which
    SQLite allows only between transactions (the app turns them on per connection)."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        bind.exec_driver_sql("COMMIT")
        bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
        bind.exec_driver_sql("BEGIN IMMEDIATE")
    with op.batch_alter_table("clinics", schema=None) as batch_op:
        for name in FACTS:
            batch_op.alter_column(name, existing_type=sa.Boolean(), nullable=nullable)
    if sqlite:
        problems = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"foreign keys broken by the rebuild of clinics: {problems[:5]}")
        bind.exec_driver_sql("COMMIT")
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")
        bind.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade():
    _set_nullable(True)
    for name in UNTICKED_MEANS_UNSTATED:
        op.execute(clinics.update().where(clinics.c[name].is_(sa.false())).values({name: None}))

    op.create_table(
        "flag_dismissals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=True),
        sa.Column("flag_code", sa.String(length=40), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_flag_dismissals_reason_required")),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_flag_dismissals_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["moderator_id"], ["users.id"], name=op.f("fk_flag_dismissals_moderator_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["clinic_revisions.id"],
            name=op.f("fk_flag_dismissals_revision_id_clinic_revisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag_dismissals")),
        sa.UniqueConstraint("clinic_id", "flag_code", "text_hash", name="uq_flag_dismissals_text"),
    )
    with op.batch_alter_table("flag_dismissals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_flag_dismissals_clinic_id"), ["clinic_id"], unique=False
        )

    install_guards(op.get_bind())


def downgrade():
    with op.batch_alter_table("flag_dismissals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flag_dismissals_clinic_id"))
    op.drop_table("flag_dismissals")

    # Back to checkboxes: "not stated" reads as the box's old starting state.
    for name in FACTS:
        value = sa.true() if name == "accepting_new_patients" else sa.false()
        op.execute(clinics.update().where(clinics.c[name].is_(None)).values({name: value}))
    _set_nullable(False)
