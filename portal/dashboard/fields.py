"""The profile form's own validators and field builders (phone, website, NPI, state, money)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from wtforms import (
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from portal import vocab
from portal.credentials import npi_is_valid
from portal.forms import (
    WholeNumberField,
    strip,
)

MAX_NOTES = 4000
MIN_PRICE, MAX_PRICE = 50, 10_000
_PHONE_CHARACTERS = re.compile(r"^[\d\s().+-]+$")


def valid_us_phone(_form, field) -> None:
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


def valid_website(_form, field) -> None:
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


def valid_npi(_form, field) -> None:
    if not field.data:
        return
    if not re.fullmatch(r"\d{10}", field.data):
        raise ValidationError("An NPI has exactly 10 digits.")
    if not npi_is_valid(field.data):
        raise ValidationError(
            "This NPI's last digit does not match the others, so it has a typo somewhere. "
            "You can look it up in the NPPES NPI registry."
        )


def valid_us_state(_form, field) -> None:
    if field.data and field.data not in vocab.US_STATES:
        raise ValidationError("Choose a US state from the list.")


def text_field(label: str, max_length: int, description: str = "", **kwargs) -> StringField:
    return StringField(
        label,
        validators=[Length(max=max_length, message=f"Use at most {max_length:,} characters.")],
        filters=[strip],
        description=description,
        **kwargs,
    )


def notes_field(label: str, description: str) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[Length(max=MAX_NOTES, message=f"Use at most {MAX_NOTES:,} characters.")],
        filters=[strip],
        description=description,
    )


def count_field(label: str, maximum: int, description: str, unit: str = "") -> WholeNumberField:
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


def price_field(label: str, description: str, minimum: int = MIN_PRICE) -> WholeNumberField:
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
