"""/my: ask for a personal link by e-mail; see all my registrations and my data."""
import json

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..database import writes
from ..extensions import limiter
from ..limits import address_key, no_valid_address
from . import services
from .forms import AccessLinkForm, EraseForm

bp = Blueprint("my", __name__)


@bp.after_request
def _private(response):
    # /my and its answers: a person's own registrations and data, and links that open them.
    response.headers.setdefault("Cache-Control", "private, no-store")
    response.headers.setdefault("X-Robots-Tag", "noindex")
    return response


@bp.get("/my")
def request_link():
    return render_template("my/request.html", form=AccessLinkForm())


@bp.post("/my")
@writes
@limiter.limit(lambda: current_app.config.get("MY_LINK_LIMIT_CLIENT", "30 per hour"))
@limiter.limit(lambda: current_app.config.get("MY_LINK_LIMIT_ADDRESS", "5 per hour"), key_func=address_key,
               exempt_when=no_valid_address, scope="my-link-email")
def request_link_post():
    form = AccessLinkForm()
    if not form.validate():
        return render_template("my/request.html", form=form), 422
    services.request_access_link(form.email.data, language=str(get_locale() or "nl"))
    # The same answer, after the same work, whether or not the address is known: the mail sender
    # looks it up (issue 9: a slower answer for known addresses told who is registered).
    return redirect(url_for("my.sent"), code=303)


@bp.get("/my/sent")
def sent():
    return render_template("my/sent.html")


def _access_or_abort(token: str) -> str:
    email_key, expired = services.find_access(token)
    if email_key is None:
        abort(404)
    if expired:
        abort(make_response(render_template("my/expired.html"), 410))
    return email_key


@bp.get("/my/<token>")
def page(token: str):
    email_key = _access_or_abort(token)
    from ..registration.services import waitlist_position

    from ..calendar.services import make_feed_token

    from ..alerts.services import follows_of, link_token

    registrations = services.registrations_of(email_key)
    feed_token = make_feed_token(email_key)  # on the first visit, in a transaction of its own
    follows = [(f, link_token(f.nonce)) for f in follows_of(email_key)]
    return _private(make_response(render_template(
        "my/page.html", token=token, email=email_key, registrations=registrations, follows=follows,
        positions={r.id: waitlist_position(r) for r in registrations},
        feed_token=feed_token, renew_url=url_for("my.feed_renew", token=token),
    )))


@bp.post("/my/<token>/feed/renew")
@writes
def feed_renew(token: str):
    """A new personal feed address; the old one answers 410 Gone from now on."""
    from ..calendar.services import renew_feed_token

    email_key = _access_or_abort(token)
    renew_feed_token(email_key)
    flash(_("Er is een nieuwe agenda-link gemaakt. De oude link werkt niet meer."), "success")
    return redirect(url_for("my.page", token=token), code=303)


@bp.post("/my/<token>/alerts/end")
@writes
def end_alerts(token: str):
    """Stop every message about new gatherings to this address (alerts)."""
    from ..alerts.services import end_address

    email_key = _access_or_abort(token)
    end_address(email_key)
    flash(_("U krijgt geen berichten meer over nieuwe bijeenkomsten."), "success")
    return redirect(url_for("my.page", token=token), code=303)


@bp.get("/my/<token>/export.json")
def export(token: str):
    email_key = _access_or_abort(token)
    data = services.export_data(email_key)
    response = current_app.response_class(json.dumps(data, ensure_ascii=False, indent=2),
                                          mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="mijn-gegevens.json"'
    return _private(response)


@bp.route("/my/<token>/erase", methods=["GET", "POST"])
@writes
def erase(token: str):
    email_key = _access_or_abort(token)
    form = EraseForm()
    if request.method == "POST" and form.validate() and form.confirm.data == "yes":
        services.erase(email_key)
        return _private(make_response(render_template("my/erased.html")))
    registrations = services.registrations_of(email_key)
    return _private(make_response(render_template(
        "my/erase.html", token=token, form=form, registrations=registrations)))
