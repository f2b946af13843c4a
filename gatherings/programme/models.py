"""A gathering's programme: parts in time order (plenary, or a round of parallel workshops) and who sits where.

A registration's choice for a round is a ``WorkshopChoice``. Its status says
what it holds: a seat in the workshop, a place in that workshop's waiting line
(first come, first served, by ``waiting_since``), or nothing yet because the
registration itself still waits for a seat for the day (``pending``: decided
when the day's seat comes). Workshop seats are counted in people, like the
day's (``Registration.people``: a companion sits beside the participant).
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..catalogue.models import Gathering
from ..extensions import db
from ..registration.models import Registration
from ..states import States
from ..timeutil import UTCDateTime, utcnow


class PartKind(States):
    PLENARY = "plenary"
    ROUND = "round"


class ChoiceStatus(States):
    SEATED = "seated"     # holds a seat in the workshop
    WAITING = "waiting"   # in the workshop's waiting line
    PENDING = "pending"   # the registration waits for the day; the choice is decided when it gets a seat
    NONE = "none"         # chose no workshop in an optional round


class ProgrammePart(db.Model):
    __tablename__ = "programme_part"
    __table_args__ = (
        PartKind.check("kind"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(sa.ForeignKey("gathering.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A round whose choice may be "geen werkplaats"; otherwise a workshop must be chosen.
    optional: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    gathering: Mapped[Gathering] = relationship(
        backref=backref("programme", order_by="(ProgrammePart.starts_at, ProgrammePart.id)",
                        cascade="all, delete-orphan", passive_deletes=True))
    workshops: Mapped[list["Workshop"]] = relationship(
        back_populates="part", order_by="Workshop.id", cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<ProgrammePart {self.id} {self.kind}>"

    @property
    def is_round(self) -> bool:
        return self.kind == PartKind.ROUND


class Workshop(db.Model):
    __table_args__ = (sa.CheckConstraint("capacity >= 0", name="capacity_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_part.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    leader: Mapped[str] = mapped_column(sa.String(200), default="")   # who leads it
    room: Mapped[str] = mapped_column(sa.String(120), default="")
    capacity: Mapped[int] = mapped_column(default=0)
    # People (a companion counts) of choices with each status, of registrations that are not cancelled.
    # Kept by the database (seat_counters.py), never written by the application: read them fresh.
    seated_people: Mapped[int] = mapped_column(default=0, server_default="0")
    waiting_people: Mapped[int] = mapped_column(default=0, server_default="0")
    pending_people: Mapped[int] = mapped_column(default=0, server_default="0")

    part: Mapped[ProgrammePart] = relationship(back_populates="workshops")

    def __repr__(self) -> str:
        return f"<Workshop {self.id}>"


class WorkshopChoice(db.Model):
    __tablename__ = "workshop_choice"
    __table_args__ = (
        ChoiceStatus.check("status"),
        sa.UniqueConstraint("registration_id", "part_id"),
        sa.Index("ix_workshop_choice_workshop_status", "workshop_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id", ondelete="CASCADE"))
    part_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_part.id", ondelete="CASCADE"))
    # None in an optional round where "geen werkplaats" was chosen (status none).
    workshop_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("workshop.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(20))
    # Order in the workshop's waiting line (read under the gathering's lock).
    waiting_since: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    seated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Moves with every change of the row: the owner's personal calendar feed is rebuilt when it does.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship(
        backref=backref("workshop_choices", cascade="all, delete-orphan", passive_deletes=True))
    part: Mapped[ProgrammePart] = relationship()
    workshop: Mapped[Optional[Workshop]] = relationship()

    def __repr__(self) -> str:
        return f"<WorkshopChoice {self.registration_id}/{self.part_id} {self.status}>"
