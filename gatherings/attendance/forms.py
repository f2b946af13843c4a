"""Forms of the attendance pages, with Dutch messages at the fields."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from ..registration.perspectives import NOT_SAID, PERSPECTIVES
from ..validators import Filled, PlainText, Ticked
from .listing import AUDIENCES


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _none_if_empty(value):
    return value or None


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class DoorCodeForm(FlaskForm):
    """The code under a participant's QR code, scanned or typed at the door."""

    code = StringField(_l("Code van de aanmelding"), filters=[lambda v: v.strip() if v else v],
                       validators=[Filled(_l("Typ de code die onder de QR-code staat.")), Length(max=40)])


class AddRegistrationForm(FlaskForm):
    """Someone who phoned in, or walked in at the door: e-mail optional."""

    name = StringField(
        _l("Naam"), filters=[_strip],
        validators=[Filled(_l("Vul de naam in.")),
                    Length(max=200, message=_l("De naam mag hoogstens 200 tekens lang zijn.")), PlainText()],
    )
    email = EmailField(
        _l("E-mailadres (niet verplicht)"), filters=[_strip, _none_if_empty],
        validators=[Optional(),
                    Length(max=254, message=_l("Dit e-mailadres is te lang.")),
                    Email(_l("Dit is geen geldig e-mailadres. Een e-mailadres ziet eruit als naam@voorbeeld.nl."),
                          check_deliverability=False)],
    )
    perspective = SelectField(
        _l("Perspectief"),
        choices=[SelectChoice("", _l("Niet gevraagd of zegt liever niets"))]
        + [SelectChoice(c, label) for c, label in PERSPECTIVES.items()],
        filters=[lambda value: value or ""],
        validate_choice=False,  # checked in validate_perspective, with a message of our own
    )
    organisation = StringField(
        _l("Organisatie (niet verplicht)"), filters=[_strip],
        validators=[Length(max=200, message=_l("Dit mag hoogstens 200 tekens lang zijn.")), PlainText()],
    )
    needs = TextAreaField(
        _l("Wat heeft deze persoon nodig? (niet verplicht)"), filters=[_strip],
        validators=[Length(max=2000, message=_l("Dit mag hoogstens 2000 tekens lang zijn.")),
                    PlainText(multiline=True)],
    )
    # A support person ("begeleider") who comes along: a seat too, together with the person (as on the public form).
    companion = BooleanField(_l("Neemt een begeleider mee"))
    companion_name = StringField(
        _l("Naam van de begeleider (niet verplicht)"), filters=[_strip],
        validators=[Length(max=200, message=_l("Deze naam mag hoogstens 200 tekens lang zijn.")), PlainText()],
    )
    consent = BooleanField(
        _l("Deze persoon is akkoord met het bewaren van deze gegevens voor deze bijeenkomst"),
        validators=[Ticked(_l("Vraag of de persoon akkoord is en vink het vakje aan. "
                              "Zonder akkoord slaan we niets op."))],
    )

    def __init__(self, *args, perspective_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.perspective_required = perspective_required
        if perspective_required:
            self.perspective.choices = [SelectChoice("", _l("Kies een perspectief"))] + [
                SelectChoice(c, label) for c, label in PERSPECTIVES.items()]

    def validate_perspective(self, field):
        if field.data == NOT_SAID:
            field.data = ""
        if field.data and field.data not in PERSPECTIVES:
            raise ValidationError(_l("Kies een perspectief uit de lijst."))
        if self.perspective_required and not field.data:
            raise ValidationError(_l("Kies een perspectief. Bij deze bijeenkomst hangt de plek daarvan af."))


class NeedsForm(FlaskForm):
    needs = TextAreaField(
        _l("Wat heeft deze persoon nodig?"), filters=[_strip],
        validators=[Length(max=2000, message=_l("Dit mag hoogstens 2000 tekens lang zijn.")),
                    PlainText(multiline=True)],
    )


AUDIENCE_LABELS = {
    "confirmed": _l("Iedereen met een plek"),
    "waitlisted": _l("Iedereen op de wachtlijst"),
    "all": _l("Iedereen: met een plek en op de wachtlijst"),
}


class MessageForm(FlaskForm):
    audience = RadioField(
        _l("Aan wie?"), choices=[SelectChoice(a, AUDIENCE_LABELS[a]) for a in AUDIENCES],
        validators=[InputRequired(_l("Kies aan wie het bericht gaat."))],
    )
    subject = StringField(
        _l("Onderwerp"), filters=[_strip],
        validators=[Filled(_l("Vul een onderwerp in.")),
                    Length(max=150, message=_l("Het onderwerp mag hoogstens 150 tekens lang zijn.")),
                    PlainText(message=_l("Het onderwerp moet op één regel passen."))],
    )
    body = TextAreaField(
        _l("Bericht"), filters=[_strip],
        validators=[Filled(_l("Schrijf een bericht.")),
                    Length(max=10000, message=_l("Het bericht mag hoogstens 10.000 tekens lang zijn.")),
                    PlainText(multiline=True)],
    )
    sender_name = StringField(
        _l("Uw naam onder het bericht"), filters=[_strip],
        validators=[Filled(_l("Vul uw naam in.")),
                    Length(max=100, message=_l("Uw naam mag hoogstens 100 tekens lang zijn.")), PlainText()],
    )
