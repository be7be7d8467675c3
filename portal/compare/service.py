"""Comparing clinics side by side: which clinics a request names, and the rows.

`parse_ids` reads the `ids` parameter the way a patient may have typed or
shared it; `build` turns the clinics into groups of rows in the order the
issue asks patients to read them (the three questions first), each row
knowing whether the clinics differ and each cell whether a red flag rests on
it. The comparison page, the print view and the tests all read these rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from portal import vocab
from portal.care_text import hours_by_day
from portal.clinics.service import latest_verifications, verification_coverage
from portal.extensions import db
from portal.models import Clinic
from portal.search.service import ClinicRow, load_clinics
from portal.templating import is_stale, long_date, money, number, price_range
from portal.vetting import FLAG_CODES, Flag, red_flags

MAX_CLINICS = 4
# More ids than this are not even read: a comparison never needs them.
MAX_IDS_READ = 40
# Ids are 32-bit integers in every database we run on.
LARGEST_ID = 2**31 - 1
ID_PATTERN = re.compile(r"[0-9]{1,10}")
NOT_STATED = "Not stated"


@dataclass(frozen=True)
class RequestedIds:
    """What the `ids` parameter asked for, before the database is consulted."""

    ids: tuple[int, ...] = ()
    malformed: tuple[str, ...] = ()
    duplicates: tuple[int, ...] = ()
    not_read: int = 0


def parse_ids(values: Iterable[str]) -> RequestedIds:
    """Clinic ids from `ids=1,2,3` (or repeated `ids=`), in order, each once.

    Anything that is not a whole positive number within range is kept aside as
    malformed, so the page can say which parts it ignored.
    """
    tokens = [token.strip() for value in values for token in value.split(",")]
    tokens = [token for token in tokens if token]
    read, not_read = tokens[:MAX_IDS_READ], max(0, len(tokens) - MAX_IDS_READ)
    ids: list[int] = []
    malformed: list[str] = []
    duplicates: list[int] = []
    for token in read:
        if not ID_PATTERN.fullmatch(token) or not 0 < int(token) <= LARGEST_ID:
            malformed.append(_printable(token))
        elif int(token) in ids:
            if int(token) not in duplicates:
                duplicates.append(int(token))
        else:
            ids.append(int(token))
    return RequestedIds(tuple(ids), tuple(malformed), tuple(duplicates), not_read)


def _printable(token: str, limit: int = 20) -> str:
    """A typed value safe and short enough to quote back in a message."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in token)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


@dataclass(frozen=True)
class Notice:
    """One thing the page says about what was asked for; `kind` names the case."""

    kind: str
    message: str


@dataclass(frozen=True)
class Cell:
    text: str = ""
    items: tuple[str, ...] = ()
    not_stated: bool = False
    flags: tuple[Flag, ...] = ()
    tone: str = ""  # "good", "warn" or "" for plain


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Cell, ...]
    differs: bool


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Column:
    """One compared clinic: the row read from the listing, its flags and freshness."""

    clinic: ClinicRow
    flags: tuple[Flag, ...]
    verification: str
    stale: bool
    coverage: tuple[tuple[bool, str], ...] = ()  # what the newest verification checked

    @property
    def flag_codes(self) -> frozenset[str]:
        return frozenset(flag.code for flag in self.flags)


@dataclass(frozen=True)
class Comparison:
    columns: tuple[Column, ...]
    groups: tuple[Group, ...]
    notices: tuple[Notice, ...]

    @property
    def ids(self) -> list[int]:
        return [column.clinic.id for column in self.columns]

    @property
    def is_cleaned(self) -> bool:
        """True when the URL asked for something other than exactly these clinics."""
        return any(notice.kind != "single" for notice in self.notices)


def compare(values: Iterable[str], *, today: date) -> Comparison:
    """The comparison a URL asks for: its clinics, rows and what was left out."""
    requested = parse_ids(values)
    found = load_clinics(requested.ids) if requested.ids else {}
    missing = [clinic_id for clinic_id in requested.ids if clinic_id not in found]
    unpublished = _unpublished(missing)
    unknown = [clinic_id for clinic_id in missing if clinic_id not in unpublished]
    available = [found[clinic_id] for clinic_id in requested.ids if clinic_id in found]
    shown, over_limit = available[:MAX_CLINICS], available[MAX_CLINICS:]

    notices = _notices(requested, unknown, unpublished, over_limit, len(available))
    verifications = latest_verifications([clinic.id for clinic in shown]) if shown else {}
    columns = tuple(
        Column(
            clinic=clinic,
            flags=tuple(red_flags(clinic.profile)),
            verification=clinic.verification_state(today),
            stale=is_stale(clinic),
            coverage=tuple(verification_coverage(verifications[clinic.id]))
            if clinic.id in verifications
            else (),
        )
        for clinic in shown
    )
    return Comparison(columns, build_groups(columns), notices)


def _unpublished(ids: Sequence[int]) -> list[int]:
    """Which of these ids belong to a clinic that exists but is not public."""
    if not ids:
        return []
    return list(db.session.scalars(select(Clinic.id).where(Clinic.id.in_(ids))))


def _numbers(ids: Sequence[int]) -> str:
    listed = [str(clinic_id) for clinic_id in ids]
    if len(listed) == 1:
        return listed[0]
    return ", ".join(listed[:-1]) + " and " + listed[-1]


def _notices(
    requested: RequestedIds,
    unknown: list[int],
    unpublished: list[int],
    over_limit: list[ClinicRow],
    available: int,
) -> tuple[Notice, ...]:
    notices: list[Notice] = []
    if requested.malformed:
        quoted = ", ".join(f"“{token}”" for token in requested.malformed[:5])
        more = len(requested.malformed) - 5
        notices.append(
            Notice(
                "malformed",
                f"We ignored {quoted}{f' and {more} more' if more > 0 else ''}: "
                "a clinic is named by its number, like 12.",
            )
        )
    if requested.duplicates:
        notices.append(
            Notice(
                "duplicate",
                f"Clinic {_numbers(requested.duplicates)} was named more than once; "
                "it is shown once.",
            )
        )
    if unknown:
        noun = "clinic numbered" if len(unknown) == 1 else "clinics numbered"
        notices.append(
            Notice("unknown", f"We have no {noun} {_numbers(unknown)}, so it was left out.")
        )
    if unpublished:
        noun = "Clinic" if len(unpublished) == 1 else "Clinics"
        notices.append(
            Notice(
                "unpublished",
                f"{noun} {_numbers(unpublished)} cannot be shown: the listing is not "
                "public at the moment (it may be waiting for review or withdrawn).",
            )
        )
    if requested.not_read and not over_limit:
        notices.append(
            Notice(
                "too_many",
                f"That address names more clinics than a comparison can use; we read the "
                f"first {MAX_IDS_READ} numbers and ignored the rest.",
            )
        )
    if over_limit:
        notices.append(
            Notice(
                "too_many",
                f"A comparison shows at most {MAX_CLINICS} clinics, so only the first "
                f"{MAX_CLINICS} are shown. Remove one to make room for another.",
            )
        )
    if available == 1:
        notices.append(
            Notice(
                "single",
                "Comparing needs at least two clinics. Here is the one you chose; "
                "add another from the search results or a listing.",
            )
        )
    return tuple(notices)


# Rows -----------------------------------------------------------------------

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
            ),
            RowSpec(
                "pharmaceutical_grade",
                "Pharmaceutical-grade ketamine only",
                _attr("pharmaceutical_grade"),
                _yes_no,
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
    RowSpec("settings", "Where treatment happens", _listed("settings"), _codes(vocab.SETTINGS)),
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

VERIFICATION_TEXT = {
    "current": ("Verified", "good"),
    "expired": ("Verification expired", "warn"),
    "none": ("Not yet verified", ""),
}


def _flagged(cell: Cell, value: Any, spec: RowSpec, column: Column) -> Cell:
    """Mark the cell with the red flags that rest on it (a "Yes" never carries one)."""
    if value is True or not spec.flag_codes:
        return cell
    flags = tuple(f for f in column.flags if f.code in spec.flag_codes)
    if not flags:
        return cell
    return Cell(cell.text, cell.items, cell.not_stated, flags, "bad")


def _row(key: str, label: str, values: list[Any], cells: list[Cell]) -> Row:
    return Row(key, label, tuple(cells), differs=len({repr(v) for v in values}) > 1)


def build_groups(columns: Sequence[Column]) -> tuple[Group, ...]:
    """Every group of rows, in reading order, for these clinics."""
    groups = []
    for key, title, specs in GROUPS:
        rows = []
        for spec in specs:
            values = [spec.value(column.clinic) for column in columns]
            cells = [
                _flagged(spec.show(value), value, spec, column)
                for value, column in zip(values, columns, strict=True)
            ]
            rows.append(_row(spec.key, spec.label, values, cells))
        groups.append(Group(key, title, tuple(rows)))
    groups.append(Group("verification", "Verification", _verification_rows(columns)))
    groups.append(Group("red_flags", "Red flags", _flag_rows(columns)))
    return tuple(groups)


def _verification_rows(columns: Sequence[Column]) -> tuple[Row, ...]:
    def status(column: Column) -> Cell:
        text, tone = VERIFICATION_TEXT[column.verification]
        return Cell(text=text, tone=tone)

    def dated(value: date | None) -> Cell:
        if value is None:
            return Cell(text=NOT_STATED, not_stated=True)
        return Cell(text=long_date(value))

    def fresh(column: Column) -> Cell:
        if column.stale:
            return Cell(text="Possibly out of date", tone="warn")
        return Cell(text="Confirmed recently", tone="good")

    def accepting(column: Column) -> Cell:
        if column.clinic.accepting_new_patients:
            return Cell(text="Yes", tone="good")
        return Cell(text="No", tone="warn")

    def covered(column: Column) -> Cell:
        if not column.coverage:
            return Cell(text=NOT_STATED, not_stated=True)
        return Cell(items=tuple(text for _done, text in column.coverage))

    clinics = [column.clinic for column in columns]
    last_confirmed = [c.last_confirmed_at.date() if c.last_confirmed_at else None for c in clinics]
    return (
        _row(
            "verification_status",
            "Checked by a moderator",
            [column.verification for column in columns],
            [status(column) for column in columns],
        ),
        _row(
            "verified_at",
            "Verified on",
            [c.verified_at for c in clinics],
            [dated(c.verified_at) for c in clinics],
        ),
        _row(
            "verification_expires",
            "Verification lasts until",
            [c.verification_expires for c in clinics],
            [dated(c.verification_expires) for c in clinics],
        ),
        _row(
            "verification_coverage",
            "What the check covered",
            [column.coverage for column in columns],
            [covered(column) for column in columns],
        ),
        _row(
            "last_confirmed",
            "Information last confirmed",
            last_confirmed,
            [dated(value) for value in last_confirmed],
        ),
        _row(
            "freshness",
            "Up to date?",
            [column.stale for column in columns],
            [fresh(column) for column in columns],
        ),
        _row(
            "accepting_new_patients",
            "Accepting new patients",
            [c.accepting_new_patients for c in clinics],
            [accepting(column) for column in columns],
        ),
    )


def _flag_rows(columns: Sequence[Column]) -> tuple[Row, ...]:
    """A count row, then one row per red flag raised for any of the clinics."""
    counts = [len(column.flags) for column in columns]
    rows = [
        _row(
            "flag_count",
            "Red flags raised",
            counts,
            [Cell(f"{n} raised", tone="bad") if n else Cell("None", tone="good") for n in counts],
        )
    ]
    raised = {flag.code: flag for column in columns for flag in column.flags}
    for code in FLAG_CODES:
        if code not in raised:
            continue
        cells = []
        for column in columns:
            flag = next((f for f in column.flags if f.code == code), None)
            cells.append(
                Cell(text=flag.reason, flags=(flag,), tone="bad")
                if flag
                else Cell(text="Not raised", tone="good")
            )
        rows.append(
            _row(
                f"flag_{code}",
                raised[code].title,
                [code in column.flag_codes for column in columns],
                cells,
            )
        )
    return tuple(rows)
