"""What can be attended: themes, host organisations and gatherings."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..registration.perspectives import PerspectiveGroup
from ..states import States
from ..timeutil import UTCDateTime, utcnow


class GatheringKind(States):
    THEME = "theme"
    NATIONAL = "national"
    MIXED = "mixed"


class GatheringStatus(States):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class RegistrationState(States):
    """Whether a gathering takes registrations now (``Gathering.registration_state``)."""

    OPEN = "open"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    PAST = "past"
    DRAFT = "draft"
    CANCELLED = "cancelled"


class Theme(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")

    def __repr__(self) -> str:
        return f"<Theme {self.slug}>"


class HostOrganisation(db.Model):
    __tablename__ = "host_organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    city: Mapped[str] = mapped_column(sa.String(120), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")

    def __repr__(self) -> str:
        return f"<HostOrganisation {self.slug}>"


class Gathering(db.Model):
    __table_args__ = (
        GatheringKind.check("kind"),
        GatheringStatus.check("status"),
        sa.CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    theme_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("theme.id"))
    host_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("host_organisation.id"))

    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    venue_name: Mapped[str] = mapped_column(sa.String(200), default="")
    venue_address: Mapped[str] = mapped_column(sa.String(300), default="")
    venue_city: Mapped[str] = mapped_column(sa.String(120), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    accessibility: Mapped[str] = mapped_column(sa.Text, default="")

    capacity: Mapped[int] = mapped_column(default=0)
    # Seats per perspective group; used only by `mixed` sessions.
    allot_lived: Mapped[Optional[int]] = mapped_column()
    allot_relatives: Mapped[Optional[int]] = mapped_column()
    allot_professionals: Mapped[Optional[int]] = mapped_column()

    registration_opens_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    status: Mapped[str] = mapped_column(sa.String(20), default=GatheringStatus.DRAFT.value, index=True)
    reminder_days: Mapped[int] = mapped_column(default=2)
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")

    # Calendars: SEQUENCE rises on every change that matters to an attendee;
    # changed_at feeds DTSTAMP/LAST-MODIFIED and the feeds' Last-Modified.
    sequence: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    theme: Mapped[Optional[Theme]] = relationship(lazy="joined")
    host: Mapped[Optional[HostOrganisation]] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Gathering {self.slug}>"

    @property
    def is_mixed(self) -> bool:
        return self.kind == GatheringKind.MIXED

    def allotment(self, group: PerspectiveGroup) -> int:
        """Seats for ``group`` in a `mixed` session."""
        allotments = {PerspectiveGroup.LIVED: self.allot_lived, PerspectiveGroup.RELATIVES: self.allot_relatives,
                      PerspectiveGroup.PROFESSIONALS: self.allot_professionals}
        return allotments[group] or 0

    def registration_state(self, now: datetime | None = None) -> RegistrationState:
        now = now or utcnow()
        if self.status != GatheringStatus.PUBLISHED:
            return RegistrationState(self.status)
        if self.starts_at <= now:
            return RegistrationState.PAST
        if self.registration_opens_at and now < self.registration_opens_at:
            return RegistrationState.NOT_YET_OPEN
        if self.registration_closes_at and now >= self.registration_closes_at:
            return RegistrationState.CLOSED
        return RegistrationState.OPEN

    def touch(self, *, attendee_relevant: bool) -> None:
        """Record a change; raise SEQUENCE when attendees' calendars must update."""
        self.changed_at = utcnow()
        if attendee_relevant:
            self.sequence = (self.sequence or 0) + 1
