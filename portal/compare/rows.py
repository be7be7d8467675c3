"""The comparison's rows, declared: which answer each row shows, how, and in which group.

A row is data (`RowSpec`): its key, its label, how to read the value off a
clinic, how to show it, and whether it can raise a flag. `service.build_groups`
turns the table into what the page shows; adding a row is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portal import vocab
from portal.care_text import hours_by_day
from portal.search.service import ClinicRow
from portal.templating import money, number, price_range
from portal.vetting import Flag

NOT_STATED = "Not stated"


@dataclass(frozen=True)
class Cell:
    text: str = ""
    items: tuple[str, ...] = ()
    not_stated: bool = False
    flags: tuple[Flag, ...] = ()
    tone: str = ""  # "good", "warn" or "" for plain


Value = Callable[[ClinicRow], Any]


@dataclass(frozen=True)
class RowSpec:
    """How to read one answer from a clinic and which red flags can rest on it."""

    key: str
    label: str
    value: Value
    show: Callable[[Any], Cell]
    flag_codes: tuple[str, ...] = ()


def _plain(text: str) -> Cell:
    return Cell(text=text)


def _stated(show: Callable[[Any], str]) -> Callable[[Any], Cell]:
    def cell(value: Any) -> Cell:
        if value is None or value == "" or value == ():
            return Cell(text=NOT_STATED, not_stated=True)
        return Cell(text=show(value))

    return cell


def _yes_no(value: bool | None) -> Cell:
    if value is None:
        return Cell(text=NOT_STATED, not_stated=True)
    return Cell(text="Yes" if value else "No")


def _codes(vocabulary: dict[str, str]) -> Callable[[Any], Cell]:
    def cell(codes: tuple[str, ...]) -> Cell:
        if not codes:
            return Cell(text=NOT_STATED, not_stated=True)
        return Cell(items=tuple(vocab.label(vocabulary, code) for code in codes))

    return cell


def _member(code: str, attribute: str) -> Value:
    """Yes/No for one code of a list answer; None when the clinic lists none at all."""

    def value(clinic: ClinicRow) -> bool | None:
        codes = getattr(clinic, attribute)
        return (code in codes) if codes else None

    return value


def _attr(name: str) -> Value:
    return lambda clinic: getattr(clinic, name)


def _unit(singular: str, plural: str) -> Callable[[int], str]:
    return lambda amount: f"{amount:,} {singular if amount == 1 else plural}"


def _first_series(clinic: ClinicRow) -> tuple[int, int | None] | None:
    if clinic.induction_sessions is None:
        return None
    return (clinic.induction_sessions, clinic.induction_weeks)


def _show_series(series: tuple[int, int | None]) -> str:
    sessions, weeks = series
    text = _unit("session", "sessions")(sessions)
    return f"{text} over {_unit('week', 'weeks')(weeks)}" if weeks else text


def _price(clinic: ClinicRow) -> tuple[int | None, int | None] | None:
    if clinic.price_min is None and clinic.price_max is None:
        return None
    return (clinic.price_min, clinic.price_max)


def _show_price(prices: tuple[int | None, int | None]) -> str:
    return price_range(*prices)


SCREENING_FLAGGED = ("screens_medical_history", "screens_psychiatric_evaluation")

GROUPS: tuple[tuple[str, str, tuple[RowSpec, ...]], ...] = (
    (
        "experience",
        "1. Experience",
        (
            RowSpec(
                "treatments_administered",
                "Ketamine treatments given",
                _attr("treatments_administered"),
                _stated(number),
                ("unknown_experience",),
            ),
            RowSpec(
                "years_offering",
                "Years offering ketamine",
                _attr("years_offering"),
                _stated(_unit("year", "years")),
            ),
            RowSpec(
                "director_discipline",
                "Medical director's specialty",
                _attr("director_discipline"),
                _stated(lambda code: vocab.label(vocab.DIRECTOR_DISCIPLINES, code)),
            ),
            RowSpec(
                "physician_on_site",
                "Physician on site during treatments",
                _attr("physician_on_site"),
                _yes_no,
            ),
        ),
    ),
    (
        "safety",
        "2. Safety monitoring",
        (
            *(
                RowSpec(
                    code,
                    f"Screening: {text}",
                    _attr(code),
                    _yes_no,
                    ("no_screening",) if code in SCREENING_FLAGGED else (),
                )
                for code, text in vocab.SCREENING_ITEMS.items()
            ),
            RowSpec(
                "session_monitor",
                "Who watches you during the session",
                _attr("session_monitor"),
                _stated(lambda code: vocab.label(vocab.SESSION_MONITORS, code)),
                ("no_medical_supervision",),
            ),
            *(
                RowSpec(
                    code,
                    f"Vital sign watched: {text}",
                    _attr(code),
                    _yes_no,
                    ("no_vital_sign_monitoring",),
                )
                for code, text in vocab.VITAL_SIGNS.items()
            ),
            RowSpec(
                "recovery_minutes",
                "Recovery time after a session",
                _attr("recovery_minutes"),
                _stated(_unit("minute", "minutes")),
                ("no_recovery_period", "short_esketamine_observation"),
            ),
            RowSpec(
                "transport_required",
                "Someone else must drive you home",
                _attr("transport_required"),
                _yes_no,
                ("no_transport_requirement",),
            ),
            RowSpec(
                "emergency_trained",
                "Staff trained for emergencies",
                _attr("emergency_trained"),
                _yes_no,
                ("no_emergency_training",),
            ),
            RowSpec(
                "pharmaceutical_grade",
                "Pharmaceutical-grade ketamine only",
                _attr("pharmaceutical_grade"),
                _yes_no,
                ("not_pharmaceutical_grade",),
            ),
            RowSpec(
                "fasting_hours",
                "No food before a session",
                _attr("fasting_hours"),
                _stated(_unit("hour", "hours")),
            ),
            RowSpec(
                "in_person_evaluation",
                "In-person evaluation before treatment",
                _attr("in_person_evaluation"),
                _yes_no,
                ("home_iv_without_evaluation",),
            ),
            RowSpec(
                "offers_home_iv",
                "Offers IV ketamine at home",
                _attr("offers_home_iv"),
                _yes_no,
            ),
        ),
    ),
    (
        "therapy",
        "3. Therapy alongside ketamine",
        (
            RowSpec(
                "therapy",
                "Therapy",
                _attr("therapy"),
                _stated(lambda code: vocab.label(vocab.THERAPY, code)),
                ("no_therapy",),
            ),
        ),
    ),
    (
        "routes",
        "How ketamine is given",
        tuple(
            RowSpec(
                f"route_{code}",
                text,
                _member(code, "routes"),
                _yes_no,
            )
            for code, text in vocab.ROUTES.items()
        ),
    ),
    (
        "conditions",
        "Conditions treated",
        tuple(
            RowSpec(f"condition_{code}", text, _member(code, "conditions"), _yes_no)
            for code, text in vocab.CONDITIONS.items()
        ),
    ),
    (
        "plan",
        "Treatment plan",
        (
            RowSpec("first_series", "First series", _first_series, _stated(_show_series)),
            RowSpec(
                "maintenance_offered",
                "Maintenance (booster) sessions",
                _attr("maintenance_offered"),
                _yes_no,
            ),
        ),
    ),
    (
        "cost",
        "Cost and payment help",
        (
            RowSpec("price", "Price per session", _price, _stated(_show_price)),
            RowSpec(
                "consultation_fee",
                "Consultation fee",
                _attr("consultation_fee"),
                _stated(money),
            ),
            RowSpec(
                "payment_options",
                "Payment help",
                lambda clinic: tuple(clinic.payment_options),
                _codes(vocab.PAYMENT_OPTIONS),
            ),
        ),
    ),
)


def _states(clinic: ClinicRow) -> tuple[str, ...]:
    return tuple(
        vocab.US_STATES.get(row["state"], row["state"]) for row in clinic.telehealth_states
    )


def _hours(clinic: ClinicRow) -> tuple[tuple[str, str], ...]:
    return tuple(hours_by_day(clinic.profile.hours)) if clinic.hours else ()


def _show_hours(days: tuple[tuple[str, str], ...]) -> Cell:
    if not days:
        return Cell(text=NOT_STATED, not_stated=True)
    return Cell(items=tuple(f"{day}: {text}" for day, text in days))


def _listed(name: str) -> Value:
    return lambda clinic: tuple(getattr(clinic, name))


CARE_ROWS: tuple[RowSpec, ...] = (
    RowSpec(
        "settings",
        "Where treatment happens",
        _listed("settings"),
        _codes(vocab.SETTINGS),
        ("esketamine_at_home",),
    ),
    RowSpec("telehealth_states", "Telehealth licensed in", _states, _codes({})),
    RowSpec(
        "telehealth_evaluation",
        "First evaluation for telehealth",
        _attr("telehealth_evaluation"),
        _stated(lambda code: vocab.label(vocab.TELEHEALTH_EVALUATIONS, code)),
        ("telehealth_without_live_evaluation",),
    ),
    RowSpec(
        "remote_companion",
        "Who is with you at home",
        _attr("remote_companion"),
        _stated(lambda code: vocab.label(vocab.REMOTE_COMPANIONS, code)),
        ("at_home_unsupervised",),
    ),
    RowSpec("remote_monitoring", "Remote monitoring", _attr("remote_monitoring"), _yes_no),
    RowSpec(
        "first_dose_supervised", "First dose supervised", _attr("first_dose_supervised"), _yes_no
    ),
    RowSpec("hours", "Opening hours", _hours, _show_hours),
    RowSpec("languages", "Languages spoken", _listed("languages"), _codes(vocab.LANGUAGES)),
    RowSpec("insurers", "Insurance accepted", _listed("insurers"), _codes(vocab.INSURERS)),
    RowSpec("age_groups", "Age groups treated", _listed("age_groups"), _codes(vocab.AGE_GROUPS)),
    RowSpec(
        "accessibility", "Accessibility", _listed("accessibility"), _codes(vocab.ACCESSIBILITY)
    ),
)
GROUPS += (("care", "Where, when and for whom", CARE_ROWS),)
