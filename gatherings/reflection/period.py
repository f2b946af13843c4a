"""A period of whole days, from the query string, range-checked."""
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


class DayField(DateField):
    """A date as 2026-03-31 (what <input type=date> sends), with our own Dutch message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Vul een datum in, bijvoorbeeld 2026-03-31.")) from None


class PeriodForm(FlaskForm):
    start = DayField(_l("Van"), validators=[Optional()])
    end = DayField(_l("Tot en met"), validators=[Optional()])

    def validate_start(self, field):
        if field.data and not EARLIEST <= field.data <= LATEST:
            raise ValidationError(_l("Kies een datum tussen 2000 en 2100."))

    def validate_end(self, field):
        if field.data and not EARLIEST <= field.data <= LATEST:
            raise ValidationError(_l("Kies een datum tussen 2000 en 2100."))
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("De einddatum ligt voor de begindatum."))
