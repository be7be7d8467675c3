"""The profile form's fields for care beyond the clinic door and the facts patients
filter on (settings, telehealth states, hours, languages, clinicians, ...).

`CareFields` is mixed into `ProfileForm`; field names are the profile's. The
record-shaped answers (hours, telehealth states, clinicians) have fields of
their own that read several inputs and keep exactly what was typed when a
check fails, so the form comes back as the clinic left it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from wtforms import Field, SelectField, StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from portal import hours as opening_hours
from portal import vocab
from portal.credentials import npi_is_valid
from portal.dashboard.fields import TriStateField
from portal.forms import MultiCheckboxField, OptionalRadioField
from portal.profile import RECORD_FIELDS

MAX_NOTES = 4000
MAX_CLINICIANS = 20
BLANK_CLINICIAN_ROWS = 2


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _as_tuples(value, name: str) -> tuple[tuple[str, ...], ...]:
    keys = RECORD_FIELDS[name]
    return tuple(
        tuple(str(item.get(key) or "") for key in keys) if isinstance(item, dict) else tuple(item)
        for item in value or ()
    )


class StateLicencesField(TextAreaField):
    """One state per line, with the licence number there if known: "MT 12345"."""

    def process_data(self, value):
        self.data = _as_tuples(value, "telehealth_states")

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        states: dict[str, str] = {}
        for line in valuelist[0].splitlines():
            line = line.strip()
            if not line:
                continue
            code, number = _state_and_number(line)
            if code not in vocab.US_STATES:
                self.data = ()
                raise ValueError(
                    f'"{line[:30]}" does not start with a US state. Use the two-letter code, '
                    "like MT or TX, then the licence number if you have it."
                )
            if len(number) > 40:
                self.data = ()
                raise ValueError(f"The licence number for {code} is too long (at most 40).")
            states[code] = number
        self.data = tuple(sorted(states.items()))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "\n".join(f"{state} {number}".strip() for state, number in self.data or ())


def _state_and_number(line: str) -> tuple[str, str]:
    parts = re.split(r"[\s:,]+", line, maxsplit=1)
    code = parts[0].upper()
    name_match = {name.upper(): c for c, name in vocab.US_STATES.items()}
    if code not in vocab.US_STATES:
        for name, c in name_match.items():
            if line.upper().startswith(name):
                return c, line[len(name) :].strip(" :,")
    return code, (parts[1].strip() if len(parts) > 1 else "")


class WeeklyHoursField(Field):
    """Seven inputs, one per weekday ("09:00-12:00, 13:00-17:00"; empty: closed)."""

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        self.raw_texts: dict[str, str] = {}
        self.object_data = data
        if formdata is not None and any(
            f"{self.name}-{day}" in formdata for day in opening_hours.DAYS
        ):
            spans: list[opening_hours.Span] = []
            for day in opening_hours.DAYS:
                text = formdata.get(f"{self.name}-{day}", "")
                self.raw_texts[day] = text
                try:
                    spans += opening_hours.parse_day(day, text)
                except opening_hours.HoursError as problem:
                    self.process_errors.append(f"{vocab.WEEKDAYS[day]}: {problem}")
            self.data = tuple(spans)
            return
        self.data = _as_tuples(data, "hours")
        self.raw_texts = {
            day: opening_hours.format_day(self.data, day) for day in opening_hours.DAYS
        }

    def pre_validate(self, form):
        if self.process_errors:
            return
        if clash := opening_hours.overlap(self.data):
            raise ValidationError(
                f"{opening_hours.describe(clash[0])} and {opening_hours.describe(clash[1])} "
                "overlap. Give each time only once."
            )

    def inputs(self) -> list[tuple[str, str, str]]:
        """(input name, weekday label, text) for the template."""
        return [
            (f"{self.name}-{d}", vocab.WEEKDAYS[d], self.raw_texts.get(d, ""))
            for d in opening_hours.DAYS
        ]


class CliniciansField(Field):
    """Rows of name, credential, role and NPI; blank rows are ignored."""

    PARTS = RECORD_FIELDS["clinicians"]

    def process(self, formdata, data=None, extra_filters=None):
        self.process_errors = []
        self.object_data = data
        if formdata is not None and f"{self.name}-0-name" in formdata:
            self.rows = []
            for index in range(MAX_CLINICIANS):
                if f"{self.name}-{index}-name" not in formdata:
                    break
                row = tuple(
                    formdata.get(f"{self.name}-{index}-{part}", "").strip()[:200]
                    for part in self.PARTS
                )
                if any(row):
                    self.rows.append(row)
        else:
            self.rows = list(_as_tuples(data, "clinicians"))
        self.data = tuple(self.rows)

    def pre_validate(self, form):
        for name, credential, role, npi in self.data:
            who = name or "A clinician"
            if not name:
                raise ValidationError("Give each clinician's name (or empty the whole row).")
            if role and role not in vocab.CLINICIAN_ROLES:
                raise ValidationError(f"Choose {who}'s role from the list.")
            if len(credential) > 40:
                raise ValidationError(f"{who}'s credential is too long; use letters like MD or NP.")
            if npi and not (re.fullmatch(r"\d{10}", npi) and npi_is_valid(npi)):
                raise ValidationError(
                    f"{who}'s NPI is not a valid 10-digit NPI (its last digit does not match "
                    "the others, or it is not 10 digits)."
                )

    def input_rows(self) -> list[tuple[int, tuple[str, ...]]]:
        rows = list(self.rows)[:MAX_CLINICIANS]
        blanks = min(BLANK_CLINICIAN_ROWS, MAX_CLINICIANS - len(rows))
        return list(enumerate(rows + [("", "", "", "")] * blanks))


def _https_only(_form, field) -> None:
    if not field.data:
        return
    try:
        parts = urlsplit(field.data)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme != "https" or "." not in host or " " in field.data:
        raise ValidationError(
            "Enter the full booking address starting with https:// (a secure link); "
            "http:// and other kinds of link are not accepted."
        )


def _zone(_form, field) -> None:
    if field.data and field.data not in vocab.TIMEZONES:
        raise ValidationError("Choose a time zone from the list, or leave it to the ZIP code.")


def _notes(label: str, description: str) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[Length(max=MAX_NOTES, message=f"Use at most {MAX_NOTES:,} characters.")],
        filters=[_strip],
        description=description,
    )


class CareFields:
    """Mixed into ProfileForm (WTForms collects fields from every base class)."""

    settings = MultiCheckboxField(
        "Where you treat patients",
        choices=vocab.SETTINGS,
        description="At home means a clinician comes to the patient; telehealth means you "
        "assess and prescribe remotely (for example lozenges taken at home).",
    )
    telehealth_evaluation = OptionalRadioField(
        "How you first evaluate a telehealth patient",
        choices=vocab.TELEHEALTH_EVALUATIONS,
        description="Prescribing without any live visit, by video or in person, is flagged.",
    )
    remote_companion = OptionalRadioField(
        "Who is with the patient during an at-home or telehealth session",
        choices=vocab.REMOTE_COMPANIONS,
        description="At-home sessions without a doctor or nurse present are flagged.",
    )
    telehealth_states = StateLicencesField(
        "States where you treat by telehealth",
        description="One state per line with the prescriber's licence number there, like "
        '"MT 12345". Patients in these states see you under "Telehealth in ...", whatever '
        "the distance; moderators check each licence.",
        render_kw={"rows": 4},
    )
    remote_monitoring = TriStateField(
        "Patients are monitored remotely during an at-home or telehealth session",
        description="For example a video check-in or a blood pressure cuff you read remotely.",
    )
    first_dose_supervised = TriStateField(
        "The first dose is taken under a clinician's supervision",
        description="In person or on live video.",
    )
    emergency_plan = _notes(
        "Emergency plan for sessions at home",
        "What happens if a patient has a bad reaction at home: who they call, who comes, "
        "and how fast.",
    )
    hours = WeeklyHoursField(
        "Opening hours",
        description="Local times, 24-hour, like 09:00-17:00; several spans separated by "
        'commas. Leave a day empty when you are closed. Open past midnight: add "next day", '
        "like 20:00-02:00 next day.",
    )
    timezone = SelectField(
        "Time zone",
        choices={"": "From the ZIP code", **vocab.TIMEZONES},
        validators=[_zone],
        validate_choice=False,
        description='Used to tell patients whether you are "open now".',
    )
    accessibility_note = _notes(
        "More about accessibility",
        "For example the width of doors, a quiet room, or help getting from the car park.",
    )
    booking_url = StringField(
        "Online booking link",
        validators=[Length(max=300, message="Use at most 300 characters."), _https_only],
        filters=[_strip],
        description="Where patients can book a first visit; it must start with https://.",
        render_kw={"inputmode": "url"},
    )
    languages = MultiCheckboxField(
        "Languages spoken",
        choices=vocab.LANGUAGES,
        description="Languages your clinicians speak with patients (not only through an "
        "interpreter).",
    )
    accessibility = MultiCheckboxField(
        "Accessibility",
        choices=vocab.ACCESSIBILITY,
        description="Tick only what is there every day: patients plan their visit on it.",
    )
    age_groups = MultiCheckboxField(
        "Age groups treated",
        choices=vocab.AGE_GROUPS,
        description="Parents and older patients look for providers who treat their age group.",
    )
    insurers = MultiCheckboxField(
        "Insurance plans you are in network with",
        choices=vocab.INSURERS,
        description="Patients filter by their plan; list only plans that pay you directly.",
    )
    clinicians = CliniciansField(
        "Clinicians",
        description="Who treats patients: name, credential (MD, DO, NP, RN, LCSW...), role "
        "and NPI. Moderators check each NPI.",
    )

    def validate_telehealth_states(self, field) -> None:
        """States only make sense for a provider that treats by telehealth."""
        if field.data and "telehealth" not in (self.settings.data or ()):
            raise ValidationError(
                'You listed states for telehealth: tick "By telehealth" under "Where you '
                'treat patients", or clear the states.'
            )
