"""Form fields with Dutch messages: whole numbers and Amsterdam wall-clock times."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, IntegerField, SelectMultipleField
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from ..timeutil import from_local, local

# What browsers send for <input type=datetime-local>, and what people type where it is a text box.
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M", "%d-%m-%Y %H.%M")


class _StopWhenUnreadable:
    """What was typed could not be read: say that, and only that."""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class LocalDateTimeField(_StopWhenUnreadable, DateTimeLocalField):
    """A time typed in Amsterdam; ``data`` is an aware UTC datetime (or None when left empty)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=list(DATETIME_FORMATS), **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return local(self.data).strftime(DATETIME_FORMATS[0]) if self.data else ""

    def process_formdata(self, valuelist):
        self.data = None
        text = " ".join(valuelist).strip() if valuelist else ""
        if not text:
            return
        for fmt in DATETIME_FORMATS:
            try:
                self.data = from_local(datetime.strptime(text, fmt))
                return
            except ValueError:
                continue
        raise ValueError(_l("Vul een datum en tijd in, bijvoorbeeld 31-12-2026 14:30."))


class WholeNumberField(_StopWhenUnreadable, IntegerField):
    def process_formdata(self, valuelist):
        self.data = None
        text = valuelist[0].strip() if valuelist and valuelist[0] is not None else ""
        if not text:
            return
        try:
            self.data = int(text)
        except ValueError:
            raise ValueError(_l("Vul een heel getal in, bijvoorbeeld 20.")) from None


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (no JavaScript, no ctrl-click)."""
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
