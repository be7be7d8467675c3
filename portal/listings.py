"""Writes that move a listing through its life: create, draft, submit, publish.

Plain functions over the session: they add and flush, never commit (the view
or CLI commits once), and take the acting user as an argument. A broken rule
raises a `ListingError` subclass that the caller turns into a message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from portal import vocab
from portal.dates import add_months
from portal.extensions import db
from portal.hours import zone_at
from portal.models import (
    AuditEvent,
    Clinic,
    ClinicDraft,
    ClinicRevision,
    ReviewDecision,
    User,
    Verification,
    utcnow,
)
from portal.profile import Profile


class ListingError(Exception):
    """A rule of the listing workflow was broken; the message is safe to show."""


class StaleEdit(ListingError):
    """The form was based on an older version than the one now stored."""


class IncompleteProfile(ListingError):
    def __init__(self, missing: list[str]):
        super().__init__("Some required answers are missing.")
        self.missing = missing


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:100] or "clinic"


def unique_slug(name: str, city: str = "") -> str:
    """A slug no other clinic has: the name, then name-city, then a number."""
    base = slugify(name)
    candidates = [base, f"{base}-{slugify(city)}" if city else None]
    for candidate in filter(None, candidates):
        if not _slug_taken(candidate):
            return candidate
    number = 2
    while _slug_taken(f"{base}-{number}"):
        number += 1
    return f"{base}-{number}"


def _slug_taken(slug: str) -> bool:
    return db.session.scalar(select(Clinic.id).where(Clinic.slug == slug)) is not None


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


def create_clinic(profile: Profile, *, manager: User | None, is_sample: bool = False) -> Clinic:
    """A new clinic in draft, with its working copy, managed by `manager`."""
    clinic = Clinic(
        slug=unique_slug(profile.name, profile.city),
        name=profile.name,
        status="draft",
        is_sample=is_sample,
    )
    if manager is not None:
        clinic.managers.append(manager)
    db.session.add(clinic)
    db.session.flush()
    db.session.add(
        ClinicDraft(
            clinic_id=clinic.id,
            data=profile.to_dict(),
            updated_by_id=manager.id if manager else None,
        )
    )
    record("clinic_created", actor=manager, clinic=clinic)
    db.session.flush()
    return clinic


def working_profile(clinic: Clinic) -> Profile:
    """What the clinic's form should show: the draft, else the approved profile."""
    if clinic.draft is not None:
        return clinic.draft.profile
    return clinic.profile


def lock_draft(clinic: Clinic) -> ClinicDraft | None:
    """The clinic's draft re-read from the database and, on PostgreSQL, locked until commit.

    Two requests saving the same draft then run one after the other, so the
    second one sees the first one's version (SQLite gets the same from BEGIN IMMEDIATE).
    """
    return db.session.scalar(
        select(ClinicDraft)
        .where(ClinicDraft.clinic_id == clinic.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def save_draft(
    clinic: Clinic, profile: Profile, *, expected_version: int | None, user: User | None
) -> ClinicDraft:
    """Store the working copy, refusing a save based on an older version."""
    draft = lock_draft(clinic)
    if draft is None:
        draft = ClinicDraft(clinic_id=clinic.id, data=profile.to_dict())
        db.session.add(draft)
    else:
        if expected_version is not None and expected_version != draft.version:
            raise StaleEdit(
                "This profile was changed in another window or by a colleague after you "
                "opened it. Your text is still in the form: copy what you need, reload, "
                "and apply your changes again."
            )
        draft.data = profile.to_dict()
    draft.updated_by_id = user.id if user else None
    # Until a clinic is first published its name is only what its staff typed last;
    # after that, the public name changes only when a moderator approves a revision.
    if clinic.published_revision_id is None and clinic.status != "suspended" and profile.name:
        clinic.name = profile.name
    db.session.flush()
    return draft


def latest_revision(clinic: Clinic) -> ClinicRevision | None:
    return db.session.scalar(
        select(ClinicRevision)
        .where(ClinicRevision.clinic_id == clinic.id)
        .order_by(ClinicRevision.number.desc())
        .limit(1)
    )


def pending_revision(clinic: Clinic) -> ClinicRevision | None:
    """The revision awaiting review: the newest one, if nobody decided it yet."""
    revision = latest_revision(clinic)
    if revision is not None and revision.decision is None:
        return revision
    return None


def submit_revision(
    clinic: Clinic, *, user: User | None, submitted_at: datetime | None = None
) -> ClinicRevision:
    """Freeze the working copy as a revision and put it in the moderation queue.

    A newer submission replaces an older one still waiting; the older one stays
    stored (and is shown as replaced), so nothing a clinic sent is lost.
    """
    lock_draft(clinic)
    profile = working_profile(clinic)
    if missing := profile.missing_for_submission():
        raise IncompleteProfile(missing)
    number = (
        db.session.scalar(
            select(func.max(ClinicRevision.number)).where(ClinicRevision.clinic_id == clinic.id)
        )
        or 0
    ) + 1
    revision = ClinicRevision(
        clinic_id=clinic.id,
        number=number,
        kind="edit" if clinic.published_revision_id else "new",
        data=profile.to_dict(),
        submitted_by_id=user.id if user else None,
        base_revision_id=clinic.published_revision_id,
        submitted_at=submitted_at or utcnow(),
    )
    db.session.add(revision)
    if clinic.status in ("draft", "rejected"):
        clinic.status = "pending"
    db.session.flush()
    record(
        "revision_submitted",
        actor=user,
        clinic=clinic,
        revision=revision,
        detail=f"Revision {number} ({revision.kind}) submitted for review.",
    )
    return revision


@dataclass(frozen=True)
class WorkflowStatus:
    """Where a clinic's listing stands: what its staff see on their dashboard."""

    code: str  # a key of vocab.WORKFLOW_STATUS
    is_public: bool  # patients see the last approved version
    latest: ClinicRevision | None
    last_decision: ReviewDecision | None
    unsubmitted_changes: bool  # the working copy differs from the latest submission

    @property
    def label(self) -> str:
        return vocab.WORKFLOW_STATUS[self.code]


def workflow_status(clinic: Clinic) -> WorkflowStatus:
    """The state of the newest submission, the last decision, and whether edits wait unsent.

    Read from the revisions and their decisions rather than `Clinic.status`, which
    describes the public listing: a published clinic can have an edit pending.
    """
    revisions = clinic.revisions
    latest = revisions[-1] if revisions else None
    decided = [revision.decision for revision in revisions if revision.decision is not None]
    last_decision = max(decided, key=lambda d: (d.decided_at, d.id), default=None)
    if clinic.status == "suspended":
        code = "suspended"
    elif latest is None:
        code = "draft"
    elif latest.decision is None:
        code = "pending"
    else:
        code = {"approve": "published", "reject": "rejected"}.get(
            latest.decision.outcome, "changes_requested"
        )
    working = working_profile(clinic)
    return WorkflowStatus(
        code=code,
        is_public=clinic.status == "published",
        latest=latest,
        last_decision=last_decision,
        unsubmitted_changes=latest is None or latest.profile != working,
    )


@dataclass(frozen=True)
class Checklist:
    """What a moderator checked before verifying; stored on the verification."""

    npi_check_passed: bool | None = None
    licence_state: str = ""
    licence_number: str = ""
    licence_checked_how: str = ""
    address_plausible: bool = False
    answers_plausible: bool = False
    red_flags_reviewed: bool = False
    notes: str = ""


def local_timezone(clinic: Clinic) -> str:
    """The zone a listing's hours are read in: the one it names, else the one at its place."""
    if clinic.timezone:
        return clinic.timezone
    if clinic.lat is None or clinic.lng is None:
        return ""
    return zone_at(clinic.lat, clinic.lng) or ""


def publish_revision(
    revision: ClinicRevision,
    *,
    moderator: User | None,
    today: date,
    checklist: Checklist,
    coordinates: tuple[float, float] | None,
    verification_months: int = 12,
    reason: str = "",
) -> Verification:
    """Make a revision the public listing and verify it from today.

    The one place a revision becomes what patients see. The caller has already
    made sure the revision is the pending one.
    """
    clinic = revision.clinic
    clinic.apply_profile(revision.profile)
    if coordinates is not None:
        clinic.lat, clinic.lng = coordinates
    clinic.local_timezone = local_timezone(clinic)
    clinic.status = "published"
    clinic.suspended_reason = None
    clinic.published_revision_id = revision.id
    clinic.verified_at = today
    clinic.verification_expires = add_months(today, verification_months)
    clinic.last_confirmed_at = utcnow()
    db.session.add(
        ReviewDecision(
            revision_id=revision.id,
            outcome="approve",
            moderator_id=moderator.id if moderator else None,
            reason=reason,
        )
    )
    verification = Verification(
        clinic_id=clinic.id,
        revision_id=revision.id,
        moderator_id=moderator.id if moderator else None,
        verified_on=today,
        expires_on=clinic.verification_expires,
        **checklist.__dict__,
    )
    db.session.add(verification)
    db.session.flush()
    record(
        "revision_approved",
        actor=moderator,
        clinic=clinic,
        revision=revision,
        detail=reason
        or f"Revision {revision.number} approved and published; "
        f"verified until {clinic.verification_expires.isoformat()}.",
    )
    return verification
