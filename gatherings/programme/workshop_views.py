"""One workshop as organisers run it: its list, waiting list and composition, a sign-in list, moving someone.

On the ``programme_organise`` blueprint (organise_views.py), so the endpoints
are ``programme_organise.<name>`` and the same access rules hold.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..attendance import exports
from ..attendance.charts import Series, bar_chart
from ..attendance.services import registration_of
from ..catalogue.services import lock_gathering
from ..database import writes
from ..extensions import db
from ..organise.access import gathering_for_organiser, organiser_required
from . import organise_queries as queries
from . import services
from .organise_forms import ConfirmForm, MoveForm
from .organise_views import bp, workshop_or_404


@bp.get("/workshops/<id:workshop_id>")
@organiser_required
def workshop(slug: str, workshop_id: int):
    gathering = gathering_for_organiser(slug)
    found = workshop_or_404(gathering, workshop_id)
    lists = queries.workshop_lists(found)
    composition = queries.workshop_composition(gathering, lists)
    hidden_below = composition.hidden_below
    chart = bar_chart(
        _("Samenstelling van de werkplaats naar perspectief"),
        [str(c.label) for c in composition],
        [Series(_("Met een plek"), [c.confirmed for c in composition]),
         Series(_("Op de wachtlijst"), [c.waitlisted for c in composition])],
        chart_id="workshop-composition", hidden_text=f"<{hidden_below}" if hidden_below else "")
    seats = services.seats(gathering).get(found.id, services.WorkshopSeats(found.capacity))
    return render_template("programme/organise_workshop.html", gathering=gathering, workshop=found, lists=lists,
                           composition=composition, chart=chart, seats=seats, action_form=ConfirmForm())


@bp.post("/workshops/<id:workshop_id>/sign-in-list")
@writes
@organiser_required
def workshop_sign_in_list(slug: str, workshop_id: int):
    gathering = gathering_for_organiser(slug)
    found = workshop_or_404(gathering, workshop_id)
    if not ConfirmForm().validate():
        abort(400)
    lists = queries.workshop_lists(found)
    # A printed list of people is an export like the gathering's: written to the same audit log.
    exports.record_export(gathering, "print", actor_id=current_user.id, actor_email=current_user.email,
                          row_count=len(lists.seated))
    return render_template("programme/organise_sign_in_list.html", gathering=gathering, workshop=found, lists=lists)


def _person_or_404(gathering, registration_id: int):
    try:
        person = registration_of(gathering, registration_id)
    except LookupError:
        abort(404)
    if person.status == "cancelled":
        abort(404)
    return person


@bp.route("/workshops/<id:workshop_id>/people/<id:registration_id>/move", methods=["GET", "POST"])
@writes
@organiser_required
def move(slug: str, workshop_id: int, registration_id: int):
    gathering = gathering_for_organiser(slug)
    found = workshop_or_404(gathering, workshop_id)
    person = _person_or_404(gathering, registration_id)
    part = found.part
    choice = queries.choice_of(person, part)
    if choice is None or choice.workshop_id != found.id:
        abort(404)  # this person is not in (the line of) this workshop
    others = [w for w in part.workshops if w.id != found.id]
    seats = services.seats(gathering)
    form = MoveForm(others=others, seats_left={w.id: seats[w.id].seats_left for w in others if w.id in seats})

    def page(status=200, over_by=None):
        return render_template("programme/organise_move.html", gathering=gathering, workshop=found, person=person,
                               choice=choice, form=form, over_by=over_by), status

    if request.method == "GET":
        return page()
    if not form.validate():
        return page(422)
    target_id = form.chosen_id()
    target = next((w for w in others if w.id == target_id), None)
    try:
        services.move(lock_gathering(gathering.id), person, part, target, allow_over=bool(form.over.data))
    except services.WorkshopFull as full:
        db.session.rollback()
        over_by = person.people - full.seats_left
        form.target.errors.append(ngettext(
            "\u201c%(title)s\u201d is vol: met deze aanmelding erbij gaat de werkplaats %(num)d plek over het "
            "aantal plekken. Vink hieronder aan dat dit mag, of kies een andere werkplaats.",
            "\u201c%(title)s\u201d is vol: met deze aanmelding erbij gaat de werkplaats %(num)d plekken over het "
            "aantal plekken. Vink hieronder aan dat dit mag, of kies een andere werkplaats.",
            over_by, title=full.workshop.title))
        return page(409, over_by=over_by)
    if target is None:
        flash(_("%(name)s heeft nu geen werkplaats in deze ronde en krijgt daarover een e-mail.", name=person.name),
              "success")
    else:
        flash(_("%(name)s is verplaatst naar \u201c%(title)s\u201d en krijgt daarover een e-mail.", name=person.name,
                title=target.title), "success")
    return redirect(url_for(".workshop", slug=gathering.slug, workshop_id=found.id), code=303)

