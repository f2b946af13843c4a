"""An organiser's message to a gathering's registrants: how it reads, and a test copy to the organiser.

The message itself is queued per registration by ``services.queue_organiser_message``
(rendered by the sender like every message about a registration). Before that the
organiser sees it as a participant will (``preview``, the same templates) and may
send one copy to their own address (``queue_test``): an outbox row like any other,
rendered by the sender (``render_test``) from the gathering as it is then.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _

from ..catalogue.models import Gathering
from ..extensions import db
from ..urls import public_url
from . import services
from .headers import header_text
from .models import OutboxMessage

TEST_KIND = "organiser_message_test"
KIND = "organiser_message"
# Stands where each participant's own link will be: a preview or a test copy holds nobody's token.
EXAMPLE_TOKEN = "voorbeeld-persoonlijke-link"


@dataclass
class Preview:
    from_name: str
    reply_to: str
    subject: str
    text: str
    html: str


def full_subject(gathering: Gathering, subject: str) -> str:
    return f"{gathering.title}: {header_text(subject, 150)}"


def from_name(sender_name: str) -> str | None:
    sender = header_text(sender_name, 100)
    with force_locale("nl"):
        return header_text(_("%(name)s via Gatherings", name=sender)) if sender else None


def _context(gathering: Gathering, subject: str, body: str, sender_name: str, *, test: bool) -> dict:
    with force_locale("nl"):
        context = services._gathering_context(gathering)
    context.update(
        registration=None, registration_status="confirmed", ics_method=None, test=test,
        manage_url=public_url("registration.show", token=EXAMPLE_TOKEN),
        organiser_subject=header_text(subject, 150), organiser_body=(body or "").strip(),
        sender_name=header_text(sender_name, 100),
    )
    return context


def preview(gathering: Gathering, subject: str, body: str, sender_name: str) -> Preview:
    """The message as someone with a seat gets it (in Dutch, like the message itself), their link an example."""
    title = full_subject(gathering, subject)
    text, html = services.render_bodies(KIND, title, _context(gathering, subject, body, sender_name, test=False))
    return Preview(from_name=from_name(sender_name) or "", reply_to=services.contact_of(gathering), subject=title,
                   text=text, html=html)


def queue_test(gathering: Gathering, to: str, subject: str, body: str, sender_name: str) -> OutboxMessage:
    """One copy to ``to`` (the organiser's own address), marked as a test; the caller commits."""
    with force_locale("nl"):
        title = _("[Test] %(subject)s", subject=full_subject(gathering, subject))
    row = services.queue_for_address(TEST_KIND, to=to, subject=title, context={
        "gathering_id": gathering.id, "subject": header_text(subject, 150), "body": (body or "").strip(),
        "sender_name": header_text(sender_name, 100)})
    row.from_name = from_name(sender_name)
    row.reply_to = services.contact_of(gathering)
    row.gathering_id = gathering.id
    db.session.flush()
    return row


def render_test(row: OutboxMessage) -> tuple[str, str] | None:
    """The test copy, rendered by the sender; None (never sent) when the gathering is gone."""
    facts = json.loads(row.context or "{}")
    gathering = db.session.get(Gathering, facts.get("gathering_id") or 0)
    if gathering is None:
        return None
    return services.render_bodies(KIND, row.subject, _context(
        gathering, facts.get("subject", ""), facts.get("body", ""), facts.get("sender_name", ""), test=True))
