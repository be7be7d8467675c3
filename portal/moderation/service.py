"""Moderators' work, by job: `queue`, `review` (one revision), `history`.

The decisions themselves (approve, reject, ask for changes, suspend, restore)
are listing transitions and live in portal.listings.operations; they are
re-exported here under the names the moderation views and scripts use.
"""

from __future__ import annotations

from portal.credentials import npi_check
from portal.listings.checklist import (
    APPROVAL_CHECKS,
    TELEHEALTH_CHECK,
    ChecklistIncomplete,
    checklist_from,
)
from portal.listings.errors import (
    AlreadyDecided,
    CannotLocate,
    ModerationError,
    NotAModerator,
    OwnClinic,
    ReasonRequired,
    WrongListingState,
)
from portal.listings.operations import already_decided_message, decide, restore, suspend
from portal.listings.queries import RevisionRow, decision_of, revision_history, revision_state
from portal.listings.store import lock_clinic
from portal.moderation.history import AUDIT_ACTIONS, audit_events, verifications
from portal.moderation.queue import (
    EXPIRY_WARNING_DAYS,
    QueueItem,
    expiring_listings,
    pending_queue,
    waited_text,
)
from portal.moderation.review import (
    CODE_FIELDS,
    AddressCheck,
    FieldChange,
    address_check,
    all_answers,
    base_profile,
    display_value,
    profile_changes,
)

__all__ = [
    "APPROVAL_CHECKS",
    "AUDIT_ACTIONS",
    "CODE_FIELDS",
    "EXPIRY_WARNING_DAYS",
    "AddressCheck",
    "AlreadyDecided",
    "CannotLocate",
    "ChecklistIncomplete",
    "TELEHEALTH_CHECK",
    "FieldChange",
    "ModerationError",
    "NotAModerator",
    "OwnClinic",
    "QueueItem",
    "ReasonRequired",
    "RevisionRow",
    "WrongListingState",
    "address_check",
    "all_answers",
    "already_decided_message",
    "audit_events",
    "base_profile",
    "checklist_from",
    "decide",
    "decision_of",
    "display_value",
    "expiring_listings",
    "lock_clinic",
    "npi_check",
    "pending_queue",
    "profile_changes",
    "restore",
    "revision_history",
    "revision_state",
    "suspend",
    "verifications",
    "waited_text",
]
