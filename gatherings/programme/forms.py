"""The programme's questions in a form: one radio group per round, named ``round_<id>``, values the workshop ids.

``with_rounds(FormClass, timetable(gathering))`` gives a subclass of any WTForms form class with
these fields added (the registration form, and the participant's own edit form).
Values are compared as text with the round's own choices, so a foreign, huge or
malformed id is a Dutch message at the field, never a 500.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from ..i18n import clock_time
from ..inputs import parse_id
from . import page_seats
from .models import ChoiceStatus
from .queries import TimetablePart, TimetableWorkshop
from .services import ChoiceRefused, choices_of, timetable

NO_WORKSHOP = "none"  # the value of "geen werkplaats" in an optional round
FIELD_PREFIX = "round_"
_FIELD_NAME = re.compile(r"round_([1-9][0-9]{0,9})")

REQUIRED = ChoiceRefused.REQUIRED
UNKNOWN = ChoiceRefused.UNKNOWN
FULL = page_seats.FULL


def field_name(part_id: int) -> str:
    return f"{FIELD_PREFIX}{part_id}"


class RoundField(RadioField):
    """A round's radio group: required unless the round is optional; only this round's workshops are valid."""

    def __init__(self, label=None, *, part_id: int, optional: bool, **kwargs):
        super().__init__(label, validators=[], validate_choice=False, **kwargs)
        self.type = "RadioField"  # rendered as one (macros/forms.html links the summary to its first option)
        self.part_id = part_id
        self.optional = optional
        self.flags.required = not optional

    def pre_validate(self, form):
        if self.data in (None, ""):
            if not self.optional:
                raise ValidationError(str(REQUIRED))
            return
        if not any(str(choice.value) == self.data for choice in self.choices):
            raise ValidationError(str(UNKNOWN))

    @property
    def workshop_id(self) -> int | None:
        """The chosen workshop's id; None for "geen werkplaats" or nothing chosen (after a valid form only)."""
        if self.data in (None, "", NO_WORKSHOP):
            return None
        return parse_id(self.data)


def _legend(part: TimetablePart) -> str:
    return _("%(title)s, %(start)s – %(end)s", title=part.title,
             start=clock_time(part.starts_at), end=clock_time(part.ends_at))


def _option(workshop: TimetableWorkshop) -> str:
    bits = [workshop.title]
    if workshop.room:
        bits.append(_("zaal: %(room)s", room=workshop.room))
    bits.append(page_seats.shown(workshop, page_seats.OPTION))  # a mark in the kept gathering page
    return " — ".join(bits)


def with_rounds(form_class: type, programme: Sequence[TimetablePart]) -> type:
    """``form_class`` with a ``round_<id>`` field per round of ``programme`` (``queries.timetable``).

    ``form_class`` itself when there is no round with workshops. The subclass lists its round
    fields' names in ``round_fields``. Full workshops stay choosable, marked FULL.
    """
    parts = [p for p in programme if p.is_round and p.workshops]
    if not parts:
        return form_class
    fields = {}
    for part in parts:
        choices = [SelectChoice(str(w.id), _option(w)) for w in part.workshops]
        if part.optional:
            choices.append(SelectChoice(NO_WORKSHOP, _("Geen werkplaats")))
        fields[field_name(part.id)] = RoundField(
            _legend(part), part_id=part.id, optional=bool(part.optional), choices=choices,
            default=NO_WORKSHOP if part.optional else None)
    subclass = type(form_class.__name__, (form_class,), fields)
    subclass.round_fields = tuple(fields)
    return subclass


def round_fields(form) -> list[RoundField]:
    names = getattr(form, "round_fields", None)
    if names is None:  # a form that got its rounds another way (ChangeForm.with_fields): find them, in order
        return [field for field in form if isinstance(field, RoundField)]
    return [form[name] for name in names]


def chosen(form) -> dict[int, int | None]:
    """{round id: workshop id or None} from a validated form with round fields."""
    return {field.part_id: field.workshop_id for field in round_fields(form)}


def submitted(formdata: Mapping) -> dict[int, int | None]:
    """{round id: workshop id or None} read straight from posted form data (the register view's hot path).

    The service checks each against the gathering's rounds under the lock; anything that is
    not an id (or "none") becomes 0, which matches no workshop: its round gets the Dutch message.
    """
    result: dict[int, int | None] = {}
    for key in formdata:
        match = _FIELD_NAME.fullmatch(key)
        part_id = parse_id(match.group(1)) if match else None
        if part_id is None:
            continue
        value = (formdata.get(key) or "").strip()
        result[part_id] = None if value in ("", NO_WORKSHOP) else (parse_id(value) or 0)
    return result


def current_values(choices) -> dict[str, str]:
    """Form data for an edit form from a registration's WorkshopChoice rows: ``data=current_values(...)``."""
    values = {}
    for choice in choices:
        if choice.workshop_id is not None:
            values[field_name(choice.part_id)] = str(choice.workshop_id)
        elif choice.status == ChoiceStatus.NONE:
            values[field_name(choice.part_id)] = NO_WORKSHOP
    return values


def add_errors(form, errors: Mapping[int, object]) -> None:
    """Put a ``ChoiceRefused``'s messages at their round's field (once); others in the form's own errors."""
    by_part = {field.part_id: field for field in round_fields(form)}
    for part_id, message in errors.items():
        field = by_part.get(part_id)
        if field is None:
            form.form_errors.append(str(message))
        elif str(message) not in field.errors:
            field.errors = [*field.errors, str(message)]


WAIT_IF_FULL = "wait_if_full"


def change_fields(registration) -> dict:
    """The round questions for the registration's own change page (``/r/<token>/edit``), set to its current choices.

    Given to ``registration.forms.change_field_providers`` (see ``register_change_fields``). After the
    rounds comes ``wait_if_full``: the page shows it only when a choice was refused for a full workshop.
    """
    form_class = with_rounds(type("Rounds", (), {}), timetable(registration.gathering))
    names = getattr(form_class, "round_fields", ())
    if not names:
        return {}
    current = current_values(choices_of(registration).values())
    fields = {}
    for name in names:
        unbound = getattr(form_class, name)
        if name in current:
            unbound.kwargs["default"] = current[name]
        fields[name] = unbound
    fields[WAIT_IF_FULL] = BooleanField(
        _l("Ik geef mijn plek op en kom op de wachtlijst van de werkplaats die ik nu kies"))
    return fields


def register_change_fields() -> None:
    """Offer the round questions on ``/r/<token>/edit`` (called by the app factory); twice changes nothing."""
    from ..registration.forms import change_field_providers

    if change_fields not in change_field_providers:
        change_field_providers.append(change_fields)
