"""Field types, filters and validators shared by the site's forms and its API parameters.

One rule each: control characters (PostgreSQL refuses a NUL in text), whole
numbers, yes/no words, and the page limits every list (search, API, HSDS) uses.
"""

from __future__ import annotations

import re

from wtforms import IntegerField, RadioField, SelectMultipleField, widgets
from wtforms.validators import ValidationError

# Every list the site serves, as a page or JSON, pages the same way.
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000

# The words a yes/no parameter accepts, anywhere (search page, API, HSDS).
TRUE_WORDS = frozenset({"1", "true", "on", "yes"})
FALSE_WORDS = frozenset({"0", "false", "off", "no", ""})

WHOLE_NUMBER = re.compile(r"^\d+$")


def parse_flag(text: str | None) -> bool:
    """A yes/no parameter as a bool; raises ValueError for any other word."""
    word = (text or "").strip().lower()
    if word not in TRUE_WORDS | FALSE_WORDS:
        raise ValueError(word)
    return word in TRUE_WORDS


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARACTERS_MESSAGE = (
    "This answer contains invisible control characters, perhaps from a copy and paste. "
    "Please type it again."
)


def no_control_characters(_form, field) -> None:
    """A WTForms validator for the site's other forms (PostgreSQL refuses a NUL in text)."""
    if field.data and CONTROL_CHARACTERS.search(field.data):
        raise ValidationError("Remove the invisible control characters and try again.")


def strip(value):
    """A filter: surrounding white space off, before any validator sees the text."""
    return value.strip() if isinstance(value, str) else value


def digits_only(value):
    """A filter for numbers people type with spaces or dashes (phone, NPI)."""
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
        if not WHOLE_NUMBER.match(text):
            self.data = None
            raise ValueError("Use a whole number in digits, like 450.")
        self.data = int(text)


class OptionalRadioField(RadioField):
    """Radio buttons where "no answer yet" is allowed (a draft may be incomplete)."""

    def process_data(self, value):
        self.data = value or None

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = valuelist[0] or None

    def pre_validate(self, form):
        if self.data is None:
            return
        if self.data not in dict(self.choices):
            raise ValidationError("Choose one of the options shown.")


class MultiCheckboxField(SelectMultipleField):
    """Several codes from one vocabulary, one checkbox each."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        unknown = [code for code in self.data or () if code not in dict(self.choices)]
        if unknown:
            raise ValidationError("Tick only the options shown.")
