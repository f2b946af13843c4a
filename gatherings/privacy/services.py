"""Keep nothing longer than needed: anonymise registrations after the retention period.

What is kept after anonymising: that a registration existed, its gathering,
status, perspective (only as part of the aggregate counts, no longer linked to
a name, address or organisation), and check-in. Everything that identifies a
person goes: name, e-mail address, organisation, needs, the companion's name, the consent record's
link to a person, the personal link (a new random token that nobody has), and
the key that tied the registration to the browser that sent it.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from blinker import Namespace
from flask import current_app

from ..catalogue.models import Gathering
from ..extensions import db
from ..registration.models import Registration, new_token
from ..timeutil import utcnow

_signals = Namespace()
# Other areas (mail outbox, access links, feed tokens) remove what they keep about people.
# Sent with sender=None and kwargs: cutoff (datetime), now (datetime).
purge_requested = _signals.signal("purge-requested")


def retention_cutoff(now: datetime | None = None) -> datetime:
    now = now or utcnow()
    return now - timedelta(days=int(current_app.config["RETENTION_DAYS"]))


def anonymise(registration: Registration, now: datetime) -> None:
    registration.name = ""
    registration.email = None
    registration.email_key = None
    registration.organisation = ""
    registration.needs = ""
    registration.needs_changed_at = None
    registration.companion_name = ""  # a name of a person too (that a companion came stays: it took a seat)
    registration.submission_key = None
    registration.token = new_token()
    registration.anonymised_at = now


def purge(now: datetime | None = None) -> int:
    """Anonymise registrations of gatherings that ended before the retention cut-off. Returns how many."""
    now = now or utcnow()
    cutoff = retention_cutoff(now)
    due = db.session.scalars(
        sa.select(Registration)
        .join(Gathering, Registration.gathering_id == Gathering.id)
        .where(Gathering.ends_at < cutoff, Registration.anonymised_at.is_(None))
    ).all()
    for registration in due:
        anonymise(registration, now)
    db.session.flush()
    purge_requested.send(None, cutoff=cutoff, now=now)
    return len(due)
