"""Reflection: invitations (a token per checked-in participant), anonymous answers, and a gathering's settings.

An answer holds the gathering, the perspective *group* and the day, and nothing
that leads back to a person: no registration, no invitation, no exact time.
The invitation knows the group and whether it was used, not when, and no
answer refers to it, so neither the token nor the order of answering links an
answer to whoever was invited (``tests/reflection/test_anonymity.py``).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from enum import StrEnum
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class ReflectionGroup(StrEnum):
    LIVED = "lived"
    RELATIVES = "relatives"
    PROFESSIONALS = "professionals"
    UNKNOWN = "unknown"


_GROUP_CHECK = "perspective_group IN ({})".format(", ".join(f"'{g.value}'" for g in ReflectionGroup))
VALUES = range(1, 6)


def new_reflection_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Only a digest is stored: the database alone does not give anyone a working link."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ReflectionInvitation(db.Model):
    __tablename__ = "reflection_invitation"
    __table_args__ = (sa.CheckConstraint(_GROUP_CHECK, name="perspective_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    gathering_id: Mapped[int] = mapped_column(sa.ForeignKey("gathering.id", ondelete="CASCADE"), index=True)
    perspective_group: Mapped[str] = mapped_column(sa.String(20))
    # Whether, never when: a time would let someone line an invitation up with an answer.
    used: Mapped[bool] = mapped_column(default=False)


class ReflectionAnswer(db.Model):
    __tablename__ = "reflection_answer"
    __table_args__ = (
        sa.CheckConstraint(_GROUP_CHECK, name="perspective_group"),
        sa.CheckConstraint("value IS NULL OR (value >= 1 AND value <= 5)", name="value_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(sa.ForeignKey("gathering.id", ondelete="CASCADE"), index=True)
    perspective_group: Mapped[str] = mapped_column(sa.String(20))
    answered_on: Mapped[date] = mapped_column(sa.Date)
    value: Mapped[Optional[int]] = mapped_column()
    takeaway: Mapped[str] = mapped_column(sa.Text, default="")
    suggestion: Mapped[str] = mapped_column(sa.Text, default="")


class ReflectionSettings(db.Model):
    """A gathering's choices; no row means: on, with the standard questions."""
    __tablename__ = "reflection_settings"

    gathering_id: Mapped[int] = mapped_column(sa.ForeignKey("gathering.id", ondelete="CASCADE"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    # Empty: the standard question, in the reader's language.
    takeaway_question: Mapped[str] = mapped_column(sa.String(300), default="")
    suggestion_question: Mapped[str] = mapped_column(sa.String(300), default="")
    changed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime, default=utcnow)
