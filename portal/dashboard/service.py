"""What clinic staff may do with their own clinics: find, save, submit, look back.

Access is decided here by a query (a clinic is found only through its managers),
so a clinic the user does not manage simply does not exist for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal import listings, vocab
from portal.extensions import db
from portal.geo import GeocodingError, geocode_place
from portal.listings import ListingError, StaleEdit
from portal.models import Clinic, ClinicDraft, ClinicManager, ClinicRevision, User
from portal.places import get_geocoder
from portal.profile import Profile

STALE_SUBMIT = (
    "This draft was changed in another window or by a colleague after you opened this page, "
    "so we did not submit it. Look at the latest version and submit again."
)
STALE_SAVE = (
    "This profile was changed in another window or by a colleague after you opened it, "
    "so we did not save your changes. Your text is still in the form below: copy what you "
    "need, open the latest version, and apply your changes there."
)


class NothingToSubmit(ListingError):
    """The working copy is the same as the version waiting for review or already public."""


class EmailNotVerified(ListingError):
    """Only an account with a confirmed address may send a listing for review."""


NOT_VERIFIED = (
    "Your draft is saved, but it cannot go to review until you confirm your email address. "
    "Open the link we sent you, or ask for a new one at the top of your clinics page."
)


def managed_clinics(user: User) -> list[Clinic]:
    return list(
        db.session.scalars(
            select(Clinic)
            .join(ClinicManager, ClinicManager.clinic_id == Clinic.id)
            .where(ClinicManager.user_id == user.id)
            .order_by(Clinic.name, Clinic.id)
        )
    )


# Ids beyond a 32-bit integer cannot exist, and the databases refuse to compare with them.
MAX_ID = 2**31 - 1


def managed_clinic(user: User, clinic_id: int) -> Clinic | None:
    """The clinic, only if `user` manages it: others' clinics look like missing ones."""
    if not 0 < clinic_id <= MAX_ID:
        return None
    return db.session.scalar(
        select(Clinic)
        .join(ClinicManager, ClinicManager.clinic_id == Clinic.id)
        .where(Clinic.id == clinic_id, ClinicManager.user_id == user.id)
    )


def draft_version(clinic: Clinic) -> int | None:
    return clinic.draft.version if clinic.draft is not None else None


def start_clinic(profile: Profile, *, user: User) -> Clinic:
    """A new clinic in draft, managed by the staff member who started it."""
    return listings.create_clinic(profile, manager=user)


def save_profile(
    clinic: Clinic, profile: Profile, *, seen_version: int | None, user: User
) -> ClinicDraft:
    """Save the working copy the user edited from `seen_version`.

    A form that carries no version is treated as stale: saving it could
    overwrite something the user never saw.
    """
    try:
        return listings.save_draft(
            clinic,
            profile,
            expected_version=seen_version if seen_version is not None else -1,
            user=user,
        )
    except StaleEdit:
        raise StaleEdit(STALE_SAVE) from None
    except StaleDataError:  # the version changed between our read and our write
        raise StaleEdit(STALE_SAVE) from None


def submit_for_review(clinic: Clinic, *, user: User, seen_version: int | None) -> ClinicRevision:
    """Freeze the working copy as a new revision, if it is the one the user saw.

    Refuses to send again what is already waiting for review or already public, and
    refuses accounts whose email address is not confirmed yet.
    """
    if not user.email_verified:
        raise EmailNotVerified(NOT_VERIFIED)
    draft = listings.lock_draft(clinic)
    if draft is not None and seen_version != draft.version:
        raise StaleEdit(STALE_SUBMIT)
    working = listings.working_profile(clinic)
    latest = listings.latest_revision(clinic)
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
    return listings.submit_revision(clinic, user=user)


def clinic_revision(clinic: Clinic, number: int) -> ClinicRevision | None:
    if not 0 < number <= MAX_ID:
        return None
    return db.session.scalar(
        select(ClinicRevision).where(
            ClinicRevision.clinic_id == clinic.id, ClinicRevision.number == number
        )
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One submitted revision and what became of it."""

    revision: ClinicRevision
    outcome: str  # a key of OUTCOMES
    is_live: bool  # the version patients see now


OUTCOMES: dict[str, str] = {
    "waiting": "Waiting for review",
    "replaced": "Replaced by a newer submission before review",
    **vocab.DECISIONS,
}


def history(clinic: Clinic) -> list[HistoryEntry]:
    """Every revision the clinic submitted, newest first, with its outcome."""
    revisions = clinic.revisions
    newest = revisions[-1].id if revisions else None
    entries = []
    for revision in reversed(revisions):
        if revision.decision is not None:
            outcome = revision.decision.outcome
        else:
            outcome = "waiting" if revision.id == newest else "replaced"
        entries.append(
            HistoryEntry(revision, outcome, is_live=clinic.published_revision_id == revision.id)
        )
    return entries


def address_problems(profile: Profile) -> dict[str, str]:
    """Field name -> message when the ZIP code is unknown, in another state, or the address
    cannot be found. Says nothing when the location service is down: moderators geocode
    every listing again before it is published.
    """
    if not profile.zip:
        return {}
    geocoder = get_geocoder()
    lookup_zip = getattr(geocoder, "lookup_zip", None)
    try:
        zip_place = lookup_zip(profile.zip) if lookup_zip else geocode_place(geocoder, profile.zip)
        if zip_place is None:
            return {"zip": "We do not know this ZIP code. Please check it for a typo."}
        if profile.state and zip_place.state and zip_place.state != profile.state:
            state_name = vocab.US_STATES.get(zip_place.state, zip_place.state)
            return {
                "zip": f"ZIP code {profile.zip} is in {state_name}, not "
                f"{vocab.US_STATES[profile.state]}. Please check the ZIP code and the state."
            }
        query = f"{profile.address}, {profile.city}, {profile.state} {profile.zip}"
        if geocode_place(geocoder, query) is None:
            return {
                "address": "We could not find this address. Please check the street, "
                "city and ZIP code."
            }
    except GeocodingError:
        return {}
    return {}
