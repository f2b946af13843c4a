"""/reflect/<token>: the participant's reflection, one page, once."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for

from ..catalogue.models import Gathering
from ..extensions import db, limiter
from . import services
from .forms import ReflectionForm

bp = Blueprint("reflection", __name__)


@bp.after_request
def _private(response):
    # A personal page: not kept by shared caches, not sent on as a referrer.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _page(invitation, form, status=200):
    gathering = db.session.get(Gathering, invitation.gathering_id)
    form.ask(*services.questions(services.settings_of(gathering)))
    return render_template("reflection/reflect.html", gathering=gathering, form=form), status


@bp.route("/reflect/<token>", methods=["GET", "POST"])
@limiter.limit("60 per minute", methods=["POST"])
def reflect(token: str):
    try:
        invitation = services.invitation_for_token(token)
    except services.ReflectionUnavailable:
        abort(404)
    if invitation.used:
        gathering = db.session.get(Gathering, invitation.gathering_id)
        return render_template("reflection/thanks.html", gathering=gathering, again=True)
    form = ReflectionForm()
    if not form.is_submitted():
        return _page(invitation, form)
    if not form.validate():
        return _page(invitation, form, 422)
    answer = services.Answer(value=int(form.value.data) if form.value.data else None,
                             takeaway=form.takeaway.data or "", suggestion=form.suggestion.data or "")
    try:
        services.submit_answer(token, answer)
    except services.AlreadyAnswered:
        db.session.rollback()
        return redirect(url_for(".reflect", token=token), code=303)
    db.session.commit()
    return redirect(url_for(".reflect", token=token), code=303)
