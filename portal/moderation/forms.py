"""The moderator's forms: the verification checklist with a decision, suspend, restore,
and dismissing a red flag.

Whether a reason or the checklist is required depends on the decision; that
rule lives in service.decide, and the view shows its message next to the field.
The forms only check shape and length.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal import vocab
from portal.forms import no_control_characters, strip

MAX_TEXT = 4000

DECISION_CHOICES: dict[str, str] = {
    "approve": "Approve: publish this version and verify it",
    "request_changes": "Ask for changes: the clinic edits and sends it again",
    "reject": "Reject: do not publish this version",
}
assert set(DECISION_CHOICES) == set(vocab.DECISIONS)


class DecisionForm(FlaskForm):
    licence_state = SelectField(
        "Licence state", choices={"": "Not checked", **vocab.US_STATES}, default=""
    )
    licence_number = StringField(
        "Licence number", validators=[Length(max=40), no_control_characters], filters=[strip]
    )
    licence_checked_how = TextAreaField(
        "How you checked the licence",
        validators=[Length(max=MAX_TEXT), no_control_characters],
        filters=[strip],
    )
    telehealth_licences_checked_how = TextAreaField(
        "How you checked the telehealth licences",
        validators=[Length(max=MAX_TEXT), no_control_characters],
        filters=[strip],
    )
    address_plausible = BooleanField("The address and map position are plausible")
    answers_plausible = BooleanField("The answers are plausible and consistent")
    red_flags_reviewed = BooleanField("I reviewed the red flags listed above")
    notes = TextAreaField(
        "Notes for other moderators",
        validators=[Length(max=MAX_TEXT), no_control_characters],
        filters=[strip],
    )
    decision = RadioField(
        "Your decision",
        choices=DECISION_CHOICES,
        validators=[InputRequired(message="Choose approve, ask for changes or reject.")],
    )
    reason = TextAreaField(
        "Message to the clinic",
        validators=[Length(max=MAX_TEXT), no_control_characters],
        filters=[strip],
    )

    def checklist_values(self) -> dict:
        return {
            "licence_state": self.licence_state.data or "",
            "licence_number": self.licence_number.data or "",
            "licence_checked_how": self.licence_checked_how.data or "",
            "address_plausible": self.address_plausible.data,
            "answers_plausible": self.answers_plausible.data,
            "red_flags_reviewed": self.red_flags_reviewed.data,
            "telehealth_licences_checked_how": self.telehealth_licences_checked_how.data or "",
            "notes": self.notes.data or "",
        }


class SuspendForm(FlaskForm):
    reason = TextAreaField(
        "Why the listing is suspended",
        validators=[Length(max=MAX_TEXT), no_control_characters],
        filters=[strip],
    )


class RestoreForm(FlaskForm):
    reason = TextAreaField(
        "Why the listing can be shown again",
        validators=[Length(max=MAX_TEXT), no_control_characters],
        filters=[strip],
    )


class DismissFlagForm(FlaskForm):
    """Dismiss one text-based red flag; the prefix names the flag (`dismiss-<code>`)."""

    reason = TextAreaField(
        "Why this flag is a false alarm",
        validators=[Length(max=2000), no_control_characters],
        filters=[strip],
    )


class AccountForm(FlaskForm):
    """Suspend or restore a staff account: the reason goes to the audit log."""

    reason = TextAreaField(
        "Why (kept in the audit log)",
        validators=[
            InputRequired("Say why: the reason is kept in the audit log."),
            Length(max=MAX_TEXT),
            no_control_characters,
        ],
        filters=[strip],
    )
