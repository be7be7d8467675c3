"""The patient's report form. Shape and length only; the service stores what passes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional

from portal import vocab
from portal.forms import no_control_characters
from portal.reports.service import MAX_DETAILS, MAX_NOTE


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _text(value):
    """Stripped, with the browser's CRLF line breaks counted as one character, as it counts them."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


class ReportForm(FlaskForm):
    kind = RadioField(
        "What is wrong?",
        choices=vocab.REPORT_KINDS,
        validators=[InputRequired("Choose the option that fits best.")],
    )
    details = TextAreaField(
        "Tell us more (optional)",
        filters=[_text],
        validators=[
            Length(
                max=MAX_DETAILS,
                message=f"Please keep it under {MAX_DETAILS:,} characters; shorten it a little.",
            ),
            no_control_characters,
        ],
        description=(
            "For example the phone number that did not work, or what you saw. "
            "Please leave out your own health details."
        ),
        render_kw={"maxlength": MAX_DETAILS, "rows": 6},
    )
    contact_email = EmailField(
        "Your email address (optional)",
        filters=[_strip],
        validators=[
            Optional(),
            no_control_characters,
            Length(max=254, message="That email address is too long."),
            Email("Enter an email address like name@example.com, or leave this empty."),
        ],
        description=(
            "Only if you are happy for a moderator to write back with a question. "
            "Only our moderators see it; the clinic does not."
        ),
        render_kw={"autocomplete": "email"},
    )


class ResolveReportForm(FlaskForm):
    note = TextAreaField(
        "What you did about it",
        filters=[_text],
        validators=[
            InputRequired("Write what you did about this report; the audit log keeps it."),
            Length(max=MAX_NOTE, message=f"Keep the note under {MAX_NOTE:,} characters."),
            no_control_characters,
        ],
        description="Kept in the audit log. The clinic's staff can read it too.",
        render_kw={"rows": 3},
    )
