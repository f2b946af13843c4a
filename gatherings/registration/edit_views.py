"""A participant changes their own registration: ``/r/<token>/edit`` (routes on registration.views' blueprint).

Every field, the programme's round choices included, in one unit of work under the gathering's one
lock (registration/changes.py); refusals come back at the field.
"""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..catalogue.models import Gathering
from ..catalogue.services import lock_gathering
from ..database import unit_of_work
from ..programme import forms as programme_forms
from ..programme import services as programme_services
from . import changes, services
from .forms import ChangeForm, change_form_class
from .perspectives import NOT_SAID
from .views import _registration_or_404, bp


# How /r/<token> names what a change changed (the form's own words, shorter).
CHANGED_LABELS = {
    "name": _l("uw naam"),
    "organisation": _l("uw organisatie"),
    "needs": _l("wat u nodig heeft"),
    "perspective": _l("uw perspectief"),
    "companion": _l("uw begeleider"),
    "companion_name": _l("de naam van uw begeleider"),
    "workshops": _l("uw keuze in het programma"),
}


def _change_form(registration, *, formdata=None) -> ChangeForm:
    """The form with the registration's current values (GET), or with what was sent (POST)."""
    gathering = registration.gathering
    form_class = change_form_class(registration)
    if formdata is not None:
        form = form_class(perspective_required=gathering.is_mixed)
    else:
        form = form_class(formdata=None, perspective_required=gathering.is_mixed, data={
            "name": registration.name,
            "organisation": registration.organisation,
            "needs": registration.needs,
            "perspective": registration.perspective or ("" if gathering.is_mixed else NOT_SAID),
            "companion": registration.companion,
            "companion_name": registration.companion_name,
        })
    return form


def _edit_page(registration, form: ChangeForm | None, status: int = 200, closed: str | None = None,
               offer_wait: bool = False):
    gathering = registration.gathering
    return render_template(
        "registration/edit.html", registration=registration, gathering=gathering, form=form,
        seats=services.availability(gathering), closed_message=closed, offer_wait=offer_wait,
    ), status


def _said_what_changed(result: changes.ChangeResult) -> str:
    names = ", ".join(str(CHANGED_LABELS[name]) for name in result.changed if name in CHANGED_LABELS)
    said = _("Uw aanmelding is gewijzigd: %(what)s.", what=names)
    registration = result.registration
    if result.seated:
        said += " " + _("Er is nu een plek voor u. We sturen u een e-mail.")
    elif registration.status == "waitlisted" and "companion" in result.changed and registration.companion:
        said += " " + _("U en uw begeleider wachten samen op twee plekken.")
    return said


def _workshops_without_room(gathering: Gathering, registration_id: int, companion: bool) -> list:
    """The workshops the participant sits in that have no seat for a companion they add (under the lock).

    A pair sits together in its workshops as in the day: a companion is added to all of them or not at all,
    decided before anything is written (``change_registration`` then decides the day's seat).
    """
    registration = programme_services.locked_registration(gathering, registration_id)
    if not companion or registration.companion:
        return []
    return programme_services.people_fit(gathering, registration, 2)


@bp.route("/r/<token>/edit", methods=["GET", "POST"])
def edit(token: str):
    """Change name, organisation, needs, perspective, companion and the programme's choices, in one unit under the lock.

    Not ``@writes``: when a workshop choice is refused after the other fields were changed, the whole
    unit rolls back (the exception leaves ``unit_of_work``) and the page comes back with what was typed.
    """
    registration = _registration_or_404(token)
    reason = changes.closed_reason(registration.gathering, registration)
    if reason is not None:
        status = 200 if request.method == "GET" else 409
        return _edit_page(registration, None, status, closed=changes.ChangeRefused(reason).message)
    if request.method == "GET":
        return _edit_page(registration, _change_form(registration))
    form = _change_form(registration, formdata=request.form)
    if not form.validate():
        return _edit_page(registration, form, 422)
    rounds = programme_forms.round_fields(form)
    try:
        with unit_of_work():
            result = _change(registration.gathering_id, registration.id, form, rounds)
    except _Refused as refused:  # nothing was stored (the unit rolled back)
        if refused.field is None:
            return _edit_page(registration, None, 409, closed=refused.message)
        getattr(form, refused.field).errors.append(refused.message)
        return _edit_page(registration, form, 409)
    except programme_services.ChoiceRefused as refused:  # nothing was stored (the unit rolled back)
        programme_forms.add_errors(form, refused.errors)
        offer = any(message == programme_services.ChoiceRefused.FULL_KEEPS_SEAT
                    for message in refused.errors.values())
        return _edit_page(registration, form, 409 if offer else 422, offer_wait=offer)
    if result.changed:
        flash(_said_what_changed(result), "success")
    else:
        flash(_("U heeft niets gewijzigd."), "info")
    return redirect(url_for("registration.show", token=token), code=303)


class _Refused(Exception):
    """A refusal at a field (or of the whole change) that must roll the unit back."""

    def __init__(self, message: str, field: str | None):
        super().__init__(message)
        self.message, self.field = message, field


def _change(gathering_id: int, registration_id: int, form: ChangeForm, rounds: list) -> changes.ChangeResult:
    """The change itself, inside the unit of work, under the gathering's one lock: the fields, then the workshops."""
    gathering = lock_gathering(gathering_id)
    full = _workshops_without_room(gathering, registration_id, form.wants_companion)
    if full:
        raise _Refused(_(
            "In %(workshops)s is geen plek meer voor uw begeleider. Uw aanmelding is niet gewijzigd: "
            "u houdt uw plekken.", workshops=", ".join(w.title for w in full)), "companion")
    try:
        result = changes.change_registration(gathering, registration_id, changes.Changes(
            name=form.name.data,
            organisation=form.organisation.data or "",
            needs=form.needs.data or "",
            perspective=form.perspective.data,
            companion=form.wants_companion,
            companion_name=form.companion_name_given,
        ))
    except changes.ChangeRefused as refused:
        raise _Refused(refused.message, refused.field) from refused
    if rounds:
        # After the fields: a companion just added counts in the seats the new workshops must have.
        before = {c.part_id: (c.workshop_id, c.status)
                  for c in programme_services.choices_of(result.registration).values()}
        wait = form[programme_forms.WAIT_IF_FULL]
        after = programme_services.change_choices(gathering, result.registration, programme_forms.chosen(form),
                                                  wait_if_full=bool(wait.data))
        if any(before.get(c.part_id) != (c.workshop_id, c.status) for c in after):
            result.changed = [*result.changed, "workshops"]  # a new list: the signal's receivers had the old one
    return result
