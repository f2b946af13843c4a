"""The door: checking people in on a phone at /organise/gatherings/<slug>/checkin.

Routes on the attendance blueprint (endpoints ``attendance.door``,
``attendance.check_in`` ...), registered by the app factory importing this
module. Without JavaScript every button is a form that ends in a redirect
(PRG); static/checkin.js asks for JSON instead and gets the live counts back.
"""
from __future__ import annotations

from flask import abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from ..catalogue.models import Gathering
from ..catalogue.services import lock_gathering
from ..database import writes
from ..extensions import db
from ..inputs import parse_id
from ..organise.access import gathering_for_organiser, organiser_required
from ..registration import services as registration
from ..registration import door_codes
from . import services
from .forms import ActionForm, AddRegistrationForm, DoorCodeForm
from .views import applicant, bp, query_arg, registration_or_404, show_refusal


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _door_person(gathering: Gathering, r) -> dict:
    return {
        "id": r.id,
        "name": r.name,
        "organisation": r.organisation or "",
        "needs": r.needs or "",
        "status": r.status,
        "checked_in": r.checked_in_at is not None,
        "checked_in_time": format_datetime(r.checked_in_at, "HH:mm") if r.checked_in_at else "",
        "companion": r.companion,
        "companion_name": r.companion_name if r.companion else "",
        "companion_checked_in": r.companion and r.companion_checked_in_at is not None,
        "check_in_url": url_for(".check_in", slug=gathering.slug, registration_id=r.id),
        "undo_url": url_for(".undo_check_in", slug=gathering.slug, registration_id=r.id),
        "admit_url": url_for(".admit", slug=gathering.slug, registration_id=r.id),
    }


def _door_json(gathering: Gathering, people=(), message: str = "", status: int = 200):
    return jsonify({
        "counts": services.door_counts(gathering).as_dict(),
        "people": [_door_person(gathering, r) for r in people],
        "message": message,
    }), status


def _walk_in_form(gathering: Gathering) -> AddRegistrationForm:
    return AddRegistrationForm(perspective_required=gathering.is_mixed, prefix="walk_in")


def _door_page(gathering: Gathering, walk_in_form: AddRegistrationForm, *, query: str = "", people=(),
               done=None, walk_in_open: bool = False, code_form: DoorCodeForm | None = None, expected=None):
    """The door page; after a refused walk-in it opens on that form, with its messages."""
    response = make_response(render_template(
        "attendance/door.html", gathering=gathering, query=query, people=people, done=done, expected=expected,
        counts=services.door_counts(gathering), action_form=ActionForm(), walk_in_form=walk_in_form,
        min_query=services.DOOR_MIN_QUERY, walk_in_open=walk_in_open, code_form=code_form or DoorCodeForm(prefix="door"),
    ))
    # The one page that may use the camera: it scans the QR codes people show (static/door_scan.js).
    response.headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
    return response


@bp.get("/gatherings/<slug>/checkin")
@organiser_required
def door(slug: str):
    gathering = gathering_for_organiser(slug)
    query = query_arg()
    people = services.door_search(gathering, query)
    done = None
    done_id = parse_id(request.args.get("done"))
    if done_id:
        try:
            done = services.registration_of(gathering, done_id)
        except LookupError:
            done = None
    # Who is still expected is listed only when the organiser asks (not to whoever glances at the phone).
    expected = services.expected_people(gathering) if request.args.get("verwacht") == "1" else None
    return _door_page(gathering, _walk_in_form(gathering), query=query, people=people, done=done, expected=expected)


@bp.get("/gatherings/<slug>/checkin.json")
@organiser_required
def door_search(slug: str):
    gathering = gathering_for_organiser(slug)
    return _door_json(gathering, services.door_search(gathering, query_arg()))


def _who() -> str:
    """Whom a door button means: ``both`` (the default, and all there is without a companion), or one of the two."""
    return request.form.get("who", "both")


def _checked_in_message(r, who: str) -> str:
    if who == "companion":
        return _("De begeleider van %(name)s is ingecheckt.", name=r.name)
    if r.companion and who == "both":
        return _("%(name)s en begeleider zijn ingecheckt.", name=r.name)
    return _("%(name)s is ingecheckt.", name=r.name)


def _door_action(slug: str, registration_id: int, action, done_message, *, seats: bool = False):
    """``seats``: the action may give someone a seat, so it runs under the gathering's lock."""
    gathering = gathering_for_organiser(slug)
    form = ActionForm()
    if not form.validate():
        abort(400)
    if seats:
        lock_gathering(gathering.id)
    found = registration_or_404(gathering, registration_id)
    try:
        person = action(gathering, found.id)
    except services.ActionRefused as refused:
        db.session.rollback()
        if refused.reason in ("who", "no_companion"):
            abort(400)  # not a form of ours
        message = (_("%(name)s staat op de wachtlijst. Laat u deze persoon toch toe?", name=found.name)
                   if refused.reason == "waiting" else _("Deze aanmelding is geannuleerd."))
        if _wants_json():
            return _door_json(gathering, [found], message, status=409)
        flash(message, "warning")
        return redirect(url_for(".door", slug=gathering.slug), code=303)
    message = done_message(person)
    if _wants_json():
        return _door_json(gathering, [person], message)
    flash(message, "success")
    return redirect(url_for(".door", slug=gathering.slug, done=person.id), code=303)


@bp.post("/gatherings/<slug>/checkin/<id:registration_id>")
@writes
@organiser_required
def check_in(slug: str, registration_id: int):
    who = _who()
    return _door_action(slug, registration_id, lambda g, rid: services.check_in(g, rid, who=who),
                        lambda r: _checked_in_message(r, who))


@bp.post("/gatherings/<slug>/checkin/code")
@writes
@organiser_required
def check_in_by_code(slug: str):
    """The QR code a participant shows (scanned by static/door_scan.js), or its code typed in."""
    gathering = gathering_for_organiser(slug)
    form = DoorCodeForm(prefix="door")
    found = door_codes.find(gathering, form.code.data) if form.validate() else None
    if found is None:
        if form.code.data and not form.code.errors:
            form.code.errors = [_("Deze code hoort bij geen aanmelding voor deze bijeenkomst. Zoek de persoon op naam.")]
        if _wants_json():
            return _door_json(gathering, message=" ".join(form.code.errors) or _("Dat lukte niet."), status=422)
        return _door_page(gathering, _walk_in_form(gathering), code_form=form), 422
    already = found.checked_in_at is not None and found.status == "confirmed"
    return _door_action(slug, found.id, services.check_in, lambda r: (
        _("%(name)s was al binnen (sinds %(time)s).", name=r.name, time=format_datetime(r.checked_in_at, "HH:mm"))
        if already else _("%(name)s is ingecheckt.", name=r.name)))


@bp.post("/gatherings/<slug>/checkin/<id:registration_id>/undo")
@writes
@organiser_required
def undo_check_in(slug: str, registration_id: int):
    who = _who()
    return _door_action(slug, registration_id, lambda g, rid: services.undo_check_in(g, rid, who=who),
                        lambda r: _("Inchecken van %(name)s is ongedaan gemaakt.", name=r.name) if who != "companion"
                        else _("Inchecken van de begeleider van %(name)s is ongedaan gemaakt.", name=r.name))


@bp.post("/gatherings/<slug>/checkin/<id:registration_id>/admit")
@writes
@organiser_required
def admit(slug: str, registration_id: int):
    return _door_action(slug, registration_id, services.admit,
                        lambda r: _("%(name)s is toegelaten en ingecheckt.", name=r.name), seats=True)


@bp.post("/gatherings/<slug>/checkin/walk-in")
@writes
@organiser_required
def walk_in(slug: str):
    gathering = gathering_for_organiser(slug)
    form = _walk_in_form(gathering)
    if not form.validate():
        return _door_page(gathering, form, walk_in_open=True), 422
    try:
        result = services.walk_in(lock_gathering(gathering.id), applicant(form))
    except registration.RegistrationRefused as refused:
        show_refusal(form, refused)
        return _door_page(gathering, form, walk_in_open=True), 409
    person = result.registration
    if result.checked_in:
        flash(_("%(name)s is aangemeld en ingecheckt.", name=person.name), "success")
    elif person.status == "waitlisted":
        flash(_("De bijeenkomst is vol: %(name)s staat op de wachtlijst. Laat u deze persoon toch toe?",
                name=person.name), "warning")
    else:
        flash(_("%(name)s was al aangemeld.", name=person.name), "warning")
    # #main, or the browser keeps the POST's #zonder-aanmelding and opens that part again.
    return redirect(url_for(".door", slug=gathering.slug, done=person.id, _anchor="main"), code=303)
