"""The tables.

A `Clinic` row is the public listing: its profile columns hold the last
version a moderator approved. What clinics write lives in `ClinicDraft` (a
working copy they may change) and `ClinicRevision` (a frozen snapshot, one per
submission, never changed or deleted). Moderators' decisions, verifications
and the audit log are append-only too; the database refuses updates and
deletes on them (see `APPEND_ONLY_TABLES`).
"""

from portal.models.accounts import ClinicManager, User
from portal.models.base import new_session_token, utcnow
from portal.models.clinics import (
    Clinic,
    ClinicCode,
    ClinicCondition,
    ClinicPaymentOption,
    ClinicRoute,
    ClinicTelehealthState,
    FormerSlug,
)
from portal.models.workflow import (
    APPEND_ONLY_TABLES,
    KEEP_FOREVER_TABLES,
    AuditEvent,
    ClinicDraft,
    ClinicRevision,
    FlagDismissal,
    ProblemReport,
    ReviewDecision,
    Verification,
)

__all__ = [
    "APPEND_ONLY_TABLES",
    "KEEP_FOREVER_TABLES",
    "AuditEvent",
    "Clinic",
    "ClinicCode",
    "ClinicCondition",
    "ClinicDraft",
    "ClinicManager",
    "ClinicPaymentOption",
    "ClinicRevision",
    "ClinicRoute",
    "FlagDismissal",
    "ClinicTelehealthState",
    "FormerSlug",
    "ProblemReport",
    "ReviewDecision",
    "User",
    "Verification",
    "new_session_token",
    "utcnow",
]
