"""Red flags: explicit rules over a clinic's answers (DOMAIN.md, "Red flags").

Each rule reads a `Profile` and either stays quiet (None) or returns a `Flag`
whose reason names the answer it rests on, so a patient can see why and a
moderator can check it. A yes/no fact raises a flag on its No only: "not
stated" is a question to ask (vetting.questions), never a silent pass or a No.
Rules run on drafts, revisions and listings alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from portal import vocab
from portal.profile import FIELD_LABELS, Profile
from portal.vetting.catalogue import KINDS
from portal.vetting.promises import promise_in


@dataclass(frozen=True)
class Flag:
    code: str
    title: str
    reason: str
    # The clinic's own words a text-based flag rests on; a dismissal covers exactly these.
    evidence: str = ""

    @property
    def dismissable(self) -> bool:
        return KINDS[self.code].dismissable

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.evidence.encode("utf-8")).hexdigest()


def flag(code: str, reason: str, evidence: str = "") -> Flag:
    """A flag titled from the catalogue (the one place titles live)."""
    return Flag(code, KINDS[code].title, reason, evidence)


Rule = Callable[[Profile], Flag | None]

ESKETAMINE_OBSERVATION_MINUTES = 120


def no_screening(p: Profile) -> Flag | None:
    missing = [
        FIELD_LABELS[name].lower()
        for name in ("screens_medical_history", "screens_psychiatric_evaluation")
        if not getattr(p, name)
    ]
    if not missing:
        return None
    return flag(
        "no_screening",
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
    return flag("no_medical_supervision", reason)


def no_vital_signs(p: Profile) -> Flag | None:
    if p.vital_signs:
        return None
    return flag(
        "no_vital_sign_monitoring",
        "The clinic lists none of blood pressure, heart rate, blood oxygen or ECG as "
        "monitored during a session.",
    )


def no_recovery_period(p: Profile) -> Flag | None:
    if p.recovery_minutes:
        return None
    said = "0 minutes" if p.recovery_minutes == 0 else "no recovery time"
    return flag("no_recovery_period", f"The clinic states {said} of observation after a session.")


def _answered_no(p: Profile, name: str, code: str) -> Flag | None:
    """The flag for a yes/no fact answered No; quiet on Yes and on "not stated"."""
    if getattr(p, name) is not False:
        return None
    return flag(code, f'The clinic answers No to "{FIELD_LABELS[name]}".')


def no_transport_requirement(p: Profile) -> Flag | None:
    return _answered_no(p, "transport_required", "no_transport_requirement")


def no_emergency_training(p: Profile) -> Flag | None:
    return _answered_no(p, "emergency_trained", "no_emergency_training")


def not_pharmaceutical_grade(p: Profile) -> Flag | None:
    return _answered_no(p, "pharmaceutical_grade", "not_pharmaceutical_grade")


def no_therapy(p: Profile) -> Flag | None:
    if p.therapy in ("in_house", "coordinated", "referral"):
        return None
    said = "offers no therapy" if p.therapy == "none" else "does not say whether it offers therapy"
    return flag(
        "no_therapy",
        f"The clinic {said}: not in house, not with your own therapist and not by referral.",
    )


def promises_cure(p: Profile) -> Flag | None:
    found = [
        (name, text, match) for name, text in p.free_texts.items() if (match := promise_in(text))
    ]
    if not found:
        return None
    name, _text, match = found[0]
    evidence = "\n".join(f"{name}: {text}" for name, text, _match in found)
    return flag(
        "promises_cure",
        f'The clinic\'s "{FIELD_LABELS[name]}" text says "{match.group(0)}"; '
        "ketamine helps many patients but no clinic can promise a result.",
        evidence,
    )


def unknown_experience(p: Profile) -> Flag | None:
    if p.treatments_administered is not None:
        return None
    return flag(
        "unknown_experience",
        "The clinic does not state how many ketamine treatments it has administered.",
    )


def short_esketamine_observation(p: Profile) -> Flag | None:
    if "esketamine" not in p.routes:
        return None
    minutes = p.recovery_minutes or 0
    if minutes >= ESKETAMINE_OBSERVATION_MINUTES:
        return None
    return flag(
        "short_esketamine_observation",
        f"The clinic offers esketamine (Spravato) but states {minutes} minutes of observation "
        f"afterwards; the drug's safety programme requires at least "
        f"{ESKETAMINE_OBSERVATION_MINUTES}.",
    )


def home_iv_without_evaluation(p: Profile) -> Flag | None:
    if not (p.offers_home_iv is True and p.in_person_evaluation is False):
        return None
    return flag(
        "home_iv_without_evaluation",
        f'The clinic answers Yes to "{FIELD_LABELS["offers_home_iv"]}" and No to '
        f'"{FIELD_LABELS["in_person_evaluation"]}".',
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
    return flag(
        "esketamine_at_home",
        f"The provider offers esketamine (Spravato) and treats only {where}; the drug's "
        "safety programme requires a certified healthcare setting and at least "
        f"{ESKETAMINE_OBSERVATION_MINUTES} minutes of observation there.",
    )


def at_home_without_clinician(p: Profile) -> Flag | None:
    """At home, a sitter or nobody cannot treat a reaction; "not stated" is no better."""
    if "at_home" not in p.settings or p.remote_companion == "clinician":
        return None
    if p.remote_companion is None:
        said = "does not say who is with the patient"
    else:
        said = f'says "{vocab.REMOTE_COMPANIONS[p.remote_companion]}" is with the patient'
    return flag(
        "at_home_unsupervised",
        f"For sessions at home the provider {said} "
        f'(question: "{FIELD_LABELS["remote_companion"]}"); no doctor or nurse is there '
        "if something goes wrong.",
    )


def telehealth_without_live_evaluation(p: Profile) -> Flag | None:
    """A questionnaire alone cannot screen for the conditions that rule ketamine out."""
    if "telehealth" not in p.settings or p.telehealth_evaluation in ("in_person", "video"):
        return None
    if p.telehealth_evaluation is None:
        said = "does not say how it first evaluates patients"
    else:
        said = f'answers "{vocab.TELEHEALTH_EVALUATIONS[p.telehealth_evaluation]}"'
    return flag(
        "telehealth_without_live_evaluation",
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
    no_emergency_training,
    not_pharmaceutical_grade,
    no_therapy,
    promises_cure,
    unknown_experience,
    short_esketamine_observation,
    home_iv_without_evaluation,
    esketamine_at_home,
    at_home_without_clinician,
    telehealth_without_live_evaluation,
)


def red_flags(profile: Profile) -> list[Flag]:
    """Every rule that fires for this profile, in the order patients should read them."""
    return [found for rule in RULES if (found := rule(profile))]
