"""Form fields with Dutch messages: whole numbers and Amsterdam wall-clock times."""
from __future__ import annotations

from datetime import datetime

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, IntegerField, SelectMultipleField
from wtforms.utils import unset_value
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from ..timeutil import SUMMER_TIME, WINTER_TIME, doubled_hour_side, from_local, is_doubled, is_skipped, local

# What browsers send for <input type=datetime-local>, and what people type where it is a text box.
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M", "%d-%m-%Y %H.%M")
# The years a gathering can be in (the reports' years too). Outside it, year 1 becomes year 0 on the
# way to UTC (OverflowError), and year 9999 overflows wherever a day is added (reminders, feeds).
FIRST_YEAR, LAST_YEAR = 2000, 2100


class _StopWhenUnreadable:
    """What was typed could not be read: say that, and only that."""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


# The radio buttons beside a time in the hour that happens twice: form key "<field>-klok".
CLOCK_CHOICES = {"zomertijd": SUMMER_TIME, "wintertijd": WINTER_TIME}


class LocalDateTimeField(_StopWhenUnreadable, DateTimeLocalField):
    """A time typed in Amsterdam; ``data`` is an aware UTC datetime (or None when left empty).

    A time the clocks skip (02:30 on the last Sunday of March) is refused. A time
    that happens twice (02:30 on the last Sunday of October) needs the organiser's
    choice of the first (summer time) or second (winter time) occurrence, sent as
    ``<name>-klok``; the form shows that choice only for such a time.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=list(DATETIME_FORMATS), **kwargs)
        self.clock = None  # SUMMER_TIME or WINTER_TIME as chosen in the form, else None
        self.typed_doubled = False

    @property
    def clock_choice_name(self) -> str:
        return f"{self.name}-klok"

    @property
    def shows_clock_choice(self) -> bool:
        """The time (typed, or stored when the form opens) happens twice that night."""
        if self.raw_data:
            return self.typed_doubled
        return self.data is not None and doubled_hour_side(self.data) is not None

    @property
    def clock_checked(self) -> int | None:
        """Which radio button is on: the organiser's choice, or the stored time's side."""
        if self.raw_data:
            return self.clock
        return doubled_hour_side(self.data) if self.data is not None else None

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.clock = CLOCK_CHOICES.get(formdata.get(self.clock_choice_name)) if formdata is not None else None
        self.typed_doubled = False
        super().process(formdata, data, extra_filters)

    def pre_validate(self, form):
        super().pre_validate(form)
        if self.typed_doubled and self.clock is None:
            wall = local(self.data)
            raise StopValidation(_(
                "Om %(time)s in de nacht van %(day)s gaat de klok een uur terug: die tijd komt twee keer voor. "
                "Kies hieronder of u de eerste keer (zomertijd) of de tweede keer (wintertijd) bedoelt.",
                time=f"{wall:%H:%M}", day=format_date(wall.date(), "d MMMM y")))

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
                typed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(_l("Vul een datum en tijd in, bijvoorbeeld 31-12-2026 14:30."))
        if not FIRST_YEAR <= typed.year <= LAST_YEAR:
            raise ValueError(_l("Vul een datum tussen %(first)d en %(last)d in.", first=FIRST_YEAR, last=LAST_YEAR))
        if is_skipped(typed):
            raise ValueError(_(
                "Deze tijd bestaat niet: in de nacht van %(day)s gaat de klok om 02:00 een uur vooruit, naar 03:00. "
                "Kies een tijd voor 02:00 of vanaf 03:00.", day=format_date(typed.date(), "d MMMM y")))
        self.typed_doubled = is_doubled(typed)
        self.data = from_local(typed, self.clock if self.clock is not None else SUMMER_TIME)


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
