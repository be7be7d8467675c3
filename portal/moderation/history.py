"""A clinic's past as moderators read it: the audit trail and its verifications."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Clinic, Verification

# What each audit action means, in a moderator's words. Unknown actions show their code.
AUDIT_ACTIONS: dict[str, str] = {
    "clinic_created": "Clinic created",
    "revision_submitted": "Submitted for review",
    "revision_approved": "Approved and published",
    "revision_rejected": "Rejected",
    "changes_requested": "Changes requested",
    "clinic_suspended": "Listing suspended",
    "clinic_restored": "Listing restored",
    "listing_confirmed": "Confirmed as still accurate",
    "problem_reported": "Problem reported by a patient",
    "report_resolved": "Problem report resolved",
}


def audit_events(clinic: Clinic) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.clinic_id == clinic.id)
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )


def verifications(clinic: Clinic) -> list[Verification]:
    return list(
        db.session.scalars(
            select(Verification)
            .where(Verification.clinic_id == clinic.id)
            .order_by(Verification.verified_on.desc(), Verification.id.desc())
        )
    )
