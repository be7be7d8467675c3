"""Red flags: explicit rules over a clinic's answers (DOMAIN.md, "Red flags").

Each rule reads a `Profile` and either stays quiet (None) or returns a `Flag`
whose reason names the answer it rests on, so a patient can see why and a
moderator can check it. Rules run on drafts, revisions and listings alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from portal import vocab
from portal.profile import FIELD_LABELS, Profile


@dataclass(frozen=True)
class Flag:
    code: str
    title: str
    reason: str


Rule = Callable[[Profile], Flag | None]

ESKETAMINE_OBSERVATION_MINUTES = 120
PROMISE_PATTERN = re.compile(
    r"\b(?:cures?|cured|curing|guarantee[sd]?|guaranteeing|miracle|"
    r"permanent(?:ly)?\s+(?:relief|cure|results?|fix))\b|\b100\s?%",
    re.IGNORECASE,
)


def no_screening(p: Profile) -> Flag | None:
    missing = [
        FIELD_LABELS[name].lower()
        for name in ("screens_medical_history", "screens_psychiatric_evaluation")
        if not getattr(p, name)
    ]
    if not missing:
        return None
    return Flag(
        "no_screening",
        "No screening before the first treatment",
        f"The clinic does not say it does a {' or a '.join(missing)} before treatment starts.",
    )


def no_medical_supervision(p: Profile) -> Flag | None:
    if p.session_monitor in ("physician", "nurse"):
        return None
    if p.session_monitor == "none":
        reason = "The clinic says no physician or nurse watches patients during a session."
    else:
        reason = (
            "The clinic does not say whether a physician or nurse watches patients "
            "during a session."
        )
    return Flag("no_medical_supervision", "Nobody medically qualified watches the session", reason)


def no_vital_signs(p: Profile) -> Flag | None:
    if p.vital_signs:
        return None
    return Flag(
        "no_vital_sign_monitoring",
        "Vital signs are not monitored",
        "The clinic lists none of blood pressure, heart rate, blood oxygen or ECG as "
        "monitored during a session.",
    )


def no_recovery_period(p: Profile) -> Flag | None:
    if p.recovery_minutes:
        return None
    said = "0 minutes" if p.recovery_minutes == 0 else "no recovery time"
    return Flag(
        "no_recovery_period",
        "No recovery period after a session",
        f"The clinic states {said} of observation after a session.",
    )


def no_transport_requirement(p: Profile) -> Flag | None:
    if p.transport_required:
        return None
    return Flag(
        "no_transport_requirement",
        "Patients are not told to arrange a ride home",
        "The clinic does not require that someone else drives patients home after a session.",
    )


def no_therapy(p: Profile) -> Flag | None:
    if p.therapy in ("in_house", "coordinated", "referral"):
        return None
    said = "offers no therapy" if p.therapy == "none" else "does not say whether it offers therapy"
    return Flag(
        "no_therapy",
        "No therapy alongside ketamine",
        f"The clinic {said}: not in house, not with your own therapist and not by referral.",
    )


NEGATION_PATTERN = re.compile(
    r"\b(?:not|no|never|cannot|can't|can’t|don't|don’t|doesn't|doesn’t|won't|"
    r"won’t|isn't|isn’t|nor|without|neither)\b",
    re.IGNORECASE,
)
CLAUSE_BREAK = re.compile(r"[.,;:!?()\n]")
NEGATION_REACH_WORDS = 6


def _negated(text: str, start: int) -> bool:
    """True when the words just before `start`, in the same clause, deny it ("not a cure")."""
    clause = CLAUSE_BREAK.split(text[:start])[-1]
    before = " ".join(clause.split()[-NEGATION_REACH_WORDS:])
    return NEGATION_PATTERN.search(before) is not None


def promise_in(text: str) -> re.Match[str] | None:
    """The first promise of a cure or guaranteed result that the text does not deny."""
    for match in PROMISE_PATTERN.finditer(text):
        if not _negated(text, match.start()):
            return match
    return None


def promises_cure(p: Profile) -> Flag | None:
    for name, text in p.free_texts.items():
        if match := promise_in(text):
            return Flag(
                "promises_cure",
                "Promises a cure or a guaranteed result",
                f'The clinic\'s "{FIELD_LABELS[name]}" text says "{match.group(0)}"; '
                "ketamine helps many patients but no clinic can promise a result.",
            )
    return None


def unknown_experience(p: Profile) -> Flag | None:
    if p.treatments_administered is not None:
        return None
    return Flag(
        "unknown_experience",
        "Cannot say how many treatments it has given",
        "The clinic does not state how many ketamine treatments it has administered.",
    )


def short_esketamine_observation(p: Profile) -> Flag | None:
    if "esketamine" not in p.routes:
        return None
    minutes = p.recovery_minutes or 0
    if minutes >= ESKETAMINE_OBSERVATION_MINUTES:
        return None
    return Flag(
        "short_esketamine_observation",
        "Esketamine with less than 2 hours of observation",
        f"The clinic offers esketamine (Spravato) but states {minutes} minutes of observation "
        f"afterwards; the drug's safety programme requires at least "
        f"{ESKETAMINE_OBSERVATION_MINUTES}.",
    )


def home_iv_without_evaluation(p: Profile) -> Flag | None:
    if not (p.offers_home_iv and not p.in_person_evaluation):
        return None
    return Flag(
        "home_iv_without_evaluation",
        "IV ketamine at home without an in-person evaluation",
        "The clinic offers IV ketamine at home and does not evaluate patients in person first.",
    )


def _remote_settings(p: Profile) -> list[str]:
    return [code for code in ("at_home", "telehealth") if code in p.settings]


def esketamine_at_home(p: Profile) -> Flag | None:
    """Spravato's safety programme requires a certified healthcare setting and 2 hours there."""
    if "esketamine" not in p.routes or "in_clinic" in p.settings:
        return None
    remote = _remote_settings(p)
    if not remote:
        return None
    where = " and ".join(vocab.SETTINGS[code].lower() for code in remote)
    return Flag(
        "esketamine_at_home",
        "Esketamine offered only at home or by telehealth",
        f"The provider offers esketamine (Spravato) and treats only {where}; the drug's "
        "safety programme requires a certified healthcare setting and at least "
        f"{ESKETAMINE_OBSERVATION_MINUTES} minutes of observation there.",
    )


def at_home_without_clinician(p: Profile) -> Flag | None:
    if "at_home" not in p.settings or p.remote_companion == "clinician":
        return None
    if p.remote_companion is None:
        said = "does not say who is with the patient"
    else:
        said = f'says "{vocab.REMOTE_COMPANIONS[p.remote_companion]}" is with the patient'
    return Flag(
        "at_home_unsupervised",
        "Nobody medically trained is with the patient at home",
        f"For sessions at home the provider {said} "
        f'(question: "{FIELD_LABELS["remote_companion"]}"); no doctor or nurse is there '
        "if something goes wrong.",
    )


def telehealth_without_live_evaluation(p: Profile) -> Flag | None:
    if "telehealth" not in p.settings or p.telehealth_evaluation in ("in_person", "video"):
        return None
    if p.telehealth_evaluation is None:
        said = "does not say how it first evaluates patients"
    else:
        said = f'answers "{vocab.TELEHEALTH_EVALUATIONS[p.telehealth_evaluation]}"'
    return Flag(
        "telehealth_without_live_evaluation",
        "Prescribes by telehealth without a live evaluation",
        f"The provider prescribes by telehealth and {said} "
        f'(question: "{FIELD_LABELS["telehealth_evaluation"]}"): no video or in-person '
        "visit before ketamine is prescribed.",
    )


RULES: tuple[Rule, ...] = (
    no_screening,
    no_medical_supervision,
    no_vital_signs,
    no_recovery_period,
    no_transport_requirement,
    no_therapy,
    promises_cure,
    unknown_experience,
    short_esketamine_observation,
    home_iv_without_evaluation,
    esketamine_at_home,
    at_home_without_clinician,
    telehealth_without_live_evaluation,
)

FLAG_CODES: tuple[str, ...] = (
    "no_screening",
    "no_medical_supervision",
    "no_vital_sign_monitoring",
    "no_recovery_period",
    "no_transport_requirement",
    "no_therapy",
    "promises_cure",
    "unknown_experience",
    "short_esketamine_observation",
    "home_iv_without_evaluation",
    "esketamine_at_home",
    "at_home_unsupervised",
    "telehealth_without_live_evaluation",
)


def red_flags(profile: Profile) -> list[Flag]:
    """Every rule that fires for this profile, in the order patients should read them."""
    return [flag for rule in RULES if (flag := rule(profile))]
