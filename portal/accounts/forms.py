"""Forms of the accounts pages: register, sign in, change password."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from portal.accounts.service import MIN_PASSWORD_LENGTH, password_problem
from portal.forms import no_control_characters, strip

# Long enough for any real password, short enough that hashing it costs nothing extra.
MAX_PASSWORD_LENGTH = 256


def _acceptable_password(form, field) -> None:
    """Length, leaked and guessable passwords, and (on registration) the e-mail typed."""
    email = form.email.data if "email" in form else ""
    if problem := password_problem(field.data or "", email or ""):
        raise ValidationError(problem)


def _address_field(label: str, required: str, description: str, autocomplete: str) -> EmailField:
    """An e-mail address someone will receive mail at (registration, a new address)."""
    return EmailField(
        label,
        filters=[strip],
        validators=[
            InputRequired(required),
            Length(max=254, message="That email address is too long."),
            Email("Enter an email address like name@yourclinic.com."),
        ],
        description=description,
        render_kw={"autocomplete": autocomplete},
    )


def _current_password_field(label: str, required: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired(required),
            Length(max=MAX_PASSWORD_LENGTH, message="Use at most 256 characters."),
        ],
        render_kw={"autocomplete": "current-password"},
    )


def _new_password_field(label: str, required: str) -> PasswordField:
    """A password being chosen: checked for length, leaks, guessability and the e-mail."""
    return PasswordField(
        label,
        validators=[
            InputRequired(required),
            Length(max=MAX_PASSWORD_LENGTH, message="Use at most 256 characters."),
            _acceptable_password,
        ],
        description=(
            f"At least {MIN_PASSWORD_LENGTH} characters, not your email address, and not a "
            "password leaked from another site. A few unrelated words together are easy to "
            "remember and hard to guess."
        ),
        render_kw={"autocomplete": "new-password"},
    )


def _repeated_password_field(label: str, required: str, repeats: str) -> PasswordField:
    """The same password typed again, so a typo does not lock its owner out."""
    return PasswordField(
        label,
        validators=[
            InputRequired(required),
            EqualTo(repeats, "The two passwords are not the same."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class RegisterForm(FlaskForm):
    email = _address_field(
        "Work email address",
        "Enter your email address.",
        "You sign in with it. We never show it to patients.",
        "username",
    )
    password = _new_password_field("Choose a password", "Choose a password.")
    password_confirm = _repeated_password_field(
        "Type the password again", "Type the password a second time.", "password"
    )


class LoginForm(FlaskForm):
    """No format check on the email: any stored account must be able to sign in."""

    email = EmailField(
        "Email address",
        filters=[strip],
        validators=[
            InputRequired("Enter your email address."),
            Length(max=254, message="That email address is too long."),
            no_control_characters,
        ],
        render_kw={"autocomplete": "username"},
    )
    password = _current_password_field("Password", "Enter your password.")
    remember = BooleanField("Keep me signed in on this device for 14 days")
    next = HiddenField()


class NewPasswordFields(FlaskForm):
    """A new password typed twice: changing it signed in, or resetting it from an email."""

    new_password = _new_password_field("New password", "Choose a new password.")
    new_password_confirm = _repeated_password_field(
        "Type the new password again", "Type the new password a second time.", "new_password"
    )


class PasswordForm(NewPasswordFields):
    current_password = _current_password_field(
        "Your current password", "Enter your current password."
    )


class ForgotForm(FlaskForm):
    email = EmailField(
        "Your account's email address",
        filters=[strip],
        validators=[
            InputRequired("Enter your email address."),
            Length(max=254, message="That email address is too long."),
            no_control_characters,
        ],
        render_kw={"autocomplete": "username"},
    )


class ResetForm(NewPasswordFields):
    """The reset link proves who it is: no current password asked."""


class EmailChangeForm(FlaskForm):
    new_email = _address_field(
        "New email address",
        "Enter the new address.",
        "We send a link there; the change happens once you open it.",
        "email",
    )
    password = _current_password_field("Your current password", "Enter your current password.")
