"""/alerts: follow themes and kinds by e-mail; confirm, change and stop through the links in the mail."""
from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import TooManyRequests

from ..catalogue.services import all_themes
from ..database import writes
from ..extensions import csrf, limiter
from ..limits import over_address_limit
from . import services
from .forms import ChoiceForm, FollowForm

bp = Blueprint("alerts", __name__)


def _private(response):
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _form_page(form, status=200):
    return render_template("alerts/follow.html", form=form,
                           consent_version=current_app.config["ALERTS_CONSENT_VERSION"]), status


@bp.get("/alerts")
def follow():
    form = FollowForm(themes=all_themes(), formdata=None)
    # "Houd me op de hoogte" on a gathering's page ticks its theme and kind (only what is offered).
    form.theme.data = [v for v in request.args.getlist("theme") if v in dict(form.theme.choices)]
    form.kind.data = [v for v in request.args.getlist("kind") if v in dict(form.kind.choices)]
    return _form_page(form)


@bp.post("/alerts")
@writes
@limiter.limit(lambda: current_app.config.get("ALERTS_LIMIT_CLIENT", "120 per minute"))
def follow_post():
    form = FollowForm(themes=all_themes())
    if not form.validate():
        return _form_page(form, 422)
    if form.is_spam:
        current_app.logger.info("honeypot filled on /alerts; nothing stored")
        return redirect(url_for("alerts.sent"), code=303)
    # Counted only now, for a form without mistakes (a typo gets its message, never a 429).
    wait = over_address_limit(current_app.config.get("ALERTS_LIMIT_ADDRESS", "5 per hour"), "alerts-email",
                              form.email.data)
    if wait is not None:
        raise TooManyRequests(retry_after=wait)
    services.request_follow(form.email.data, theme_slugs=form.theme.data, kinds=form.kind.data,
                            locale=str(get_locale() or "nl"),
                            consent_version=current_app.config["ALERTS_CONSENT_VERSION"])
    # The same answer after the same work for every address: whether it already follows
    # something is never looked up here (see services.request_follow).
    return redirect(url_for("alerts.sent"), code=303)


@bp.get("/alerts/sent")
def sent():
    return render_template("alerts/sent.html")


def _follow_or_404(token: str):
    follow = services.find(token)
    if follow is None:
        abort(404)
    return follow


@bp.route("/alerts/<token>/confirm", methods=["GET", "POST"])
@writes
def confirm(token: str):
    """A GET shows a button, a POST confirms: a mail scanner that opens the link confirms nothing."""
    follow = _follow_or_404(token)
    if follow.is_active:
        return redirect(url_for("alerts.manage", token=token), code=303)
    if request.method == "POST":  # its CSRF token is checked by CSRFProtect, as for every form
        active = services.confirm(follow)
        flash(_("Gelukt. U krijgt vanaf nu een e-mail als er een bijeenkomst bij komt die u volgt."), "success")
        return redirect(url_for("alerts.manage", token=services.link_token(active.nonce)), code=303)
    return _private(make_response(render_template("alerts/confirm.html", follow=follow, token=token)))


@bp.route("/alerts/<token>", methods=["GET", "POST"])
@writes
def manage(token: str):
    follow = _follow_or_404(token)
    if not follow.is_active:
        return redirect(url_for("alerts.confirm", token=token), code=303)
    themes = all_themes()
    if request.method == "POST":
        form = ChoiceForm(themes=themes)
        if form.validate():
            services.change(follow, theme_slugs=form.theme.data, kinds=form.kind.data)
            flash(_("Uw keuze is opgeslagen."), "success")
            # #main: not the form's own #keuze, which the browser would keep from the POST (forms.js).
            return redirect(url_for("alerts.manage", token=token, _anchor="main"), code=303)
        status = 422
    else:
        form = ChoiceForm(themes=themes, formdata=None)
        form.theme.data = [t.slug for t in follow.themes]
        form.kind.data = follow.kind_codes
        status = 200
    return _private(make_response(render_template("alerts/manage.html", form=form, follow=follow, token=token),
                                  status))


@bp.get("/alerts/<token>/unsubscribe")
def unsubscribe(token: str):
    """The page behind the link in the mail: a button, because mail scanners open links."""
    follow = services.find(token)
    return _private(make_response(render_template("alerts/unsubscribe.html", follow=follow, token=token)))


@bp.post("/alerts/<token>/unsubscribe")
@csrf.exempt
@writes  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click" here; the token is the authority
def unsubscribe_post(token: str):
    follow = services.find(token)
    if follow is not None:
        services.end(follow)
    # The same page when it had already ended: clicking twice is not an error.
    return _private(make_response(render_template("alerts/unsubscribed.html")))
