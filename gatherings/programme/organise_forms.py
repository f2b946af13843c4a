"""The organisers' programme forms, with Dutch messages at the fields.

Times are typed as in the gathering's form (Amsterdam wall-clock time, the
same field with its checks for the nights the clocks change). The rules that
need the gathering (inside it, rounds apart, seats not below who sits) come
from ``organise_services`` so the form and the service say the same.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..catalogue.models import Gathering
from ..organise.fields import LocalDateTimeField, WholeNumberField
from ..organise.forms import strip
from ..validators import Filled, PlainText
from . import organise_services as services
from .models import PartKind, ProgrammePart, Workshop

PART_KIND_LABELS = {
    PartKind.PLENARY: _l("Plenair: voor iedereen tegelijk"),
    PartKind.ROUND: _l("Ronde: werkplaatsen naast elkaar, ieder kiest er één"),
}
NO_WORKSHOP = "geen"


def _text(label, max_length, required_message=None):
    validators = [Filled(required_message)] if required_message else [Optional()]
    validators += [Length(max=max_length, message=_l("Dit mag hoogstens %(max)d tekens lang zijn.", max=max_length)),
                   PlainText()]
    return StringField(label, filters=[strip], validators=validators)


def _long_text(label, max_length):
    return TextAreaField(label, filters=[strip], validators=[
        Length(max=max_length, message=_l("Dit mag hoogstens %(max)d tekens lang zijn.", max=max_length)),
        PlainText(multiline=True)])


def _apply_mistakes(form: FlaskForm, mistakes: dict) -> bool:
    for name, message in mistakes.items():
        field = getattr(form, name, None)
        if field is None:
            form.form_errors.append(message)
        elif message not in field.errors:
            field.errors.append(message)
    return not mistakes


def show_refusal(form: FlaskForm, refused: services.ProgrammeRefused) -> None:
    _apply_mistakes(form, {refused.field or "": refused.message})


class PartForm(FlaskForm):
    kind = RadioField(_l("Soort deel"), choices=[SelectChoice(k, label) for k, label in PART_KIND_LABELS.items()],
                      validators=[InputRequired(_l("Kies of dit deel plenair is of een ronde met werkplaatsen."))])
    title = _text(_l("Titel"), 200, _l("Vul een titel in, bijvoorbeeld Opening of Werkplaatsen ronde 1."))
    description = _long_text(_l("Korte beschrijving (niet verplicht)"), 2000)
    starts_at = LocalDateTimeField(_l("Begint op"), validators=[Filled(_l("Vul in wanneer dit deel begint."))])
    ends_at = LocalDateTimeField(_l("Eindigt op"), validators=[Filled(_l("Vul in wanneer dit deel eindigt."))])
    optional = BooleanField(_l("Kiezen is niet verplicht: deelnemers mogen \u201cgeen werkplaats\u201d kiezen"))

    def __init__(self, *args, gathering: Gathering, part: ProgrammePart | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.gathering = gathering
        self.part = part

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        values = {name: getattr(self, name).data for name in ("kind", "starts_at", "ends_at")
                  if not getattr(self, name).errors}
        mistakes = services.part_mistakes(self.gathering, values, self.part)
        return _apply_mistakes(self, mistakes) and valid

    def values(self) -> dict:
        return {"kind": self.kind.data, "title": self.title.data, "description": self.description.data or "",
                "starts_at": self.starts_at.data, "ends_at": self.ends_at.data,
                "optional": bool(self.optional.data) and self.kind.data == PartKind.ROUND}


class WorkshopForm(FlaskForm):
    title = _text(_l("Titel"), 200, _l("Vul een titel in."))
    description = _long_text(_l("Korte beschrijving (niet verplicht)"), 2000)
    leader = _text(_l("Wie leidt de werkplaats? (niet verplicht)"), 200)
    room = _text(_l("Zaal (niet verplicht)"), 120)
    capacity = WholeNumberField(_l("Aantal plekken"), validators=[
        InputRequired(_l("Vul het aantal plekken in.")),
        NumberRange(min=0, max=services.MAX_WORKSHOP_CAPACITY, message=_l("Vul een aantal van 0 tot 100000 in."))])

    def __init__(self, *args, workshop: Workshop | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshop = workshop

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.capacity.errors:
            return False
        return _apply_mistakes(self, services.workshop_mistakes({"capacity": self.capacity.data}, self.workshop)) \
            and valid

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in services.WORKSHOP_FIELDS}


def _workshop_choices(workshops, seats_left: dict[int, int]) -> list[SelectChoice]:
    choices = []
    for w in workshops:
        left = seats_left.get(w.id, w.capacity)
        label = _l("%(title)s (%(left)d van %(capacity)d plekken vrij)", title=w.title, left=left,
                   capacity=w.capacity) if left else _l("%(title)s (vol)", title=w.title)
        choices.append(SelectChoice(str(w.id), label))
    choices.append(SelectChoice(NO_WORKSHOP, _l("Geen werkplaats")))
    return choices


class _ToWorkshopForm(FlaskForm):
    def chosen_id(self) -> int | None:
        """The workshop id chosen, None for "geen werkplaats"."""
        return None if self.target.data == NO_WORKSHOP else int(self.target.data)


class RemoveWorkshopForm(_ToWorkshopForm):
    target = RadioField(_l("Waar gaan de mensen van deze werkplaats heen?"),
                        validators=[InputRequired(_l("Kies waar de mensen van deze werkplaats heen gaan."))])

    def __init__(self, *args, others=(), seats_left=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.target.choices = _workshop_choices(others, seats_left or {})


class MoveForm(_ToWorkshopForm):
    target = RadioField(_l("Naar welke werkplaats?"),
                        validators=[InputRequired(_l("Kies een werkplaats, of geen werkplaats."))])
    over = BooleanField(_l("Ja, plaats deze persoon toch: de werkplaats mag vol raken of over het aantal plekken gaan"))

    def __init__(self, *args, others=(), seats_left=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.target.choices = _workshop_choices(others, seats_left or {})


class ConfirmForm(FlaskForm):
    """Only the CSRF token: removing a part is one button after the page said what follows."""


def add_workshop_audiences(form: FlaskForm, gathering: Gathering, chosen: str | None = None) -> None:
    """Let an organiser's message form (attendance) address one workshop's participants; ``chosen`` preselects one."""
    from .organise_queries import workshop_audiences

    audiences = workshop_audiences(gathering)
    if not audiences:
        return
    form.audience.choices = list(form.audience.choices) + [SelectChoice(key, label) for key, label in audiences]
    if chosen and any(key == chosen for key, _label in audiences):
        form.audience.data = chosen
