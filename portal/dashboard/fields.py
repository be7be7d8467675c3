"""Form fields the profile form shares between its parts (codes as radios or checkboxes)."""

from __future__ import annotations

from wtforms import RadioField, SelectMultipleField, widgets
from wtforms.validators import ValidationError


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
