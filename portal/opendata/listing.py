"""A published listing detached from the database, and the taxonomy terms it carries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from portal.opendata.taxonomy import (
    BOOLEAN_FIELDS,
    CHECKED_FIELDS,
    CODED_FIELDS,
    COST_FIELDS,
    NUMBER_FIELDS,
    TEXT_FIELDS,
    checked_code,
    record_id,
)
from portal.profile import Profile
from portal.vetting import Flag, public_flags


@dataclass(frozen=True)
class Listing:
    """What a published listing shows, detached from the database."""

    clinic_id: int
    slug: str
    profile: Profile
    latitude: float | None = None
    longitude: float | None = None
    verified_at: date | None = None
    verification_expires: date | None = None
    last_confirmed_at: datetime | None = None
    updated_at: datetime | None = None
    # (flag code, text hash) pairs a moderator dismissed (portal.vetting.dismissals)
    dismissed: frozenset[tuple[str, str]] = frozenset()
    local_timezone: str = ""

    @property
    def red_flags(self) -> list[Flag]:
        return public_flags(self.profile, self.dismissed)

    @classmethod
    def from_clinic(cls, clinic, dismissed: frozenset[tuple[str, str]] = frozenset()) -> Listing:
        return cls(
            dismissed=dismissed,
            clinic_id=clinic.id,
            slug=clinic.slug,
            profile=clinic.profile,
            latitude=clinic.lat,
            longitude=clinic.lng,
            verified_at=clinic.verified_at,
            verification_expires=clinic.verification_expires,
            last_confirmed_at=clinic.last_confirmed_at,
            updated_at=clinic.updated_at,
            local_timezone=clinic.local_timezone,
        )

    def id(self, kind: str) -> str:
        return record_id(kind, self.clinic_id)


@dataclass(frozen=True)
class Context:
    """What the records need besides the listing."""

    base_url: str  # where the site is served, e.g. "https://example.org/"
    now: datetime  # naive UTC
    assurer_email: str
    stale_after_days: int = 180

    def listing_url(self, slug: str) -> str:
        return f"{self.base_url.rstrip('/')}/clinics/{slug}"


def term_codes(listing: Listing) -> list[str]:
    """Codes of the terms the service carries (as attributes), in a fixed order."""
    p = listing.profile
    codes: list[str] = []
    for name, (category, vocabulary) in CODED_FIELDS.items():
        answer = getattr(p, name)
        chosen = answer if isinstance(answer, tuple) else (answer,)
        codes += [f"{category}:{code}" for code in chosen if code in vocabulary]
    for category, (_prefix, vocabulary) in CHECKED_FIELDS.items():
        codes += [checked_code(category, name) for name in vocabulary if getattr(p, name)]
    codes += [f"red_flag:{flag.code}" for flag in listing.red_flags]
    codes += [name for name in BOOLEAN_FIELDS if getattr(p, name) is not None]
    codes += [name for name in NUMBER_FIELDS if getattr(p, name) is not None]
    codes += [name for name in TEXT_FIELDS if getattr(p, name)]
    if listing.verification_expires:
        codes.append("verification_expires")
    if listing.last_confirmed_at:
        codes.append("last_confirmed_on")
    return codes


def carried_term_codes(listing: Listing) -> list[str]:
    """Every term code anywhere in the service: its attributes and its cost options'."""
    amounts = [name for name in COST_FIELDS if getattr(listing.profile, name) is not None]
    return term_codes(listing) + amounts


def term_value(listing: Listing, code: str) -> str | None:
    p = listing.profile
    if code in BOOLEAN_FIELDS:
        return "true" if getattr(p, code) else "false"  # carried only when stated
    if code in NUMBER_FIELDS:
        return str(getattr(p, code))
    if code in TEXT_FIELDS:
        return getattr(p, code)
    if code == "verification_expires":
        return listing.verification_expires.isoformat()
    if code == "last_confirmed_on":
        return listing.last_confirmed_at.date().isoformat()
    return None
