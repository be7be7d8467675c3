"""The profile form: every field of `portal.profile.Profile`, grouped by the patients' questions.

Form field names are the profile's field names, so `ProfileForm(data=profile.to_dict())`
fills the form and `form.profile()` reads it back. Nothing else can be set through it:
status, verification, managers and slug are not fields here, and anything extra in a
POST is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import Email, Length, NumberRange, Optional, Regexp, ValidationError

from portal import vocab
from portal.credentials import npi_is_valid
from portal.dashboard.care_forms import CareFields, TriStateField
from portal.dashboard.fields import MultiCheckboxField, OptionalRadioField
from portal.profile import LIST_FIELDS, PROFILE_FIELDS, Profile

MAX_NOTES = 4000
MIN_PRICE, MAX_PRICE = 50, 10_000
_PHONE_CHARACTERS = re.compile(r"^[\d\s().+-]+$")
_WHOLE_NUMBER = re.compile(r"^\d+$")


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARACTERS_MESSAGE = (
    "This answer contains invisible control characters, perhaps from a copy and paste. "
    "Please type it again."
)


def no_control_characters(_form, field) -> None:
    """A WTForms validator for the site's other forms (PostgreSQL refuses a NUL in text)."""
    if field.data and CONTROL_CHARACTERS.search(field.data):
        raise ValidationError("Remove the invisible control characters and try again.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _digits_only(value):
    return re.sub(r"[\s-]", "", value) if isinstance(value, str) else value


class WholeNumberField(IntegerField):
    """A count or a dollar amount; accepts "2,500" and "$450", and blank for "not stated"."""

    widget = widgets.TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = re.sub(r"[\s,$]", "", valuelist[0] or "")
        if text == "":
            self.data = None
            return
        if not _WHOLE_NUMBER.match(text):
            self.data = None
            raise ValueError("Use a whole number in digits, like 450.")
        self.data = int(text)


def _us_phone(_form, field) -> None:
    if not field.data:
        return
    digits = _phone_digits(field.data)
    if not _PHONE_CHARACTERS.match(field.data) or digits is None:
        raise ValidationError("Use a US phone number with its area code, like (619) 555-0100.")


def _phone_digits(text: str) -> str | None:
    """The 10 digits of a US number (a leading 1 dropped), or None when it is not one."""
    digits = re.sub(r"\D", "", text or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        return None
    return digits


def format_phone(text: str) -> str:
    """(619) 555-0100, the way patients see every phone number on the site."""
    digits = _phone_digits(text)
    if digits is None:
        return text
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def normalise_website(text: str) -> str:
    """Adds https:// when a clinic types just the domain (anything with a scheme stays as is)."""
    if text and not _SCHEME.match(text):
        return "https://" + text
    return text


def _website(_form, field) -> None:
    if not field.data:
        return
    try:
        parts = urlsplit(normalise_website(field.data))
        host = parts.hostname or ""
    except ValueError:  # urlsplit refuses some malformed addresses, e.g. an unclosed "["
        parts, host = None, ""
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or "." not in host
        or parts.username is not None
        or " " in field.data
    ):
        raise ValidationError(
            "Enter the clinic's web address, starting with https:// (or http://)."
        )


def _npi(_form, field) -> None:
    if not field.data:
        return
    if not re.fullmatch(r"\d{10}", field.data):
        raise ValidationError("An NPI has exactly 10 digits.")
    if not npi_is_valid(field.data):
        raise ValidationError(
            "This NPI's last digit does not match the others, so it has a typo somewhere. "
            "You can look it up in the NPPES NPI registry."
        )


def _us_state(_form, field) -> None:
    if field.data and field.data not in vocab.US_STATES:
        raise ValidationError("Choose a US state from the list.")


def _text(label: str, max_length: int, description: str = "", **kwargs) -> StringField:
    return StringField(
        label,
        validators=[Length(max=max_length, message=f"Use at most {max_length:,} characters.")],
        filters=[_strip],
        description=description,
        **kwargs,
    )


def _notes(label: str, description: str) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[Length(max=MAX_NOTES, message=f"Use at most {MAX_NOTES:,} characters.")],
        filters=[_strip],
        description=description,
    )


def _count(label: str, maximum: int, description: str, unit: str = "") -> WholeNumberField:
    return WholeNumberField(
        label,
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=maximum,
                message=f"Enter a number from 0 to {maximum:,}{unit}.",
            ),
        ],
        description=description,
    )


def _price(label: str, description: str, minimum: int = MIN_PRICE) -> WholeNumberField:
    return WholeNumberField(
        label,
        validators=[
            Optional(),
            NumberRange(
                min=minimum,
                max=MAX_PRICE,
                message=f"Enter an amount in dollars from ${minimum:,} to ${MAX_PRICE:,}.",
            ),
        ],
        description=description,
    )


STATE_CHOICES: dict[str, str] = {"": "Choose a state", **vocab.US_STATES}


class ProfileForm(CareFields, FlaskForm):
    """Every answer of a clinic's profile; `version` is the draft version the form was opened at."""

    version = HiddenField()

    # Who and where
    name = _text(
        "Clinic name",
        200,
        "The name patients will see and search for. Needed even for a draft.",
    )
    description = _notes(
        "About the clinic",
        "A few calm sentences on who you are and who you help. Please do not promise "
        "a cure or a guaranteed result: patients are told to be wary of such promises.",
    )
    address = _text("Street address", 200, "Where patients come for treatment.")
    city = _text(
        "City", 100, "Patients search by city, so use the name on the clinic's postal address."
    )
    state = SelectField(
        "State",
        choices=STATE_CHOICES,
        validators=[_us_state],
        validate_choice=False,
        description="Together with the ZIP code, this places the clinic on the map.",
    )
    zip = StringField(
        "ZIP code",
        validators=[
            Optional(),
            Regexp(r"^\d{5}(-\d{4})?$", message="Use a 5-digit ZIP code, like 92101."),
        ],
        filters=[_strip],
        description="Patients search by distance from their ZIP code, so it must be right.",
        render_kw={"inputmode": "numeric", "autocomplete": "postal-code"},
    )
    phone = StringField(
        "Phone",
        validators=[Length(max=40, message="Use at most 40 characters."), _us_phone],
        filters=[_strip],
        description="A number where someone answers questions from new patients.",
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    website = StringField(
        "Website",
        validators=[Length(max=300, message="Use at most 300 characters."), _website],
        filters=[_strip],
        description="Patients often read more before they call.",
        render_kw={"inputmode": "url"},
    )
    email = EmailField(
        "Contact email",
        validators=[
            Optional(),
            Length(max=254, message="Use at most 254 characters."),
            Email("Enter an email address like info@yourclinic.com."),
        ],
        filters=[_strip],
        description="Shown on the listing, for patients who prefer to write.",
    )
    npi = StringField(
        "NPI (National Provider Identifier)",
        validators=[_npi],
        filters=[_strip, _digits_only],
        description=(
            "Your clinic's or medical director's 10-digit NPI. Moderators use it to check "
            "the provider is real and licensed, which is what the verified badge tells patients."
        ),
        render_kw={"inputmode": "numeric"},
    )
    licence_state = SelectField(
        "Licence state",
        choices=STATE_CHOICES,
        validators=[_us_state],
        validate_choice=False,
        description="The state board that issued the medical director's licence: a moderator "
        "looks the licence up there before verifying the listing.",
    )
    licence_number = _text(
        "Licence number",
        40,
        "The medical director's state licence. A licence is valid only in the state that "
        "issued it, which matters to patients near a state line.",
    )
    accepting_new_patients = BooleanField(
        "Accepting new patients",
        description="Saves patients a call when you cannot take them on.",
    )

    # Question 1: experience
    treatments_administered = _count(
        "Ketamine treatments administered",
        1_000_000,
        "Roughly how many ketamine treatments your clinic has given in total. This is the "
        "first question patients are advised to ask; a clinic that cannot say is flagged.",
    )
    years_offering = _count(
        "Years offering ketamine",
        60,
        "How long your clinic has offered ketamine treatment.",
        " years",
    )
    director_discipline = OptionalRadioField(
        "Medical director's specialty",
        choices=vocab.DIRECTOR_DISCIPLINES,
        description=(
            "Patients are told to look for a psychiatrist or an anesthesiologist with "
            "ketamine training and experience."
        ),
    )
    physician_on_site = BooleanField(
        "A physician is on site during treatments",
        description="Reassures patients that a doctor can step in at once.",
    )
    experience_notes = _notes(
        "More about experience",
        "Training, certifications, or anything that helps patients judge your experience.",
    )

    # Question 2: safety monitoring
    screens_medical_history = BooleanField(vocab.SCREENING_ITEMS["screens_medical_history"])
    screens_psychiatric_evaluation = BooleanField(
        vocab.SCREENING_ITEMS["screens_psychiatric_evaluation"]
    )
    screens_prior_treatments = BooleanField(vocab.SCREENING_ITEMS["screens_prior_treatments"])
    screens_contraindications = BooleanField(vocab.SCREENING_ITEMS["screens_contraindications"])
    in_person_evaluation = BooleanField(
        "Every patient has an in-person evaluation before treatment",
        description="Ketamine is not safe for everyone; an evaluation in person catches that.",
    )
    session_monitor = OptionalRadioField(
        "Who watches the patient during the session",
        choices=vocab.SESSION_MONITORS,
        description=(
            "Reputable clinics have a doctor or nurse watching the whole session. "
            "Listings without one are flagged."
        ),
    )
    monitors_blood_pressure = BooleanField(vocab.VITAL_SIGNS["monitors_blood_pressure"])
    monitors_heart_rate = BooleanField(vocab.VITAL_SIGNS["monitors_heart_rate"])
    monitors_oxygen = BooleanField(vocab.VITAL_SIGNS["monitors_oxygen"])
    monitors_ecg = BooleanField(vocab.VITAL_SIGNS["monitors_ecg"])
    recovery_minutes = _count(
        "Recovery time after a session (minutes)",
        1440,
        "How long patients stay under observation afterwards. Esketamine (Spravato) needs "
        "at least 120 minutes.",
        " minutes",
    )
    transport_required = BooleanField(
        "Someone else must drive the patient home",
        description="Patients must not drive after ketamine; they need to plan a ride.",
    )
    fasting_hours = _count(
        "No food before a session (hours)",
        24,
        "So patients can prepare: for example 6 hours without solid food.",
        " hours",
    )
    pharmaceutical_grade = BooleanField(
        "Pharmaceutical-grade ketamine only",
        description="Patients want to know the medicine comes from a licensed pharmaceutical "
        "supplier, with a known strength and purity.",
    )
    emergency_trained = BooleanField(
        "Staff are trained for emergencies and follow a protocol for adverse events",
        description="Serious breathing or heart problems are rare when a session is watched "
        "closely; patients want to know someone is ready if one happens.",
    )
    offers_home_iv = BooleanField(
        "Offers IV ketamine at home",
        description="IV ketamine at home without an in-person evaluation is flagged.",
    )
    safety_notes = _notes(
        "More about safety",
        "How you handle side effects or an emergency, and anything else about safety.",
    )

    # Question 3: combined therapy
    therapy = OptionalRadioField(
        "Therapy alongside ketamine",
        choices=vocab.THERAPY,
        description=(
            "Ketamine works best together with talk therapy, so patients look for clinics "
            "that offer it, work with their own therapist, or refer them to one."
        ),
    )
    therapy_notes = _notes(
        "More about therapy",
        "For example integration sessions, or how you work with a patient's own therapist.",
    )

    # Treatments and plan
    routes = MultiCheckboxField(
        "Ways ketamine is given",
        choices=vocab.ROUTES,
        description="Patients compare clinics by the treatments they offer.",
    )
    conditions = MultiCheckboxField(
        "Conditions treated",
        choices=vocab.CONDITIONS,
        description="Patients filter the search by their condition.",
    )
    induction_sessions = _count(
        "Sessions in the first series",
        100,
        "A first series is often 4 to 8 sessions.",
        " sessions",
    )
    induction_weeks = _count(
        "Weeks the first series takes", 104, "Often one to six weeks.", " weeks"
    )
    maintenance_offered = BooleanField(
        "Maintenance (booster) sessions offered",
        description="The effect of a first series often fades; patients plan ahead when they "
        "know whether boosters are available here.",
    )
    plan_notes = _notes(
        "More about the treatment plan",
        "What a patient can expect from the first visit to the last session.",
    )

    # Cost and payment
    price_min = _price(
        "Lowest price per session ($)",
        "Most patients pay out of pocket, so a clear price range helps them plan.",
    )
    price_max = _price("Highest price per session ($)", "The most one session costs.")
    consultation_fee = _price(
        "Consultation fee ($)",
        "The cost of the first visit, if it is charged separately. Enter 0 if it is free.",
        minimum=0,
    )
    payment_options = MultiCheckboxField(
        "Payment help",
        choices=vocab.PAYMENT_OPTIONS,
        description="Insurance rarely covers IV ketamine; payment help can decide whether "
        "a patient can afford treatment.",
    )
    cost_notes = _notes(
        "More about cost",
        "For example a package price for a series, or what insurance has covered.",
    )

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, plus: no invisible control characters in any text
        (PostgreSQL cannot store a NUL, and nobody means to type one)."""
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and CONTROL_CHARACTERS.search(field.data):
                field.errors = [*field.errors, CONTROL_CHARACTERS_MESSAGE]
                valid = False
        return valid

    def validate_name(self, field) -> None:
        if not field.data:
            raise ValidationError(
                "Enter your clinic's name. It is needed even for a draft, so you can find it again."
            )

    def validate_price_max(self, field) -> None:
        low = self.price_min.data
        if None not in (field.data, low) and not self.price_min.errors and low > field.data:
            raise ValidationError("The highest price cannot be lower than the lowest price.")

    def validate_induction_weeks(self, field) -> None:
        if field.data == 0 and self.induction_sessions.data:
            raise ValidationError("A series of sessions takes at least one week.")

    def profile(self) -> Profile:
        """The answers as a Profile, in the shapes the site shows them (phone, website)."""
        values = {name: self[name].data for name in PROFILE_FIELDS}
        for name in LIST_FIELDS:
            values[name] = tuple(values[name] or ())
        for name in PROFILE_FIELDS:
            text_field = isinstance(self[name], StringField | SelectField)
            if values[name] is None and text_field and not isinstance(self[name], TriStateField):
                values[name] = ""
        for name in (
            "director_discipline",
            "session_monitor",
            "therapy",
            "telehealth_evaluation",
            "remote_companion",
        ):
            values[name] = values[name] or None
        values["phone"] = format_phone(values["phone"])
        values["website"] = normalise_website(values["website"])
        return Profile.from_dict(values)


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
