"""Personal feed tokens and the built-feed cache."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..catalogue.models import Gathering
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


class FeedToken(db.Model):
    """The secret in a personal feed's address, one live token per e-mail address.

    Separate from the access-link tokens: a feed URL lives for years inside
    calendar apps, so renewing it must not break anything else. A renewed token
    stays as a row (``replaced_at`` set) so that its URL can answer 410 Gone.
    """

    __tablename__ = "calendar_feed_token"
    __table_args__ = (
        # At most one live token per address, also when two requests create one at once.
        sa.Index("uq_calendar_feed_token_live_email", "email_key", unique=True,
                 sqlite_where=sa.text("replaced_at IS NULL"), postgresql_where=sa.text("replaced_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email_key: Mapped[str] = mapped_column(sa.String(254), index=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_feed_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    replaced_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    @property
    def is_live(self) -> bool:
        return self.replaced_at is None

    def __repr__(self) -> str:
        return f"<FeedToken {self.id} live={self.is_live}>"


class FeedCache(db.Model):
    """One row per feed: the last built bytes and the feed's HTTP validators.

    ``change_key`` says from which data the row was built (``key_of`` in cache.cached_feed);
    every process compares it with the database's current state, so the row is
    correct for all processes at once. ``last_modified`` is the feed's high-water
    mark: it only ever moves forward, also when gatherings leave the feed.
    Personal feeds keep no body here (only their validators), so no personal data
    lingers in the cache.
    """

    __tablename__ = "calendar_feed_cache"

    feed: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    change_key: Mapped[str] = mapped_column(sa.String(64))
    etag: Mapped[str] = mapped_column(sa.String(80))
    last_modified: Mapped[datetime] = mapped_column(UTCDateTime)
    body: Mapped[Optional[bytes]] = deferred(mapped_column(sa.LargeBinary))
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set while one request builds a new version; the others serve the stored one meanwhile.
    building_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<FeedCache {self.feed} {self.etag}>"


# Feeds ask "what changed?" on every request with one aggregate over these
# columns (services.public_mark); this index answers it without reading
# the gatherings' rows.
feed_change_index = sa.Index(
    "ix_gathering_calendar_feed",
    Gathering.status, Gathering.ends_at, Gathering.changed_at, Gathering.sequence, Gathering.kind,
    Gathering.theme_id, Gathering.id,
)
