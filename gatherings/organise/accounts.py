"""Organiser accounts: create, authenticate, change password, roles.

Functions flush and leave the commit to the caller.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..timeutil import utcnow
from . import login_sessions
from .models import Organiser, normalise_email
from .passwords import password_problem

_dummy_hash: str | None = None


class AccountError(ValueError):
    """A change to an account that cannot be made; the message is for people (Dutch).

    ``field`` names the form field the message belongs to.
    """

    def __init__(self, message: str, field: str = "email"):
        super().__init__(message)
        self.field = field


def find_by_email(email: str) -> Organiser | None:
    return db.session.scalars(sa.select(Organiser).where(Organiser.email == normalise_email(email))).first()


def create_organiser(email: str, password: str, *, admin: bool = False, name: str = "") -> Organiser:
    email = normalise_email(email)
    if not email or "@" not in email:
        raise AccountError(_("Dit is geen geldig e-mailadres."))
    if find_by_email(email) is not None:
        raise AccountError(_("Er is al een organisator met dit e-mailadres."))
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise AccountError(problem, field="password")
    organiser = Organiser(email=email, name=(name or "").strip(), role="admin" if admin else "organiser", active=True)
    organiser.set_password(password)
    db.session.add(organiser)
    db.session.flush()
    return organiser


def authenticate(email: str, password: str) -> Organiser | None:
    """The active organiser with this address and password, or None.

    An unknown address costs as much time as a wrong password, so the answer
    time does not tell which addresses have an account.
    """
    global _dummy_hash
    organiser = find_by_email(email)
    if organiser is None:
        if _dummy_hash is None:
            _dummy_hash = generate_password_hash("not a password", method="scrypt")
        check_password_hash(_dummy_hash, password or "")
        return None
    if not organiser.check_password(password or "") or not organiser.active:
        return None
    organiser.last_login_at = utcnow()
    return organiser


def change_password(organiser: Organiser, new_password: str) -> None:
    problem = password_problem(new_password, email=organiser.email, name=organiser.name)
    if problem:
        raise AccountError(problem, field="password")
    organiser.set_password(new_password)
    login_sessions.end_all(organiser)  # a new password ends every session, also the one that set it


def set_active(organiser: Organiser, active: bool, *, by: Organiser) -> None:
    if organiser.id == by.id and not active:
        raise AccountError(_("U kunt uw eigen account niet uitzetten."))
    organiser.active = active
    if not active:
        login_sessions.end_all(organiser)
    db.session.flush()


def set_admin(organiser: Organiser, admin: bool, *, by: Organiser) -> None:
    if organiser.id == by.id and not admin:
        raise AccountError(_("U kunt uzelf geen beheerder-af maken. Vraag een andere beheerder."))
    organiser.role = "admin" if admin else "organiser"
    db.session.flush()


def all_organisers() -> list[Organiser]:
    return list(db.session.scalars(sa.select(Organiser).order_by(Organiser.email)))
