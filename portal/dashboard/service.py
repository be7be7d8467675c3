"""What clinic staff may do with their own clinics: find, save, submit, look back.

Access is decided here by a query (a clinic is found only through its managers),
so a clinic the user does not manage simply does not exist for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from portal import vocab
from portal.extensions import db
from portal.geo import GeocodingError, geocode_place
from portal.listings import operations
from portal.listings.errors import NothingToSubmit, StaleEdit
from portal.listings.operations import submit_for_review
from portal.listings.queries import MAX_ID, managed_clinic, managed_clinics, state_of
from portal.models import Clinic, ClinicDraft, ClinicRevision, User
from portal.places import get_geocoder
from portal.profile import Profile

__all__ = ["NothingToSubmit", "managed_clinic", "managed_clinics", "submit_for_review"]

STALE_SAVE = (
    "This profile was changed in another window or by a colleague after you opened it, "
    "so we did not save your changes. Your text is still in the form below: copy what you "
    "need, open the latest version, and apply your changes there."
)


def draft_version(clinic: Clinic) -> int | None:
    return clinic.draft.version if clinic.draft is not None else None


def start_clinic(profile: Profile, *, user: User) -> Clinic:
    """A new clinic in draft, managed by the staff member who started it."""
    return operations.create_clinic(profile, manager=user)


def save_profile(
    clinic: Clinic, profile: Profile, *, seen_version: int | None, user: User
) -> ClinicDraft:
    """Save the working copy the user edited from `seen_version`.

    A form that carries no version is treated as stale: saving it could
    overwrite something the user never saw.
    """
    try:
        return operations.save_draft(
            clinic,
            profile,
            expected_version=seen_version if seen_version is not None else -1,
            user=user,
        )
    except StaleEdit:
        raise StaleEdit(STALE_SAVE) from None
    except StaleDataError:  # the version changed between our read and our write
        raise StaleEdit(STALE_SAVE) from None


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


WAITING = {"pending": "waiting"}  # the dashboard's word for a revision still in the queue


def history(clinic: Clinic) -> list[HistoryEntry]:
    """Every revision the clinic submitted, newest first, with its outcome."""
    revisions = clinic.revisions
    newest = revisions[-1].id if revisions else None
    entries = []
    for revision in reversed(revisions):
        state = state_of(revision, revision.decision, newest)
        outcome = revision.decision.outcome if state == "decided" else WAITING.get(state, state)
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
