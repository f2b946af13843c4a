"""A person's registration for a gathering."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalogue.models import Gathering
from ..extensions import db
from ..states import States
from ..timeutil import UTCDateTime, utcnow


class RegistrationStatus(States):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class RegistrationSource(States):
    """Who made the registration: the participant's form, an organiser (phoned in), or the door."""

    FORM = "form"
    ORGANISER = "organiser"
    WALK_IN = "walk_in"


# The languages a registration's mail can be written in (config LANGUAGES; a stored value outside it reads as Dutch).
LANGUAGES = ("nl", "en")


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


# Crockford's base32: no I, L, O or U, so a code read aloud or typed from a screen is not misread.
DOOR_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DOOR_CODE_LENGTH = 10  # 50 bits


def new_door_code() -> str:
    # One read of the system's randomness, not one per character: 32 symbols divide a byte's 256 values,
    # so the low five bits of each byte pick every symbol equally often.
    return "".join(DOOR_ALPHABET[b & 31] for b in secrets.token_bytes(DOOR_CODE_LENGTH))


class Registration(db.Model):
    __table_args__ = (
        RegistrationStatus.check("status"),
        # One active registration per address per gathering, enforced by the database.
        sa.Index(
            "uq_registration_active_email",
            "gathering_id",
            "email_key",
            unique=True,
            sqlite_where=sa.text("status != 'cancelled'"),
            postgresql_where=sa.text("status != 'cancelled'"),
        ),
        sa.Index("ix_registration_gathering_status", "gathering_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(sa.ForeignKey("gathering.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(200))
    # Optional for people an organiser adds by hand (they phoned in).
    email: Mapped[Optional[str]] = mapped_column(sa.String(254))
    email_key: Mapped[Optional[str]] = mapped_column(sa.String(254), index=True)
    perspective: Mapped[Optional[str]] = mapped_column(sa.String(30))
    perspective_group: Mapped[Optional[str]] = mapped_column(sa.String(20))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    needs: Mapped[str] = mapped_column(sa.Text, default="")
    # When the participant last changed ``needs`` themselves: organisers planning the room see it.
    needs_changed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # One support person ("begeleider") who comes along: one more seat, seated or waiting together.
    companion: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    companion_name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    # The language of the page the registration came from: every mail to this person is in it.
    language: Mapped[str] = mapped_column(sa.String(5), default="nl", server_default="nl")

    consent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    consent_version: Mapped[Optional[str]] = mapped_column(sa.String(40))

    status: Mapped[str] = mapped_column(sa.String(20))
    # Order on the waiting list: first come, first served.
    waitlisted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # The companion may arrive apart from the participant: the door records each.
    companion_checked_in_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # When something the participant's own invitation shows changed (their name as ATTENDEE): the
    # invitation's DTSTAMP, so that calendars take the update over the one they hold.
    invitation_changed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(sa.String(20), default=RegistrationSource.FORM.value)
    # Which browser sent the form (a hash of its session's CSRF secret and the gathering), so that a double
    # click's second request, which left before the first answer, is known as the same submission.
    # Only ever compared with the row found by address, never looked up by itself: no index.
    submission_key: Mapped[Optional[str]] = mapped_column(sa.String(64))

    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_token)
    # What the QR code on the confirmation says: checks the person in at the door, and nothing else
    # (unlike ``token``, which opens and cancels the registration).
    door_code: Mapped[str] = mapped_column(sa.String(16), unique=True, default=new_door_code)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    gathering: Mapped[Gathering] = relationship()

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status}>"

    @hybrid_property
    def people(self) -> int:
        """Seats this registration takes (or waits for): the participant, and their companion if any."""
        return 2 if self.companion else 1

    @people.inplace.expression
    @classmethod
    def _people_expression(cls):
        return sa.case((cls.companion, 2), else_=1)

    @property
    def is_active(self) -> bool:
        return self.status != RegistrationStatus.CANCELLED


class SeatCount(db.Model):
    """How many people of a gathering have a seat or wait, kept by the database (see seat_counters.py).

    One row per gathering and ``grp``: '' for the whole gathering, else a perspective group
    (perspectives.PerspectiveGroup), whose counts a mixed session's allotments use. Never
    written by the application: triggers move it with every registration.
    """

    __tablename__ = "seat_count"

    gathering_id: Mapped[int] = mapped_column(sa.ForeignKey("gathering.id", ondelete="CASCADE"), primary_key=True)
    grp: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    confirmed: Mapped[int] = mapped_column(default=0, server_default="0")  # people
    waitlisted: Mapped[int] = mapped_column(default=0, server_default="0")  # people
    in_line: Mapped[int] = mapped_column(default=0, server_default="0")  # registrations waiting (a pair is one)
