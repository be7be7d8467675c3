"""The tray's small forms: one clinic id and where to go back to."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from portal.compare.service import LARGEST_ID


class TrayForm(FlaskForm):
    clinic_id = IntegerField(
        "Clinic",
        validators=[
            InputRequired("Say which clinic to add or remove."),
            NumberRange(min=1, max=LARGEST_ID, message="That is not a clinic number."),
        ],
    )
    next = HiddenField()


class ClearTrayForm(FlaskForm):
    next = HiddenField()
