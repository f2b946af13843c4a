"""The organiser area under /organise/: logging in and out, own password, the list of gatherings."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_limiter.util import get_remote_address

from ..extensions import db, limiter
from ..registration.services import availability_for
from . import accounts
from .access import gathering_for_organiser, organiser_required, visible_gatherings_query
from .forms import LoginForm, PasswordForm

bp = Blueprint("organise", __name__, url_prefix="/organise")

DEFAULT_LOGIN_LIMIT_ADDRESS = "10 per hour"
DEFAULT_LOGIN_LIMIT_CLIENT = "60 per hour"


@bp.after_request
def _private(response):
    # Nothing from the organiser area belongs in a shared cache or a search engine.
    response.headers.setdefault("Cache-Control", "private, no-store")
    response.headers.setdefault("X-Robots-Tag", "noindex")
    return response


def _login_address_key() -> str:
    return "login:" + ((request.form.get("email") or "").strip().lower()[:254] or "-")


def _login_failed(response) -> bool:
    # Only failed attempts count: a successful login redirects.
    return response.status_code != 303


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/organise") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("organise.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("ORGANISE_LOGIN_LIMIT_CLIENT", DEFAULT_LOGIN_LIMIT_CLIENT),
               key_func=get_remote_address, methods=["POST"], deduct_when=_login_failed, scope="organise-login-client")
@limiter.limit(lambda: current_app.config.get("ORGANISE_LOGIN_LIMIT_ADDRESS", DEFAULT_LOGIN_LIMIT_ADDRESS),
               key_func=_login_address_key, methods=["POST"], deduct_when=_login_failed, scope="organise-login-address")
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("organise.index"))
    form = LoginForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            organiser = accounts.authenticate(form.email.data, form.password.data)
            if organiser is not None:
                next_url = _safe_next(request.args.get("next"))
                session.clear()
                login_user(organiser)
                db.session.commit()
                return redirect(next_url, code=303)
            form.form_errors.append(_("Het e-mailadres of het wachtwoord klopt niet."))
            status = 401
        else:
            status = 422
    return render_template("organise/login.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash(_("U bent uitgelogd."), "success")
    return redirect(url_for("organise.login"), code=303)


@bp.route("/password", methods=["GET", "POST"])
@organiser_required
def password():
    form = PasswordForm(organiser=current_user)
    if request.method == "POST":
        if not form.validate():
            return render_template("organise/password.html", form=form), 422
        accounts.change_password(current_user, form.new_password.data)
        db.session.commit()
        login_user(current_user)  # the session follows the renewed token; other sessions end
        flash(_("Uw wachtwoord is gewijzigd. Op andere apparaten moet u opnieuw inloggen."), "success")
        return redirect(url_for("organise.index"), code=303)
    return render_template("organise/password.html", form=form)


@bp.get("/")
@organiser_required
def index():
    from ..catalogue.models import Gathering
    gatherings = list(db.session.scalars(
        visible_gatherings_query(current_user).order_by(Gathering.starts_at.desc(), Gathering.id)
    ))
    return render_template("organise/index.html", gatherings=gatherings, seats=availability_for(gatherings))


@bp.get("/gatherings/<slug>")
@organiser_required
def gathering(slug: str):
    gathering = gathering_for_organiser(slug)
    return render_template("organise/gathering.html", gathering=gathering,
                           seats=availability_for([gathering])[gathering.id])
