"""Each red-flag rule fires on the answer it names and stays quiet otherwise."""

from __future__ import annotations

import pytest

from portal.profile import TRI_STATE_FIELDS, Profile
from portal.vetting import FLAG_CODES, FLAG_KINDS, QUESTIONS, RULES, assess, red_flags
from tests.factories import clean_profile


def codes(profile) -> list[str]:
    return [flag.code for flag in red_flags(profile)]


def test_a_clean_profile_raises_no_flag():
    assert red_flags(clean_profile()) == []


def test_every_rule_has_a_listed_code():
    assert len(RULES) == len(FLAG_CODES)


@pytest.mark.parametrize(
    ("overrides", "code", "reason_mentions"),
    [
        (
            {"screens_medical_history": False, "screens_psychiatric_evaluation": False},
            "no_screening",
            "medical history",
        ),
        ({"screens_psychiatric_evaluation": False}, "no_screening", "psychiatric evaluation"),
        ({"session_monitor": "none"}, "no_medical_supervision", "says no physician or nurse"),
        ({"session_monitor": None}, "no_medical_supervision", "does not say whether"),
        (
            {
                "monitors_blood_pressure": False,
                "monitors_heart_rate": False,
                "monitors_oxygen": False,
                "monitors_ecg": False,
            },
            "no_vital_sign_monitoring",
            "blood pressure",
        ),
        ({"recovery_minutes": 0, "routes": ("iv",)}, "no_recovery_period", "0 minutes"),
        ({"recovery_minutes": None, "routes": ("iv",)}, "no_recovery_period", "no recovery"),
        ({"transport_required": False}, "no_transport_requirement", "drive you home"),
        ({"emergency_trained": False}, "no_emergency_training", "Staff trained for emergencies"),
        ({"pharmaceutical_grade": False}, "not_pharmaceutical_grade", "Pharmaceutical-grade"),
        ({"therapy": "none"}, "no_therapy", "offers no therapy"),
        ({"therapy": None}, "no_therapy", "does not say"),
        ({"description": "Guaranteed relief in one visit."}, "promises_cure", "Guaranteed"),
        ({"therapy_notes": "Our protocol cures depression."}, "promises_cure", "cures"),
        ({"cost_notes": "100% of patients improve."}, "promises_cure", "100%"),
        ({"treatments_administered": None}, "unknown_experience", "how many"),
        (
            {"routes": ("esketamine",), "recovery_minutes": 60},
            "short_esketamine_observation",
            "60 minutes",
        ),
        (
            {"offers_home_iv": True, "in_person_evaluation": False},
            "home_iv_without_evaluation",
            "at home",
        ),
    ],
)
def test_rule_fires_and_names_its_fact(overrides, code, reason_mentions):
    flags = {flag.code: flag for flag in red_flags(clean_profile(**overrides))}
    assert code in flags
    assert reason_mentions in flags[code].reason


@pytest.mark.parametrize(
    ("overrides", "quiet_code"),
    [
        ({"screens_medical_history": True, "screens_psychiatric_evaluation": True}, "no_screening"),
        ({"session_monitor": "nurse"}, "no_medical_supervision"),
        (
            {
                "monitors_blood_pressure": False,
                "monitors_heart_rate": False,
                "monitors_oxygen": False,
                "monitors_ecg": True,
            },
            "no_vital_sign_monitoring",
        ),
        ({"recovery_minutes": 30, "routes": ("iv",)}, "no_recovery_period"),
        ({"therapy": "referral"}, "no_therapy"),
        ({"therapy": "coordinated"}, "no_therapy"),
        ({"description": "We aim to ease symptoms; results vary."}, "promises_cure"),
        ({"description": "Secure parking is available."}, "promises_cure"),
        ({"description": "Ketamine is not a cure, and we say so."}, "promises_cure"),
        ({"description": "We cannot guarantee results."}, "promises_cure"),
        ({"description": "No clinic can promise a cure."}, "promises_cure"),
        ({"therapy_notes": "Ketamine is a tool, not a cure-all."}, "promises_cure"),
        ({"description": "We won\u2019t promise a miracle."}, "promises_cure"),
        ({"treatments_administered": 0}, "unknown_experience"),
        ({"routes": ("iv", "im"), "recovery_minutes": 45}, "short_esketamine_observation"),
        ({"routes": ("esketamine",), "recovery_minutes": 120}, "short_esketamine_observation"),
        ({"offers_home_iv": True, "in_person_evaluation": True}, "home_iv_without_evaluation"),
        ({"offers_home_iv": True, "in_person_evaluation": None}, "home_iv_without_evaluation"),
        ({"transport_required": None}, "no_transport_requirement"),
        ({"emergency_trained": None}, "no_emergency_training"),
        ({"emergency_trained": True}, "no_emergency_training"),
        ({"pharmaceutical_grade": None}, "not_pharmaceutical_grade"),
        ({"pharmaceutical_grade": True}, "not_pharmaceutical_grade"),
    ],
)
def test_rule_stays_quiet_when_the_answer_is_good(overrides, quiet_code):
    assert quiet_code not in codes(clean_profile(**overrides))


def test_flags_come_in_a_fixed_order():
    profile = clean_profile(therapy="none", session_monitor="none", treatments_administered=None)
    assert codes(profile) == ["no_medical_supervision", "no_therapy", "unknown_experience"]


@pytest.mark.parametrize(
    "text",
    [
        "No side effects, guaranteed relief.",
        "It is no miracle, but we guarantee results.",
        "Ketamine is not for everyone. It cures depression.",
        "Our patients are cured.",
    ],
)
def test_a_denial_elsewhere_does_not_hide_a_promise(text):
    assert "promises_cure" in codes(clean_profile(description=text))


@pytest.mark.parametrize(
    "name", ["transport_required", "emergency_trained", "pharmaceutical_grade"]
)
def test_an_unstated_safety_fact_is_a_question_to_ask_not_a_pass(name):
    assessment = assess(clean_profile(**{name: None}))
    assert [q.field for q in assessment.open_safety_questions] == [name]
    assert assessment.answered == assessment.questions - 1
    assert not [flag for flag in assessment.flags if name in _kind(flag.code).rests_on]


def test_a_blank_profile_answers_none_of_the_yes_no_questions():
    open_fields = {q.field for q in assess(Profile()).open_questions}
    assert set(TRI_STATE_FIELDS) <= open_fields
    in_clinic = assess(clean_profile())
    assert in_clinic.answered == in_clinic.questions
    assert in_clinic.questions == len([q for q in QUESTIONS if not q.settings])


def test_at_home_and_telehealth_providers_are_asked_their_own_safety_questions():
    """Unstated answers about care at home are open questions, not a silent pass; a
    clinic that treats only in the clinic is never asked them."""
    remote_fields = {
        "remote_companion",
        "remote_monitoring",
        "first_dose_supervised",
        "emergency_plan",
    }
    at_home = assess(clean_profile(settings=("at_home",)))
    open_at_home = {q.field for q in at_home.open_safety_questions}
    assert remote_fields <= open_at_home
    assert "telehealth_evaluation" not in open_at_home
    assert at_home.questions == len(QUESTIONS) - 1
    telehealth = assess(clean_profile(settings=("telehealth",)))
    assert "telehealth_evaluation" in {q.field for q in telehealth.open_questions}
    assert telehealth.questions == len(QUESTIONS)
    answered = assess(
        clean_profile(
            settings=("telehealth",),
            telehealth_evaluation="video",
            remote_companion="clinician",
            remote_monitoring=False,
            first_dose_supervised=True,
            emergency_plan="We call 911 and the on-call nurse drives over.",
        )
    )
    assert answered.answered == answered.questions


def test_every_flag_a_rule_raises_is_titled_from_the_catalogue():
    """One source for titles: the flag a rule returns carries the catalogue's title."""
    worst = Profile(
        routes=("esketamine",),
        settings=("at_home", "telehealth"),
        offers_home_iv=True,
        in_person_evaluation=False,
        transport_required=False,
        emergency_trained=False,
        pharmaceutical_grade=False,
        description="A guaranteed cure.",
    )
    raised = red_flags(worst)
    assert [flag.code for flag in raised] == list(FLAG_CODES)
    assert all(flag.title == _kind(flag.code).title for flag in raised)


def _kind(code):
    return next(kind for kind in FLAG_KINDS if kind.code == code)
