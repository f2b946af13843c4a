"""The export audit log: who took which list of people out of the system, and when."""
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
