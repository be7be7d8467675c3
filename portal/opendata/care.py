"""HSDS records for care beyond the clinic door: languages, schedules, service areas,
clinicians as contacts, and accessibility on the location (used by portal.opendata.hsds).

Pure functions over a `portal.opendata.listing.Listing`; record ids come from `listing.id(kind)`
so they are as stable as the rest of the export.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from portal import vocab
from portal.hours import DAYS
from portal.profile import Profile

# Where each field of this feature goes (joins portal.opendata.taxonomy.FIELD_MAPPING).
FIELD_MAPPING: dict[str, str] = {
    "settings": "service.attributes: term setting:<code>; a virtual location when telehealth only",
    "telehealth_states": "service.service_areas (one per state, licence in the description)",
    "telehealth_evaluation": "service.attributes: term telehealth_evaluation:<code>",
    "remote_companion": "service.attributes: term remote_companion:<code>",
    "remote_monitoring": "service.attributes: term remote_monitoring, value true/false",
    "first_dose_supervised": "service.attributes: term first_dose_supervised, value true/false",
    "emergency_plan": "service.attributes: term emergency_plan, value text",
    "languages": "service.languages (name and ISO 639 code)",
    "hours": "service.schedules and location.schedules (WEEKLY, byday, opens_at, closes_at)",
    "timezone": "schedules' timezone (UTC offset now) and description (the zone); "
    "service.attributes: term timezone, value text",
    "accessibility": "location.accessibility; service.attributes: term accessibility:<code>",
    "accessibility_note": "location.accessibility (details); service.attributes: value text",
    "age_groups": "service.attributes: term age_group:<code>; minimum_age / maximum_age",
    "insurers": "service.attributes: term insurer:<code>",
    "booking_url": "schedules' schedule_link; virtual location url; attribute value text",
    "clinicians": "service.contacts (name; title: role, credential and NPI)",
}

BYDAY: dict[str, str] = dict(zip(DAYS, ("MO", "TU", "WE", "TH", "FR", "SA", "SU"), strict=True))
# Youngest and oldest age of each group; a service's range spans the groups it treats.
AGE_RANGES: dict[str, tuple[int, int | None]] = {
    "children": (0, 12),
    "adolescents": (13, 17),
    "adults": (18, 64),
    "older_adults": (65, None),
}


def is_virtual(p: Profile) -> bool:
    """Telehealth only: patients never go anywhere, so the location is virtual."""
    return "telehealth" in p.settings and not ({"in_clinic", "at_home"} & set(p.settings))


def _languages(listing, link: str) -> list[dict[str, Any]]:
    return [
        {
            "id": listing.id(f"language/{link}/{code}"),
            f"{link}_id": listing.id(link),
            "name": vocab.LANGUAGES[code],
            "code": code,
        }
        for code in listing.profile.languages
        if code in vocab.LANGUAGES
    ]


def _zone(listing) -> str:
    return listing.profile.timezone or listing.local_timezone


def utc_offset(zone: str, at: datetime) -> tuple[str, float] | None:
    """The zone's offset from UTC at `at`, as "-07:00" and as hours (-7.0); None if unknown."""
    try:
        offset = at.astimezone(ZoneInfo(zone)).utcoffset() if zone else None
    except (ZoneInfoNotFoundError, ValueError):
        return None
    if offset is None:
        return None
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    text = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return text, minutes / 60


def _schedules(listing, link: str, now: datetime) -> list[dict[str, Any]]:
    """One WEEKLY schedule per opening span shared by several days (byday lists them).

    HSDS reads a time without an offset as UTC and has no field for a named zone, so
    each time carries the zone's offset as it is today (`timezone` too); the
    description names the zone, whose offset changes with daylight saving time.
    """
    p = listing.profile
    days_of: dict[tuple[str, str], list[str]] = {}
    for day, opens, closes in p.hours:
        days_of.setdefault((opens, closes), []).append(day)
    zone = _zone(listing)
    offset = utc_offset(zone, now if now.tzinfo else now.replace(tzinfo=UTC))
    suffix = offset[0] if offset else ""
    records = []
    for (opens, closes), days in days_of.items():
        byday = ",".join(BYDAY[day] for day in DAYS if day in days)
        overnight = closes <= opens
        description = f"{', '.join(vocab.WEEKDAYS[d] for d in DAYS if d in days)} {opens}-{closes}"
        if overnight:
            description += " (closes the next day)"
        if zone:
            description += f", local time ({zone}"
            description += f", today UTC{suffix})" if offset else ")"
        record = {
            "id": listing.id(f"schedule/{link}/{byday}/{opens}-{closes}"),
            f"{link}_id": listing.id(link),
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": byday,
            "opens_at": opens + suffix,
            "closes_at": closes + suffix,
            "description": description,
        }
        if offset:
            record["timezone"] = offset[1]
        if p.booking_url:
            record["schedule_link"] = p.booking_url
        records.append(record)
    return records


def _service_areas(listing) -> list[dict[str, Any]]:
    return [
        {
            "id": listing.id(f"service_area/{state}"),
            "service_id": listing.id("service"),
            "name": vocab.US_STATES.get(state, state),
            "description": "Telehealth: the prescriber is licensed here"
            + (f" (licence {number})." if number else "."),
            "extent": state,  # the USPS code; HSDS's "text" extent type
            "extent_type": "text",
        }
        for state, number in listing.profile.telehealth_states
    ]


def _contacts(listing) -> list[dict[str, Any]]:
    contacts = []
    for index, (name, credential, role, npi) in enumerate(listing.profile.clinicians):
        title = vocab.label(vocab.CLINICIAN_ROLES, role) if role else "Clinician"
        if credential:
            title += f", {credential}"
        if npi:
            title += f" (NPI {npi})"
        contacts.append(
            {
                "id": listing.id(f"contact/{index}"),
                "service_id": listing.id("service"),
                "name": name,
                "title": title,
            }
        )
    return contacts


def _ages(p: Profile) -> dict[str, int]:
    ranges = [AGE_RANGES[code] for code in p.age_groups if code in AGE_RANGES]
    if not ranges:
        return {}
    ages = {"minimum_age": min(low for low, _high in ranges)}
    highs = [high for _low, high in ranges]
    if None not in highs:
        ages["maximum_age"] = max(highs)
    return ages


def service_details(listing, now: datetime) -> dict[str, Any]:
    """What the service carries for this feature (HSDS leaves out empty lists too)."""
    details: dict[str, Any] = {
        "languages": _languages(listing, "service"),
        "schedules": _schedules(listing, "service", now),
        "service_areas": _service_areas(listing),
        "contacts": _contacts(listing),
        **_ages(listing.profile),
    }
    return details


def location_details(listing, now: datetime) -> dict[str, Any]:
    p = listing.profile
    accessibility = [
        {
            "id": listing.id(f"accessibility/{code}"),
            "location_id": listing.id("location"),
            "description": vocab.ACCESSIBILITY[code],
            **({"details": p.accessibility_note} if p.accessibility_note else {}),
        }
        for code in p.accessibility
        if code in vocab.ACCESSIBILITY
    ]
    if p.accessibility_note and not accessibility:
        accessibility.append(
            {
                "id": listing.id("accessibility/note"),
                "location_id": listing.id("location"),
                "details": p.accessibility_note,
            }
        )
    return {
        "accessibility": accessibility,
        "languages": _languages(listing, "location"),
        "schedules": _schedules(listing, "location", now),
    }
