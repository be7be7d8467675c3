"""How the profile form is laid out: its sections and groups, in the patients' questions' order."""

from __future__ import annotations

from dataclasses import dataclass

from portal import vocab


@dataclass(frozen=True)
class Group:
    """Several yes/no answers shown together as one set of checkboxes."""

    legend: str
    help: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    intro: str
    items: tuple[str | Group, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        "clinic",
        "Your clinic",
        "",
        ("name",),
    ),
    Section(
        "experience",
        "Question 1: How many ketamine treatments have you given?",
        "Patients are advised to ask about experience first.",
        (
            "treatments_administered",
            "years_offering",
            "director_discipline",
            "physician_on_site",
            "experience_notes",
        ),
    ),
    Section(
        "safety",
        "Question 2: What is your protocol for safety monitoring?",
        "Patients want to know how they are checked before treatment, watched during it "
        "and looked after afterwards.",
        (
            Group(
                "Screening before the first treatment",
                "Tick every check you do before a patient's first treatment. Listings "
                "without a medical history or a psychiatric evaluation are flagged.",
                tuple(vocab.SCREENING_ITEMS),
            ),
            "in_person_evaluation",
            "session_monitor",
            Group(
                "Vital signs watched during the session",
                "Ketamine can raise blood pressure and heart rate. Listings that watch "
                "none of these are flagged.",
                tuple(vocab.VITAL_SIGNS),
            ),
            "recovery_minutes",
            "transport_required",
            "fasting_hours",
            "pharmaceutical_grade",
            "emergency_trained",
            "offers_home_iv",
            "safety_notes",
        ),
    ),
    Section(
        "therapy",
        "Question 3: Do you combine therapy with ketamine?",
        "",
        ("therapy", "therapy_notes"),
    ),
    Section(
        "treatments",
        "Treatments and plan",
        "",
        (
            "routes",
            "conditions",
            "induction_sessions",
            "induction_weeks",
            "maintenance_offered",
            "plan_notes",
        ),
    ),
    Section(
        "cost",
        "Cost and payment",
        "",
        ("price_min", "price_max", "consultation_fee", "payment_options", "cost_notes"),
    ),
    Section(
        "care",
        "Where you treat: at the clinic, at home, by telehealth",
        "Many patients live far from a clinic. Say where you treat and, for care at home "
        "or by telehealth, how patients are kept safe there.",
        (
            "settings",
            "telehealth_states",
            "telehealth_evaluation",
            "remote_companion",
            "remote_monitoring",
            "first_dose_supervised",
            "emergency_plan",
        ),
    ),
    Section(
        "access",
        "Hours, languages and access",
        "What patients filter on after the safety questions.",
        (
            "hours",
            "timezone",
            "languages",
            "insurers",
            "age_groups",
            "accessibility",
            "accessibility_note",
            "booking_url",
            "clinicians",
        ),
    ),
    Section(
        "contact",
        "Contact and identity",
        "How patients reach you, and what moderators check before a listing is verified.",
        (
            "description",
            "address",
            "city",
            "state",
            "zip",
            "phone",
            "website",
            "email",
            "accepting_new_patients",
            "npi",
            "licence_state",
            "licence_number",
        ),
    ),
)


# How a stored answer reads: codes through their vocabulary, dollars as money.
ANSWER_VOCABULARIES: dict[str, dict[str, str]] = {
    "director_discipline": vocab.DIRECTOR_DISCIPLINES,
    "session_monitor": vocab.SESSION_MONITORS,
    "therapy": vocab.THERAPY,
    "routes": vocab.ROUTES,
    "conditions": vocab.CONDITIONS,
    "payment_options": vocab.PAYMENT_OPTIONS,
    "state": vocab.US_STATES,
    "licence_state": vocab.US_STATES,
    "settings": vocab.SETTINGS,
    "telehealth_evaluation": vocab.TELEHEALTH_EVALUATIONS,
    "remote_companion": vocab.REMOTE_COMPANIONS,
    "languages": vocab.LANGUAGES,
    "insurers": vocab.INSURERS,
    "age_groups": vocab.AGE_GROUPS,
    "accessibility": vocab.ACCESSIBILITY,
    "timezone": vocab.TIMEZONES,
}
MONEY_FIELDS: frozenset[str] = frozenset({"price_min", "price_max", "consultation_fee"})

# Every profile field in the order the form shows it (error summaries follow it).
FORM_ORDER: tuple[str, ...] = tuple(
    name
    for section in SECTIONS
    for item in section.items
    for name in (item.fields if isinstance(item, Group) else (item,))
)
