"""The listing writes' two shared steps: re-read a row under lock, and append to the audit log."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Clinic, ClinicDraft, ClinicRevision, User


def record(
    action: str,
    *,
    actor: User | None,
    clinic: Clinic | None = None,
    revision: ClinicRevision | None = None,
    detail: str = "",
) -> AuditEvent:
    """Append one line to the audit log."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor else None,
        clinic_id=clinic.id if clinic else None,
        revision_id=revision.id if revision else None,
        detail=detail,
    )
    db.session.add(event)
    return event


def locked(model, **where):
    """One row re-read from the database and, on PostgreSQL, locked until commit.

    Two requests changing the same row then run one after the other, and the
    second one sees the first one's write (SQLite gets the same from BEGIN IMMEDIATE).
    """
    return db.session.scalar(
        select(model).filter_by(**where).with_for_update().execution_options(populate_existing=True)
    )


def lock_draft(clinic: Clinic) -> ClinicDraft | None:
    """The clinic's draft, re-read and locked (see `locked`)."""
    return locked(ClinicDraft, clinic_id=clinic.id)


def lock_clinic(clinic_id: int) -> Clinic | None:
    """The clinic, re-read and locked (see `locked`): decisions on it run one at a time."""
    return locked(Clinic, id=clinic_id)
