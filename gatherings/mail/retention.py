"""How long the outbox keeps mail, and forgetting an address's mail when its owner erases their data."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..registration.models import Registration
from .models import OutboxMessage


def forget_address(email_key: str) -> None:
    """Nothing more is sent to this address, and nothing about it is kept in the outbox. Flushes."""
    db.session.execute(
        sa.update(OutboxMessage).where(OutboxMessage.email_key == email_key,
                                       OutboxMessage.status.in_(("queued", "sending")))
        .values(status="dropped", claim_count=OutboxMessage.claim_count + 1)
    )
    db.session.execute(
        sa.update(OutboxMessage).where(OutboxMessage.email_key == email_key)
        .values(to_address="", to_name="", email_key="", body_text="", body_html="", context=None, ics=None,
                last_error="")
    )
    db.session.flush()


def on_purge_requested(_sender, cutoff: datetime, now: datetime, **_kw) -> None:
    """``flask privacy purge``: forget mail older than the retention period, and mail of purged registrations."""
    anonymised = sa.select(Registration.id).where(Registration.anonymised_at.is_not(None))
    db.session.execute(sa.delete(OutboxMessage).where(
        OutboxMessage.status.in_(("sent", "failed", "dropped")),
        sa.or_(OutboxMessage.created_at < cutoff, OutboxMessage.registration_id.in_(anonymised)),
    ))
    db.session.flush()


def forget_finished_mail(kind: str, created_before: datetime) -> None:
    """Delete sent, failed and dropped messages of ``kind`` queued before ``created_before``. Flushes."""
    db.session.execute(sa.delete(OutboxMessage).where(
        OutboxMessage.kind == kind, OutboxMessage.status.in_(("sent", "failed", "dropped")),
        OutboxMessage.created_at < created_before,
    ))
    db.session.flush()
