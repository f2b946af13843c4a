"""The /alerts forms: which themes and kinds to follow, by which address, with consent."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectMultipleField, StringField
from wtforms.validators import InputRequired

from ..catalogue.labels import KIND_LABELS
from ..registration.forms import email_validators, strip_whitespace


class ChoicesField(SelectMultipleField):
    """Several answers, shown as checkboxes; an answer that is not offered is ignored, never an error page."""

    def pre_validate(self, form):
        offered = {value for value, _label in self.choices}
        self.data = [value for value in (self.data or []) if value in offered]


class ChoiceForm(FlaskForm):
    theme = ChoicesField(_l("Thema's"))
    kind = ChoicesField(_l("Soorten bijeenkomst"))

    def __init__(self, *args, themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.theme.choices = [(t.slug, t.name) for t in themes]
        self.kind.choices = list(KIND_LABELS.items())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.theme.data and not self.kind.data:
            self.theme.errors = list(self.theme.errors) + [
                _l("Kies minstens één thema of één soort bijeenkomst.")]
            return False
        return valid


class FollowForm(ChoiceForm):
    email = EmailField(_l("E-mailadres"), filters=[strip_whitespace], validators=email_validators())
    consent = BooleanField(
        _l("Ja, stuur mij deze e-mails"),
        validators=[InputRequired(_l("Zonder uw toestemming sturen we geen e-mail. Vink het vakje aan."))],
    )
    # Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Laat dit veld leeg"))

    @property
    def is_spam(self) -> bool:
        return bool(self.website.data)
