"""Organiser login sessions, recorded on the server.

The session cookie carries a random secret (it is Flask-Login's "user id");
a row of ``organiser_session`` holds its SHA-256. The user loader finds the
organiser through that row, on every request, so:

- logging out deletes the row: a copy of the cookie (a shared door phone)
  opens nothing any more;
- renewing the account's token (a new password, the account switched off,
  "log out on all devices") ends all its sessions at once, because a row
  counts only with the token it was made under;
- a session ends ``ORGANISE_SESSION_LIFETIME`` after logging in at the latest.

Nothing is kept in a server's memory: any server may answer the next request.
Functions flush and leave the commit to the caller.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..timeutil import utcnow
from .models import Organiser, OrganiserSession, new_session_token

DEFAULT_LIFETIME = timedelta(days=7)
_SECRET_LENGTH = 43  # token_urlsafe(32)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _oldest_valid_start() -> datetime:
    return utcnow() - current_app.config.get("ORGANISE_SESSION_LIFETIME", DEFAULT_LIFETIME)


def start(organiser: Organiser) -> str:
    """A new session for ``organiser``; returns the secret for the cookie (also set as ``login_secret``)."""
    # Sessions past their lifetime are no use to anyone; clear them out while we write anyway.
    db.session.execute(sa.delete(OrganiserSession).where(OrganiserSession.created_at < _oldest_valid_start()))
    secret = secrets.token_urlsafe(32)
    db.session.add(OrganiserSession(organiser_id=organiser.id, secret_hash=_hash(secret),
                                    account_token=organiser.session_token, created_at=utcnow()))
    db.session.flush()
    organiser.login_secret = secret
    return secret


def organiser_for(secret: str | None) -> Organiser | None:
    """The active organiser whose session has this secret, or None when that session has ended."""
    if not secret or len(secret) != _SECRET_LENGTH:
        return None
    organiser = db.session.scalars(
        sa.select(Organiser).join(OrganiserSession, OrganiserSession.organiser_id == Organiser.id).where(
            OrganiserSession.secret_hash == _hash(secret),
            OrganiserSession.account_token == Organiser.session_token,
            OrganiserSession.created_at >= _oldest_valid_start(),
            Organiser.active.is_(True),
        )).first()
    if organiser is not None:
        organiser.login_secret = secret
    return organiser


def end(secret: str | None) -> None:
    """End the one session with this secret (logging out)."""
    if secret:
        db.session.execute(sa.delete(OrganiserSession).where(OrganiserSession.secret_hash == _hash(secret)))
        db.session.flush()


def end_all(organiser: Organiser) -> None:
    """End every session of ``organiser``: a new account token, and their rows gone."""
    organiser.session_token = new_session_token()
    db.session.execute(sa.delete(OrganiserSession).where(OrganiserSession.organiser_id == organiser.id))
    db.session.flush()
