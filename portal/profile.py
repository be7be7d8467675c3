"""A clinic's profile: everything a clinic states about itself, in one shape.

The same shape is stored in a revision (a frozen snapshot), loaded from the
sample data, edited in the dashboard form, copied onto the published listing,
judged by the red-flag rules and served by the API. Keeping one shape means
nothing a clinic wrote can fall between two representations.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from portal import vocab

# Fields a clinic must answer before its profile can be submitted for review.
REQUIRED_FOR_SUBMISSION: tuple[str, ...] = (
    "name",
    "address",
    "city",
    "state",
    "zip",
    "phone",
    "director_discipline",
    "session_monitor",
    "therapy",
    "routes",
    "conditions",
    "price_min",
    "price_max",
)


@dataclass(frozen=True)
class Profile:
    """What a clinic says about itself; `None` means "not stated"."""

    # Who and where
    name: str = ""
    description: str = ""
    address: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    phone: str = ""
    website: str = ""
    email: str = ""
    npi: str = ""
    licence_state: str = ""
    licence_number: str = ""
    accepting_new_patients: bool | None = None

    # Question 1: experience
    treatments_administered: int | None = None
    years_offering: int | None = None
    director_discipline: str | None = None
    physician_on_site: bool | None = None
    experience_notes: str = ""

    # Question 2: safety monitoring protocol
    screens_medical_history: bool = False
    screens_psychiatric_evaluation: bool = False
    screens_prior_treatments: bool = False
    screens_contraindications: bool = False
    session_monitor: str | None = None
    monitors_blood_pressure: bool = False
    monitors_heart_rate: bool = False
    monitors_oxygen: bool = False
    monitors_ecg: bool = False
    recovery_minutes: int | None = None
    transport_required: bool | None = None
    fasting_hours: int | None = None
    pharmaceutical_grade: bool | None = None
    emergency_trained: bool | None = None
    offers_home_iv: bool | None = None
    in_person_evaluation: bool | None = None
    safety_notes: str = ""

    # Question 3: combined therapy
    therapy: str | None = None
    therapy_notes: str = ""

    # Treatments, plan and cost
    routes: tuple[str, ...] = field(default_factory=tuple)
    conditions: tuple[str, ...] = field(default_factory=tuple)
    induction_sessions: int | None = None
    induction_weeks: int | None = None
    maintenance_offered: bool | None = None
    plan_notes: str = ""
    price_min: int | None = None
    price_max: int | None = None
    consultation_fee: int | None = None
    payment_options: tuple[str, ...] = field(default_factory=tuple)
    cost_notes: str = ""

    # Care beyond the clinic door: where patients are treated, and the safety
    # question asked for at-home and telehealth care (None = not stated).
    settings: tuple[str, ...] = field(default_factory=tuple)
    telehealth_states: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    telehealth_evaluation: str | None = None
    remote_companion: str | None = None
    remote_monitoring: bool | None = None
    first_dose_supervised: bool | None = None
    emergency_plan: str = ""

    # Facts patients filter on
    languages: tuple[str, ...] = field(default_factory=tuple)
    hours: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)
    timezone: str = ""
    accessibility: tuple[str, ...] = field(default_factory=tuple)
    accessibility_note: str = ""
    age_groups: tuple[str, ...] = field(default_factory=tuple)
    insurers: tuple[str, ...] = field(default_factory=tuple)
    booking_url: str = ""
    clinicians: tuple[tuple[str, str, str, str], ...] = field(default_factory=tuple)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        """Build from stored JSON; unknown keys are ignored, lists become tuples."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for key in LIST_FIELDS:
            if key in values:
                values[key] = _in_vocabulary_order(values[key] or (), LIST_VOCABULARIES[key])
        for key, keys in RECORD_FIELDS.items():
            if key in values:
                values[key] = tuple(_record(item, keys) for item in values[key] or ())
        return cls(**values)

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> Profile:
        """Build from a draft's or revision's JSON, written before or after yes/no became
        three-valued (`STORED_FORMAT`): older JSON is read the way the migration read it."""
        if data.get(STORED_FORMAT_KEY) is None:
            data = {
                **data,
                **{
                    name: None for name in LEGACY_UNTICKED_MEANS_UNSTATED if data.get(name) is False
                },
            }
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; tuples become lists."""
        data = asdict(self)
        for key in LIST_FIELDS:
            data[key] = list(data[key])
        for key, keys in RECORD_FIELDS.items():
            data[key] = [dict(zip(keys, item, strict=True)) for item in data[key]]
        return data

    def to_stored(self) -> dict[str, Any]:
        """What a draft or revision stores: `to_dict` marked with its format."""
        return {**self.to_dict(), STORED_FORMAT_KEY: STORED_FORMAT}

    def missing_for_submission(self) -> list[str]:
        """Names of the required answers still empty."""
        data = asdict(self)
        missing = [name for name in REQUIRED_FOR_SUBMISSION if data[name] in (None, "", ())]
        if "telehealth" in self.settings and not self.telehealth_states:
            missing.append("telehealth_states")  # else no patient's search would ever list it
        return missing

    @property
    def screening(self) -> list[str]:
        return [code for code in vocab.SCREENING_ITEMS if getattr(self, code)]

    @property
    def vital_signs(self) -> list[str]:
        return [code for code in vocab.VITAL_SIGNS if getattr(self, code)]

    @property
    def free_texts(self) -> dict[str, str]:
        """The free-text answers, for rules that read what a clinic promises."""
        return {name: getattr(self, name) for name in FREE_TEXT_FIELDS if getattr(self, name)}


# Yes/no facts with a third answer, "not stated" (None). The form asks each as
# Yes / No / Not stated (portal.dashboard.fields.TriStateField, macro `tri_state`);
# pages show None as "Not stated: ask them" (macros `yes_no` and `not_stated`), and
# vetting.questions needs a question for each.
TRI_STATE_FIELDS: tuple[str, ...] = (
    "accepting_new_patients",
    "physician_on_site",
    "transport_required",
    "pharmaceutical_grade",
    "emergency_trained",
    "offers_home_iv",
    "in_person_evaluation",
    "maintenance_offered",
)
# Stored JSON carries this key since the facts became three-valued (migration i15).
STORED_FORMAT_KEY = "format"
STORED_FORMAT = 2
# Before that, these were checkboxes that started unticked: False meant "not ticked",
# which cannot tell "we don't" from "we didn't say" (see the i15 migration).
LEGACY_UNTICKED_MEANS_UNSTATED: tuple[str, ...] = (
    "physician_on_site",
    "transport_required",
    "pharmaceutical_grade",
    "emergency_trained",
    "offers_home_iv",
    "maintenance_offered",
)
# Yes/no facts asked only of at-home and telehealth providers (vetting.questions says
# when); three-valued like the ones above.
REMOTE_TRI_STATE_FIELDS: tuple[str, ...] = ("remote_monitoring", "first_dose_supervised")
LIST_VOCABULARIES: dict[str, dict[str, str]] = {
    "routes": vocab.ROUTES,
    "conditions": vocab.CONDITIONS,
    "payment_options": vocab.PAYMENT_OPTIONS,
    "settings": vocab.SETTINGS,
    "languages": vocab.LANGUAGES,
    "accessibility": vocab.ACCESSIBILITY,
    "age_groups": vocab.AGE_GROUPS,
    "insurers": vocab.INSURERS,
}
LIST_FIELDS: tuple[str, ...] = tuple(LIST_VOCABULARIES)
# Code lists kept in the one `clinic_codes` table (the first three have their own tables).
CODE_KINDS: tuple[str, ...] = ("settings", "languages", "accessibility", "age_groups", "insurers")

# Answers made of several records; stored as lists of JSON objects with these keys.
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "telehealth_states": ("state", "licence_number"),
    "hours": ("day", "opens", "closes"),
    "clinicians": ("name", "credential", "role", "npi"),
}


def _record(item, keys: tuple[str, ...]) -> tuple[str, ...]:
    """A stored record (a JSON object, or already a tuple) as a tuple in `keys` order."""
    if isinstance(item, dict):
        return tuple(str(item.get(key) or "") for key in keys)
    return tuple(item)


def _in_vocabulary_order(codes, vocabulary: dict[str, str]) -> tuple[str, ...]:
    """Codes once each, in vocabulary order (unknown ones last): equal sets compare equal."""
    unique = list(dict.fromkeys(codes))
    known = [code for code in vocabulary if code in unique]
    return tuple(known + [code for code in unique if code not in vocabulary])


FREE_TEXT_FIELDS: tuple[str, ...] = (
    "description",
    "experience_notes",
    "safety_notes",
    "therapy_notes",
    "plan_notes",
    "cost_notes",
    "emergency_plan",
    "accessibility_note",
)
PROFILE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Profile))

# Patient-facing names of every field, used by the moderators' diff and errors.
FIELD_LABELS: dict[str, str] = {
    "name": "Clinic name",
    "description": "About the clinic",
    "address": "Street address",
    "city": "City",
    "state": "State",
    "zip": "ZIP code",
    "phone": "Phone",
    "website": "Website",
    "email": "Contact email",
    "npi": "NPI (National Provider Identifier)",
    "licence_state": "Licence state",
    "licence_number": "Licence number",
    "accepting_new_patients": "Accepting new patients",
    "treatments_administered": "Ketamine treatments administered",
    "years_offering": "Years offering ketamine",
    "director_discipline": "Medical director's specialty",
    "physician_on_site": "Physician on site during treatments",
    "experience_notes": "More about experience",
    **vocab.SCREENING_ITEMS,
    "session_monitor": "Who watches you during the session",
    **vocab.VITAL_SIGNS,
    "recovery_minutes": "Recovery time after a session (minutes)",
    "transport_required": "Someone else must drive you home",
    "fasting_hours": "No food before a session (hours)",
    "pharmaceutical_grade": "Pharmaceutical-grade ketamine only",
    "emergency_trained": "Staff trained for emergencies",
    "offers_home_iv": "Offers IV ketamine at home",
    "in_person_evaluation": "In-person evaluation before treatment",
    "safety_notes": "More about safety",
    "therapy": "Therapy alongside ketamine",
    "therapy_notes": "More about therapy",
    "routes": "Ways ketamine is given",
    "conditions": "Conditions treated",
    "induction_sessions": "Sessions in the first series",
    "induction_weeks": "Weeks the first series takes",
    "maintenance_offered": "Maintenance (booster) sessions offered",
    "plan_notes": "More about the treatment plan",
    "price_min": "Lowest price per session ($)",
    "price_max": "Highest price per session ($)",
    "consultation_fee": "Consultation fee ($)",
    "payment_options": "Payment help",
    "cost_notes": "More about cost",
    "settings": "Where treatment happens",
    "telehealth_states": "States where telehealth is offered",
    "telehealth_evaluation": "How a telehealth patient is first evaluated",
    "remote_companion": "Who is with the patient during an at-home or telehealth session",
    "remote_monitoring": "Remote monitoring during the session",
    "first_dose_supervised": "First dose supervised",
    "emergency_plan": "Emergency plan for at-home and telehealth sessions",
    "languages": "Languages spoken",
    "hours": "Opening hours",
    "timezone": "Time zone",
    "accessibility": "Accessibility",
    "accessibility_note": "More about accessibility",
    "age_groups": "Age groups treated",
    "insurers": "Insurance plans accepted (in network)",
    "booking_url": "Online booking link",
    "clinicians": "Clinicians",
}
