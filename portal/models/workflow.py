"""What clinics and moderators write: drafts, revisions, decisions, verifications, audit,
flag dismissals, reports.

All but drafts are append-only (see `APPEND_ONLY_TABLES`).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import vocab
from portal.extensions import db

if TYPE_CHECKING:  # relationships name each other; SQLAlchemy resolves them by name
    from portal.models.accounts import User
    from portal.models.clinics import Clinic

from portal.models.base import _in, utcnow
from portal.profile import Profile


class ClinicDraft(db.Model):
    """The clinic's working copy; versioned so a stale browser tab cannot overwrite it."""

    __tablename__ = "clinic_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), unique=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    clinic: Mapped[Clinic] = relationship(back_populates="draft")

    __mapper_args__ = {"version_id_col": version}

    @property
    def profile(self) -> Profile:
        return Profile.from_stored(self.data)


class ClinicRevision(db.Model):
    """A submitted profile, frozen. Append-only: the database refuses changes."""

    __tablename__ = "clinic_revisions"
    __table_args__ = (
        UniqueConstraint("clinic_id", "number", name="uq_clinic_revisions_clinic_number"),
        CheckConstraint("kind IN ('new', 'edit')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The published revision this one edits (None for a new clinic).
    base_revision_id: Mapped[int | None] = mapped_column(ForeignKey("clinic_revisions.id"))

    clinic: Mapped[Clinic] = relationship(back_populates="revisions", foreign_keys=[clinic_id])
    submitted_by: Mapped[User | None] = relationship()
    decision: Mapped[ReviewDecision | None] = relationship(back_populates="revision")

    @cached_property
    def profile(self) -> Profile:
        """Parsed once per loaded row: a revision's data never changes (append-only)."""
        return Profile.from_stored(self.data)


class ReviewDecision(db.Model):
    """A moderator's decision on one revision; the unique key allows only one."""

    __tablename__ = "review_decisions"
    __table_args__ = (
        CheckConstraint(_in("outcome", vocab.DECISIONS), name="outcome"),
        CheckConstraint("outcome = 'approve' OR length(reason) > 0", name="reason_required"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("clinic_revisions.id"), unique=True)
    # None only for the decisions recorded with the sample data.
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    revision: Mapped[ClinicRevision] = relationship(back_populates="decision")
    moderator: Mapped[User | None] = relationship()


class Verification(db.Model):
    """What a moderator checked when verifying a clinic, and until when it holds."""

    __tablename__ = "verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("clinic_revisions.id"))
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    npi_check_passed: Mapped[bool | None]
    licence_state: Mapped[str] = mapped_column(String(2), default="")
    licence_number: Mapped[str] = mapped_column(String(40), default="")
    licence_checked_how: Mapped[str] = mapped_column(Text, default="")
    address_plausible: Mapped[bool] = mapped_column(default=False)
    answers_plausible: Mapped[bool] = mapped_column(default=False)
    red_flags_reviewed: Mapped[bool] = mapped_column(default=False)
    # How the licence in each telehealth state was looked up (empty: none listed).
    telehealth_licences_checked_how: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    moderator: Mapped[User | None] = relationship()


class AuditEvent(db.Model):
    """Who did what to which listing, when and why. Append-only."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinics.id"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("clinic_revisions.id"))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship()


class FlagDismissal(db.Model):
    """A moderator's finding that a text-based red flag is a false alarm for one text.

    It covers the text the flag rested on, by hash: when the clinic changes that
    text the hash no longer matches and the flag is back. Append-only.
    """

    __tablename__ = "flag_dismissals"
    __table_args__ = (
        UniqueConstraint("clinic_id", "flag_code", "text_hash", name="uq_flag_dismissals_text"),
        CheckConstraint("length(reason) > 0", name="reason_required"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("clinic_revisions.id"))
    flag_code: Mapped[str] = mapped_column(String(40))
    text_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    dismissed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    moderator: Mapped[User] = relationship()


class ProblemReport(db.Model):
    """A patient's report that a listing is wrong or unsafe.

    Never deleted: resolving one stamps who resolved it, when and why, and the
    database refuses a resolution without a note (and refuses deletes).
    """

    __tablename__ = "problem_reports"
    __table_args__ = (
        CheckConstraint(_in("kind", vocab.REPORT_KINDS), name="kind"),
        CheckConstraint(
            "resolved_at IS NULL OR (resolved_by_id IS NOT NULL AND length(resolution_note) > 0)",
            name="resolution_note_required",
        ),
        Index("ix_problem_reports_open", "resolved_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution_note: Mapped[str] = mapped_column(Text, default="")

    clinic: Mapped[Clinic] = relationship()
    resolved_by: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


APPEND_ONLY_TABLES: tuple[str, ...] = (
    "clinic_revisions",
    "review_decisions",
    "verifications",
    "audit_events",
    "flag_dismissals",
)

# Rows the database keeps for good: they may be updated (a report gets resolved) but never deleted.
KEEP_FOREVER_TABLES: tuple[str, ...] = ("problem_reports",)
