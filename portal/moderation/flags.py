"""Moderators' judgement on red flags: which are new in a revision, and dismissing a
text-based flag that is a false alarm.

Only a flag that reads the clinic's own words can be dismissed (the promise rule
may misread a sentence); a flag on a structured answer is fixed by the clinic
changing the answer. A dismissal covers the text it was made on (stored as a
hash), is recorded in the audit log, and hides the flag from patients until
that text changes. Flushes, never commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.extensions import db
from portal.listings.errors import ModerationError, NotAModerator, OwnClinic, ReasonRequired
from portal.listings.queries import manages
from portal.listings.store import lock_clinic, record
from portal.models import ClinicRevision, FlagDismissal, User, utcnow
from portal.moderation.review import base_profile
from portal.vetting import KINDS, Flag, red_flags
from portal.vetting.dismissals import dismissals_of

MAX_REASON = 2000


class NotDismissable(ModerationError):
    pass


class AlreadyDismissed(ModerationError):
    status = 409


@dataclass(frozen=True)
class ReviewedFlag:
    flag: Flag
    is_new: bool  # raised by this revision but not by the published version
    dismissal: FlagDismissal | None = None  # the dismissal covering exactly this text


def reviewed_flags(revision: ClinicRevision) -> list[ReviewedFlag]:
    """The flags the rules raise on this revision, which are new, and which are dismissed."""
    base = base_profile(revision)
    before = {found.code for found in red_flags(base)} if base is not None else set()
    covering = {(d.flag_code, d.text_hash): d for d in dismissals_of(revision.clinic_id)}
    return [
        ReviewedFlag(
            found,
            is_new=base is not None and found.code not in before,
            dismissal=covering.get((found.code, found.text_hash)) if found.dismissable else None,
        )
        for found in red_flags(revision.profile)
    ]


def dismiss(revision: ClinicRevision, code: str, moderator: User, reason: str) -> FlagDismissal:
    """Dismiss the text-based flag `code` as raised on this revision's text, with a reason."""
    if moderator is None or not moderator.is_moderator:
        raise NotAModerator("Only moderators can dismiss red flags.")
    if code not in KINDS:
        raise NotDismissable("There is no such red flag.")
    if not KINDS[code].dismissable:
        raise NotDismissable(
            f'"{KINDS[code].title}" rests on a structured answer, so it cannot be dismissed: '
            "the clinic changes the answer instead."
        )
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("Write why this flag is a false alarm; it goes in the audit log.")
    if len(reason) > MAX_REASON:
        raise ReasonRequired(f"Use at most {MAX_REASON:,} characters.")
    if manages(moderator, revision.clinic_id):
        raise OwnClinic(
            "Your account also manages this clinic, so another moderator has to judge its flags."
        )
    clinic = lock_clinic(revision.clinic_id)
    found = next((f for f in red_flags(revision.profile) if f.code == code), None)
    if found is None:
        raise NotDismissable("The rules do not raise this flag on this revision.")
    if any((d.flag_code, d.text_hash) == (code, found.text_hash) for d in dismissals_of(clinic.id)):
        raise AlreadyDismissed("This flag is already dismissed for this text.")
    dismissal = FlagDismissal(
        clinic_id=clinic.id,
        revision_id=revision.id,
        flag_code=code,
        text_hash=found.text_hash,
        reason=reason,
        moderator_id=moderator.id,
    )
    db.session.add(dismissal)
    clinic.updated_at = utcnow()  # what patients see changed: search answers are re-read
    db.session.flush()
    record(
        "flag_dismissed",
        actor=moderator,
        clinic=clinic,
        revision=revision,
        detail=f"{found.title}: {reason}",
    )
    db.session.flush()
    return dismissal
