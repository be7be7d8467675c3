"""Loading the sample clinics: each goes through the same workflow a real one does."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy import select

from portal import listings
from portal.credentials import npi_check
from portal.extensions import db
from portal.models import Clinic
from portal.profile import Profile

SAMPLE_REASON = "Loaded with the sample data."


DATE_FIELDS = ("verified_on", "last_confirmed_on")


def load_seed_file(path: Path, today: date | None = None) -> list[dict]:
    """The file's clinics, their dates moved so the file's `dates_as_of` day becomes `today`.

    The sample data then looks the same whenever it is loaded: the same listings
    are freshly verified, about to expire, expired or out of date, instead of
    every verification lapsing a year after the file was written.
    """
    with path.open(encoding="utf-8") as handle:
        document = json.load(handle)
    entries = document["clinics"]
    as_of = document.get("dates_as_of")
    if today is None or as_of is None:
        return entries
    shift = today - date.fromisoformat(as_of)
    return [
        {
            **entry,
            **{
                name: (date.fromisoformat(entry[name]) + shift).isoformat()
                for name in DATE_FIELDS
                if entry.get(name)
            },
        }
        for entry in entries
    ]


def seed_clinics(entries: list[dict], locate) -> int:
    """Add the clinics whose slug is not yet present; returns how many were added.

    `locate(profile)` gives a clinic's coordinates. Running this twice adds
    nothing the second time.
    """
    existing = set(db.session.scalars(select(Clinic.slug)))
    added = 0
    for entry in entries:
        if entry["slug"] in existing:
            continue
        profile = Profile.from_dict(entry["profile"])
        clinic = listings.create_clinic(profile, manager=None, is_sample=True)
        clinic.slug = entry["slug"]
        verified_on = entry.get("verified_on")
        submitted = _as_datetime(verified_on) if verified_on else None
        revision = listings.submit_revision(clinic, user=None, submitted_at=submitted)
        if entry["status"] == "published":
            coordinates = locate(profile)
            listings.publish_revision(
                revision,
                moderator=None,
                today=date.fromisoformat(verified_on),
                checklist=sample_checklist(profile, located=coordinates is not None),
                coordinates=coordinates,
                reason=SAMPLE_REASON,
            )
        if confirmed := entry.get("last_confirmed_on"):
            clinic.last_confirmed_at = _as_datetime(confirmed)
        existing.add(clinic.slug)
        added += 1
    db.session.flush()
    return added


def sample_checklist(profile: Profile, *, located: bool) -> listings.Checklist:
    """What a sample verification shows: the NPI really computed, the rest as a demonstration.

    Without it every sample listing would read "verified" with nothing checked,
    which is not what a verified listing looks like on the real site.
    """
    return listings.Checklist(
        npi_check_passed=npi_check(profile.npi),
        licence_state=profile.licence_state,
        licence_number=profile.licence_number,
        licence_checked_how="Sample data: stands for a look-up on the state board's site."
        if profile.licence_number
        else "",
        telehealth_licences_checked_how="Sample data: stands for each state board's look-up."
        if profile.telehealth_states
        else "",
        address_plausible=located,
        answers_plausible=True,
        red_flags_reviewed=True,
        notes=SAMPLE_REASON,
    )


def _as_datetime(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(12, 0))
