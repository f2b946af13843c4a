"""Organiser accounts and who organises which gathering."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..catalogue.models import Gathering
from ..extensions import db
from ..states import States
from ..timeutil import UTCDateTime, utcnow


class OrganiserRole(States):
    ORGANISER = "organiser"
    ADMIN = "admin"

# A gathering can have several organisers; an organiser several gatherings.
gathering_organiser = sa.Table(
    "gathering_organiser",
    db.metadata,
    sa.Column("gathering_id", sa.ForeignKey("gathering.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organiser_id", sa.ForeignKey("organiser.id", ondelete="CASCADE"), primary_key=True),
    # "Which gatherings are mine" looks up by organiser.
    sa.Index("ix_gathering_organiser_organiser_id", "organiser_id"),
)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


class Organiser(UserMixin, db.Model):
    __table_args__ = (OrganiserRole.check("role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-case: one account per address, whatever the capitals typed.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20), default="organiser")
    active: Mapped[bool] = mapped_column(default=True)
    # The account's generation of logins: every login session records it, and only
    # sessions with the current one count. Renewed when the password changes, the
    # account is switched off or its owner logs out everywhere: all sessions end.
    session_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    gatherings: Mapped[list[Gathering]] = relationship(
        secondary=gathering_organiser, backref=sa.orm.backref("organisers", order_by="Organiser.email"),
        order_by=Gathering.starts_at,
    )

    def __repr__(self) -> str:
        return f"<Organiser {self.email} {self.role}>"

    # Flask-Login. Not a column: the secret of the login session this request
    # belongs to or is starting (see login_sessions.py); it is what the cookie carries.
    login_secret = None

    def get_id(self) -> str | None:
        return self.login_secret

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == OrganiserRole.ADMIN

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def organises(self, gathering: Gathering) -> bool:
        return self.is_admin or any(o.id == self.id for o in gathering.organisers)


class OrganiserSession(db.Model):
    """One login on one browser, from logging in until logging out (or the account's token is renewed).

    The session cookie carries a random secret; only its SHA-256 is stored here,
    so this table cannot be used to log in. Kept in the database, not in a
    server's memory: any server may answer the next request.
    """
    __tablename__ = "organiser_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    organiser_id: Mapped[int] = mapped_column(sa.ForeignKey("organiser.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The account's session_token when this login began: renewing it ends this session too.
    account_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
