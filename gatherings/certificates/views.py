"""/r/<token>/certificate.pdf for the participant; /certificates/<code> for whoever checks one."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import force_locale
from werkzeug.http import dump_options_header

from ..extensions import db, limiter
from ..registration.models import Registration
from . import services

bp = Blueprint("certificates", __name__)


def _registration_or_404(token: str) -> Registration:
    if not token or len(token) > 100:
        abort(404)
    registration = db.session.scalar(db.select(Registration).where(Registration.token == token))
    if registration is None or not services.is_eligible(registration):
        abort(404)
    return registration


@bp.get("/r/<token>/certificate.pdf")
def pdf(token: str):
    registration = _registration_or_404(token)
    typed = request.args.get("register", "")
    try:
        register_number = services.clean_register_number(typed)
    except ValueError:
        # Shown again with the message at the field and what was typed kept; nothing is stored.
        return render_template("certificates/register_number.html", registration=registration,
                               gathering=registration.gathering, typed=typed[:200], invalid=True), 422
    certificate = services.certificate_for(registration)
    db.session.commit()
    # In the language the person registered in, like every mail they get: the same certificate
    # whoever opens the link, in whatever browser.
    language = registration.language if registration.language in current_app.config["LANGUAGES"] else "nl"
    with force_locale(language):
        body = services.pdf(registration, certificate, language=language, register_number=register_number)
    response = current_app.response_class(body, content_type="application/pdf")
    # A fixed file name: nothing typed reaches the header.
    response.headers["Content-Disposition"] = dump_options_header("inline", {"filename": "bewijs-van-deelname.pdf"})
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/certificates/<code>")
@limiter.limit("30 per minute")
def verify(code: str):
    registration = services.verify(code)
    if registration is None:
        return render_template("certificates/verify.html", registration=None), 404
    return render_template("certificates/verify.html", registration=registration,
                           gathering=registration.gathering)


@bp.app_template_global()
def certificate_available(registration: Registration) -> bool:
    """For the registration page (/r/<token>): whether to offer the certificate."""
    return services.is_eligible(registration)
