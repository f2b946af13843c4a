"""Claiming outbox rows, and recording an attempt's outcome only while the claim is still ours.

A row is claimed in a short transaction (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so senders on several machines each take different rows) and its
``claim_count`` raised; only the sender holding that claim records the outcome.
A sender that dies after claiming leaves a row in ``sending``; once the claim is
older than ``MAIL_CLAIM_TIMEOUT`` another sender takes it. On SQLite run one
sender: the claim is safe (compare-and-set), but SQLite has no SKIP LOCKED.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..timeutil import utcnow
from .models import OutboxMessage


def _due(now: datetime):
    stale = now - timedelta(seconds=current_app.config.get("MAIL_CLAIM_TIMEOUT", 600))
    return sa.or_(
        sa.and_(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now),
        sa.and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < stale),
    )


def claim_next(now: datetime | None = None) -> tuple[int, int] | None:
    """Claim one due row; returns (id, claim_count) or None when nothing is due. Commits."""
    now = now or utcnow()
    query = sa.select(OutboxMessage.id, OutboxMessage.claim_count).where(_due(now)).order_by(
        OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    for _attempt in range(10):
        try:
            row = db.session.execute(query).first()
            if row is None:
                db.session.rollback()
                return None
            row_id, seen = row
            # Compare-and-set: where there is no row lock (SQLite) only one sender wins.
            claimed = db.session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id == row_id, OutboxMessage.claim_count == seen, _due(now))
                .values(status="sending", claimed_at=now, claim_count=seen + 1)
            ).rowcount
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        if claimed == 1:
            return row_id, seen + 1
    return None


def record(row_id: int, claim: int, **values) -> bool:
    """Write the outcome if we still hold the claim. Commits."""
    done = db.session.execute(
        sa.update(OutboxMessage).where(OutboxMessage.id == row_id, OutboxMessage.claim_count == claim).values(**values)
    ).rowcount
    db.session.commit()
    return done == 1
