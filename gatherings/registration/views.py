"""A gathering's page with its registration form, the form's POST, and a participant's own registration page.

Changing one's registration (``/r/<token>/edit``) is in edit_views.py, on this blueprint."""
import hashlib
import hmac
from dataclasses import dataclass, field

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from ..catalogue.models import Gathering, RegistrationState
from ..catalogue.services import contact_of, find_draft, find_visible_with, get_visible_gathering, lock_gathering
from .. import caches
from ..database import autocommit_connection, read_only, unit_of_work, writes
from ..extensions import limiter
from ..limits import over_address_limit
from ..organise.access import organises
from ..programme import brief as programme_brief
from ..programme import flight as programme_flight
from ..programme import forms as programme_forms
from ..programme import page_seats
from ..programme import rows as programme_rows
from ..programme import services as programme_services
from ..programme import views as programme_views
from . import changes, door_codes, flight, own_page, services
from .forms import RegistrationForm
from .models import Registration
from .perspectives import PerspectiveGroup

bp = Blueprint("registration", __name__)


@dataclass(frozen=True)
class SeatsLeft:
    """What the gathering page shows of the seats: how many are left, in all and per perspective group.

    Not the counts behind them (``services.Availability``): once the waiting list is in use every
    registration changes those, and the page, kept per fingerprint of what it is given
    (``caches.page``), would be rendered anew for nearly every visitor of the opening rush.
    """
    seats_left: int
    groups: dict[PerspectiveGroup, "SeatsLeft"] = field(default_factory=dict)

    @classmethod
    def of(cls, seats: services.Availability) -> "SeatsLeft":
        return cls(seats.seats_left, {group: cls(s.seats_left) for group, s in seats.groups.items()})


def _form(gathering: Gathering, programme, choice_errors: dict | None = None) -> RegistrationForm:
    """The registration form with a ``round_<id>`` question per round of the programme (from the request, if any)."""
    form = programme_forms.with_rounds(RegistrationForm, programme)()
    if form.is_submitted():
        form.validate()  # every message at once: the round questions' too
        programme_forms.add_errors(form, choice_errors or {})
    if gathering.is_mixed and not form.perspective_required:
        # A form that comes back: checked on the terms of a mixed session (see RegistrationForm.require_perspective).
        form.require_perspective(check=form.is_submitted())
    return form


def _page_context(gathering: Gathering, programme=()) -> dict:
    """What the page is made of, apart from its form (group labels and the like are the templates' globals)."""
    seats, state = SeatsLeft.of(services.availability(gathering)), gathering.registration_state()
    return dict(gathering=gathering, seats=seats, programme=programme, state=state,
                full=state == RegistrationState.OPEN and seats.seats_left <= 0,
                # Registration closes when the gathering starts, unless it was set to close earlier.
                deadline=gathering.registration_closes_at or gathering.starts_at,
                contact=contact_of(gathering))


def _gathering_page(gathering: Gathering, status: int = 200, *, form_errors=(), choice_errors=None, programme=None):
    programme = programme_services.timetable(gathering) if programme is None else programme
    form = _form(gathering, programme, choice_errors)
    form.form_errors.extend(form_errors)
    return render_template("registration/gathering.html", form=form, **_page_context(gathering, programme)), status


@bp.get("/gatherings/<slug>")
@read_only
def gathering(slug: str):
    # The gathering with its programme's parts and workshops (and their seats), as plain values, in one
    # statement: a gathering without a programme pays nothing to know it has none.
    found = find_visible_with(slug, programme_rows.add_timetable)
    if found is None:
        return _draft_preview(slug)
    gathering, programme = found[0], programme_rows.timetable(found[1])
    if "_flashes" in session:  # a notice for this visitor only
        return _gathering_page(gathering, programme=programme)
    # The same for every visitor but for the CSRF token and the workshops' seats left, which are put in
    # per request (page_seats.py): kept (caches.page). The empty form follows from the gathering (mixed or
    # not), its programme without the seats (in the key), the language and the code alone: built only when
    # the page is rendered.
    kept = page_seats.blank(programme)
    return caches.page("registration/gathering.html", derived=lambda: {"form": _form(gathering, kept)},
                       fill=lambda html: page_seats.fill(html, programme), **_page_context(gathering, kept))


@bp.app_template_global()
def door_code_shown(registration: Registration) -> str:
    return door_codes.shown(registration.door_code)


@bp.app_template_global()
def door_qr(registration: Registration):
    """For /r/<token> and the result page: the QR code to show at the door (inline SVG), or None."""
    if not door_codes.shows_door_code(registration):
        return None
    return door_codes.qr_svg(registration.door_code, _("QR-code voor de deur: %(code)s",
                                                       code=door_codes.shown(registration.door_code)))


def _draft_preview(slug: str):
    """A draft's public page for its organisers, marked as a preview, its form switched off; a 404 for anyone else.

    Never kept (caches.page) nor cached on the way: the address answers 404 to everybody else.
    """
    draft = find_draft(slug)
    if draft is None or not current_user.is_authenticated or not organises(current_user, draft):
        abort(404)
    programme = programme_services.timetable(draft)
    response = current_app.make_response(render_template(
        "registration/gathering.html", preview=True, form=_form(draft, programme), **_page_context(draft, programme)))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.app_template_global()
def registration_fields(form: RegistrationForm, **inputs):
    """The form's fields, labels and hints (registration/_fields.html); an empty form is kept (caches.form)."""
    return caches.form("registration/_fields.html", keep=not form.is_submitted(), form=form, **inputs)


@bp.after_request
def _private(response):
    # A registration's pages, their forms' answers and the redirect to them carry a personal token:
    # never in a shared cache or a search engine. The gathering's own page is public.
    if request.endpoint != "registration.gathering":
        response.headers.setdefault("Cache-Control", "private, no-store")
        response.headers.setdefault("X-Robots-Tag", "noindex")
    return response


# Per address, counted by the view once the form is valid (limits.py): a form with mistakes gets its messages.
ADDRESS_LIMIT = "10 per hour"


def _submission_keys(gathering_id: int) -> tuple[str | None, frozenset[str]]:
    """What the same browser sends with every click on this gathering's form, and nobody else can.

    A double click's second request leaves before the first answer arrives, but both carry the session's
    CSRF secret, which was set when the page was loaded (and stays for the session: a later click on
    the same form is known too). The POST itself stores nothing in the session: its answer sets no
    cookie. The page itself is shared by all visitors, so it can hold nothing of its
    own. Hashed with the app's secret: the stored key says nothing about the session. None when the
    session has no secret (a client that posts without having loaded a page with a form).
    Second: the same made with each of ``SECRET_KEY_FALLBACKS``, so that a browser that registered
    before the app's key was changed is still known while the old key is kept (usually none).
    """
    secret = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if not secret or not isinstance(secret, str):
        return None, frozenset()
    message = f"submission:{gathering_id}:{secret}".encode()

    def made_with(app_key) -> str:
        return hmac.new(app_key.encode() if isinstance(app_key, str) else app_key, message, hashlib.sha256).hexdigest()
    return (made_with(current_app.config["SECRET_KEY"]),
            frozenset(made_with(k) for k in current_app.config.get("SECRET_KEY_FALLBACKS") or ()))


def _applicant(form: RegistrationForm, gathering: Gathering) -> services.Applicant:
    mine, earlier = _submission_keys(gathering.id)
    return services.Applicant(
        name=form.name.data,
        email=form.email.data,
        perspective=form.perspective.data,
        organisation=form.organisation.data or "",
        needs=form.needs.data or "",
        companion=form.wants_companion,
        companion_name=form.companion_name_given,
        consent_version=current_app.config["CONSENT_VERSION"],
        submission_key=mine,
        earlier_submission_keys=earlier,
        language=str(get_locale() or "nl"),
    )


@bp.post("/gatherings/<slug>/register")
@limiter.limit("120 per minute")  # per client: a whole office behind one address still gets in
def register(slug: str):
    # Every registration of the opening rush waits for the gathering's lock, so it is held only for
    # deciding and writing: the form is checked before the unit of work begins. Whether the gathering
    # needs a perspective is decided under the lock (RegistrationRefused "perspective_required").
    # The programme's questions (round_<id>) are checked under the lock by programme.services.choose;
    # a form that comes back shows their messages together with the others'.
    form = RegistrationForm()
    if not form.validate():
        return _gathering_page(get_visible_gathering(slug), status=422)
    if form.is_spam:
        current_app.logger.info("honeypot filled on %s; nothing stored", slug)
        return render_template("registration/received.html", gathering=get_visible_gathering(slug))
    wait = over_address_limit(ADDRESS_LIMIT, "register-email", form.email.data)
    if wait is not None:
        raise TooManyRequests(retry_after=wait)
    choices = programme_forms.submitted(request.form)
    try:
        flown = _in_one_flight(slug, form, choices)
    except programme_services.ChoiceRefused as refused:  # checked before the lock; nothing was stored
        return _gathering_page(get_visible_gathering(slug), status=422, choice_errors=refused.errors)
    if flown is not None:
        return redirect(url_for("registration.show", token=flown.token, new=1), code=303)
    try:
        with unit_of_work():
            gathering = get_visible_gathering(slug, write_lock=True)  # found and locked in one query
            result = services.register(gathering, _applicant(form, gathering))
            token, created, duplicate = result.registration.token, result.created, result.duplicate
            if created:  # the day's seat first (register), then the workshops, round by round
                programme_services.choose(gathering, result.registration, choices, new=True)
    except services.RegistrationRefused as refused:
        return _gathering_page(get_visible_gathering(slug), status=409 if refused.about_the_gathering else 422,
                               form_errors=[refused.message] if refused.about_the_gathering else [])
    except programme_services.ChoiceRefused as refused:  # nothing was stored (the unit rolled back)
        return _gathering_page(get_visible_gathering(slug), status=422, choice_errors=refused.errors)
    if duplicate:
        # Someone already registered with this address, and not from this browser. Say nothing about it
        # here; the address's owner is sent their own link (the service told the mail area).
        return render_template("registration/received.html", gathering=gathering)
    return redirect(url_for("registration.show", token=token, new=1 if created else None), code=303)


def _in_one_flight(slug: str, form: RegistrationForm, choices) -> flight.Flown | None:
    """The opening rush's way: one round trip under the lock (registration/flight.py); None: the ordinary way.

    What is needed of the gathering before the lock (its id, title, rounds) is this worker's brief of it
    (programme/brief.py), read once and compared with the locked row in the flight itself: anything
    changed since, and the flight declines and the brief is read again for the next POST. A wrong
    workshop choice is refused here (``ChoiceRefused``) before any lock is taken.
    """
    if not flight.available():
        return None
    with autocommit_connection():  # past the ORM's session: one round trip, two when the brief is read
        brief, kept = programme_brief.for_registering(slug)
        if brief is None:
            return None  # the ordinary way answers 404
        try:
            programme_part = programme_flight.choices_part(brief.rounds, choices)
        except programme_services.ChoiceRefused:
            if not kept:
                raise
            brief, _kept = programme_brief.for_registering(slug, fresh=True)  # a workshop added since it was read?
            if brief is None:
                return None
            programme_part = programme_flight.choices_part(brief.rounds, choices)
        parts = [programme_brief.unchanged(brief)] + ([programme_part] if programme_part is not None else [])
        flown = flight.register(brief.gathering, _applicant(form, brief.gathering), parts=parts)
        if flown is None:
            programme_brief.forget(slug)
        return flown


def _registration_or_404(token: str):
    registration = services.find_by_token(token)
    if registration is None or registration.anonymised_at is not None:
        abort(404)
    return registration


@bp.get("/r/<token>")
@read_only
def show(token: str):
    # The registration, its gathering, the place on the waiting list, the gathering's programme (parts,
    # workshops, their seats) and the registration's own choices with their places in line: one statement.
    # Right after registering the page shows the choices just made and a link to change them, not the form
    # of every workshop: only the chosen workshops are read.
    just_registered = request.args.get("new") == "1"
    found = own_page.find(token, add=programme_rows.add_own_chosen if just_registered else programme_rows.add_own)
    if found is None or found[0].anonymised_at is not None:
        abort(404)
    registration, position, rows = found
    response = current_app.make_response(render_template(
        "registration/show.html",
        registration=registration,
        gathering=registration.gathering,
        own=programme_views.own_programme(registration, rows=rows),
        position=position,
        just_registered=just_registered,
        state=registration.gathering.registration_state(),
        can_change=changes.closed_reason(registration.gathering, registration) is None,
    ))
    return response


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
@writes
def cancel(token: str):
    registration = _registration_or_404(token)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return render_template("registration/cancel.html", registration=registration,
                               gathering=registration.gathering)
    services.cancel(lock_gathering(registration.gathering_id), registration.id)
    flash(_("Uw aanmelding is geannuleerd."), "success")
    return redirect(url_for("registration.show", token=token), code=303)
