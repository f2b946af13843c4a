"""Reminders before a gathering: queued once per confirmed registration when its gathering is due for one.

``flask --app wsgi mail remind`` (and ``mail send --loop``) calls ``queue_due_reminders``.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..catalogue.models import Gathering
from ..extensions import db
from ..registration.models import LANGUAGES, Registration
from ..timeutil import local, utcnow
from .models import OutboxMessage
from .services import language_of, queue_for_registration


def _reminder_subject(gathering: Gathering, language: str) -> str:
    with force_locale(language):
        from flask_babel import format_date
        return _("Herinnering: %(title)s op %(day)s", title=gathering.title,
                 day=format_date(local(gathering.starts_at), "EEEE d MMMM"))


def queue_due_reminders(now: datetime | None = None) -> int:
    """Queue a reminder for every confirmed registration whose gathering is due for one.

    Due: the gathering starts within its ``reminder_days`` and has not started.
    Exactly once per registration, however often this runs and also when two
    runs overlap: the row's ``dedupe_key`` is unique. Someone confirmed inside the
    window already got their confirmation close to the day and is not reminded.
    Returns how many were queued; commits per gathering.
    """
    now = now or utcnow()
    horizon = now + timedelta(days=max_reminder_days())
    gatherings = db.session.scalars(sa.select(Gathering).where(
        Gathering.status == "published", Gathering.starts_at > now, Gathering.starts_at <= horizon,
        Gathering.reminder_days > 0,
    ).order_by(Gathering.starts_at)).all()
    queued = 0
    for gathering in gatherings:
        remind_from = gathering.starts_at - timedelta(days=gathering.reminder_days)
        if now < remind_from:
            continue
        already = sa.select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.like("reminder:%"))
        registrations = db.session.scalars(sa.select(Registration).where(
            Registration.gathering_id == gathering.id,
            Registration.status == "confirmed",
            Registration.email.is_not(None),
            Registration.anonymised_at.is_(None),
            Registration.confirmed_at < remind_from,
            sa.literal("reminder:").concat(sa.cast(Registration.id, sa.String)).not_in(already),
        ).order_by(Registration.id)).all()
        subjects = {language: _reminder_subject(gathering, language) for language in LANGUAGES}
        queued += sum(queue_reminder(registration, subjects[language_of(registration)])
                      for registration in registrations)
        db.session.commit()
    return queued


def queue_reminder(registration: Registration, subject: str) -> bool:
    """Queue one reminder unless one exists; the unique dedupe_key decides when two runs race."""
    try:
        with db.session.begin_nested():
            queue_for_registration("reminder", registration, subject=subject, dedupe_key=f"reminder:{registration.id}")
        return True
    except IntegrityError:
        return False  # another run queued it first


def max_reminder_days() -> int:
    return db.session.scalar(sa.select(sa.func.max(Gathering.reminder_days)).where(
        Gathering.status == "published")) or 0
