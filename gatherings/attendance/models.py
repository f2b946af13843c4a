"""The export audit log (who took which list of people out of the system, and when) and the message history."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..states import States
from ..timeutil import UTCDateTime, utcnow


class ExportFormat(States):
    CSV = "csv"
    XLSX = "xlsx"
    PRINT = "print"  # the sign-in list, printed from the browser


class ExportLog(db.Model):
    """One export of a gathering's registrations.

    The log outlives organiser accounts and gatherings, so it keeps the actor's
    address and the gathering's slug and title as they were; the ids are kept
    for linking while those rows exist (and set to NULL when they go).
    """

    __tablename__ = "export_log"
    __table_args__ = (
        ExportFormat.check("format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column()
    actor_email: Mapped[str] = mapped_column(sa.String(254))
    gathering_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("gathering.id", ondelete="SET NULL"), index=True)
    gathering_slug: Mapped[str] = mapped_column(sa.String(120))
    gathering_title: Mapped[str] = mapped_column(sa.String(200))
    format: Mapped[str] = mapped_column(sa.String(10))
    row_count: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<ExportLog {self.format} {self.gathering_slug} by {self.actor_email}>"


class MessageAudience(States):
    """Who an organiser's message goes to (``listing.AUDIENCES`` says which registrations that is)."""
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    ALL = "all"
    WORKSHOP = "workshop"  # the people seated in one workshop of the programme (its title kept beside it)


class GatheringMessage(db.Model):
    """An organiser's message to a gathering's registrants, as it was sent: the gathering's message history.

    The outbox forgets a message's words once it is sent; this keeps what the organiser wrote
    (their words, never anyone's address), who sent it and to how many. Like the export log it
    keeps the sender's address as it was, and goes with the gathering.
    """

    __tablename__ = "gathering_message"
    __table_args__ = (
        MessageAudience.check("audience"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(sa.ForeignKey("gathering.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sender_id: Mapped[Optional[int]] = mapped_column()
    sender_email: Mapped[str] = mapped_column(sa.String(254))
    sender_name: Mapped[str] = mapped_column(sa.String(100))
    audience: Mapped[str] = mapped_column(sa.String(20))
    # For a workshop's people: the workshop's title when the message went (it may be renamed or removed later).
    workshop_title: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    subject: Mapped[str] = mapped_column(sa.String(150))
    body: Mapped[str] = mapped_column(sa.Text)
    recipient_count: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<GatheringMessage {self.gathering_id} {self.audience} {self.recipient_count}>"
