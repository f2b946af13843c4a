"""Account forms of the organiser area, with Dutch messages at the fields."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, StopValidation, ValidationError

from ..validators import Filled, PlainText
from .passwords import MAX_PASSWORD, MIN_PASSWORD, password_problem


def strip(value):
    return value.strip() if isinstance(value, str) else value


class HardToGuess:
    """A new password that is neither among the commonest nor made of the account's address or name.

    ``account(form)`` gives the account's (email, name); see passwords.py for the rule.
    """

    def __init__(self, account):
        self.account = account

    def __call__(self, form, field):
        if field.errors or not field.data:
            return  # the length rule spoke already
        email, name = self.account(form)
        problem = password_problem(field.data, email=email or "", name=name or "")
        if problem:
            raise ValidationError(problem)


def _email_field(label=_l("E-mailadres")):
    return EmailField(
        label,
        filters=[strip],
        validators=[Filled(_l("Vul het e-mailadres in.")),
                    Length(max=254, message=_l("Dit e-mailadres is te lang.")),
                    Email(_l("Dit is geen geldig e-mailadres. Een e-mailadres ziet eruit als naam@voorbeeld.nl."),
                          check_deliverability=False)],
    )


def new_password_field(label, account, first=()):
    """A field for a new password of the account ``account(form)`` names as (email, name).

    ``first``: validators that run before the rest (and may stop them).
    """
    return PasswordField(
        label,
        validators=[*first, InputRequired(_l("Kies een wachtwoord.")),
                    Length(min=MIN_PASSWORD, max=MAX_PASSWORD,
                           message=_l("Een wachtwoord heeft minstens %(min)d en hoogstens %(max)d tekens.",
                                      min=MIN_PASSWORD, max=MAX_PASSWORD)),
                    HardToGuess(account)],
    )


def _organiser_of_form(form):
    organiser = form.organiser
    return (organiser.email, organiser.name) if organiser is not None else ("", "")


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Wachtwoord"), validators=[InputRequired(_l("Vul uw wachtwoord in."))])


class PasswordForm(FlaskForm):
    """An organiser's own new password; the view checks the current one (counting wrong ones)."""
    current_password = PasswordField(_l("Uw huidige wachtwoord"),
                                     validators=[InputRequired(_l("Vul uw huidige wachtwoord in."))])
    new_password = new_password_field(_l("Nieuw wachtwoord"), _organiser_of_form)
    confirm = PasswordField(_l("Nieuw wachtwoord nog een keer"),
                            validators=[InputRequired(_l("Typ het nieuwe wachtwoord nog een keer.")),
                                        EqualTo("new_password", _l("De twee wachtwoorden zijn niet gelijk."))])

    def __init__(self, *args, organiser=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organiser = organiser


class RequestResetForm(FlaskForm):
    """An organiser who forgot their password asks for a link."""
    email = _email_field()


class ResetWithLinkForm(FlaskForm):
    """A new password, chosen through a link from a reset mail or an invitation."""
    new_password = new_password_field(_l("Nieuw wachtwoord"), _organiser_of_form)
    confirm = PasswordField(_l("Nieuw wachtwoord nog een keer"),
                            validators=[InputRequired(_l("Typ het nieuwe wachtwoord nog een keer.")),
                                        EqualTo("new_password", _l("De twee wachtwoorden zijn niet gelijk."))])

    def __init__(self, *args, organiser=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organiser = organiser


class _UnlessInviting:
    """No password is asked when the admin sends an invitation instead: the new organiser chooses one."""

    def __call__(self, form, field):
        if form.invite.data:
            field.errors[:] = []
            raise StopValidation()


class OrganiserForm(FlaskForm):
    """An admin creates an organiser account, with a first password or an invitation by e-mail."""
    email = _email_field()
    name = StringField(_l("Naam (niet verplicht)"), filters=[strip],
                       validators=[Length(max=200, message=_l("Dit mag hoogstens 200 tekens lang zijn.")),
                                   PlainText()])
    invite = BooleanField(_l("Stuur een uitnodiging per e-mail: de organisator kiest zelf een wachtwoord"))
    password = new_password_field(_l("Eerste wachtwoord"), lambda form: (form.email.data, form.name.data),
                                  first=[_UnlessInviting()])
    admin = BooleanField(_l("Beheerder: mag alle bijeenkomsten, accounts, thema's en gastorganisaties beheren"))

    def validate_email(self, field):
        from .accounts import find_by_email
        if find_by_email(field.data or "") is not None:
            raise ValidationError(_l("Er is al een organisator met dit e-mailadres."))
