"""People: accounts, and which clinics clinic staff manage."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import vocab
from portal.extensions import db

if TYPE_CHECKING:  # relationships name each other; SQLAlchemy resolves them by name
    from portal.models.clinics import Clinic

from portal.models.base import _in, new_session_token, utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", vocab.USER_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="clinic_staff")
    # Flask-Login stores this token, not the id: replacing it ends every session.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    is_suspended: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)

    clinics: Mapped[list[Clinic]] = relationship(
        secondary="clinic_managers", back_populates="managers", order_by="Clinic.name"
    )

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return not self.is_suspended

    @property
    def is_moderator(self) -> bool:
        return self.role == "moderator"

    def rotate_session_token(self) -> None:
        """Invalidate every cookie issued before now (logout, password change, suspension)."""
        self.session_token = new_session_token()


class ClinicManager(db.Model):
    """Which staff accounts may edit which clinics."""

    __tablename__ = "clinic_managers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
