"""Our HSDS taxonomy ("ketamine-clinic-portal"): stable ids, its terms, and where each answer goes.

Ids are uuid5 of a fixed namespace, so the same clinic and the same term get the
same ids in every export and API answer. `FIELD_MAPPING` is docs/hsds-mapping.md
in code; the tests hold both to `Profile`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from portal import vocab
from portal.opendata.care import FIELD_MAPPING as CARE_FIELD_MAPPING
from portal.profile import FIELD_LABELS, REMOTE_TRI_STATE_FIELDS, TRI_STATE_FIELDS
from portal.vetting import KINDS

HSDS_VERSION = "3.0"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:ketamine-clinic-portal:hsds")
TAXONOMY_NAME = "ketamine-clinic-portal"
TAXONOMY_DESCRIPTION = (
    "Terms of the Ketamine Clinic Finder: how ketamine is given, the conditions treated, "
    "therapy, payment help, screening, monitoring, staffing, red flags, and named answers "
    "whose attribute value holds a number (as digits), yes/no (true or false), a date or "
    "the clinic's own words."
)
TAXONOMY_VERSION = "1"
COUNTRY = "US"
CURRENCY = "USD"


# --- ids -------------------------------------------------------------------------------


@lru_cache(maxsize=65_536)
def record_id(kind: str, clinic_id: int) -> str:
    """The stable id of one record of a clinic (kind: organization, service, phone...)."""
    return str(uuid.uuid5(NAMESPACE, f"clinic/{clinic_id}/{kind}"))


def term_id(code: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"taxonomy/{TAXONOMY_NAME}/term/{code}"))


TAXONOMY_ID = str(uuid.uuid5(NAMESPACE, f"taxonomy/{TAXONOMY_NAME}"))


# --- the taxonomy ------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    code: str
    name: str
    description: str
    parent: str | None = None

    @property
    def id(self) -> str:
        return term_id(self.code)


# Categories whose child terms tag a service when the answer applies.
CATEGORIES: dict[str, tuple[str, str]] = {
    "route": ("Ways ketamine is given", "The clinic gives ketamine this way."),
    "condition": ("Conditions treated", "The clinic treats this condition."),
    "therapy": ("Therapy alongside ketamine", "How the clinic combines therapy with ketamine."),
    "payment_option": ("Payment help", "The clinic offers this help with paying."),
    "screening": (
        "Screening before the first treatment",
        "The clinic does this check before a patient's first treatment.",
    ),
    "vital_sign": (
        "Vital signs watched during a session",
        "The clinic monitors this during every session.",
    ),
    "session_monitor": (
        "Who watches the patient during a session",
        "The person present throughout a session.",
    ),
    "director_discipline": (
        "Medical director's specialty",
        "The specialty of the clinic's medical director.",
    ),
    "setting": ("Where treatment happens", "The provider treats patients in this setting."),
    "insurer": ("Insurance accepted", "The provider is in network with this plan."),
    "age_group": ("Age groups treated", "The provider treats people of this age."),
    "accessibility": ("Accessibility", "The clinic offers this for people with disabilities."),
    "remote_companion": (
        "Who is with the patient at home",
        "Who is present during an at-home or telehealth session.",
    ),
    "telehealth_evaluation": (
        "How a telehealth patient is first evaluated",
        "The evaluation before ketamine is prescribed by telehealth.",
    ),
    "red_flag": (
        "Red flags",
        "A warning sign raised by the portal's published rules from the clinic's own answers.",
    ),
}

# Profile fields whose answer is a code of one of these vocabularies.
CODED_FIELDS: dict[str, tuple[str, dict[str, str]]] = {
    "routes": ("route", vocab.ROUTES),
    "conditions": ("condition", vocab.CONDITIONS),
    "payment_options": ("payment_option", vocab.PAYMENT_OPTIONS),
    "therapy": ("therapy", vocab.THERAPY),
    "session_monitor": ("session_monitor", vocab.SESSION_MONITORS),
    "director_discipline": ("director_discipline", vocab.DIRECTOR_DISCIPLINES),
    "settings": ("setting", vocab.SETTINGS),
    "insurers": ("insurer", vocab.INSURERS),
    "age_groups": ("age_group", vocab.AGE_GROUPS),
    "accessibility": ("accessibility", vocab.ACCESSIBILITY),
    "remote_companion": ("remote_companion", vocab.REMOTE_COMPANIONS),
    "telehealth_evaluation": ("telehealth_evaluation", vocab.TELEHEALTH_EVALUATIONS),
}
CATEGORY_FIELDS: dict[str, str] = {category: name for name, (category, _v) in CODED_FIELDS.items()}
# Yes/no fields that tag the service with a term when true (absent: false).
CHECKED_FIELDS: dict[str, tuple[str, dict[str, str]]] = {
    "screening": ("screens_", vocab.SCREENING_ITEMS),
    "vital_sign": ("monitors_", vocab.VITAL_SIGNS),
}

# Yes/no facts: an attribute with value true or false when stated, none when not stated.
BOOLEAN_FIELDS: tuple[str, ...] = TRI_STATE_FIELDS + REMOTE_TRI_STATE_FIELDS
NUMBER_FIELDS: tuple[str, ...] = (
    "treatments_administered",
    "years_offering",
    "recovery_minutes",
    "fasting_hours",
    "induction_sessions",
    "induction_weeks",
)
TEXT_FIELDS: tuple[str, ...] = (
    "experience_notes",
    "safety_notes",
    "therapy_notes",
    "plan_notes",
    "cost_notes",
    "emergency_plan",
    "accessibility_note",
    "booking_url",
    "timezone",
)
# Amounts carried by cost options; each cost option carries its term as an attribute.
COST_FIELDS: tuple[str, ...] = ("price_min", "price_max", "consultation_fee")
LISTING_DATES: dict[str, tuple[str, str]] = {
    "verification_expires": (
        "Verification valid until",
        "Value: the date (YYYY-MM-DD) the moderators' check of this listing runs out.",
    ),
    "last_confirmed_on": (
        "Information last confirmed",
        "Value: the date (YYYY-MM-DD) the listing's information was last confirmed.",
    ),
}


def checked_code(category: str, field_name: str) -> str:
    prefix = CHECKED_FIELDS[category][0]
    return f"{category}:{field_name.removeprefix(prefix)}"


def _build_terms() -> dict[str, Term]:
    terms: list[Term] = [Term(code, *texts) for code, texts in CATEGORIES.items()]
    for category, vocabulary in CODED_FIELDS.values():
        description = CATEGORIES[category][1]
        terms += [
            Term(f"{category}:{code}", text, description, category)
            for code, text in vocabulary.items()
        ]
    for category, (_prefix, vocabulary) in CHECKED_FIELDS.items():
        description = CATEGORIES[category][1]
        terms += [
            Term(checked_code(category, name), text, description, category)
            for name, text in vocabulary.items()
        ]
    terms += [
        Term(f"red_flag:{kind.code}", kind.title, kind.meaning, "red_flag")
        for kind in KINDS.values()
    ]
    value_kinds = (
        (BOOLEAN_FIELDS, "Value: true or false; absent when the clinic has not stated it."),
        (NUMBER_FIELDS, "Value: a whole number, as digits."),
        (TEXT_FIELDS, "Value: the clinic's own words."),
        (COST_FIELDS, "Value: an amount in US dollars, as digits (on a cost option)."),
    )
    for names, description in value_kinds:
        terms += [Term(name, FIELD_LABELS[name], description) for name in names]
    terms += [Term(code, *texts) for code, texts in LISTING_DATES.items()]
    return {term.code: term for term in terms}


TERMS: dict[str, Term] = _build_terms()


def taxonomy() -> dict[str, Any]:
    """Our taxonomy as an HSDS taxonomy record (terms carry only its id and name)."""
    return {
        "id": TAXONOMY_ID,
        "name": TAXONOMY_NAME,
        "description": TAXONOMY_DESCRIPTION,
        "version": TAXONOMY_VERSION,
    }


TERMS_BY_ID: dict[str, Term] = {term.id: term for term in TERMS.values()}


def taxonomy_term(term: Term) -> dict[str, Any]:
    record = {
        "id": term.id,
        "code": term.code,
        "name": term.name,
        "description": term.description,
        "taxonomy": TAXONOMY_NAME,
        "taxonomy_id": TAXONOMY_ID,
        "language": "en",
    }
    if term.parent:
        record["parent_id"] = TERMS[term.parent].id
    return record


# Where each Profile field goes. docs/hsds-mapping.md says the same; a test checks both.
FIELD_MAPPING: dict[str, str] = {
    "name": "organization.name, location.name, service.name",
    "description": "organization.description",
    "address": "location.addresses[0].address_1",
    "city": "location.addresses[0].city",
    "state": "location.addresses[0].state_province",
    "zip": "location.addresses[0].postal_code",
    "phone": "phones[0].number (organization, service, location)",
    "website": "organization.website, service.url",
    "email": "organization.email, service.email",
    "npi": "organization.organization_identifiers (identifier_type NPI)",
    "licence_state": "organization.organization_identifiers (licence, identifier_type)",
    "licence_number": "organization.organization_identifiers (licence, identifier)",
    "routes": "service.attributes: term route:<code>; service.description",
    "conditions": "service.attributes: term condition:<code>; service.eligibility_description",
    "payment_options": "service.attributes: term payment_option:<code>; fees_description",
    "therapy": "service.attributes: term therapy:<code>; service.description",
    "session_monitor": "service.attributes: term session_monitor:<code>",
    "director_discipline": "service.attributes: term director_discipline:<code>",
    **{
        name: f"service.attributes: term {checked_code(category, name)} when true"
        for category, (_prefix, vocabulary) in CHECKED_FIELDS.items()
        for name in vocabulary
    },
    **{
        name: f"service.attributes: term {name}, value true/false (none when not stated)"
        for name in BOOLEAN_FIELDS
    },
    **{name: f"service.attributes: term {name}, value digits" for name in NUMBER_FIELDS},
    **{name: f"service.attributes: term {name}, value text" for name in TEXT_FIELDS},
    "price_min": "service.cost_options (lowest price per session) + fees_description",
    "price_max": "service.cost_options (highest price per session) + fees_description",
    "consultation_fee": "service.cost_options (consultation fee) + fees_description",
}
FIELD_MAPPING.update(CARE_FIELD_MAPPING)
FIELD_MAPPING["accepting_new_patients"] += "; service.application_process"
FIELD_MAPPING["cost_notes"] += "; service.fees_description"
