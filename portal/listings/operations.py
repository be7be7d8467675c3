"""Every write that moves a listing: create, save, submit, decide, suspend, restore, confirm.

Plain functions over the session: they add and flush, never commit (the view
or CLI commits once), and take the acting user as an argument. A broken rule
raises a `ListingError` subclass that the caller turns into a message. Each
one asks `lifecycle.move` for its transition, writes one audit line through
`record`, and then announces itself on its signal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import func, select

from portal import vocab
from portal.dates import add_months
from portal.extensions import db
from portal.geo import GeocodingError
from portal.hours import hours_zone
from portal.listings import lifecycle, queries
from portal.listings.checklist import Checklist, ChecklistIncomplete
from portal.listings.errors import (
    AlreadyDecided,
    CannotLocate,
    EmailNotVerified,
    IncompleteProfile,
    ModerationError,
    NotAModerator,
    NothingToSubmit,
    NotPublished,
    NotYourClinic,
    OwnClinic,
    ReasonRequired,
    StaleEdit,
    WrongListingState,
)
from portal.listings.queries import latest_revision, working_profile
from portal.listings.signals import announce
from portal.listings.slugs import provisional_slug, set_public_address
from portal.listings.store import lock_clinic, lock_draft, record
from portal.models import (
    Clinic,
    ClinicDraft,
    ClinicRevision,
    ReviewDecision,
    User,
    Verification,
    utcnow,
)
from portal.places import clinic_coordinates
from portal.profile import Profile

STALE_SUBMIT = (
    "This draft was changed in another window or by a colleague after you opened this page, "
    "so we did not submit it. Look at the latest version and submit again."
)


NOT_VERIFIED = (
    "Your draft is saved, but it cannot go to review until you confirm your email address. "
    "Open the link we sent you, or ask for a new one at the top of your clinics page."
)


def create_clinic(profile: Profile, *, manager: User | None, is_sample: bool = False) -> Clinic:
    """A new clinic in draft, with its working copy, managed by `manager`."""
    # A provisional address: the public one comes from the name a moderator approves.
    clinic = Clinic(slug=provisional_slug(), name=profile.name)
    clinic.is_sample = is_sample
    lifecycle.move(clinic, "create")
    if manager is not None:
        clinic.managers.append(manager)
    db.session.add(clinic)
    db.session.flush()
    db.session.add(
        ClinicDraft(
            clinic_id=clinic.id,
            data=profile.to_stored(),
            updated_by_id=manager.id if manager else None,
        )
    )
    record("clinic_created", actor=manager, clinic=clinic)
    db.session.flush()
    announce("create", clinic, actor=manager)
    return clinic


def save_draft(
    clinic: Clinic, profile: Profile, *, expected_version: int | None, user: User | None
) -> ClinicDraft:
    """Store the working copy, refusing a save based on an older version."""
    lifecycle.check(clinic, "save_draft")
    draft = lock_draft(clinic)
    if draft is None:
        draft = ClinicDraft(clinic_id=clinic.id, data=profile.to_stored())
        db.session.add(draft)
    else:
        if expected_version is not None and expected_version != draft.version:
            raise StaleEdit(
                "This profile was changed in another window or by a colleague after you "
                "opened it. Your text is still in the form: copy what you need, reload, "
                "and apply your changes again."
            )
        draft.data = profile.to_stored()
    draft.updated_by_id = user.id if user else None
    # Until a clinic is first published its name is only what its staff typed last;
    # after that, the public name changes only when a moderator approves a revision.
    if clinic.published_revision_id is None and clinic.status != "suspended" and profile.name:
        clinic.name = profile.name
    lifecycle.move(clinic, "save_draft")
    db.session.flush()
    announce("save_draft", clinic, actor=user)
    return draft


def submit_revision(
    clinic: Clinic, *, user: User | None, submitted_at: datetime | None = None
) -> ClinicRevision:
    """Freeze the working copy as a revision and put it in the moderation queue.

    A newer submission replaces an older one still waiting; the older one stays
    stored (and is shown as replaced), so nothing a clinic sent is lost.
    """
    lifecycle.check(clinic, "submit")
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
        data=profile.to_stored(),
        submitted_by_id=user.id if user else None,
        base_revision_id=clinic.published_revision_id,
        submitted_at=submitted_at or utcnow(),
    )
    db.session.add(revision)
    lifecycle.move(clinic, "submit")
    db.session.flush()
    detail = f"Revision {number} ({revision.kind}) submitted for review."
    record("revision_submitted", actor=user, clinic=clinic, revision=revision, detail=detail)
    announce("submit", clinic, actor=user, revision=revision, detail=detail)
    return revision


def submit_for_review(clinic: Clinic, *, user: User, seen_version: int | None) -> ClinicRevision:
    """Freeze the working copy as a new revision, if it is the one the user saw.

    Refuses to send again what is already waiting for review or already public, and
    refuses accounts whose email address is not confirmed yet.
    """
    if not user.email_verified:
        raise EmailNotVerified(NOT_VERIFIED)
    draft = lock_draft(clinic)
    if draft is not None and seen_version != draft.version:
        raise StaleEdit(STALE_SUBMIT)
    working = working_profile(clinic)
    latest = latest_revision(clinic)
    if latest is not None and latest.profile == working:
        if latest.decision is None:
            raise NothingToSubmit(
                "This version is already waiting for review. Change something first if you "
                "want to send a new one."
            )
        if clinic.published_revision_id == latest.id:
            raise NothingToSubmit(
                "This is the version patients already see. Change something first if you "
                "want to send an update."
            )
    return submit_revision(clinic, user=user)


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
    lifecycle.check(clinic, "approve")
    set_public_address(clinic, revision.profile.name, revision.profile.city)
    clinic.apply_profile(revision.profile)
    if coordinates is not None:
        clinic.lat, clinic.lng = coordinates
    clinic.local_timezone = hours_zone(clinic.timezone, clinic.lat, clinic.lng)
    lifecycle.move(clinic, "approve")
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
    detail = (
        reason
        or f"Revision {revision.number} approved and published; "
        f"verified until {clinic.verification_expires.isoformat()}."
    )
    record("revision_approved", actor=moderator, clinic=clinic, revision=revision, detail=detail)
    announce("approve", clinic, actor=moderator, revision=revision, detail=detail)
    return verification


# --- moderators' decisions -----------------------------------------------------------------


def _require_moderator(user: User, clinic_id: int, outcome: str = "approve") -> None:
    """Only a moderator decides, and never one who also manages the clinic."""
    if user is None or not user.is_moderator:
        raise NotAModerator("Only moderators can decide on listings.")
    if outcome not in vocab.DECISIONS:
        raise ModerationError("Choose approve, reject or ask for changes.")
    if queries.manages(user, clinic_id):
        raise OwnClinic(
            "Your account also manages this clinic, so another moderator has to decide on it."
        )


def already_decided_message(revision: ClinicRevision) -> str:
    """Why a decision on this revision is refused: who decided it and when, or what replaced it."""
    decision = queries.decision_of(revision)
    if decision is not None:
        who = decision.moderator.email if decision.moderator else "the sample data loader"
        return (
            f"This revision was already decided by {who} at "
            f"{decision.decided_at:%Y-%m-%d %H:%M} UTC "
            f"({vocab.DECISIONS[decision.outcome].lower()}). Your decision was not recorded."
        )
    latest = latest_revision(revision.clinic)
    if latest is not None and latest.id != revision.id:
        return (
            f"The clinic sent a newer revision (number {latest.number}) that replaces this "
            "one. Your decision was not recorded; review the newer revision instead."
        )
    return "This revision is no longer waiting for a decision. Your decision was not recorded."


def decide(
    revision: ClinicRevision,
    moderator: User,
    outcome: str,
    reason: str,
    checklist: Checklist,
    today: date,
    *,
    verification_months: int = 12,
    locate: Callable[[Profile], tuple[float, float] | None] | None = None,
) -> ReviewDecision:
    """Record a moderator's decision on the pending revision of a clinic.

    Approve publishes it (through `publish_revision`) and verifies it from today;
    reject and request_changes store the reason the clinic will read. A revision
    already decided, or replaced by a newer one, raises AlreadyDecided.
    """
    _require_moderator(moderator, revision.clinic_id, outcome)
    reason = (reason or "").strip()
    clinic = lock_clinic(revision.clinic_id)
    if queries.revision_state(revision) != "pending":
        raise AlreadyDecided(already_decided_message(revision))
    if outcome == "approve":
        return _approve(revision, moderator, reason, checklist, today, verification_months, locate)
    if not reason:
        raise ReasonRequired(
            "Write the reason the clinic will read: what is wrong"
            if outcome == "reject"
            else "Write what the clinic should change before sending it again"
        )
    decision = ReviewDecision(
        revision_id=revision.id, moderator_id=moderator.id, outcome=outcome, reason=reason
    )
    db.session.add(decision)
    lifecycle.move(clinic, outcome)
    db.session.flush()
    action = "revision_rejected" if outcome == "reject" else "changes_requested"
    record(action, actor=moderator, clinic=clinic, revision=revision, detail=reason)
    db.session.flush()
    announce(outcome, clinic, actor=moderator, revision=revision, detail=reason)
    return decision


def _approve(revision, moderator, reason, checklist, today, verification_months, locate):
    if missing := checklist.missing(revision.profile):
        raise ChecklistIncomplete(missing)
    try:
        coordinates = (locate or clinic_coordinates)(revision.profile)
    except GeocodingError as error:
        raise CannotLocate(str(error)) from None
    if coordinates is None:
        raise CannotLocate(
            "The address could not be placed on the map, so patients could not find "
            "this clinic by location. Ask the clinic to check its ZIP code."
        )
    publish_revision(
        revision,
        moderator=moderator,
        today=today,
        checklist=checklist,
        coordinates=coordinates,
        verification_months=verification_months,
        reason=reason,
    )
    return queries.decision_of(revision)


# --- suspension, restoring, confirming -----------------------------------------------------


def suspend(clinic: Clinic, moderator: User, reason: str) -> Clinic:
    """Hide a published listing from patients, saying why."""
    return _set_visibility(
        clinic,
        moderator,
        reason,
        "suspend",
        "Write why the listing is suspended; it goes in the audit log.",
    )


def restore(clinic: Clinic, moderator: User, reason: str) -> Clinic:
    """Show a suspended listing to patients again."""
    return _set_visibility(
        clinic,
        moderator,
        reason,
        "restore",
        "Write why the listing can be shown again; it goes in the audit log.",
    )


AUDIT_ACTION = {"suspend": "clinic_suspended", "restore": "clinic_restored"}


def _set_visibility(clinic: Clinic, moderator: User, reason: str, action: str, ask: str) -> Clinic:
    _require_moderator(moderator, clinic.id)
    reason = (reason or "").strip()
    clinic = lock_clinic(clinic.id)
    lifecycle.check(clinic, action, WrongListingState)
    if not reason:
        raise ReasonRequired(ask)
    lifecycle.move(clinic, action, WrongListingState)
    clinic.suspended_reason = reason if action == "suspend" else None
    db.session.flush()
    record(AUDIT_ACTION[action], actor=moderator, clinic=clinic, detail=reason)
    db.session.flush()
    announce(action, clinic, actor=moderator, detail=reason)
    return clinic


def confirm_still_accurate(clinic_id: int, user: User, now: datetime) -> Clinic:
    """Record that the clinic's staff checked the public listing and it is still right.

    Changes nothing patients read except the confirmation date, so nothing goes
    to review. Only the clinic's own staff may confirm, and only a published listing.
    """
    if user.is_moderator or not queries.manages(user, clinic_id):
        raise NotYourClinic("Only the clinic's own staff can confirm its listing.")
    clinic = lock_clinic(clinic_id)
    lifecycle.move(clinic, "confirm", NotPublished)
    clinic.last_confirmed_at = now
    db.session.flush()
    detail = "The clinic's staff confirmed that the public listing is still accurate."
    record("listing_confirmed", actor=user, clinic=clinic, detail=detail)
    db.session.flush()
    announce("confirm", clinic, actor=user, detail=detail)
    return clinic
