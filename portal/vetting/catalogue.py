"""Every red flag's title and meaning, in one place.

The guide, the listing, the results, the comparison, the question sheet, the
API and the HSDS export all name a flag through this table, so a flag reads the
same everywhere. `rests_on` names the answers a rule reads; a text-based flag
(one that reads the clinic's own words) is the only kind a moderator may
dismiss, because a structured answer is fixed by the clinic changing it.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.profile import FREE_TEXT_FIELDS


@dataclass(frozen=True)
class FlagKind:
    code: str
    title: str
    meaning: str  # what the flag means, for the guide
    rests_on: tuple[str, ...]  # the profile answers the rule reads
    text_based: bool = False

    @property
    def dismissable(self) -> bool:
        return self.text_based


FLAG_KINDS: tuple[FlagKind, ...] = (
    FlagKind(
        "no_screening",
        "No screening before the first treatment",
        "The clinic does not say it takes both a medical history and a psychiatric "
        "evaluation before treatment starts.",
        ("screens_medical_history", "screens_psychiatric_evaluation"),
    ),
    FlagKind(
        "no_medical_supervision",
        "Nobody medically qualified watches the session",
        "Neither a physician nor a nurse is said to watch patients during a session.",
        ("session_monitor",),
    ),
    FlagKind(
        "no_vital_sign_monitoring",
        "Vital signs are not monitored",
        "No blood pressure, heart rate, blood oxygen or ECG monitoring during a session.",
        ("monitors_blood_pressure", "monitors_heart_rate", "monitors_oxygen", "monitors_ecg"),
    ),
    FlagKind(
        "no_recovery_period",
        "No recovery period after a session",
        "Patients are not observed for a while after the session.",
        ("recovery_minutes",),
    ),
    FlagKind(
        "no_transport_requirement",
        "No ride home required",
        "The clinic answers No to requiring that someone else drives patients home.",
        ("transport_required",),
    ),
    FlagKind(
        "no_emergency_training",
        "Staff not trained for emergencies",
        "The clinic answers No to having staff trained for emergencies and a protocol "
        "for adverse events.",
        ("emergency_trained",),
    ),
    FlagKind(
        "not_pharmaceutical_grade",
        "Not pharmaceutical-grade ketamine only",
        "The clinic answers No to using pharmaceutical-grade ketamine only.",
        ("pharmaceutical_grade",),
    ),
    FlagKind(
        "no_therapy",
        "No therapy alongside ketamine",
        "No therapy in house, no coordination with your own therapist, no referral.",
        ("therapy",),
    ),
    FlagKind(
        "promises_cure",
        "Promises a cure or a guaranteed result",
        "The clinic's own words promise a cure, a guaranteed or permanent result, or "
        "success for everyone. No honest clinic can promise that ketamine will work for you.",
        FREE_TEXT_FIELDS,
        text_based=True,
    ),
    FlagKind(
        "unknown_experience",
        "Cannot say how many treatments it has given",
        "The clinic leaves its experience blank.",
        ("treatments_administered",),
    ),
    FlagKind(
        "short_esketamine_observation",
        "Esketamine with less than 2 hours of observation",
        "The drug's safety programme requires at least two hours of observation.",
        ("routes", "recovery_minutes"),
    ),
    FlagKind(
        "home_iv_without_evaluation",
        "IV ketamine at home without an in-person evaluation",
        "Infusions at home without first seeing the patient in person.",
        ("offers_home_iv", "in_person_evaluation"),
    ),
    FlagKind(
        "esketamine_at_home",
        "Esketamine offered only at home or by telehealth",
        "Esketamine (Spravato) may only be given in a certified healthcare setting, with "
        "at least two hours of observation there.",
        ("routes", "settings"),
    ),
    FlagKind(
        "at_home_unsupervised",
        "Nobody medically trained is with the patient at home",
        "For sessions at home, the provider does not say a doctor or nurse stays with the patient.",
        ("settings", "remote_companion"),
    ),
    FlagKind(
        "telehealth_without_live_evaluation",
        "Prescribes by telehealth without a live evaluation",
        "The provider prescribes by telehealth without first seeing the patient by video "
        "or in person.",
        ("settings", "telehealth_evaluation"),
    ),
)

KINDS: dict[str, FlagKind] = {kind.code: kind for kind in FLAG_KINDS}
FLAG_CODES: tuple[str, ...] = tuple(KINDS)
DISMISSABLE_CODES: tuple[str, ...] = tuple(k.code for k in FLAG_KINDS if k.dismissable)
