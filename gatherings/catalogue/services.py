"""Finding gatherings."""
from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from flask import abort, current_app

from ..database import write_lock_first, write_lock_row
from ..extensions import db
from ..timeutil import utcnow
from .filters import ListFilters
from .models import Gathering, GatheringKind, GatheringStatus, Theme

VISIBLE = (GatheringStatus.PUBLISHED, GatheringStatus.CANCELLED)


@cache
def visible_by_slug() -> sa.Select:
    # Built once: every page view and registration looks its gathering up this way.
    return sa.select(Gathering).where(Gathering.slug == sa.bindparam("slug"), Gathering.status.in_(VISIBLE))


def get_visible_gathering(slug: str, *, write_lock: bool = False) -> Gathering:
    """The published or cancelled gathering ``slug``, else a 404.

    ``write_lock``: hold its write lock until the unit of work ends (see ``database.write_lock_first``),
    for a request that is going to change who has a seat: it is then found and locked in one query.
    """
    if write_lock:
        gathering = write_lock_first(visible_by_slug(), {"slug": slug})
    else:
        gathering = db.session.scalars(visible_by_slug(), {"slug": slug}).first()
    if gathering is None:
        abort(404)
    return gathering


def find_visible_gathering(slug: str, options=()) -> Gathering | None:
    """The published or cancelled gathering ``slug``, or None.

    ``options``: loader options for what the caller reads with it, read fresh in that one statement even
    when the session held those rows already (see also ``find_visible_with``).
    """
    if not options:
        return db.session.scalars(visible_by_slug(), {"slug": slug}).first()
    statement = visible_by_slug().options(*options).execution_options(populate_existing=True)
    return db.session.scalars(statement, {"slug": slug}).unique().one_or_none()


@cache
def _visible_with(add) -> sa.Select:
    # Built once: SQLAlchemy keeps a statement's cache key on the object (working it out is most of the cost
    # of running a statement with many columns).
    return add(visible_by_slug(), Gathering)


def find_visible_with(slug: str, add) -> tuple[Gathering, list[tuple]] | None:
    """The published or cancelled gathering ``slug`` and what ``add`` read with it in the same statement; None
    when there is no such gathering.

    ``add(statement, Gathering)``: the statement with more columns, outer-joined (at least one row), such as
    the programme's (``programme.rows.add_timetable``); the second value holds those columns of every row.
    """
    rows = db.session.execute(_visible_with(add), {"slug": slug}).all()
    return (rows[0][0], [row[1:] for row in rows]) if rows else None


def find_draft(slug: str) -> Gathering | None:
    """The draft ``slug`` (only its organisers may see it: the caller checks), or None."""
    return db.session.scalars(
        sa.select(Gathering).where(Gathering.slug == slug, Gathering.status == GatheringStatus.DRAFT)).first()


def contact_of(gathering: Gathering) -> str:
    """Who to write to about this gathering: its own address, else its host's, else the organisation's
    (CONTACT_EMAIL). The gathering's page shows it; mail about it names it and replies go there."""
    if gathering.contact_email:
        return gathering.contact_email
    if gathering.host and gathering.host.contact_email:
        return gathering.host.contact_email
    return current_app.config.get("CONTACT_EMAIL") or ""


def lock_gathering(gathering_id: int) -> Gathering:
    """Gathering ``gathering_id`` read fresh and write-locked until the unit of work ends, else a 404.

    What a view that changes who has a seat calls once, before it hands the gathering to the services.
    """
    gathering = write_lock_row(Gathering, gathering_id)
    if gathering is None:
        abort(404)
    return gathering


def _visible_upcoming() -> sa.Select:
    return sa.select(Gathering).where(Gathering.status.in_(VISIBLE), Gathering.ends_at > utcnow())


def upcoming(kind: str | None = None, theme: str | None = None, q: str | None = None,
             limit: int = 200, filters: ListFilters | None = None) -> list[Gathering]:
    """Published (and cancelled, so people learn of it) gatherings that have not ended yet.

    ``filters`` (catalogue/filters.py) adds the rest of the list's filters: place, online, dates.
    """
    filters = filters or ListFilters(kind=kind, theme=theme, q=q)
    kind, theme, q = filters.kind, filters.theme, filters.q
    query = _visible_upcoming()
    if GatheringKind.of(kind):
        query = query.where(Gathering.kind == kind)
    if theme:
        query = query.join(Theme, Gathering.theme_id == Theme.id).where(Theme.slug == theme)
    if q:
        # % and _ typed by a person are plain characters, not wildcards.
        words = q.strip()[:100].lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{words}%"
        query = query.where(sa.or_(
            sa.func.lower(Gathering.title).like(like, escape="\\"),
            sa.func.lower(Gathering.description).like(like, escape="\\"),
            sa.func.lower(Gathering.venue_city).like(like, escape="\\"),
        ))
    if filters.city:
        query = query.where(Gathering.venue_city == filters.city)
    if filters.online is not None:
        query = query.where((Gathering.online_url != "") if filters.online else (Gathering.online_url == ""))
    if filters.start is not None:
        query = query.where(Gathering.starts_at >= filters.start_bound())
    if filters.end is not None:
        query = query.where(Gathering.starts_at < filters.end_bound())
    return list(db.session.scalars(query.order_by(Gathering.starts_at, Gathering.id).limit(limit)))


def upcoming_cities() -> list[str]:
    """The places of the gatherings in the list (``upcoming``), for its filter by place."""
    query = (_visible_upcoming().with_only_columns(Gathering.venue_city).where(Gathering.venue_city != "")
             .distinct().order_by(Gathering.venue_city))
    return list(db.session.scalars(query))


def all_themes() -> list[Theme]:
    return list(db.session.scalars(sa.select(Theme).order_by(Theme.name)))
