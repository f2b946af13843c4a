"""The outbox: every message is a row before it is mail."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..states import States
from ..timeutil import UTCDateTime, utcnow


class OutboxStatus(States):
    QUEUED = "queued"  # waiting to be sent (again) from next_attempt_at on
    SENDING = "sending"  # claimed by a sender
    SENT = "sent"  # accepted by the mail server (or written to a file)
    FAILED = "failed"  # given up, see last_error
    DROPPED = "dropped"  # never to be sent (the recipient had their data erased)


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (
        OutboxStatus.check("status"),
        sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    status: Mapped[str] = mapped_column(sa.String(20), default=OutboxStatus.QUEUED.value)

    to_address: Mapped[str] = mapped_column(sa.String(254))
    to_name: Mapped[str] = mapped_column(sa.String(200), default="")
    # Lower-cased address: finds a person's mail for export and erasure.
    email_key: Mapped[str] = mapped_column(sa.String(254), index=True)
    from_name: Mapped[Optional[str]] = mapped_column(sa.String(200))
    reply_to: Mapped[str] = mapped_column(sa.String(254), default="")
    subject: Mapped[str] = mapped_column(sa.String(300))
    # NULL until rendered. Messages about a registration are queued unrendered (rendering costs
    # CPU, and the queueing runs while registration holds the gathering's lock); the sender
    # renders them at the first claim from the registration, its gathering and ``context``, and
    # keeps the result here, so a retry sends the same text. Emptied ('') once the message is sent
    # or has failed for good: its links would still open /my and /r/ while the row is kept.
    body_text: Mapped[Optional[str]] = mapped_column(sa.Text)
    body_html: Mapped[Optional[str]] = mapped_column(sa.Text)
    # JSON object: the message's own facts beside the registration and gathering (a waiting-list
    # position, an organiser's words ...), as they were when it was queued. Can hold words about
    # a person: erased with the rest of their data, and forgotten once the message is sent.
    context: Mapped[Optional[str]] = mapped_column(sa.Text)
    # REQUEST or CANCEL: the message carries an invitation for its registration. The sender
    # builds it at the first attempt and keeps it in ``ics``, so a retry sends the same bytes.
    ics: Mapped[Optional[str]] = mapped_column(sa.Text)
    ics_method: Mapped[Optional[str]] = mapped_column(sa.String(10))
    # Stable per row: a message sent again after a crash is recognisably the same message.
    message_id: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # Set for messages that must exist at most once (reminders: "reminder:<registration id>").
    dedupe_key: Mapped[Optional[str]] = mapped_column(sa.String(120), unique=True)

    registration_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL"), index=True)
    gathering_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("gathering.id", ondelete="SET NULL"))

    attempts: Mapped[int] = mapped_column(default=0)
    # Raised on every claim; a sender only records the outcome of its own claim.
    claim_count: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"
