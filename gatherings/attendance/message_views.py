"""An organiser's message to a gathering's registrants, at /organise/gatherings/<slug>/message.

Never on one click: the form leads to a preview of the message as participants
will get it, with the number of people it goes to; from there the organiser can
send a test copy to their own address, change the message, or send it. Sending
checks that the number they confirmed is still the number it reaches. The page
also shows what was sent before (``GatheringMessage``).

Every step is a POST of the same form (its buttons are named ``step``), so nothing
typed is lost and it all works without JavaScript. Routes on the attendance
blueprint (``attendance.message``), registered by the app factory importing this module.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..catalogue.models import Gathering
from ..database import writes
from ..mail import organiser_messages
from ..organise.access import gathering_for_organiser, organiser_required
from ..programme.organise_forms import add_workshop_audiences
from . import listing, services
from .forms import AUDIENCE_LABELS, MessageForm
from .views import bp

STEPS = ("preview", "test", "send", "edit")


def _form(gathering: Gathering, **kwargs) -> MessageForm:
    """The message form, with one audience per workshop where the gathering has a programme."""
    form = MessageForm(**kwargs)
    add_workshop_audiences(form, gathering, request.args.get("audience") if request.method == "GET" else None)
    return form


def _audience_labels(form: MessageForm) -> dict:
    """Every audience's words: the three groups, and the gathering's workshops (for the history too)."""
    return {**AUDIENCE_LABELS, **{choice.value: choice.label for choice in form.audience.choices}}


def _page(gathering: Gathering, form: MessageForm, status: int = 200):
    sizes = {audience: listing.audience_size(gathering, audience) for audience in listing.AUDIENCES}
    return render_template("attendance/message.html", gathering=gathering, form=form, sizes=sizes,
                           history=services.message_history(gathering), audience_labels=_audience_labels(form)), status


def _preview(gathering: Gathering, form: MessageForm, *, status: int = 200, notice: str = "", changed: bool = False):
    shown = organiser_messages.preview(gathering, form.subject.data, form.body.data, form.sender_name.data)
    return render_template(
        "attendance/message_preview.html", gathering=gathering, form=form, shown=shown, notice=notice,
        changed=changed, recipients=listing.audience_size(gathering, form.audience.data),
        audience_label=_audience_labels(form)[form.audience.data],
    ), status


def _confirmed_count() -> int | None:
    value = request.form.get("recipients", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 8 else None


@bp.route("/gatherings/<slug>/message", methods=["GET", "POST"])
@writes
@organiser_required
def message(slug: str):
    gathering = gathering_for_organiser(slug)
    if request.method == "GET":
        return _page(gathering, _form(gathering, data={"sender_name": current_user.name or ""}))
    form = _form(gathering)
    step = request.form.get("step")
    step = step if step in STEPS else "preview"
    if not form.validate():
        return _page(gathering, form, 422)
    if step == "edit":
        return _page(gathering, form)
    if step == "test":
        organiser_messages.queue_test(gathering, current_user.email, form.subject.data, form.body.data,
                                      form.sender_name.data)
        return _preview(gathering, form, notice=_(
            "Er is een testbericht naar %(email)s gestuurd. Het komt over een paar minuten aan.",
            email=current_user.email))
    recipients = listing.audience_size(gathering, form.audience.data)
    if step == "preview":
        return _preview(gathering, form)
    if recipients == 0 or _confirmed_count() != recipients:
        # Someone registered or cancelled since the preview: the organiser confirms the new number.
        return _preview(gathering, form, status=409, changed=True)
    queued = services.message_registrants(gathering, form.audience.data, form.subject.data, form.body.data,
                                          form.sender_name.data, sender=current_user)
    flash(ngettext("Het bericht gaat naar %(num)d persoon.", "Het bericht gaat naar %(num)d personen.", queued),
          "success")
    return redirect(url_for(".message", slug=gathering.slug, _anchor="history-title"), code=303)
