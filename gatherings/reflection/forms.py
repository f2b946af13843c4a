"""The reflection form (all optional) and the organiser's settings form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from ..registration.forms import strip_whitespace
from .services import MAX_ANSWER_LENGTH, MAX_QUESTION_LENGTH

VALUE_LABELS = {
    "1": _l("1: niet waardevol"),
    "2": _l("2: een beetje"),
    "3": _l("3: redelijk"),
    "4": _l("4: waardevol"),
    "5": _l("5: heel waardevol"),
}


class ReflectionForm(FlaskForm):
    value = RadioField(
        _l("Hoe waardevol was deze bijeenkomst voor u?"),
        choices=[SelectChoice(code, label) for code, label in VALUE_LABELS.items()],
        validate_choice=True,
        invalid_choice_message=_l("Kies een getal van 1 tot en met 5."),
        validators=[Optional()],
    )
    takeaway = TextAreaField(
        # The label is the question the organiser set (``ask``).
        filters=[strip_whitespace],
        validators=[Length(max=MAX_ANSWER_LENGTH, message=_l("Dit mag hoogstens 2000 tekens lang zijn."))],
    )
    suggestion = TextAreaField(
        filters=[strip_whitespace],
        validators=[Length(max=MAX_ANSWER_LENGTH, message=_l("Dit mag hoogstens 2000 tekens lang zijn."))],
    )

    def ask(self, takeaway_question: str, suggestion_question: str) -> "ReflectionForm":
        self.takeaway.label.text = takeaway_question
        self.suggestion.label.text = suggestion_question
        return self


class ReflectionSettingsForm(FlaskForm):
    enabled = BooleanField(_l("Deelnemers na afloop om een reflectie vragen"))
    takeaway_question = StringField(
        _l("Eerste open vraag"), filters=[strip_whitespace],
        validators=[Length(max=MAX_QUESTION_LENGTH, message=_l("Dit mag hoogstens 300 tekens lang zijn."))])
    suggestion_question = StringField(
        _l("Tweede open vraag"), filters=[strip_whitespace],
        validators=[Length(max=MAX_QUESTION_LENGTH, message=_l("Dit mag hoogstens 300 tekens lang zijn."))])
