"""Who may do what in the organiser area.

Anonymous visitors are sent to the login page (Flask-Login's ``unauthorized``);
an organiser reaches only the gatherings they organise (403 otherwise, 404 when
there is no such gathering); admins reach everything.

Use in views::

    @bp.get("/gatherings/<slug>/registrations")
    @organiser_required
    def registrations(slug):
        gathering = gathering_for_organiser(slug)
"""
from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from ..catalogue.models import Gathering
from ..extensions import db, login
from ..inputs import parse_id
from .models import Organiser, gathering_organiser


def organiser_required(view):
    """Any active organiser or admin; anonymous visitors go to the login page."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login.unauthorized()
        return view(*args, **kwargs)
    return wrapped


def admin_required(view):
    """Admins only: anonymous visitors go to the login page, organisers get 403."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login.unauthorized()
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def organises(organiser: Organiser, gathering: Gathering) -> bool:
    if organiser.is_admin:
        return True
    return bool(db.session.scalar(sa.select(sa.exists().where(
        gathering_organiser.c.gathering_id == gathering.id,
        gathering_organiser.c.organiser_id == organiser.id,
    ))))


def gathering_for_organiser(slug_or_id: str | int) -> Gathering:
    """The gathering the current organiser may run, or abort: 404 unknown, 403 not theirs.

    Call only behind ``organiser_required``.
    """
    if isinstance(slug_or_id, int) or (isinstance(slug_or_id, str) and slug_or_id.isdigit()):
        # Slugs are never digits only (the forms refuse them), so digits are an id; one the database
        # cannot hold (2^31 and more, or "²") is unknown, not a 500.
        gathering_id = parse_id(slug_or_id)
        gathering = db.session.get(Gathering, gathering_id) if gathering_id is not None else None
    else:
        gathering = db.session.scalars(sa.select(Gathering).where(Gathering.slug == slug_or_id)).first()
    if gathering is None:
        abort(404)
    if not current_user.is_authenticated:
        abort(403)
    if not organises(current_user, gathering):
        abort(403)
    return gathering


def visible_gatherings_query(organiser: Organiser) -> sa.Select:
    """SELECT of the gatherings ``organiser`` may see: their own; everything for admins."""
    query = sa.select(Gathering)
    if not organiser.is_admin:
        query = query.where(Gathering.id.in_(
            sa.select(gathering_organiser.c.gathering_id).where(gathering_organiser.c.organiser_id == organiser.id)
        ))
    return query
