"""Field types of the profile form that the site's other forms may reuse."""

from __future__ import annotations

from wtforms import RadioField
from wtforms.fields.choices import Choice

TRI_STATE_CHOICES: dict[str, str] = {"yes": "Yes", "no": "No", "unstated": "Not stated"}
TRI_STATE_VALUES: dict[str, bool | None] = {"yes": True, "no": False, "unstated": None, "": None}
TRI_STATE_MESSAGE = "Choose Yes, No or Not stated."


class TriStateField(RadioField):
    """A yes/no fact with a third answer, "not stated": data is True, False or None.

    Asked as Yes / No / Not stated radio buttons. Nothing is ticked until the
    clinic answers (a fresh form pre-answers nothing), and a form sent with no
    choice stores "not stated". Any other value gets a message on the field.
    The template macro is `tri_state` in templates/dashboard/_form.html.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("choices", TRI_STATE_CHOICES)
        super().__init__(label, validators, **kwargs)

    def process_data(self, value):
        self.data = value if isinstance(value, bool) else None

    def process_formdata(self, valuelist):
        raw = valuelist[0] if valuelist else ""
        if raw in TRI_STATE_VALUES:
            self.data = TRI_STATE_VALUES[raw]
            return
        self.data = None
        raise ValueError(TRI_STATE_MESSAGE)

    def pre_validate(self, form):
        """Checked in process_formdata; nothing more to check."""

    def iter_choices(self):
        chosen = {True: "yes", False: "no"}.get(self.data)
        if self.data is None and self.raw_data and self.raw_data[0] == "unstated":
            chosen = "unstated"
        return [
            Choice(value=value, label=text, selected=value == chosen, render_kw=None)
            for value, text in self.choices.items()
        ]
