"""Published listings as Open Referral HSDS 3 records: organization, service, location.

Pure functions: a `Listing` (what the public page shows) and a `Context` (base
URL, the time now, settings) in, plain dicts ready for JSON out. One clinic is
one organization offering one service ("Ketamine treatment") at one location.

Every structured answer lands somewhere: the core HSDS fields where HSDS has a
field for it, otherwise an attribute carrying a term of our own taxonomy
("ketamine-clinic-portal"), with the answer as the attribute's `value` when it
is a number, yes/no or text. docs/hsds-mapping.md is the same table for people;
`FIELD_MAPPING` is the table in code, and the tests hold both to `Profile`.

Ids are uuid5 of a fixed namespace and the clinic's database id, so the same
clinic gets the same ids in every export and API answer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from portal import freshness, hsds_care, vocab
from portal.profile import FIELD_LABELS, Profile
from portal.templating import price_range, web_link
from portal.vetting import RULES, red_flags

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

BOOLEAN_FIELDS: tuple[str, ...] = (
    "accepting_new_patients",
    "physician_on_site",
    "transport_required",
    "pharmaceutical_grade",
    "emergency_trained",
    "offers_home_iv",
    "in_person_evaluation",
    "maintenance_offered",
    "remote_monitoring",
    "first_dose_supervised",
)
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


def _checked_code(category: str, field_name: str) -> str:
    prefix = CHECKED_FIELDS[category][0]
    return f"{category}:{field_name.removeprefix(prefix)}"


def _red_flag_titles() -> dict[str, str]:
    """Each rule's title, read off a profile that trips every rule (titles live in vetting)."""
    worst = Profile(
        routes=("esketamine",),
        settings=("at_home", "telehealth"),
        offers_home_iv=True,
        in_person_evaluation=False,
        description="A guaranteed cure.",
    )
    titles = {flag.code: flag.title for flag in red_flags(worst)}
    if len(titles) != len(RULES):
        raise RuntimeError("A red-flag rule no longer fires on the worst profile: update it.")
    return titles


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
            Term(_checked_code(category, name), text, description, category)
            for name, text in vocabulary.items()
        ]
    terms += [
        Term(f"red_flag:{code}", title, CATEGORIES["red_flag"][1], "red_flag")
        for code, title in _red_flag_titles().items()
    ]
    value_kinds = (
        (BOOLEAN_FIELDS, "Value: true or false."),
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
        name: f"service.attributes: term {_checked_code(category, name)} when true"
        for category, (_prefix, vocabulary) in CHECKED_FIELDS.items()
        for name in vocabulary
    },
    **{name: f"service.attributes: term {name}, value true/false" for name in BOOLEAN_FIELDS},
    **{name: f"service.attributes: term {name}, value digits" for name in NUMBER_FIELDS},
    **{name: f"service.attributes: term {name}, value text" for name in TEXT_FIELDS},
    "price_min": "service.cost_options (lowest price per session) + fees_description",
    "price_max": "service.cost_options (highest price per session) + fees_description",
    "consultation_fee": "service.cost_options (consultation fee) + fees_description",
}
FIELD_MAPPING.update(hsds_care.FIELD_MAPPING)
FIELD_MAPPING["accepting_new_patients"] += "; service.application_process"
FIELD_MAPPING["cost_notes"] += "; service.fees_description"


# --- input -------------------------------------------------------------------------------


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
    local_timezone: str = ""

    @classmethod
    def from_clinic(cls, clinic) -> Listing:
        return cls(
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


# --- pieces ------------------------------------------------------------------------------


def _put(record: dict[str, Any], **values: Any) -> dict[str, Any]:
    """Add the optional values that are stated (HSDS wants absent, not null or "")."""
    record.update({key: value for key, value in values.items() if value not in (None, "")})
    return record


def _email(value: str) -> str | None:
    return value if "@" in value else None


def _phones(listing: Listing) -> list[dict[str, Any]]:
    if not listing.profile.phone:
        return []
    return [
        {
            "id": listing.id("phone"),
            "organization_id": listing.id("organization"),
            "service_id": listing.id("service"),
            "location_id": listing.id("location"),
            "number": listing.profile.phone,
            "type": "voice",
            "description": "Main number",
        }
    ]


def _identifiers(listing: Listing) -> list[dict[str, Any]]:
    p = listing.profile
    identifiers = []
    if p.npi:
        identifiers.append(
            {
                "id": listing.id("identifier/npi"),
                "organization_id": listing.id("organization"),
                "identifier_type": "US National Provider Identifier (NPI)",
                "identifier": p.npi,
            }
        )
    if p.licence_number or p.licence_state:  # a state without a number is still a fact
        state = vocab.US_STATES.get(p.licence_state, p.licence_state) or "state not stated"
        identifiers.append(
            {
                "id": listing.id("identifier/licence"),
                "organization_id": listing.id("organization"),
                "identifier_type": f"US state medical or nursing licence ({state})",
                "identifier": p.licence_number or "number not stated",
            }
        )
    return identifiers


def _organization_core(listing: Listing, ctx: Context) -> dict[str, Any]:
    p = listing.profile
    return _put(
        {
            "id": listing.id("organization"),
            "name": p.name,
            "description": p.description or f"A ketamine clinic in {p.city}, {p.state}.",
        },
        email=_email(p.email),
        website=web_link(p.website),
        uri=ctx.listing_url(listing.slug),
    )


def _address(listing: Listing) -> dict[str, Any]:
    p = listing.profile
    return {
        "id": listing.id("address"),
        "location_id": listing.id("location"),
        "address_1": p.address,
        "city": p.city,
        "state_province": p.state,
        "postal_code": p.zip,
        "country": COUNTRY,
        "address_type": "physical",
    }


def _location_core(listing: Listing) -> dict[str, Any]:
    if hsds_care.is_virtual(listing.profile):  # telehealth only: nowhere to visit
        return _put(
            {
                "id": listing.id("location"),
                "location_type": "virtual",
                "organization_id": listing.id("organization"),
                "name": f"{listing.profile.name} (telehealth)",
            },
            url=web_link(listing.profile.booking_url or listing.profile.website),
        )
    return _put(
        {
            "id": listing.id("location"),
            "location_type": "physical",
            "organization_id": listing.id("organization"),
            "name": listing.profile.name,
        },
        latitude=listing.latitude,
        longitude=listing.longitude,
    )


def _location(listing: Listing) -> dict[str, Any]:
    address = _address(listing)
    if hsds_care.is_virtual(listing.profile):
        address["address_type"] = "postal"
    return {
        **_location_core(listing),
        "addresses": [address],
        "phones": _phones(listing),
        **hsds_care.location_details(listing),
    }


def _labels(codes, vocabulary: dict[str, str]) -> str:
    return ", ".join(vocab.label(vocabulary, code) for code in codes)


def _service_description(p: Profile) -> str:
    parts = ["Ketamine treatment."]
    if p.routes:
        parts.append(f"Given as: {_labels(p.routes, vocab.ROUTES)}.")
    if p.therapy:
        parts.append(f"Therapy: {vocab.label(vocab.THERAPY, p.therapy)}.")
    if p.induction_sessions:
        weeks = f" over {p.induction_weeks} weeks" if p.induction_weeks else ""
        parts.append(f"First series: {p.induction_sessions} sessions{weeks}.")
    return " ".join(parts)


def _fees_description(p: Profile) -> str:
    parts = []
    if p.price_min is not None or p.price_max is not None:
        parts.append(f"Price per session: {price_range(p.price_min, p.price_max)}.")
    if p.consultation_fee is not None:
        parts.append(f"Consultation fee: ${p.consultation_fee:,}.")
    if p.payment_options:
        parts.append(f"Payment help: {_labels(p.payment_options, vocab.PAYMENT_OPTIONS)}.")
    if p.cost_notes:
        parts.append(f"The clinic says: {p.cost_notes}")
    return " ".join(parts)


def _application_process(p: Profile) -> str:
    if not p.accepting_new_patients:
        return "The clinic is not accepting new patients at the moment."
    call = f" on {p.phone}" if p.phone else ""
    return f"Accepting new patients. Call the clinic{call} to arrange a first consultation."


def _is_stale(listing: Listing, ctx: Context) -> bool:
    """The listing page's rule (portal.freshness): unconfirmed for over N days."""
    return freshness.is_stale(listing.last_confirmed_at, ctx.now, ctx.stale_after_days)


def _alert(listing: Listing, ctx: Context) -> str:
    """What a patient should know before relying on the record, as on the listing page."""
    notes = []
    expires = listing.verification_expires
    if listing.verified_at is None or expires is None:
        notes.append("Not yet verified by our moderators.")
    elif expires <= ctx.now.date():
        notes.append(f"Verification expired on {expires.isoformat()}.")
    if _is_stale(listing, ctx):
        notes.append(
            f"Possibly out of date: not confirmed in the last {ctx.stale_after_days} days."
        )
    flags = red_flags(listing.profile)
    if flags:
        notes.append("Red flags: " + "; ".join(f"{f.title} ({f.reason})" for f in flags))
    return " ".join(notes)


def _attribute(listing: Listing, code: str, link: str, value: Any = None) -> dict[str, Any]:
    term = TERMS[code]
    record = {
        "id": listing.id(f"attribute/{link}/{code}"),
        "link_id": listing.id(link),
        "link_entity": link.split("/")[0],
        "taxonomy_term_id": term.id,
        "taxonomy_term": taxonomy_term(term),
    }
    if value is not None:
        record["value"] = value
    return record


def term_codes(listing: Listing) -> list[str]:
    """Codes of the terms the service carries (as attributes), in a fixed order."""
    p = listing.profile
    codes: list[str] = []
    for name, (category, vocabulary) in CODED_FIELDS.items():
        answer = getattr(p, name)
        chosen = answer if isinstance(answer, tuple) else (answer,)
        codes += [f"{category}:{code}" for code in chosen if code in vocabulary]
    for category, (_prefix, vocabulary) in CHECKED_FIELDS.items():
        codes += [_checked_code(category, name) for name in vocabulary if getattr(p, name)]
    codes += [f"red_flag:{flag.code}" for flag in red_flags(p)]
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


def _value(listing: Listing, code: str) -> str | None:
    p = listing.profile
    if code in BOOLEAN_FIELDS:
        return "true" if getattr(p, code) else "false"
    if code in NUMBER_FIELDS:
        return str(getattr(p, code))
    if code in TEXT_FIELDS:
        return getattr(p, code)
    if code == "verification_expires":
        return listing.verification_expires.isoformat()
    if code == "last_confirmed_on":
        return listing.last_confirmed_at.date().isoformat()
    return None


def _service_attributes(listing: Listing) -> list[dict[str, Any]]:
    return [
        _attribute(listing, code, "service", _value(listing, code)) for code in term_codes(listing)
    ]


def _cost_options(listing: Listing) -> list[dict[str, Any]]:
    p = listing.profile
    options = (
        ("price_min", "Lowest price per session", "One ketamine session, lowest price."),
        ("price_max", "Highest price per session", "One ketamine session, highest price."),
        ("consultation_fee", "Consultation fee", "The first consultation before treatment."),
    )
    records = []
    for name, option, description in options:
        amount = getattr(p, name)
        if amount is None:
            continue
        link = f"cost_option/{name}"
        records.append(
            {
                "id": listing.id(link),
                "service_id": listing.id("service"),
                "option": option,
                "currency": CURRENCY,
                "amount": amount,
                "amount_description": description,
                "attributes": [_attribute(listing, name, link, str(amount))],
            }
        )
    return records


def _service_core(listing: Listing, ctx: Context) -> dict[str, Any]:
    p = listing.profile
    return _put(
        {
            "id": listing.id("service"),
            "organization_id": listing.id("organization"),
            "name": f"Ketamine treatment at {p.name}",
            "status": "active",
        },
        description=_service_description(p),
        url=web_link(p.website),
        email=_email(p.email),
        application_process=_application_process(p),
        fees_description=_fees_description(p),
        eligibility_description=(
            f"People with: {_labels(p.conditions, vocab.CONDITIONS)}." if p.conditions else ""
        ),
        assured_date=listing.verified_at.isoformat() if listing.verified_at else None,
        assurer_email=ctx.assurer_email if listing.verified_at else None,
        alert=_alert(listing, ctx),
        last_modified=(
            listing.updated_at.isoformat(timespec="milliseconds") + "Z"
            if listing.updated_at
            else None
        ),
    )


def _service_details(listing: Listing) -> dict[str, Any]:
    """The service's one-to-many parts, without the organization or locations."""
    return {
        "phones": _phones(listing),
        "cost_options": _cost_options(listing),
        "attributes": _service_attributes(listing),
        **hsds_care.service_details(listing),
    }


def _organization_with_identifiers(listing: Listing, ctx: Context) -> dict[str, Any]:
    return {
        **_organization_core(listing, ctx),
        "phones": _phones(listing),
        "organization_identifiers": _identifiers(listing),
    }


def _link(listing: Listing) -> dict[str, Any]:
    return {
        "id": listing.id("service_at_location"),
        "service_id": listing.id("service"),
        "location_id": listing.id("location"),
        "description": f"{listing.profile.name}, {listing.profile.city}, {listing.profile.state}",
    }


# --- records -----------------------------------------------------------------------------


def organization(listing: Listing, ctx: Context) -> dict[str, Any]:
    """The fully nested organization (HSDS organization.json)."""
    return {
        **_organization_with_identifiers(listing, ctx),
        "locations": [_location(listing)],
        "services": [{**_service_core(listing, ctx), **_service_details(listing)}],
    }


def organization_summary(listing: Listing, ctx: Context) -> dict[str, Any]:
    """One item of the organizations list (HSDS organization_list.json)."""
    return _organization_core(listing, ctx)


def service(listing: Listing, ctx: Context) -> dict[str, Any]:
    """The fully nested service (HSDS service.json)."""
    return {
        **_service_core(listing, ctx),
        **_service_details(listing),
        "organization": _organization_with_identifiers(listing, ctx),
        "service_at_locations": [{**_link(listing), "location": _location(listing)}],
    }


def service_summary(listing: Listing, ctx: Context) -> dict[str, Any]:
    """One item of the services list (HSDS service_list.json)."""
    return {**_service_core(listing, ctx), "organization": _organization_core(listing, ctx)}


def service_at_location(listing: Listing, ctx: Context) -> dict[str, Any]:
    """The fully nested service at location (HSDS service_at_location.json)."""
    return {
        **_link(listing),
        "phones": _phones(listing),
        "location": _location(listing),
        "service": {
            **_service_core(listing, ctx),
            **_service_details(listing),
            "organization": _organization_with_identifiers(listing, ctx),
        },
    }


def service_at_location_summary(listing: Listing, ctx: Context) -> dict[str, Any]:
    """One item of the service_at_locations list (HSDS service_at_location_list.json)."""
    return {
        **_link(listing),
        "location": _location_core(listing),
        "service": {
            **_service_core(listing, ctx),
            "organization": _organization_core(listing, ctx),
        },
    }


# kind (URL segment) -> (record id kind, full record, list item)
COLLECTIONS = {
    "organizations": ("organization", organization, organization_summary),
    "services": ("service", service, service_summary),
    "service_at_locations": (
        "service_at_location",
        service_at_location,
        service_at_location_summary,
    ),
}
