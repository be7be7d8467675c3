"""schema.org JSON-LD for a listing page, so search engines read the same facts patients do.

`medical_clinic()` builds the data from a clinic's approved profile (pure);
`json_ld_script()` wraps it in a `<script type="application/ld+json">` block.
Browsers treat that block as data and never run it, so it needs no CSP
exception; `<`, `>` and `&` are written as \\u003c, \\u003e and \\u0026 so no text
a clinic typed (a name holding "</script>", say) can end the block early.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from portal import vocab
from portal.profile import Profile
from portal.templating import price_range, web_link

SCHEMA_ORG = "https://schema.org"

# The medical director's discipline as a schema.org MedicalSpecialty, where one fits.
DISCIPLINE_SPECIALTIES: dict[str, str] = {
    "psychiatry": "Psychiatric",
    "anesthesiology": "Anesthesia",
    "crna": "Anesthesia",
    "emergency_medicine": "Emergency",
}
# Conditions that make a ketamine service a psychiatric one.
PSYCHIATRIC_CONDITIONS: frozenset[str] = frozenset(
    {"depression", "trd", "suicidal_ideation", "anxiety", "ptsd", "ocd", "substance_use"}
)
THERAPY_NAMES: dict[str, str] = {
    "iv": "Ketamine IV infusion",
    "im": "Ketamine intramuscular injection",
    "esketamine": "Esketamine nasal spray (Spravato)",
    "oral": "Oral or sublingual ketamine",
}

_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def _specialties(profile: Profile) -> list[str]:
    found = []
    if profile.director_discipline in DISCIPLINE_SPECIALTIES:
        found.append(DISCIPLINE_SPECIALTIES[profile.director_discipline])
    if PSYCHIATRIC_CONDITIONS.intersection(profile.conditions):
        found.append("Psychiatric")
    return [f"{SCHEMA_ORG}/{name}" for name in dict.fromkeys(found)]


def medical_clinic(
    profile: Profile, *, url: str, latitude: float | None, longitude: float | None
) -> dict[str, Any]:
    """A schema.org MedicalClinic with what the listing page shows; unstated answers left out."""
    data: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "MedicalClinic",
        "name": profile.name,
        "url": url,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": profile.address,
            "addressLocality": profile.city,
            "addressRegion": profile.state,
            "postalCode": profile.zip,
            "addressCountry": "US",
        },
    }
    if profile.accepting_new_patients is not None:
        data["isAcceptingNewPatients"] = profile.accepting_new_patients
    if profile.description:
        data["description"] = profile.description
    if latitude is not None and longitude is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude}
    if profile.phone:
        data["telephone"] = profile.phone
    if profile.email:
        data["email"] = profile.email
    if website := web_link(profile.website):
        data["sameAs"] = website
    if specialties := _specialties(profile):
        data["medicalSpecialty"] = specialties
    if profile.routes:
        data["availableService"] = [
            {
                "@type": "MedicalTherapy",
                "name": THERAPY_NAMES.get(code, vocab.label(vocab.ROUTES, code)),
            }
            for code in profile.routes
        ]
    if profile.price_min is not None or profile.price_max is not None:
        data["priceRange"] = price_range(profile.price_min, profile.price_max)
    if profile.languages:
        data["availableLanguage"] = [
            {"@type": "Language", "name": vocab.LANGUAGES[code], "alternateName": code}
            for code in profile.languages
            if code in vocab.LANGUAGES
        ]
    if profile.hours:
        data["openingHoursSpecification"] = [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": f"{SCHEMA_ORG}/{vocab.WEEKDAYS[day]}",
                "opens": opens,
                "closes": closes,  # earlier than `opens`: open past midnight
            }
            for day, opens, closes in profile.hours
        ]
    return data


def json_for_script(data: dict[str, Any]) -> str:
    """JSON that is safe between <script> tags: no <, > or & appears literally."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)


def json_ld_script(data: dict[str, Any]) -> Markup:
    return Markup(f'<script type="application/ld+json">{json_for_script(data)}</script>')  # noqa: S704
