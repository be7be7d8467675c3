"""Loading the sample clinics: each goes through the same workflow a real one does."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy import select

from portal import listings
from portal.extensions import db
from portal.models import Clinic
from portal.profile import Profile

SAMPLE_REASON = "Loaded with the sample data."


def load_seed_file(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)["clinics"]


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
            listings.publish_revision(
                revision,
                moderator=None,
                today=date.fromisoformat(verified_on),
                checklist=listings.Checklist(notes=SAMPLE_REASON),
                coordinates=locate(profile),
                reason=SAMPLE_REASON,
            )
        if confirmed := entry.get("last_confirmed_on"):
            clinic.last_confirmed_at = _as_datetime(confirmed)
        existing.add(clinic.slug)
        added += 1
    db.session.flush()
    return added


def _as_datetime(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(12, 0))
