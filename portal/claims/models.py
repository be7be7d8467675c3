"""Claims: someone says an unmanaged listing is their clinic's and shows why."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models import Clinic, User, utcnow


class ClinicClaim(db.Model):
    """A claim waits for a moderator; approving it adds the claimant as owner, nothing more.

    The public listing is never changed by a claim: the new owner edits and
    submits like any clinic, and a moderator reviews that as usual.
    """

    __tablename__ = "clinic_claims"
    __table_args__ = (
        CheckConstraint("method IN ('domain', 'evidence')", name="method"),
        CheckConstraint(
            "status IN ('awaiting_email', 'waiting', 'approved', 'refused')", name="status"
        ),
        CheckConstraint(
            "status NOT IN ('approved', 'refused') OR decided_by_id IS NOT NULL",
            name="decided_by_moderator",
        ),
        Index("ix_clinic_claims_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    claimant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    method: Mapped[str] = mapped_column(String(10))
    work_email: Mapped[str] = mapped_column(String(254), default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(Text, default="")

    clinic: Mapped[Clinic] = relationship()
    claimant: Mapped[User] = relationship(foreign_keys=[claimant_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_open(self) -> bool:
        return self.status in ("awaiting_email", "waiting")
