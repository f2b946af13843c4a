"""Following themes and kinds of gathering by e-mail (/alerts)."""
from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalogue.models import GatheringKind, Theme
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class FollowStatus(StrEnum):
    # pending: asked for on the form, not yet confirmed from the mail (deleted after 7 days);
    # active: confirmed, gets a mail for each matching gathering. Ending deletes the row.
    PENDING = "pending"
    ACTIVE = "active"


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


follow_theme = sa.Table(
    "alert_follow_theme",
    db.metadata,
    sa.Column("follow_id", sa.ForeignKey("alert_follow.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)


class Follow(db.Model):
    """An address that follows themes and kinds: one row per request; a confirmed request joins the
    address's active row, so an address has at most one active row (and its links keep working)."""

    __tablename__ = "alert_follow"
    __table_args__ = (
        sa.CheckConstraint(_in("status", FollowStatus), name="status"),
        # One active row per address: its themes and kinds are what the address follows.
        sa.Index("uq_alert_follow_active_email", "email_key", unique=True,
                 sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    email_key: Mapped[str] = mapped_column(sa.String(254), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=FollowStatus.PENDING)
    # Comma-separated kind codes (catalogue.models.GatheringKind), sorted; "" for none.
    kinds: Mapped[str] = mapped_column(sa.String(60), default="")
    # The language of the form: every mail to this address is in it.
    locale: Mapped[str] = mapped_column(sa.String(5), default="nl")
    # The links' secret is derived from ``nonce`` with SECRET_KEY (services.link_token); only its hash is
    # stored, so neither this table nor the outbox holds a working link.
    nonce: Mapped[str] = mapped_column(sa.String(64))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_version: Mapped[str] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    themes: Mapped[list[Theme]] = relationship(secondary=follow_theme, order_by=Theme.name)

    @property
    def kind_codes(self) -> list[str]:
        return [k for k in (self.kinds or "").split(",") if GatheringKind.of(k) is not None]

    @property
    def is_active(self) -> bool:
        return self.status == FollowStatus.ACTIVE

    def matches(self, gathering) -> bool:
        """A gathering on one of the followed themes, or of one of the followed kinds."""
        return gathering.kind in self.kind_codes or any(t.id == gathering.theme_id for t in self.themes)

    def __repr__(self) -> str:
        return f"<Follow {self.id} {self.status}>"


class Announcement(db.Model):
    """A gathering that was published: its followers are mailed in a batch by the mail worker.

    Written in the organiser's transaction (one row), so the publication and the promise to tell
    followers happen together; ``queued_at`` is set once the batch has queued every mail.
    """

    __tablename__ = "alert_announcement"

    gathering_id: Mapped[int] = mapped_column(sa.ForeignKey("gathering.id", ondelete="CASCADE"), primary_key=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    queued_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, index=True)
