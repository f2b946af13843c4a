"""The registration form: the fields docs/product.md names, validated with Dutch messages."""
from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional

from ..validators import Filled, PlainText, Ticked

from .perspectives import NOT_SAID, PERSPECTIVES


def strip_whitespace(value):
    return value.strip() if isinstance(value, str) else value


def email_validators():
    """The checks every e-mail address field uses, with the same Dutch messages."""
    return [Filled(_l("Vul uw e-mailadres in.")),
            Length(max=254, message=_l("Dit e-mailadres is te lang.")),
            Email(_l("Dit is geen geldig e-mailadres. Een e-mailadres ziet eruit als naam@voorbeeld.nl."),
                  check_deliverability=False)]


class AnswerRadioField(RadioField):
    """A radio group whose answer, when one is sent, must be one of its choices.

    WTForms checks the choices before the validators, also when nothing was chosen: it raises its
    message (translated, a lazy string made a str) and Optional() or InputRequired() then throws it
    away, on every form sent without a perspective, as most are. Nothing sent (or an empty value)
    is left to those validators, which say the same as before.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "RadioField"  # rendered as one (macros/forms.html links the summary to its first option)

    def pre_validate(self, form):
        if self.raw_data and self.raw_data[0] != "":
            super().pre_validate(form)


class TokenWhenShownField(CSRFTokenField):
    """The form's CSRF token, signed when the form is shown rather than whenever the form is made.

    A registration that is accepted answers with a redirect and never shows its form, yet WTForms
    signed a fresh token for it (Flask-WTF's ``generate_csrf``) on every POST. The token sent is
    checked as before (``pre_validate``, and CSRFProtect before the view).
    """

    _token = None

    @property
    def current_token(self):
        if self._token is None:
            self._token = self.csrf_impl.generate_csrf_token(self)
        return self._token

    @current_token.setter
    def current_token(self, value):
        self._token = value

    def process(self, *args, **kwargs):
        HiddenField.process(self, *args, **kwargs)  # CSRFTokenField.process would sign the token now


class TokenWhenShown(FlaskForm.Meta.csrf_class):
    field_class = TokenWhenShownField


class RegistrationForm(FlaskForm):
    class Meta:
        csrf_class = TokenWhenShown

    name = StringField(
        _l("Naam"),
        filters=[strip_whitespace],
        validators=[Filled(_l("Vul uw naam in.")),
                    Length(max=200, message=_l("Uw naam mag hoogstens 200 tekens lang zijn.")), PlainText()],
    )
    email = EmailField(
        _l("E-mailadres"),
        filters=[strip_whitespace],
        validators=email_validators(),
    )
    perspective = AnswerRadioField(
        _l("Hoe bent u betrokken bij de ggz?"),
        choices=[SelectChoice(code, label) for code, label in PERSPECTIVES.items()]
        + [SelectChoice(NOT_SAID, _l("Zeg ik liever niet"))],
        validate_choice=True,
        # Our own message: WTForms' default is looked up in its catalog, read from disk on every request.
        invalid_choice_message=_l("Deze keuze kan niet. Kies een van de antwoorden."),
        validators=[Optional()],
    )
    organisation = StringField(
        _l("Organisatie (niet verplicht)"),
        filters=[strip_whitespace],
        validators=[Length(max=200, message=_l("Dit mag hoogstens 200 tekens lang zijn.")), PlainText()],
    )
    needs = TextAreaField(
        _l("Wat heeft u nodig om goed mee te kunnen doen? (niet verplicht)"),
        filters=[strip_whitespace],
        validators=[Length(max=2000, message=_l("Dit mag hoogstens 2000 tekens lang zijn.")),
                    PlainText(multiline=True)],
    )
    companion = BooleanField(_l("Ik neem een begeleider mee"))
    companion_name = StringField(
        _l("Wie is uw begeleider? (niet verplicht)"),
        filters=[strip_whitespace],
        validators=[Length(max=200, message=_l("Deze naam mag hoogstens 200 tekens lang zijn.")), PlainText()],
    )
    consent = BooleanField(
        # What the box agrees to, in its own words; the explanation stands above it (registration/_fields.html).
        _l("Ja, bewaar en gebruik mijn gegevens voor deze bijeenkomst"),
        validators=[Ticked(_l("Zonder uw toestemming kunnen we u niet aanmelden. Vink het vakje aan."))],
    )
    # Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Laat dit veld leeg"))

    def __init__(self, *args, perspective_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.perspective_required = False
        self.perspective.choices = list(self.perspective.choices)
        if perspective_required:
            self.require_perspective()

    def require_perspective(self, *, check: bool = False) -> None:
        """In a mixed session the perspective decides the seat: required, and "rather not say" is not offered.

        The POST validates before it knows the gathering (see registration.views.register);
        ``check`` validates the answer again on these terms, for a form that comes back.
        """
        self.perspective_required = True
        self.perspective.choices = [c for c in self.perspective.choices if c.value != NOT_SAID]
        # Not Optional() with a validate_perspective(): Optional stops the chain on an empty answer,
        # so the message came only in a second round, after the other fields were right.
        self.perspective.validators = [
            InputRequired(_l("Kies hoe u betrokken bent. Bij deze bijeenkomst hangt uw plek daarvan af."))]
        if check:
            self.perspective.validate(self)

    @property
    def is_spam(self) -> bool:
        return bool(self.website.data)

    @property
    def wants_companion(self) -> bool:
        return bool(self.companion.data)

    @property
    def companion_name_given(self) -> str:
        """The companion's name counts only with the checkbox ticked."""
        return (self.companion_name.data or "") if self.wants_companion else ""


class ChangeForm(RegistrationForm):
    """``/r/<token>/edit``: the registration form without the address (it is not changed here), consent and honeypot.

    Other areas add their own fields for a gathering (the programme's ``round_<id>`` choices) with
    ``with_fields``; the page renders them after the form's own fields, in the order given.
    """

    email = None
    consent = None
    website = None
    # The names of the fields added by ``with_fields``, in order (the page renders these).
    extra_fields: tuple[str, ...] = ()

    @classmethod
    def with_fields(cls, fields: dict) -> type["ChangeForm"]:
        """A subclass with ``fields`` (name -> unbound WTForms field) added; ``cls`` itself when there are none."""
        if not fields:
            return cls
        return type(cls.__name__, (cls,), {**fields, "extra_fields": cls.extra_fields + tuple(fields)})

    @property
    def is_spam(self) -> bool:
        return False


# Areas that add fields to /r/<token>/edit (the programme's ``round_<id>`` choices): each is called with the
# registration and returns {field name: unbound WTForms field}, or {} when it has nothing for it.
change_field_providers: list[Callable[[object], dict]] = []


def change_form_class(registration) -> type[ChangeForm]:
    """The change form for ``registration``, with the fields other areas add for it."""
    extra: dict = {}
    for provide in change_field_providers:
        extra.update(provide(registration))
    return ChangeForm.with_fields(extra)
