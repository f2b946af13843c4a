"""The list's filters as a form (``GET /``): what the query string says, with Dutch messages at the fields."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from ..catalogue import filters
from ..catalogue.models import GatheringKind

ONLINE_CHOICES = [SelectChoice("", _l("Maakt niet uit")), SelectChoice("true", _l("Ja, online")),
                  SelectChoice("false", _l("Nee, op een plek"))]


class DayField(StringField):
    """A day as ``<input type=date>`` sends it (2027-03-31), or typed as 31-3-2027; ``.day`` is the date."""

    day = None

    def pre_validate(self, form):
        self.day = None
        if not self.data:
            return
        try:
            day = filters.parse_day(self.data)
        except ValueError:
            raise ValidationError(_l("Vul een datum in zoals 31-12-2027.")) from None
        if not filters.EARLIEST <= day <= filters.LATEST:
            raise ValidationError(_l("Kies een datum tussen 2000 en 2100."))
        self.day = day


def _trimmed(value):
    return value.strip()[:filters.MAX_CITY] if isinstance(value, str) else value


class ListFilterForm(Form):
    """No CSRF token: it only reads (a GET form). Unknown kinds, themes and places simply find nothing."""

    q = StringField(_l("Zoeken"), filters=[lambda v: v.strip()[:100] if isinstance(v, str) else v])
    kind = StringField(_l("Soort bijeenkomst"))
    theme = StringField(_l("Thema"))
    city = StringField(_l("Plaats"), filters=[_trimmed])
    online = SelectField(_l("Online meedoen"), choices=ONLINE_CHOICES, default="",
                         invalid_choice_message=_l("Kies een van de antwoorden."))
    date_from = DayField(_l("Vanaf"), name="from")
    date_to = DayField(_l("Tot en met"), name="to")

    def validate_date_to(self, field):
        if field.day and self.date_from.day and field.day < self.date_from.day:
            raise ValidationError(_l("Deze datum ligt voor de datum bij ‘Vanaf’. Kies een latere datum."))

    def to_filters(self) -> filters.ListFilters:
        """The filters that were valid; a field with a message filters nothing."""
        online = None if self.online.errors else filters.parse_online(self.online.data or "")
        return filters.ListFilters(
            kind=self.kind.data if GatheringKind.of(self.kind.data or None) else None,
            theme=self.theme.data or None, q=self.q.data or None, city=self.city.data or None, online=online,
            start=self.date_from.day, end=None if self.date_to.errors else self.date_to.day)
