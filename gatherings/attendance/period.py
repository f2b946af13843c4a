"""A period of whole days, from the query string, range-checked."""
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

from ..timeutil import AMSTERDAM

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


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in Amsterdam, as UTC."""
    lower = datetime.combine(start, time(), tzinfo=AMSTERDAM).astimezone(timezone.utc)
    upper = datetime.combine(end + timedelta(days=1), time(), tzinfo=AMSTERDAM).astimezone(timezone.utc)
    return lower, upper


def this_year() -> tuple[date, date]:
    from ..timeutil import local, utcnow

    today = local(utcnow()).date()
    return date(today.year, 1, 1), date(today.year, 12, 31)


def period_from(args) -> tuple[PeriodForm, date, date, bool]:
    """The period asked for in ``args`` (this year by default), and whether it was valid."""
    form = PeriodForm(args, meta={"csrf": False})
    start, end = this_year()
    if not any(args.get(name) for name in ("start", "end")):
        return form, start, end, True
    if not form.validate():
        return form, start, end, False
    return form, form.start.data or start, form.end.data or end, True
