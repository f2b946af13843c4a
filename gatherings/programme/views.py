"""The participant's side of the programme: their own programme on /r/<token>, and changing their workshops there.

The gathering page's timetable and the registration form's round questions are
built by registration/views.py with ``queries.timetable`` and ``forms.with_rounds``.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import BooleanField

from .. import caches
from ..catalogue.models import GatheringStatus, RegistrationState
from ..catalogue.services import lock_gathering
from ..database import writes
from ..i18n import clock_time
from ..registration import services as registration_services
from ..registration.models import Registration, RegistrationStatus
from . import forms, page_seats, queries, services
from . import rows as programme_rows

bp = Blueprint("programme", __name__)


class WorkshopsForm(FlaskForm):
    """The round questions (added by ``forms.with_rounds``) and, after a refusal, the choice to wait instead."""

    wait_if_full = BooleanField(_l("Ik geef mijn plek op en kom op de wachtlijst van de werkplaats die ik nu kies"))


@bp.app_template_global()
def part_time(start, end) -> str:
    """'13:30 – 14:20' (Amsterdam time) for a part of the programme; kept per times and language (caches.date_line):
    every result page of the opening rush shows the same few."""
    return caches.date_line(start, end, _part_time)


def _part_time(start, end) -> str:
    return _("%(start)s – %(end)s", start=clock_time(start), end=clock_time(end))


@bp.app_template_global()
def programme_timetable(programme) -> Markup:
    """The gathering page's programme (programme/_timetable.html, given nothing else: kept by caches.timetable)."""
    return caches.timetable("programme/_timetable.html", programme=programme)


@bp.app_template_global()
def workshop_seats(workshop) -> str:
    """The timetable's line of a workshop's seats ("nog 3 plekken vrij"; a mark in a kept page: page_seats.py)."""
    return page_seats.shown(workshop, page_seats.TIMETABLE)


def own_programme(registration: Registration, rows=None) -> list[services.OwnPart]:
    """The registration's own programme for its pages (empty without a programme, or once cancelled).

    ``rows``: the programme's columns read with the registration (``rows.add_own``); without them it is
    read (``queries.programme_of``). The page's form of workshops (``workshops_form``) is built from it.
    """
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    return programme_rows.own(rows) if rows is not None else queries.programme_of(registration)


def _can_change(registration: Registration) -> bool:
    gathering = registration.gathering
    return (registration.status != RegistrationStatus.CANCELLED and gathering.status == GatheringStatus.PUBLISHED
            and gathering.registration_state() not in (RegistrationState.PAST, RegistrationState.CANCELLED))


def _form_for(own: list[services.OwnPart]) -> WorkshopsForm | None:
    # The rounds, their workshops with the seats left, and the current choices: all in ``own`` already.
    form_class = forms.with_rounds(WorkshopsForm, queries.timetable_of([item.part for item in own]))
    if form_class is WorkshopsForm:
        return None
    current = forms.current_values(item.choice for item in own if item.choice is not None)
    return form_class(data=current)


@bp.app_template_global()
def workshops_form(registration: Registration, own: list[services.OwnPart]) -> WorkshopsForm | None:
    """The form to change one's workshops on /r/<token>, filled with the current choices; None when not possible.

    ``own``: the page's ``own_programme``, its parts and workshops read fresh with the registration.
    """
    return _form_for(own) if _can_change(registration) else None


def _show_page(registration: Registration, form: WorkshopsForm, status: int, *, offer_wait: bool = False):
    # Always with ``form``: the page's own form of workshops (workshops_form) is not built here.
    return render_template(
        "registration/show.html", registration=registration, gathering=registration.gathering,
        own=own_programme(registration),
        position=registration_services.waitlist_position(registration), just_registered=False,
        state=registration.gathering.registration_state(), workshop_form=form, offer_wait=offer_wait), status


@bp.post("/r/<token>/workshops")
@writes
def change(token: str):
    registration = registration_services.find_by_token(token)
    if registration is None or registration.anonymised_at is not None:
        abort(404)
    gathering = lock_gathering(registration.gathering_id)
    registration = services.locked_registration(gathering, registration.id)
    if not _can_change(registration):
        flash(_("Uw keuze in het programma kan niet meer worden gewijzigd."), "warning")
        # #main: not the form's own #werkplaatsen, which the browser would keep from the POST.
        return redirect(url_for("registration.show", token=token, _anchor="main"), code=303)
    programme = services.timetable(gathering)
    form = forms.with_rounds(WorkshopsForm, programme)()
    if not forms.round_fields(form):
        abort(404)  # a gathering without workshops to choose
    if not form.validate():
        return _show_page(registration, form, 422)
    try:
        services.change_choices(gathering, registration, forms.chosen(form), wait_if_full=bool(form.wait_if_full.data))
    except services.ChoiceRefused as refused:
        forms.add_errors(form, refused.errors)
        offer = any(message == services.ChoiceRefused.FULL_KEEPS_SEAT for message in refused.errors.values())
        return _show_page(registration, form, 409 if offer else 422, offer_wait=offer)
    flash(_("Uw keuze in het programma is opgeslagen."), "success")
    return redirect(url_for("registration.show", token=token, _anchor="main"), code=303)
