"""The questions a listing can leave open, and how many of them it answers.

A structured answer that is "not stated" (None, or blank) is not a No: it is a
question the patient should ask. The listing gathers these as the clinic's
unanswered questions, the API counts them (`answered` / `questions`), and the
safety ones sit beside the red flags so that nothing unstated is silently passed.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.profile import FIELD_LABELS, REMOTE_TRI_STATE_FIELDS, TRI_STATE_FIELDS, Profile


@dataclass(frozen=True)
class Question:
    field: str
    ask: str  # the question in the patient's words
    safety: bool = False
    # Asked only of providers treating in one of these settings (empty: of everyone).
    settings: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return FIELD_LABELS[self.field]

    def applies_to(self, profile: Profile) -> bool:
        return not self.settings or any(code in profile.settings for code in self.settings)


REMOTE = ("at_home", "telehealth")


QUESTIONS: tuple[Question, ...] = (
    Question("treatments_administered", "How many ketamine treatments has your clinic given?"),
    Question("years_offering", "How long have you offered ketamine?"),
    Question("director_discipline", "What is the medical director's specialty?"),
    Question("physician_on_site", "Is a physician on site during treatments?"),
    Question(
        "in_person_evaluation",
        "Will you evaluate me in person before my first treatment?",
        safety=True,
    ),
    Question("session_monitor", "Who watches me during the session?", safety=True),
    Question("recovery_minutes", "How long will you observe me after a session?", safety=True),
    Question("transport_required", "Must someone else drive me home afterwards?", safety=True),
    Question("fasting_hours", "How long should I go without food before a session?"),
    Question(
        "pharmaceutical_grade",
        "Do you use pharmaceutical-grade ketamine only?",
        safety=True,
    ),
    Question(
        "emergency_trained",
        "Are your staff trained for emergencies, and what is your protocol if something "
        "goes wrong?",
        safety=True,
    ),
    Question("offers_home_iv", "Do you give IV ketamine at home?"),
    Question("therapy", "How does talk therapy fit in with my treatments?"),
    Question("induction_sessions", "How many sessions are in the first series?"),
    Question("maintenance_offered", "Do you offer maintenance (booster) sessions?"),
    Question("consultation_fee", "What does the first consultation cost?"),
    Question("accepting_new_patients", "Are you accepting new patients?"),
    Question(
        "telehealth_evaluation",
        "Will I have a live video or in-person visit before you prescribe?",
        safety=True,
        settings=("telehealth",),
    ),
    Question(
        "remote_companion",
        "Who is with me during a session at home?",
        safety=True,
        settings=REMOTE,
    ),
    Question(
        "remote_monitoring",
        "How do you monitor me during a session at home (a video check-in, a blood pressure cuff)?",
        safety=True,
        settings=REMOTE,
    ),
    Question(
        "first_dose_supervised",
        "Is my first dose supervised by a clinician?",
        safety=True,
        settings=REMOTE,
    ),
    Question(
        "emergency_plan",
        "What happens if something goes wrong during a session at home?",
        safety=True,
        settings=REMOTE,
    ),
)
QUESTION_BY_FIELD: dict[str, Question] = {q.field: q for q in QUESTIONS}
assert set(TRI_STATE_FIELDS + REMOTE_TRI_STATE_FIELDS) <= set(QUESTION_BY_FIELD), (
    "every yes/no fact needs a question"
)


def is_stated(value) -> bool:
    return value is not None and value != "" and value != ()


def asked(profile: Profile) -> list[Question]:
    """The questions that apply to this provider (the at-home and telehealth ones to
    those who treat there), in reading order."""
    return [q for q in QUESTIONS if q.applies_to(profile)]


def unanswered(profile: Profile) -> list[Question]:
    """The questions this profile leaves open, in reading order."""
    return [q for q in asked(profile) if not is_stated(getattr(profile, q.field))]
