"""Forms of the claim pages and the moderators' claim decision."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, TextAreaField
from wtforms.validators import Email, InputRequired, Length

from portal.claims.service import MAX_EVIDENCE, MAX_NOTE
from portal.forms import no_control_characters, strip


class DomainClaimForm(FlaskForm):
    work_email = EmailField(
        "Your work email address",
        filters=[strip],
        validators=[
            InputRequired("Enter your address at the clinic's website domain."),
            Length(max=254, message="That email address is too long."),
            Email("Enter an email address like name@yourclinic.com."),
        ],
    )


class EvidenceClaimForm(FlaskForm):
    evidence = TextAreaField(
        "How can the moderators check that you work there?",
        validators=[
            InputRequired("Tell the moderators how they can check that you work at this clinic."),
            Length(max=MAX_EVIDENCE, message=f"Keep it under {MAX_EVIDENCE:,} characters."),
            no_control_characters,
        ],
        description=(
            "For example your name and role, the clinic phone number a moderator can call, "
            "or a page on the clinic's website that names you."
        ),
    )


class ClaimDecisionForm(FlaskForm):
    decision = RadioField(
        "Decision",
        choices={"approve": "Approve: the claimant becomes the owner", "refuse": "Refuse"},
        validators=[InputRequired("Choose approve or refuse.")],
    )
    note = TextAreaField(
        "Note to the claimant (required to refuse)",
        validators=[Length(max=MAX_NOTE), no_control_characters],
    )
