"""What a participant's own page (``/r/<token>``, also the result page after registering) reads, in one statement.

The registration with its gathering, what the caller adds to the statement (its own programme:
``programme.rows``), and its place on the waiting list: during the opening rush most people who
register land on the waiting list and open this page at once.
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
def _statement(add=None) -> sa.Select:
    # Built once, options and all: SQLAlchemy keeps a statement's cache key on the object, and working it out
    # again for every page (a new object from .execution_options()) cost more than a smaller statement's reading.
    statement = (sa.select(Registration, _position()).where(Registration.token == sa.bindparam("token"))
                 .options(joinedload(Registration.gathering)))
    return (statement if add is None else add(statement, Registration)).execution_options(populate_existing=True)


def find(token: str, add=None) -> tuple[Registration, int | None, list[tuple]] | None:
    """The registration ``token`` with its gathering, its place on the waiting list (None when it does not
    wait), and what ``add`` read with them; None when there is no such registration.

    ``add(statement, Registration)``: the statement with more columns (outer joins: at least one row),
    such as the programme's (``programme.rows.add_own``); the third value holds those columns of
    every row. Read fresh even when the session held the rows already.
    """
    if not token or len(token) > 64:
        return None
    rows = db.session.execute(_statement(add), {"token": token}).all()
    if not rows:
        return None
    return rows[0][0], rows[0][1], [row[2:] for row in rows]
