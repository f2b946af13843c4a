"""The forms that make and change a gathering, with Dutch messages at the fields.

Times are typed as Amsterdam wall-clock time and stored in UTC. Rules that
depend on registrations (capacity not below the confirmed seats, the kind not
changed once people registered) are checked here for the message, and again by
the service under the gathering's lock.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, URL, ValidationError

from ..catalogue.labels import KIND_LABELS
from ..catalogue.models import Gathering, GatheringKind
from ..extensions import db
from ..registration.perspectives import ALLOTMENT_FIELDS, GROUP_LABELS, PerspectiveGroup
from ..validators import Filled, NotOnlyDigits, PlainText, Ticked
from .fields import CheckboxesField, LocalDateTimeField, WholeNumberField
from .forms import strip

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_CAPACITY = 100_000


def _text(label, max_length, required_message=None, **kwargs):
    validators = [Filled(required_message)] if required_message else [Optional()]
    validators.append(Length(max=max_length, message=_l("Dit mag hoogstens %(max)d tekens lang zijn.", max=max_length)))
    validators.append(PlainText())
    return StringField(label, filters=[strip], validators=validators, **kwargs)


def _allotment(group):
    return WholeNumberField(
        GROUP_LABELS[group],
        validators=[Optional(), NumberRange(min=0, max=MAX_CAPACITY, message=_l("Vul 0 of meer in."))],
    )


def _choice_id(value):
    return int(value) if value not in (None, "", "None") else None


class GatheringForm(FlaskForm):
    title = _text(_l("Titel"), 200, _l("Vul een titel in."))
    slug = StringField(
        _l("Webadres (niet verplicht)"), filters=[strip, lambda v: v.lower() if isinstance(v, str) else v],
        validators=[Optional(), Length(max=120, message=_l("Dit mag hoogstens 120 tekens lang zijn.")),
                    NotOnlyDigits()],
    )
    kind = RadioField(_l("Soort bijeenkomst"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in GatheringKind],
                      validators=[InputRequired(_l("Kies de soort bijeenkomst."))])
    theme_id = SelectField(_l("Thema"), coerce=_choice_id, validate_choice=True)
    host_id = SelectField(_l("Gastorganisatie"), coerce=_choice_id, validate_choice=True)
    description = TextAreaField(_l("Beschrijving"), filters=[strip], validators=[
        Length(max=10_000, message=_l("Dit mag hoogstens 10000 tekens lang zijn.")), PlainText(multiline=True)])

    starts_at = LocalDateTimeField(_l("Begint op"), validators=[Filled(_l("Vul in wanneer de bijeenkomst begint."))])
    ends_at = LocalDateTimeField(_l("Eindigt op"), validators=[Filled(_l("Vul in wanneer de bijeenkomst eindigt."))])

    venue_name = _text(_l("Naam van de plek"), 200)
    venue_address = _text(_l("Adres"), 300)
    venue_city = _text(_l("Plaats"), 120)
    online_url = URLField(_l("Link voor een online bijeenkomst"), filters=[strip], validators=[
        Optional(), Length(max=500, message=_l("Dit mag hoogstens 500 tekens lang zijn.")),
        URL(require_tld=True, message=_l("Dit is geen geldige link. Een link begint met https://."))])
    accessibility = TextAreaField(_l("Toegankelijkheid"), filters=[strip], validators=[
        Length(max=2000, message=_l("Dit mag hoogstens 2000 tekens lang zijn.")), PlainText(multiline=True)])

    capacity = WholeNumberField(_l("Aantal plekken"), validators=[
        InputRequired(_l("Vul het aantal plekken in.")),
        NumberRange(min=0, max=MAX_CAPACITY, message=_l("Vul een aantal van 0 tot 100000 in."))])
    allot_lived = _allotment(PerspectiveGroup.LIVED)
    allot_relatives = _allotment(PerspectiveGroup.RELATIVES)
    allot_professionals = _allotment(PerspectiveGroup.PROFESSIONALS)

    registration_opens_at = LocalDateTimeField(_l("Aanmelding gaat open op (niet verplicht)"))
    registration_closes_at = LocalDateTimeField(_l("Aanmelding sluit op (niet verplicht)"))
    reminder_days = WholeNumberField(_l("Herinnering sturen, aantal dagen vooraf"), default=2, validators=[
        InputRequired(_l("Vul een aantal dagen in (0 is geen herinnering).")),
        NumberRange(min=0, max=60, message=_l("Vul een aantal dagen van 0 tot 60 in."))])
    contact_email = EmailField(_l("E-mailadres voor vragen (niet verplicht)"), filters=[strip], validators=[
        Optional(), Length(max=254, message=_l("Dit e-mailadres is te lang.")),
        Email(_l("Dit is geen geldig e-mailadres. Een e-mailadres ziet eruit als naam@voorbeeld.nl."),
              check_deliverability=False)])
    organiser_ids = CheckboxesField(_l("Organisatoren"), coerce=int, validate_choice=True)

    def __init__(self, *args, gathering: Gathering | None = None, seats=None, current=None,
                 themes=(), hosts=(), organisers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.gathering = gathering
        self.seats = seats  # Availability of the gathering being edited
        self.current = current  # the organiser filling in the form
        self.theme_id.choices = [SelectChoice(None, _l("Geen thema"))] + [SelectChoice(t.id, t.name) for t in themes]
        self.host_id.choices = [SelectChoice(None, _l("Geen gastorganisatie"))] + [
            SelectChoice(h.id, h.name) for h in hosts]
        self.organiser_ids.choices = [SelectChoice(o.id, f"{o.name} ({o.email})" if o.name else o.email)
                                      for o in organisers]

    # -- one field at a time ------------------------------------------------
    def validate_slug(self, field):
        if not field.data:
            return
        if not SLUG_RE.match(field.data):
            raise ValidationError(_l("Gebruik alleen kleine letters, cijfers en streepjes, bijvoorbeeld "
                                     "thema-middag-utrecht."))
        if self.gathering is not None and self.gathering.status != "draft" and field.data != self.gathering.slug:
            raise ValidationError(_l("Het webadres van een gepubliceerde bijeenkomst kan niet meer veranderen: "
                                     "links ernaar zouden niet meer werken."))
        query = sa.select(Gathering.id).where(Gathering.slug == field.data)
        if self.gathering is not None:
            query = query.where(Gathering.id != self.gathering.id)
        if db.session.scalar(query) is not None:
            raise ValidationError(_l("Dit webadres is al in gebruik. Kies een ander."))

    def validate_kind(self, field):
        if (self.gathering is not None and self.seats is not None and field.data != self.gathering.kind
                and (self.seats.total.confirmed or self.seats.total.waitlisted)):
            raise ValidationError(_l("De soort kan niet meer veranderen: er zijn al mensen aangemeld."))

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("Het einde moet na het begin liggen."))

    def validate_registration_opens_at(self, field):
        if field.data and self.starts_at.data and field.data >= self.starts_at.data:
            raise ValidationError(_l("De aanmelding moet opengaan voordat de bijeenkomst begint."))

    def validate_registration_closes_at(self, field):
        opens = self.registration_opens_at.data
        if field.data and opens and field.data <= opens:
            raise ValidationError(_l("De aanmelding moet sluiten na het moment dat ze opengaat."))
        if field.data and self.ends_at.data and field.data > self.ends_at.data:
            raise ValidationError(_l("De aanmelding kan niet sluiten na het einde van de bijeenkomst."))

    def validate_capacity(self, field):
        if field.data is None or self.seats is None:
            return
        if field.data < self.seats.total.confirmed:
            raise ValidationError(_l("Er zijn al %(num)d plekken bezet. Het aantal plekken kan niet lager zijn.",
                                     num=self.seats.total.confirmed))

    def validate_organiser_ids(self, field):
        if not field.data:
            raise ValidationError(_l("Kies minstens één organisator."))
        if self.current is not None and not self.current.is_admin and self.current.id not in field.data:
            raise ValidationError(_l("Laat uzelf aangevinkt. Anders kunt u deze bijeenkomst niet meer beheren."))

    # -- fields together ------------------------------------------------------
    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not self.venue_name.data and not self.online_url.data and not self.online_url.errors:
            self.venue_name.errors.append(_l("Vul de plek in, of een link als de bijeenkomst online is."))
            valid = False
        if self.kind.data == GatheringKind.MIXED:
            valid = self._validate_allotments() and valid
        return valid

    def _validate_allotments(self) -> bool:
        fields = {group: self[ALLOTMENT_FIELDS[group]] for group in PerspectiveGroup}
        valid = True
        for group, field in fields.items():
            if field.data is None and not field.errors:
                field.errors.append(_l("Vul bij een gemengde sessie het aantal plekken voor deze groep in."))
                valid = False
            elif self.seats is not None and group in self.seats.groups and field.data is not None \
                    and field.data < self.seats.groups[group].confirmed:
                field.errors.append(_l("Er zijn in deze groep al %(num)d plekken bezet. Het aantal kan niet lager zijn.",
                                       num=self.seats.groups[group].confirmed))
                valid = False
        if valid and self.capacity.data is not None:
            total = sum(f.data for f in fields.values())
            if total != self.capacity.data:
                self.allot_lived.errors.append(_l(
                    "De plekken per groep tellen op tot %(total)d, maar het aantal plekken is %(capacity)d. "
                    "Die moeten gelijk zijn.", total=total, capacity=self.capacity.data))
                valid = False
        return valid

    def values(self) -> dict:
        """What the service needs, in model terms."""
        mixed = self.kind.data == GatheringKind.MIXED
        values = {name: getattr(self, name).data for name in (
            "title", "slug", "kind", "theme_id", "host_id", "description", "starts_at", "ends_at",
            "venue_name", "venue_address", "venue_city", "online_url", "accessibility", "capacity",
            "registration_opens_at", "registration_closes_at", "reminder_days", "contact_email",
        )}
        for name in ALLOTMENT_FIELDS.values():
            values[name] = self[name].data if mixed else None
        for key in ("venue_name", "venue_address", "venue_city", "online_url", "accessibility",
                    "description", "contact_email"):
            values[key] = values[key] or ""
        return values


class PublishForm(FlaskForm):
    """Only the CSRF token: publishing is one button."""


class CancelGatheringForm(FlaskForm):
    message = TextAreaField(
        _l("Bericht aan de aangemelde mensen (niet verplicht)"), filters=[strip],
        validators=[Length(max=3000, message=_l("Dit mag hoogstens 3000 tekens lang zijn.")),
                    PlainText(multiline=True)],
    )
    confirm = BooleanField(
        _l("Ja, deze bijeenkomst gaat niet door"),
        validators=[Ticked(_l("Vink aan dat de bijeenkomst niet doorgaat. Dit kan niet ongedaan worden."))],
    )
