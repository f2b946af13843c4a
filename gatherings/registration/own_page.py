"""What a participant's own page (``/r/<token>``, also the result page after registering) reads, in one statement.

The registration with its gathering, what the caller loads with them (the programme's parts and
workshops: ``programme.queries.with_programme``), and its place on the waiting list: during the
opening rush most people who register land on the waiting list and open this page at once.
"""
from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from ..catalogue.models import Gathering, GatheringKind
from ..extensions import db
from .models import Registration, RegistrationStatus


@cache
def _position() -> sa.ColumnElement:
    """``services.waitlist_position`` as a column (the same rule; tests hold the two equal): 1 for the first
    in line, per perspective group in a mixed session; null when the registration does not wait.

    Not correlated with the row it stands in (it finds the registration by the token again): the
    statement has a row per workshop of the programme, and a correlated count would run once for each.
    Uncorrelated, PostgreSQL counts the line once per statement.
    """
    ahead, day, me = aliased(Registration), aliased(Gathering), aliased(Registration)
    in_line_before = (
        sa.select(sa.func.count()).select_from(ahead)
        .join(day, day.id == ahead.gathering_id)
        .join(me, me.token == sa.bindparam("token"))
        .where(ahead.gathering_id == me.gathering_id,
               ahead.status == RegistrationStatus.WAITLISTED,
               sa.or_(ahead.waitlisted_at < me.waitlisted_at,
                      sa.and_(ahead.waitlisted_at == me.waitlisted_at, ahead.id < me.id)),
               sa.or_(day.kind != GatheringKind.MIXED, ahead.perspective_group == me.perspective_group))
        .scalar_subquery())
    # Counted only for a registration that waits (the database skips the other branch).
    return sa.case((Registration.status == RegistrationStatus.WAITLISTED, in_line_before + 1))


@cache
def _statement() -> sa.Select:
    return (sa.select(Registration, _position()).where(Registration.token == sa.bindparam("token"))
            .options(joinedload(Registration.gathering)))


def find(token: str, options=()) -> tuple[Registration, int | None] | None:
    """The registration ``token`` with its gathering, and its place on the waiting list (None when it does not
    wait); None when there is no such registration.

    ``options``: loader options for more to read in the same statement, read fresh even when the session
    held those rows already (the programme's workshops carry seat counters the database keeps).
    """
    if not token or len(token) > 64:
        return None
    statement = _statement().options(*options).execution_options(populate_existing=True)
    row = db.session.execute(statement, {"token": token}).unique().one_or_none()
    return None if row is None else (row[0], row[1])
