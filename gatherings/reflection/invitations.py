"""Queueing the reflection invitation: once per checked-in participant, after the gathering ended.

Run by ``flask mail remind`` and by ``mail send --loop`` beside the reminders.
The outbox row's unique ``dedupe_key`` ("reflection:<registration id>") makes it
exactly once, also when two senders run at the same moment: the loser's
savepoint rolls back its outbox row *and* its invitation together.

The message is rendered by the sender (``render``), in the participant's
language, from the registration as it is then: an erased registration is never
invited.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..catalogue.models import Gathering
from ..extensions import db
from ..i18n import when
from ..mail import services as mail
from ..mail.models import OutboxMessage
from ..registration.models import Registration
from ..timeutil import utcnow
from ..urls import public_url
from . import services
from .models import ReflectionSettings

KIND = "reflection"
# Invitations go out for gatherings that ended at most this long ago: a late start of the
# mail sender still invites, a database restored from an old backup does not invite for last year.
WINDOW = timedelta(days=14)


def _dedupe_key(registration: Registration) -> str:
    return f"{KIND}:{registration.id}"


def due_gatherings(now: datetime) -> list[Gathering]:
    disabled = sa.select(ReflectionSettings.gathering_id).where(ReflectionSettings.enabled.is_(False))
    return list(db.session.scalars(sa.select(Gathering).where(
        Gathering.status == "published", Gathering.ends_at <= now, Gathering.ends_at > now - WINDOW,
        Gathering.id.not_in(disabled),
    ).order_by(Gathering.ends_at, Gathering.id)))


def queue_due_invitations(now: datetime | None = None) -> int:
    """Queue the reflection invitation for every checked-in participant of a gathering that just ended.

    Returns how many were queued; commits per gathering (a CLI/loop boundary, like reminders).
    """
    now = now or utcnow()
    queued = 0
    for gathering in due_gatherings(now):
        already = sa.select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.like(f"{KIND}:%"))
        registrations = db.session.scalars(sa.select(Registration).where(
            services.invitable(gathering.id),
            sa.literal(f"{KIND}:").concat(sa.cast(Registration.id, sa.String)).not_in(already),
        ).order_by(Registration.id)).all()
        queued += sum(queue_invitation(registration) for registration in registrations)
        db.session.commit()
    return queued


def queue_invitation(registration: Registration) -> bool:
    """One invitation and its message, or neither: the unique dedupe_key decides when two runs race."""
    with force_locale(mail.language_of(registration)):  # the row records it; the body follows (``render``)
        subject = _("Hoe was het? %(title)s", title=registration.gathering.title)
    try:
        with db.session.begin_nested():
            token = services.create_invitation(registration)
            mail.queue_for_registration(KIND, registration, subject=subject, dedupe_key=_dedupe_key(registration),
                                        token=token)
        return True
    except IntegrityError:
        return False  # another run queued it first


def render(row: OutboxMessage) -> tuple[str, str] | None:
    """Text and HTML of a queued invitation; None (never sent) when the registration is gone or erased."""
    registration = db.session.get(Registration, row.registration_id) if row.registration_id is not None else None
    if registration is None or registration.anonymised_at is not None or not registration.email:
        return None
    facts = json.loads(row.context or "{}")
    gathering = registration.gathering
    with force_locale(mail.row_language(row)):
        context = {
            "title": row.subject,
            "registration": registration,
            "gathering": gathering,
            "when": when(gathering.starts_at, gathering.ends_at),
            "reflect_url": public_url("reflection.reflect", token=facts["token"]),
            "certificate_url": public_url("certificates.pdf", token=registration.token),
            "registration_url": public_url("registration.show", token=registration.token),
            "organiser": gathering.host.name if gathering.host else _("de organisatie van de bijeenkomst"),
            "contact": mail.contact_of(gathering),
        }
        return (render_template("reflection/mail_invitation.txt", **context),
                render_template("reflection/mail_invitation.html", **context))


def register_listeners() -> None:
    mail.register_renderer(KIND, render)
