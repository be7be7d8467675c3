"""OpenAPI pieces for care beyond the clinic door: the care filters, the facts each
result carries, the record-shaped answers and the telehealth section."""

from __future__ import annotations

from typing import Any

from portal import vocab
from portal.hours import DAYS


def _enum_array(vocabulary: dict[str, str], description: str) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string", "enum": list(vocabulary)},
        "description": description,
    }


def _parameter(name: str, vocabulary: dict[str, str], rule: str) -> dict[str, Any]:
    codes = "; ".join(f"`{code}`: {text}" for code, text in vocabulary.items())
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"{rule} Codes: {codes}.",
        "schema": {"type": "array", "items": {"type": "string", "enum": list(vocabulary)}},
        "style": "form",
        "explode": True,
    }


def care_parameters(flag_parameter) -> list[dict[str, Any]]:
    return [
        _parameter("setting", vocab.SETTINGS, "Where treatment happens; a clinic may match any."),
        _parameter("language", vocab.LANGUAGES, "Languages (ISO 639); a clinic must speak all."),
        _parameter("insurer", vocab.INSURERS, "In-network plans; a clinic must accept all."),
        _parameter("age_group", vocab.AGE_GROUPS, "Ages treated; a clinic must treat all."),
        _parameter("accessibility", vocab.ACCESSIBILITY, "A clinic must offer all."),
        flag_parameter(
            "open_now",
            "Only clinics open at the time of the request, in each clinic's own time zone.",
        ),
    ]


OPEN_NOW = {
    "type": ["boolean", "null"],
    "description": "Open at the time of the request in the clinic's time zone; "
    "null when it states no hours.",
}


# An empty list is what the provider has not told us, never "none" (ask them).
UNSTATED = ' Empty: not stated by the provider (ask them), not "none".'


def summary_properties() -> dict[str, Any]:
    """What each search result carries beside the original fields."""
    return {
        "settings": _enum_array(vocab.SETTINGS, "Where treatment happens." + UNSTATED),
        "languages": _enum_array(vocab.LANGUAGES, "Languages spoken (ISO 639)." + UNSTATED),
        "insurers": _enum_array(vocab.INSURERS, "In-network insurance plans." + UNSTATED),
        "age_groups": _enum_array(vocab.AGE_GROUPS, "Age groups treated." + UNSTATED),
        "accessibility": _enum_array(vocab.ACCESSIBILITY, "Accessibility features." + UNSTATED),
        "open_now": OPEN_NOW,
    }


def _object(properties: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }


TIME = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}

RECORD_SCHEMAS: dict[str, dict[str, Any]] = {
    "TelehealthState": _object(
        {
            "state": {"type": "string", "enum": list(vocab.US_STATES)},
            "licence_number": {"type": "string", "description": "Empty when not given."},
        },
        "A state where the prescriber may treat by telehealth, with the licence there.",
    ),
    "OpeningSpan": _object(
        {
            "day": {"type": "string", "enum": list(DAYS)},
            "opens": TIME,
            "closes": {
                **TIME,
                "description": "Local time; not after `opens` means the next day.",
            },
        },
        "One span of opening hours in the clinic's time zone.",
    ),
    "Clinician": _object(
        {
            "name": {"type": "string"},
            "credential": {"type": "string", "description": "For example MD, DO, NP, RN."},
            "role": {"type": "string", "enum": list(vocab.CLINICIAN_ROLES)},
            "npi": {"type": "string", "pattern": "^([0-9]{10})?$"},
        },
        "A clinician who treats patients here.",
    ),
}

# Profile field -> the schema of one of its records.
RECORD_FIELD_SCHEMAS = {
    "telehealth_states": "TelehealthState",
    "hours": "OpeningSpan",
    "clinicians": "Clinician",
}


def telehealth_provider_schema(summary: dict[str, Any], ref) -> dict[str, Any]:
    keys = ("id", "slug", "name", "city", "state", "settings", "languages", "insurers")
    keys += ("age_groups", "accessibility", "open_now")
    properties = {key: summary[key] for key in keys}
    properties |= {
        "telehealth_states": {"type": "array", "items": ref("TelehealthState")},
        "booking_url": {"type": "string"},
        "verified": summary["verified"],
        "red_flags": summary["red_flags"],
        "url": summary["url"],
    }
    return _object(
        properties,
        "A published telehealth provider licensed in the searched place's state, passing "
        "the search's other filters.",
    )
