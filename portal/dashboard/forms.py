"""The profile form: every field of `portal.profile.Profile`, grouped by the patients' questions.

Form field names are the profile's field names, so `ProfileForm(data=profile.to_dict())`
fills the form and `form.profile()` reads it back. Nothing else can be set through it:
status, verification, managers and slug are not fields here, and anything extra in a
POST is ignored.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
)
from wtforms.validators import Email, Length, Optional, Regexp, ValidationError

from portal import vocab
from portal.dashboard.care_forms import CareFields
from portal.dashboard.fields import (
    STATE_CHOICES,
    TriStateField,
    count_field,
    format_phone,
    normalise_website,
    notes_field,
    price_field,
    text_field,
    valid_npi,
    valid_us_phone,
    valid_us_state,
    valid_website,
)
from portal.forms import (
    CONTROL_CHARACTERS,
    CONTROL_CHARACTERS_MESSAGE,
    MultiCheckboxField,
    OptionalRadioField,
    digits_only,
    strip,
)
from portal.profile import LIST_FIELDS, PROFILE_FIELDS, Profile


class ProfileForm(CareFields, FlaskForm):
    """Every answer of a clinic's profile; `version` is the draft version the form was opened at."""

    version = HiddenField()

    # Who and where
    name = text_field(
        "Clinic name",
        200,
        "The name patients will see and search for. Needed even for a draft.",
    )
    description = notes_field(
        "About the clinic",
        "A few calm sentences on who you are and who you help. Please do not promise "
        "a cure or a guaranteed result: patients are told to be wary of such promises.",
    )
    address = text_field("Street address", 200, "Where patients come for treatment.")
    city = text_field(
        "City", 100, "Patients search by city, so use the name on the clinic's postal address."
    )
    state = SelectField(
        "State",
        choices=STATE_CHOICES,
        validators=[valid_us_state],
        validate_choice=False,
        description="Together with the ZIP code, this places the clinic on the map.",
    )
    zip = StringField(
        "ZIP code",
        validators=[
            Optional(),
            Regexp(r"^\d{5}(-\d{4})?$", message="Use a 5-digit ZIP code, like 92101."),
        ],
        filters=[strip],
        description="Patients search by distance from their ZIP code, so it must be right.",
        render_kw={"inputmode": "numeric", "autocomplete": "postal-code"},
    )
    phone = StringField(
        "Phone",
        validators=[Length(max=40, message="Use at most 40 characters."), valid_us_phone],
        filters=[strip],
        description="A number where someone answers questions from new patients.",
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    website = StringField(
        "Website",
        validators=[Length(max=300, message="Use at most 300 characters."), valid_website],
        filters=[strip],
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
        filters=[strip],
        description="Shown on the listing, for patients who prefer to write.",
    )
    npi = StringField(
        "NPI (National Provider Identifier)",
        validators=[valid_npi],
        filters=[strip, digits_only],
        description=(
            "Your clinic's or medical director's 10-digit NPI. Moderators use it to check "
            "the provider is real and licensed, which is what the verified badge tells patients."
        ),
        render_kw={"inputmode": "numeric"},
    )
    licence_state = SelectField(
        "Licence state",
        choices=STATE_CHOICES,
        validators=[valid_us_state],
        validate_choice=False,
        description="The state board that issued the medical director's licence: a moderator "
        "looks the licence up there before verifying the listing.",
    )
    licence_number = text_field(
        "Licence number",
        40,
        "The medical director's state licence. A licence is valid only in the state that "
        "issued it, which matters to patients near a state line.",
    )
    accepting_new_patients = TriStateField(
        "Accepting new patients",
        description="Saves patients a call when you cannot take them on.",
    )

    # Question 1: experience
    treatments_administered = count_field(
        "Ketamine treatments administered",
        1_000_000,
        "Roughly how many ketamine treatments your clinic has given in total. This is the "
        "first question patients are advised to ask; a clinic that cannot say is flagged.",
    )
    years_offering = count_field(
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
    physician_on_site = TriStateField(
        "A physician is on site during treatments",
        description="Reassures patients that a doctor can step in at once.",
    )
    experience_notes = notes_field(
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
    in_person_evaluation = TriStateField(
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
    recovery_minutes = count_field(
        "Recovery time after a session (minutes)",
        1440,
        "How long patients stay under observation afterwards. Esketamine (Spravato) needs "
        "at least 120 minutes.",
        " minutes",
    )
    transport_required = TriStateField(
        "Someone else must drive the patient home",
        description="Patients must not drive after ketamine; they need to plan a ride.",
    )
    fasting_hours = count_field(
        "No food before a session (hours)",
        24,
        "So patients can prepare: for example 6 hours without solid food.",
        " hours",
    )
    pharmaceutical_grade = TriStateField(
        "Pharmaceutical-grade ketamine only",
        description="Patients want to know the medicine comes from a licensed pharmaceutical "
        "supplier, with a known strength and purity.",
    )
    emergency_trained = TriStateField(
        "Staff are trained for emergencies and follow a protocol for adverse events",
        description="Serious breathing or heart problems are rare when a session is watched "
        "closely; patients want to know someone is ready if one happens.",
    )
    offers_home_iv = TriStateField(
        "Offers IV ketamine at home",
        description="IV ketamine at home without an in-person evaluation is flagged.",
    )
    safety_notes = notes_field(
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
    therapy_notes = notes_field(
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
    induction_sessions = count_field(
        "Sessions in the first series",
        100,
        "A first series is often 4 to 8 sessions.",
        " sessions",
    )
    induction_weeks = count_field(
        "Weeks the first series takes", 104, "Often one to six weeks.", " weeks"
    )
    maintenance_offered = TriStateField(
        "Maintenance (booster) sessions offered",
        description="The effect of a first series often fades; patients plan ahead when they "
        "know whether boosters are available here.",
    )
    plan_notes = notes_field(
        "More about the treatment plan",
        "What a patient can expect from the first visit to the last session.",
    )

    # Cost and payment
    price_min = price_field(
        "Lowest price per session ($)",
        "Most patients pay out of pocket, so a clear price range helps them plan.",
    )
    price_max = price_field("Highest price per session ($)", "The most one session costs.")
    consultation_fee = price_field(
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
    cost_notes = notes_field(
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
            text_like = isinstance(self[name], StringField | SelectField)
            if values[name] is None and text_like and not isinstance(self[name], TriStateField):
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
