"""Forms admins use: themes and host organisations (accounts: see forms.py)."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField, TextAreaField, URLField
from wtforms.validators import AnyOf, Email, Length, Optional, URL, ValidationError

from ..catalogue.models import HostOrganisation, Theme
from ..extensions import db
from ..validators import Filled, NotOnlyDigits, PlainText
from .forms import new_password_field, strip
from .gathering_forms import SLUG_RE


def _lower(value):
    return value.lower() if isinstance(value, str) else value


class _SlugMixin:
    model = None

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current

    def validate_slug(self, field):
        if not SLUG_RE.match(field.data or ""):
            raise ValidationError(_l("Gebruik alleen kleine letters, cijfers en streepjes, bijvoorbeeld sociale-inclusie."))
        if self.model is Theme and self.current is not None and field.data != self.current.slug:
            raise ValidationError(_l("Het webadres van een thema kan niet veranderen: agenda-abonnementen gebruiken het."))
        query = sa.select(self.model.id).where(self.model.slug == field.data)
        if self.current is not None:
            query = query.where(self.model.id != self.current.id)
        if db.session.scalar(query) is not None:
            raise ValidationError(_l("Dit webadres is al in gebruik. Kies een ander."))


def _slug_field(hint_example):
    return StringField(_l("Webadres"), filters=[strip, _lower], validators=[
        Filled(_l("Vul het webadres in, bijvoorbeeld %(example)s.", example=hint_example)),
        Length(max=80, message=_l("Dit mag hoogstens 80 tekens lang zijn.")), NotOnlyDigits()])


def _name_field(missing_message):
    return StringField(_l("Naam"), filters=[strip], validators=[
        Filled(missing_message), Length(max=200, message=_l("Dit mag hoogstens 200 tekens lang zijn.")),
        PlainText()])


class ThemeForm(_SlugMixin, FlaskForm):
    model = Theme
    name = _name_field(_l("Vul de naam van het thema in."))
    slug = _slug_field("sociale-inclusie")
    description = TextAreaField(_l("Beschrijving (niet verplicht)"), filters=[strip], validators=[
        Length(max=5000, message=_l("Dit mag hoogstens 5000 tekens lang zijn.")), PlainText(multiline=True)])


class HostForm(_SlugMixin, FlaskForm):
    model = HostOrganisation
    name = _name_field(_l("Vul de naam van de organisatie in."))
    slug = _slug_field("ggz-de-hoven")
    city = StringField(_l("Plaats (niet verplicht)"), filters=[strip], validators=[
        Length(max=120, message=_l("Dit mag hoogstens 120 tekens lang zijn.")), PlainText()])
    website = URLField(_l("Website (niet verplicht)"), filters=[strip], validators=[
        Optional(), Length(max=300, message=_l("Dit mag hoogstens 300 tekens lang zijn.")),
        URL(message=_l("Dit is geen geldige link. Een link begint met https://."))])
    contact_email = EmailField(_l("E-mailadres (niet verplicht)"), filters=[strip], validators=[
        Optional(), Length(max=254, message=_l("Dit e-mailadres is te lang.")),
        Email(_l("Dit is geen geldig e-mailadres. Een e-mailadres ziet eruit als naam@voorbeeld.nl."),
              check_deliverability=False)])


class SwitchForm(FlaskForm):
    """One yes/no setting of an account (active, admin), sent by a button."""
    value = HiddenField(validators=[AnyOf(["0", "1"], message=_l("Kies aan of uit."))])


class ResetPasswordForm(FlaskForm):
    """An admin gives an organiser who forgot theirs a new password."""
    password = new_password_field(_l("Nieuw wachtwoord"), lambda form: (form.organiser.email, form.organiser.name))

    def __init__(self, *args, organiser, **kwargs):
        super().__init__(*args, **kwargs)
        self.organiser = organiser
