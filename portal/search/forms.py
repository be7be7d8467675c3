"""The search form: one set of rules for the /search page and GET /api/v1/clinics.

Both read the query string through `SearchForm`; the API turns the first error
into a JSON error whose code comes from `ERROR_CODES`, the page shows every
error next to its field.
"""

from __future__ import annotations

import math
import re
import unicodedata

from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from portal import vocab
from portal.forms import parse_flag
from portal.search import service

LOCATION_MISSING_MESSAGE = (
    "Enter where you are: a ZIP code (like 92101), a city and state (like "
    '"Austin, TX"), or an address that ends with its ZIP code.'
)

# The error code the API gives for a problem with each parameter (CONTRACT.md).
ERROR_CODES: dict[str, str] = {
    "location": "missing_location",
    "radius": "invalid_radius",
    "route": "unknown_code",
    "condition": "unknown_code",
    "therapy": "unknown_code",
    "payment": "unknown_code",
    "verified": "invalid_value",
    "accepting": "invalid_value",
    "max_price": "invalid_number",
    "setting": "unknown_code",
    "language": "unknown_code",
    "insurer": "unknown_code",
    "age_group": "unknown_code",
    "accessibility": "unknown_code",
    "open_now": "invalid_value",
    "sort": "unknown_code",
    "page": "invalid_page",
    "per_page": "invalid_page",
}

FILTER_FIELDS = (
    "route",
    "condition",
    "therapy",
    "payment",
    "max_price",
    "verified",
    "accepting",
    "setting",
    "language",
    "insurer",
    "age_group",
    "accessibility",
    "open_now",
)


def _clean_text(value: str | None) -> str:
    """Trimmed, with control characters (NUL and friends) removed."""
    if value is None:
        return ""
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cc").strip()


class NumberField(Field):
    """A plain decimal number within bounds; anything else gets `message`.

    Stricter than WTForms' own number fields: "nan", "inf", "1e9", "1_000" and
    digits from other scripts are refused rather than half-accepted.
    """

    widget = NumberInput()

    def __init__(
        self,
        label: str | None = None,
        validators=None,
        *,
        minimum: float,
        maximum: float,
        message: str,
        whole: bool = True,
        **kwargs,
    ):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum, self.message, self.whole = minimum, maximum, message, whole
        self.pattern = re.compile(r"[0-9]{1,9}" if whole else r"[0-9]{1,9}(?:\.[0-9]{1,6})?")

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            return
        text = valuelist[0].strip()
        if not self.pattern.fullmatch(text):
            raise ValueError(self.message)
        value = int(text) if self.whole else float(text)
        if not (math.isfinite(value) and self.minimum <= value <= self.maximum):
            raise ValueError(self.message)
        self.data = value

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return str(self.data) if self.whole else service.format_miles(self.data)


class FlagField(BooleanField):
    """A yes/no parameter: `1` or `0` (also true/false, on/off, yes/no)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            self.data = False
            return
        try:
            self.data = parse_flag(valuelist[0])
        except ValueError:
            self.data = False
            raise ValueError(f"{self.label.text}: use 1 for yes or 0 for no.") from None

    def _value(self) -> str:
        return "1"


class CodesField(SelectMultipleField):
    """Codes from one vocabulary, shown as checkboxes; may repeat in the query string."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label: str, vocabulary: dict[str, str], **kwargs):
        super().__init__(label, choices=vocabulary, **kwargs)
        self.vocabulary = vocabulary

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = list(dict.fromkeys(value.strip() for value in valuelist if value.strip()))

    def pre_validate(self, form) -> None:
        unknown = [code for code in self.data or () if code not in self.vocabulary]
        if unknown:
            raise ValidationError(
                f'We do not know "{unknown[0][:40]}" as a choice for {self.label.text.lower()}. '
                f"Choose from: {', '.join(self.vocabulary)}."
            )

    def codes(self) -> tuple[str, ...]:
        """The chosen codes, once each, in vocabulary order (one search, one URL)."""
        chosen = set(self.data or ())
        return tuple(code for code in self.vocabulary if code in chosen)


class CodeField(SelectField):
    """One code from a vocabulary; an empty value means the default."""

    def __init__(self, label: str, vocabulary: dict[str, str], **kwargs):
        super().__init__(label, choices=vocabulary, **kwargs)
        self.vocabulary = vocabulary

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and valuelist[0].strip():
            self.data = valuelist[0].strip()

    def pre_validate(self, form) -> None:
        if self.data not in self.vocabulary:
            raise ValidationError(
                f'We do not know "{str(self.data)[:40]}" as a way to sort. '
                f"Choose from: {', '.join(self.vocabulary)}."
            )


class SearchForm(FlaskForm):
    """Read from the query string (GET), so no CSRF token: it changes nothing."""

    class Meta:
        csrf = False

    location = StringField(
        "ZIP code, city or address",
        filters=[_clean_text],
        validators=[DataRequired(message=LOCATION_MISSING_MESSAGE)],
        render_kw={"maxlength": 200, "autocomplete": "postal-code"},
    )
    radius = NumberField(
        "Within",
        minimum=service.MIN_RADIUS,
        maximum=service.MAX_RADIUS,
        whole=False,
        default=service.DEFAULT_RADIUS,
        message=(f"Choose a distance between {service.MIN_RADIUS} and {service.MAX_RADIUS} miles."),
    )
    route = CodesField("How ketamine is given", vocab.ROUTES)
    condition = CodesField("Conditions treated", vocab.CONDITIONS)
    therapy = CodesField("Therapy alongside ketamine", vocab.THERAPY)
    payment = CodesField("Payment help", vocab.PAYMENT_OPTIONS)
    verified = FlagField("Only clinics with a current verification")
    accepting = FlagField("Only clinics accepting new patients")
    max_price = NumberField(
        "Highest price per session ($)",
        minimum=0,
        maximum=service.MAX_PRICE_LIMIT,
        message=(
            "Enter a price in whole dollars, for example 500 "
            f"(at most {service.MAX_PRICE_LIMIT:,})."
        ),
    )
    setting = CodesField("Where treatment happens", vocab.SETTINGS)
    language = CodesField("Languages spoken", vocab.LANGUAGES)
    insurer = CodesField("Insurance accepted", vocab.INSURERS)
    age_group = CodesField("Age group", vocab.AGE_GROUPS)
    accessibility = CodesField("Accessibility", vocab.ACCESSIBILITY)
    open_now = FlagField("Only clinics open now")
    sort = CodeField("Sort by", vocab.SORTS, default="distance")
    page = NumberField(
        "Page",
        minimum=1,
        maximum=service.MAX_PAGE,
        default=1,
        message=f"Page numbers are whole numbers from 1 to {service.MAX_PAGE:,}.",
    )
    per_page = NumberField(
        "Results per page",
        minimum=1,
        maximum=service.MAX_PER_PAGE,
        default=service.DEFAULT_PER_PAGE,
        message=f"Results per page must be a whole number from 1 to {service.MAX_PER_PAGE}.",
    )

    def first_error(self) -> tuple[str, str]:
        """(parameter name, message) of the first problem, in the order of the fields."""
        for field in self:
            if field.errors:
                return field.name, field.errors[0]
        raise LookupError("the form has no errors")

    def filters_open(self) -> bool:
        """Whether the page shows the filters unfolded: one is in use or has a problem."""
        return any(
            self[name].errors or self[name].data not in (None, False, [], ())
            for name in FILTER_FIELDS
        )

    def radius_options(self) -> list[float]:
        """The usual radius steps, plus the asked one when it is a valid other number."""
        options: list[float] = list(service.RADIUS_STEPS)
        if not self.radius.errors and self.radius.data not in options:
            options = sorted([*options, self.radius.data])
        return options

    def query(self) -> service.SearchQuery:
        """The validated search; call only after `validate()` returned True."""
        return service.SearchQuery(
            location=self.location.data,
            radius_miles=self.radius.data,
            routes=self.route.codes(),
            conditions=self.condition.codes(),
            therapy=self.therapy.codes(),
            payment=self.payment.codes(),
            verified=self.verified.data,
            accepting=self.accepting.data,
            max_price=self.max_price.data,
            settings=self.setting.codes(),
            languages=self.language.codes(),
            insurers=self.insurer.codes(),
            age_groups=self.age_group.codes(),
            accessibility=self.accessibility.codes(),
            open_now=self.open_now.data,
            sort=self.sort.data,
            page=self.page.data,
            per_page=self.per_page.data,
        )
