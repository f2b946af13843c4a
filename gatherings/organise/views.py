"""The organiser area under /organise/: logging in and out, own password, and the gatherings:
list, create, edit, duplicate, publish, cancel."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ..catalogue.models import Gathering, HostOrganisation, Theme
from ..catalogue.services import lock_gathering
from ..database import writes
from ..extensions import db
from ..inputs import local_target
from ..registration.services import availability, availability_for
from ..security import private
from ..timeutil import utcnow
from . import accounts, attempts, login_sessions, password_links, services
from .auth import log_in, log_out
from .access import gathering_for_organiser, organiser_required, visible_gatherings_query
from .forms import LoginForm, PasswordForm, RequestResetForm, ResetWithLinkForm
from .gathering_forms import CancelGatheringForm, GatheringForm, PublishForm
from .models import Organiser

bp = Blueprint("organise", __name__, url_prefix="/organise")
# Nothing from the organiser area belongs in a shared cache or a search engine.
bp.after_request(private)


def _too_many_tries(wait: int) -> str:
    minutes = max(1, -(-wait // 60))
    return ngettext("Er is te vaak een verkeerd wachtwoord geprobeerd. Probeer het over %(num)d minuut opnieuw.",
                    "Er is te vaak een verkeerd wachtwoord geprobeerd. Probeer het over %(num)d minuten opnieuw.",
                    minutes)


def _safe_next(target: str | None) -> str:
    home = url_for("organise.index")
    return local_target(target, home, under=home)


@bp.route("/login", methods=["GET", "POST"])
@writes
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("organise.index"))
    form = LoginForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            # Wrong passwords are counted per account and client, and per client (attempts.py).
            counters = attempts.login_counters(form.email.data)
            wait = attempts.wait_seconds(counters)
            if wait is not None:
                form.form_errors.append(_too_many_tries(wait))
                return render_template("organise/login.html", form=form), 429, {"Retry-After": str(wait)}
            organiser = accounts.authenticate(form.email.data, form.password.data)
            if organiser is not None:
                next_url = _safe_next(request.args.get("next"))
                log_in(organiser)
                return redirect(next_url, code=303)
            attempts.count_failure(counters)
            form.form_errors.append(_("Het e-mailadres of het wachtwoord klopt niet."))
            status = 401
        else:
            status = 422
    return render_template("organise/login.html", form=form), status


@bp.post("/logout")
@writes
def logout():
    log_out()
    flash(_("U bent uitgelogd."), "success")
    return redirect(url_for("organise.login"), code=303)


@bp.post("/logout/everywhere")
@writes
@organiser_required
def logout_everywhere():
    # A new account token ends every session of this account, wherever its cookie is.
    login_sessions.end_all(current_user)
    log_out()
    flash(_("U bent op alle apparaten uitgelogd."), "success")
    return redirect(url_for("organise.login"), code=303)


@bp.route("/password", methods=["GET", "POST"])
@writes
@organiser_required
def password():
    form = PasswordForm(organiser=current_user)
    if request.method == "POST":
        if not form.validate():
            return render_template("organise/password.html", form=form), 422
        # The current password is checked last, and wrong ones are counted: a session left
        # open on a shared phone must not become a way to guess it (attempts.py).
        counters = attempts.password_check_counters(current_user.id)
        wait = attempts.wait_seconds(counters)
        if wait is not None:
            form.current_password.errors.append(_too_many_tries(wait))
            return render_template("organise/password.html", form=form), 429, {"Retry-After": str(wait)}
        if not current_user.check_password(form.current_password.data):
            attempts.count_failure(counters)
            form.current_password.errors.append(_("Dit is niet uw huidige wachtwoord."))
            return render_template("organise/password.html", form=form), 422
        organiser = current_user._get_current_object()
        accounts.change_password(organiser, form.new_password.data)  # ends every session of the account
        log_in(organiser)  # and this browser goes on in a new one
        flash(_("Uw wachtwoord is gewijzigd. Op andere apparaten moet u opnieuw inloggen."), "success")
        return redirect(url_for("organise.index"), code=303)
    return render_template("organise/password.html", form=form)


# -- a forgotten password, an invitation --------------------------------------

def _too_many_requests(wait: int) -> str:
    minutes = max(1, -(-wait // 60))
    return ngettext("Er is te vaak om een link gevraagd. Probeer het over %(num)d minuut opnieuw.",
                    "Er is te vaak om een link gevraagd. Probeer het over %(num)d minuten opnieuw.", minutes)


@bp.route("/password/reset", methods=["GET", "POST"])
def request_reset():
    form = RequestResetForm()
    if request.method == "GET":
        return render_template("organise/reset_request.html", form=form)
    if not form.validate():
        return render_template("organise/reset_request.html", form=form), 422
    # Counted only once the form is right (a typing mistake is never a 429), for every address alike.
    counters = attempts.reset_request_counters(form.email.data)
    wait = attempts.wait_seconds(counters)
    if wait is not None:
        form.email.errors.append(_too_many_requests(wait))
        return render_template("organise/reset_request.html", form=form), 429, {"Retry-After": str(wait)}
    attempts.count_failure(counters)
    # The same answer after the same work (one outbox row) for every address: the mail sender decides
    # whether it belongs to an organiser, so nobody learns here who has an account.
    password_links.request_reset(form.email.data)
    db.session.commit()
    return redirect(url_for("organise.reset_sent"), code=303)


@bp.get("/password/reset/sent")
def reset_sent():
    hours = int(password_links.validity(password_links.LinkPurpose.RESET).total_seconds() // 3600)
    return render_template("organise/reset_sent.html", hours=hours)


def _no_referrer(response):
    # The page's address holds the link's secret: never pass it on to another site.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_with_link(token: str):
    check = password_links.check_token(token)
    if check.organiser is None:
        status = 410 if check.known else 404
        return _no_referrer(make_response(render_template("organise/reset_expired.html", check=check), status))
    organiser = check.organiser
    form = ResetWithLinkForm(organiser=organiser)
    invitation = check.purpose is password_links.LinkPurpose.INVITATION
    if request.method == "POST":
        if not form.validate():
            return _no_referrer(make_response(render_template(
                "organise/reset_form.html", form=form, organiser=organiser, invitation=invitation), 422))
        password_links.set_password_with_link(organiser, form.new_password.data)  # ends every session, and the link
        log_in(organiser)
        db.session.commit()
        if invitation:
            flash(_("Welkom! Uw wachtwoord is opgeslagen en u bent ingelogd."), "success")
        else:
            flash(_("Uw nieuwe wachtwoord is opgeslagen. U bent ingelogd; op andere apparaten moet u opnieuw "
                    "inloggen."), "success")
        return redirect(url_for("organise.index"), code=303)
    return _no_referrer(make_response(render_template(
        "organise/reset_form.html", form=form, organiser=organiser, invitation=invitation)))


@bp.get("/")
@organiser_required
def index():
    visible = visible_gatherings_query(current_user)
    now = utcnow()
    upcoming = list(db.session.scalars(
        visible.where(Gathering.ends_at > now).order_by(Gathering.starts_at, Gathering.id)))
    past = list(db.session.scalars(
        visible.where(Gathering.ends_at <= now).order_by(Gathering.starts_at.desc(), Gathering.id).limit(100)))
    return render_template("organise/index.html", upcoming=upcoming, past=past,
                           seats=availability_for(upcoming + past))


# -- gatherings -------------------------------------------------------------

def _gathering_form(gathering: Gathering | None = None, **kwargs) -> GatheringForm:
    themes = db.session.scalars(sa.select(Theme).order_by(Theme.name))
    hosts = db.session.scalars(sa.select(HostOrganisation).order_by(HostOrganisation.name))
    assigned = [o.id for o in gathering.organisers] if gathering is not None else []
    organisers = db.session.scalars(sa.select(Organiser).where(
        sa.or_(Organiser.active.is_(True), Organiser.id.in_(assigned))).order_by(Organiser.email))
    return GatheringForm(
        gathering=gathering, seats=availability(gathering) if gathering is not None else None,
        current=current_user, themes=themes, hosts=hosts, organisers=organisers, **kwargs,
    )


def _refused(form, refused: services.GatheringRefused) -> None:
    if refused.field and hasattr(form, refused.field):
        getattr(form, refused.field).errors = [refused.message]
    else:
        form.form_errors.append(refused.message)


@bp.route("/gatherings/new", methods=["GET", "POST"])
@writes
@organiser_required
def new_gathering():
    form = _gathering_form()
    if request.method == "GET":
        form.organiser_ids.data = [current_user.id]
        return render_template("organise/gathering_form.html", form=form, gathering=None)
    if not form.validate():
        return render_template("organise/gathering_form.html", form=form, gathering=None), 422
    gathering = services.create_gathering(form.values(), organiser_ids=form.organiser_ids.data, by=current_user)
    flash(_("De bijeenkomst is opgeslagen als concept. Publiceer haar als alles klopt."), "success")
    return redirect(url_for("organise.gathering", slug=gathering.slug), code=303)


@bp.route("/gatherings/<slug>/edit", methods=["GET", "POST"])
@writes
@organiser_required
def edit_gathering(slug: str):
    gathering = gathering_for_organiser(slug)
    if gathering.status == "cancelled":
        flash(_("Deze bijeenkomst gaat niet door en kan niet meer veranderen."), "warning")
        return redirect(url_for("organise.gathering", slug=gathering.slug), code=303)
    if request.method == "GET":
        form = _gathering_form(gathering, obj=gathering)
        form.organiser_ids.data = [o.id for o in gathering.organisers]
        return render_template("organise/gathering_form.html", form=form, gathering=gathering)
    form = _gathering_form(gathering)
    if not form.validate():
        return render_template("organise/gathering_form.html", form=form, gathering=gathering), 422
    try:
        result = services.update_gathering(lock_gathering(gathering.id), form.values(),
                                           organiser_ids=form.organiser_ids.data)
    except services.GatheringRefused as refused:
        db.session.rollback()
        _refused(form, refused)
        return render_template("organise/gathering_form.html", form=form, gathering=gathering), 409
    if result.changes:
        flash(_("De wijzigingen zijn opgeslagen. De aangemelde mensen krijgen een e-mail met de nieuwe gegevens."),
              "success")
    else:
        flash(_("De wijzigingen zijn opgeslagen."), "success")
    if result.promoted:
        flash(ngettext("%(num)d persoon van de wachtlijst heeft nu een plek.",
                       "%(num)d mensen van de wachtlijst hebben nu een plek.", len(result.promoted)), "success")
    return redirect(url_for("organise.gathering", slug=result.gathering.slug), code=303)


@bp.post("/gatherings/<slug>/duplicate")
@writes
@organiser_required
def duplicate_gathering(slug: str):
    gathering = gathering_for_organiser(slug)
    copy = services.duplicate_gathering(gathering.id, by=current_user)
    flash(_("Dit is een kopie, opgeslagen als concept. Pas de datum en andere gegevens aan."), "success")
    return redirect(url_for("organise.edit_gathering", slug=copy.slug), code=303)


@bp.post("/gatherings/<slug>/publish")
@writes
@organiser_required
def publish_gathering(slug: str):
    gathering = gathering_for_organiser(slug)
    try:
        services.publish_gathering(lock_gathering(gathering.id))
    except services.GatheringRefused as refused:
        db.session.rollback()
        return _show(gathering, refused.message, status=409)
    flash(_("De bijeenkomst is gepubliceerd en staat nu op de website."), "success")
    return redirect(url_for("organise.gathering", slug=gathering.slug), code=303)


@bp.route("/gatherings/<slug>/cancel", methods=["GET", "POST"])
@writes
@organiser_required
def cancel_gathering(slug: str):
    gathering = gathering_for_organiser(slug)
    form = CancelGatheringForm()
    if gathering.status == "cancelled":
        form.form_errors.append(_("Deze bijeenkomst was al afgelast."))
        return render_template("organise/cancel.html", form=form, gathering=gathering,
                               seats=availability(gathering)), 409 if request.method == "POST" else 200
    if request.method == "GET":
        return render_template("organise/cancel.html", form=form, gathering=gathering, seats=availability(gathering))
    if not form.validate():
        return render_template("organise/cancel.html", form=form, gathering=gathering,
                               seats=availability(gathering)), 422
    services.cancel_gathering(lock_gathering(gathering.id), form.message.data or "")
    flash(_("De bijeenkomst is afgelast. De aangemelde mensen krijgen een e-mail."), "success")
    return redirect(url_for("organise.gathering", slug=gathering.slug), code=303)


def _show(gathering: Gathering, error: str | None = None, status: int = 200):
    return render_template("organise/gathering.html", gathering=gathering, seats=availability(gathering),
                           action_form=PublishForm(), error=error), status


@bp.get("/gatherings/<slug>")
@organiser_required
def gathering(slug: str):
    return _show(gathering_for_organiser(slug))
