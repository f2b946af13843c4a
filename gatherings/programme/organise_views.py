"""The organisers' programme pages under /organise/gatherings/<slug>/programme: build it, remove parts and workshops.

Every page starts with ``gathering_for_organiser`` (404 unknown, 403 not theirs);
a part or workshop of another gathering is a 404. Changes are POST forms with a
CSRF token, checked before the lock, then made on the gathering write-locked
once (``lock_gathering``), and end in a redirect. A workshop's own pages (its
lists, sign-in list, moving people) are in ``workshop_views.py`` on this
blueprint.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..catalogue.models import Gathering
from ..catalogue.services import lock_gathering
from ..database import writes
from ..extensions import db
from ..organise.access import gathering_for_organiser, organiser_required
from ..security import private
from . import organise_queries as queries
from . import organise_services, services
from .models import PartKind, ProgrammePart, Workshop
from .organise_forms import ConfirmForm, PartForm, RemoveWorkshopForm, WorkshopForm, show_refusal

bp = Blueprint("programme_organise", __name__, url_prefix="/organise/gatherings/<slug>/programme")
bp.after_request(private)  # the organiser area: no shared cache, no search engine


@bp.context_processor
def _times() -> dict:
    from ..i18n import clock_time
    from ..timeutil import local

    return {"clock_time": clock_time, "local_day": lambda at: local(at).date()}


def part_or_404(gathering: Gathering, part_id: int) -> ProgrammePart:
    try:
        return organise_services.part_of(gathering, part_id)
    except LookupError:
        abort(404)


def workshop_or_404(gathering: Gathering, workshop_id: int) -> Workshop:
    try:
        return organise_services.workshop_of(gathering, workshop_id)
    except LookupError:
        abort(404)


def changeable(gathering: Gathering):
    """A redirect to the programme when the gathering is cancelled (nothing changes any more), else None."""
    if gathering.status == "cancelled":
        flash(_("Deze bijeenkomst gaat niet door en kan niet meer veranderen."), "warning")
        return redirect(url_for(".programme", slug=gathering.slug), code=303)
    return None


def to_programme(gathering: Gathering, anchor: str | None = None):
    return redirect(url_for(".programme", slug=gathering.slug, _anchor=anchor), code=303)


@bp.get("")
@organiser_required
def programme(slug: str):
    gathering = gathering_for_organiser(slug)
    return render_template("programme/organise_programme.html", gathering=gathering,
                           parts=queries.programme_view(gathering), action_form=ConfirmForm())


# -- parts ---------------------------------------------------------------------------------------------------------

def _new_part_times(gathering: Gathering) -> tuple:
    """Where a new part most likely goes: after the last one (or at the start), an hour long, inside the gathering."""
    existing = organise_services.parts(gathering)
    start = max([p.ends_at for p in existing], default=gathering.starts_at)
    if start >= gathering.ends_at:
        start = gathering.starts_at
    return start, min(start + timedelta(hours=1), gathering.ends_at)


def _render_part(gathering, form, part, status=200):
    return render_template("programme/organise_part.html", gathering=gathering, form=form, part=part), status


@bp.route("/parts/new", methods=["GET", "POST"])
@writes
@organiser_required
def new_part(slug: str):
    gathering = gathering_for_organiser(slug)
    if (stop := changeable(gathering)) is not None:
        return stop
    if request.method == "GET":
        starts, ends = _new_part_times(gathering)
        kind = request.args.get("kind") if PartKind.of(request.args.get("kind")) else None
        form = PartForm(gathering=gathering, data={"starts_at": starts, "ends_at": ends, "kind": kind})
        return _render_part(gathering, form, None)
    form = PartForm(gathering=gathering)
    if not form.validate():
        return _render_part(gathering, form, None, 422)
    try:
        part = organise_services.add_part(lock_gathering(gathering.id), form.values())
    except organise_services.ProgrammeRefused as refused:
        db.session.rollback()
        show_refusal(form, refused)
        return _render_part(gathering, form, None, 409)
    if part.kind == PartKind.ROUND:
        flash(_("De ronde is toegevoegd. Voeg nu de werkplaatsen toe."), "success")
    else:
        flash(_("Het deel is toegevoegd aan het programma."), "success")
    return to_programme(gathering, f"part-{part.id}")


@bp.route("/parts/<id:part_id>/edit", methods=["GET", "POST"])
@writes
@organiser_required
def edit_part(slug: str, part_id: int):
    gathering = gathering_for_organiser(slug)
    part = part_or_404(gathering, part_id)
    if (stop := changeable(gathering)) is not None:
        return stop
    if request.method == "GET":
        return _render_part(gathering, PartForm(gathering=gathering, part=part, obj=part), part)
    form = PartForm(gathering=gathering, part=part)
    if not form.validate():
        return _render_part(gathering, form, part, 422)
    try:
        organise_services.update_part(lock_gathering(gathering.id), part, form.values())
    except organise_services.ProgrammeRefused as refused:
        db.session.rollback()
        show_refusal(form, refused)
        return _render_part(gathering, form, part, 409)
    flash(_("De wijzigingen zijn opgeslagen."), "success")
    return to_programme(gathering, f"part-{part.id}")


@bp.route("/parts/<id:part_id>/remove", methods=["GET", "POST"])
@writes
@organiser_required
def remove_part(slug: str, part_id: int):
    gathering = gathering_for_organiser(slug)
    part = part_or_404(gathering, part_id)
    if (stop := changeable(gathering)) is not None:
        return stop
    form = ConfirmForm()
    people = queries.people_in_round(part)
    if request.method == "GET":
        return render_template("programme/organise_remove_part.html", gathering=gathering, part=part, form=form,
                               people=people)
    if not form.validate():
        abort(400)
    title = part.title
    told = services.remove_round(lock_gathering(gathering.id), part)
    organise_services.removed(gathering, "part_removed")
    flash(_("\u201c%(title)s\u201d is uit het programma gehaald.", title=title), "success")
    if told:
        flash(ngettext("%(num)d persoon had hier een werkplaats en krijgt daarover een e-mail.",
                       "%(num)d mensen hadden hier een werkplaats en krijgen daarover een e-mail.", told), "success")
    return to_programme(gathering)


# -- workshops -----------------------------------------------------------------------------------------------------

def _render_workshop_form(gathering, form, part, workshop, status=200):
    return render_template("programme/organise_workshop_form.html", gathering=gathering, form=form, part=part,
                           workshop=workshop), status


@bp.route("/parts/<id:part_id>/workshops/new", methods=["GET", "POST"])
@writes
@organiser_required
def new_workshop(slug: str, part_id: int):
    gathering = gathering_for_organiser(slug)
    part = part_or_404(gathering, part_id)
    if part.kind != PartKind.ROUND:
        abort(404)
    if (stop := changeable(gathering)) is not None:
        return stop
    if request.method == "GET":
        return _render_workshop_form(gathering, WorkshopForm(), part, None)
    form = WorkshopForm()
    if not form.validate():
        return _render_workshop_form(gathering, form, part, None, 422)
    try:
        workshop = organise_services.add_workshop(lock_gathering(gathering.id), part, form.values())
    except organise_services.ProgrammeRefused as refused:
        db.session.rollback()
        show_refusal(form, refused)
        return _render_workshop_form(gathering, form, part, None, 409)
    flash(_("De werkplaats \u201c%(title)s\u201d is toegevoegd.", title=workshop.title), "success")
    return to_programme(gathering, f"part-{part.id}")


@bp.route("/workshops/<id:workshop_id>/edit", methods=["GET", "POST"])
@writes
@organiser_required
def edit_workshop(slug: str, workshop_id: int):
    gathering = gathering_for_organiser(slug)
    workshop = workshop_or_404(gathering, workshop_id)
    if (stop := changeable(gathering)) is not None:
        return stop
    if request.method == "GET":
        return _render_workshop_form(gathering, WorkshopForm(workshop=workshop, obj=workshop), workshop.part, workshop)
    form = WorkshopForm(workshop=workshop)
    if not form.validate():
        return _render_workshop_form(gathering, form, workshop.part, workshop, 422)
    try:
        result = organise_services.update_workshop(lock_gathering(gathering.id), workshop, form.values())
    except organise_services.ProgrammeRefused as refused:
        db.session.rollback()
        show_refusal(form, refused)
        return _render_workshop_form(gathering, form, workshop.part, workshop, 409)
    flash(_("De wijzigingen zijn opgeslagen."), "success")
    if result.promoted:
        flash(ngettext("%(num)d persoon van de wachtlijst van deze werkplaats heeft nu een plek en krijgt een e-mail.",
                       "%(num)d mensen van de wachtlijst van deze werkplaats hebben nu een plek en krijgen een e-mail.",
                       len(result.promoted)), "success")
    return to_programme(gathering, f"part-{workshop.part_id}")


@bp.route("/workshops/<id:workshop_id>/remove", methods=["GET", "POST"])
@writes
@organiser_required
def remove_workshop(slug: str, workshop_id: int):
    gathering = gathering_for_organiser(slug)
    workshop = workshop_or_404(gathering, workshop_id)
    if (stop := changeable(gathering)) is not None:
        return stop
    people = queries.people_in(workshop)
    others = [w for w in workshop.part.workshops if w.id != workshop.id]
    seats = services.seats(gathering)
    form = RemoveWorkshopForm(others=others, seats_left={w.id: seats[w.id].seats_left for w in others if w.id in seats})

    def page(status=200):
        return render_template("programme/organise_remove_workshop.html", gathering=gathering, workshop=workshop,
                               form=form, people=people), status

    if request.method == "GET":
        return page()
    if people and not form.validate():
        return page(422)
    if not people and not ConfirmForm().validate():
        abort(400)
    move_to = None
    if people and form.chosen_id() is not None:
        move_to = next(w for w in others if w.id == form.chosen_id())  # one of the choices: validated above
    title, part_id = workshop.title, workshop.part_id
    services.remove_workshop(lock_gathering(gathering.id), workshop, move_to=move_to)
    organise_services.removed(gathering, "workshop_removed")
    flash(_("De werkplaats \u201c%(title)s\u201d is verwijderd.", title=title), "success")
    if people:
        if move_to is not None:
            flash(ngettext("%(num)d persoon gaat naar \u201c%(to)s\u201d en krijgt daarover een e-mail.",
                           "%(num)d mensen gaan naar \u201c%(to)s\u201d en krijgen daarover een e-mail.",
                           people, to=move_to.title), "success")
        else:
            flash(ngettext("%(num)d persoon heeft nu geen werkplaats in deze ronde en krijgt daarover een e-mail.",
                           "%(num)d mensen hebben nu geen werkplaats in deze ronde en krijgen daarover een e-mail.",
                           people), "success")
    return to_programme(gathering, f"part-{part_id}")
