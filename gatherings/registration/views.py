"""Register for a gathering, and a participant's own registration page."""
import hashlib
import hmac

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import TooManyRequests

from ..catalogue.services import get_visible_gathering
from ..database import read_only
from ..extensions import db, limiter
from ..limits import over_address_limit
from . import services
from .forms import RegistrationForm

bp = Blueprint("registration", __name__)

REFUSAL_MESSAGES = {
    "not_yet_open": lambda: _("De aanmelding is nog niet open."),
    "closed": lambda: _("De aanmelding is gesloten."),
    "past": lambda: _("Deze bijeenkomst is al geweest."),
    "cancelled": lambda: _("Deze bijeenkomst gaat niet door."),
    "draft": lambda: _("Deze bijeenkomst is nog niet gepubliceerd."),
}
OWN_TOKENS = "own_registrations"


@bp.after_request
def _private(response):
    # A registration's pages, their forms' answers and the redirect to them carry a personal token:
    # never in a shared cache or a search engine.
    response.headers.setdefault("Cache-Control", "private, no-store")
    response.headers.setdefault("X-Robots-Tag", "noindex")
    return response


# Per address, counted by the view once the form is valid (limits.py): a form with mistakes gets its messages.
ADDRESS_LIMIT = "10 per hour"


def _submission_key(gathering_id: int) -> str | None:
    """What the same browser sends with every click on this gathering's form, and nobody else can.

    A double click's second request leaves before the first answer (and its session update) arrives, so
    the list of own tokens does not know it yet; but both carry the session's CSRF secret, which was set
    when the page was loaded. The page itself is shared by all visitors, so it can hold nothing of its
    own. Hashed with the app's secret: the stored key says nothing about the session. None when the
    session has no secret (a client that posts without having loaded a page with a form).
    """
    secret = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if not secret or not isinstance(secret, str):
        return None
    app_key = current_app.config["SECRET_KEY"]
    app_key = app_key.encode() if isinstance(app_key, str) else app_key
    return hmac.new(app_key, f"submission:{gathering_id}:{secret}".encode(), hashlib.sha256).hexdigest()


def _remember_own(token: str) -> None:
    # The browser that created a registration may see it again after a double submit.
    own = [t for t in session.get(OWN_TOKENS, []) if t != token][-9:]
    session[OWN_TOKENS] = own + [token]


@bp.post("/gatherings/<slug>/register")
@limiter.limit("120 per minute")  # per client: a whole office behind one address still gets in
def register(slug: str):
    from ..public.views import render_gathering

    # Every registration of the opening rush waits for the gathering's lock, so it is held only for
    # deciding and writing: the form is checked first (as for a gathering without allotments), then
    # the gathering is found and locked in one query (services.register finds the lock held).
    form = RegistrationForm()
    if not form.validate() or form.is_spam:
        gathering = get_visible_gathering(slug)
        if gathering.is_mixed:
            form = RegistrationForm(perspective_required=True)
        if not form.validate():
            return render_gathering(gathering, form, status=422)
        current_app.logger.info("honeypot filled on %s; nothing stored", slug)
        return render_template("registration/received.html", gathering=gathering)
    wait = over_address_limit(ADDRESS_LIMIT, "register-email", form.email.data)
    if wait is not None:
        raise TooManyRequests(retry_after=wait)
    gathering = get_visible_gathering(slug, write_lock=True)
    if gathering.is_mixed:  # here the perspective decides the seat: required, "rather not say" is no answer
        form = RegistrationForm(perspective_required=True)
        if not form.validate():
            db.session.rollback()
            return render_gathering(gathering, form, status=422)
    perspective = form.perspective.data
    applicant = services.Applicant(
        name=form.name.data,
        email=form.email.data,
        perspective=perspective,
        organisation=form.organisation.data or "",
        needs=form.needs.data or "",
        consent_version=current_app.config["CONSENT_VERSION"],
        submission_key=_submission_key(gathering.id),
    )
    try:
        result = services.register(gathering.id, applicant)
    except services.RegistrationRefused as refused:
        db.session.rollback()
        message = REFUSAL_MESSAGES.get(refused.reason)
        if refused.reason == "perspective_required":
            form.perspective.errors = [_("Kies uw perspectief. Bij deze bijeenkomst hangt uw plek daarvan af.")]
        elif message:
            form.form_errors.append(message())
        return render_gathering(gathering, form, status=409 if message else 422)
    token = result.registration.token
    if not result.created and not result.repeated and token not in session.get(OWN_TOKENS, []):
        # Someone already registered with this address, and not from this browser (neither its own
        # tokens nor its submission key). Say nothing about it here; the address's owner is sent their own link.
        from .signals import registration_duplicate
        registration_duplicate.send(result.registration)
        db.session.commit()
        return render_template("registration/received.html", gathering=gathering)
    db.session.commit()
    _remember_own(token)
    return redirect(url_for("registration.show", token=token, new=1 if result.created else None), code=303)


def _registration_or_404(token: str):
    registration = services.find_by_token(token)
    if registration is None or registration.anonymised_at is not None:
        abort(404)
    return registration


@bp.get("/r/<token>")
def show(token: str):
    read_only()
    registration = _registration_or_404(token)
    response = current_app.make_response(render_template(
        "registration/show.html",
        registration=registration,
        gathering=registration.gathering,
        position=services.waitlist_position(registration),
        just_registered=request.args.get("new") == "1",
        state=registration.gathering.registration_state(),
    ))
    return response


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    registration = _registration_or_404(token)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return render_template("registration/cancel.html", registration=registration,
                               gathering=registration.gathering)
    services.cancel(registration.id)
    db.session.commit()
    flash(_("Uw aanmelding is geannuleerd."), "success")
    return redirect(url_for("registration.show", token=token), code=303)
