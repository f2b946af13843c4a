"""Which gatherings a feed holds, its change key, and personal feed tokens."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..catalogue.models import Gathering, GatheringKind, Theme
from ..database import side_transaction
from ..extensions import db
from ..programme.models import ProgrammePart, WorkshopChoice
from ..programme.queries import programme_of
from ..registration.models import Registration
from ..timeutil import UTCDateTime, utcnow
from . import ics
from .cache import Feed, cached_feed
from .models import FeedCache, FeedToken

# Past gatherings stay in feeds this long, so people can look back.
PAST_DAYS = 90


class FeedNotFound(Exception):
    pass


class FeedGone(Exception):
    """A personal feed whose token was renewed."""


@dataclass(frozen=True)
class PublicFeed:
    """One of the public feeds: everything, one kind, or one theme."""

    cache_name: str
    kind: str | None = None
    theme_id: int | None = None
    theme_name: str | None = None

    @property
    def title(self) -> str:
        with force_locale("nl"):
            if self.theme_name:
                return _("Bijeenkomsten over %(theme)s", theme=self.theme_name)
            if self.kind:
                return str(KIND_FEED_TITLES[self.kind]())
            return _("Alle bijeenkomsten")


KIND_FEED_TITLES = {
    "theme": lambda: _("Themabijeenkomsten"),
    "national": lambda: _("Landelijke dagen"),
    "mixed": lambda: _("Gemengde sessies"),
}


def all_feed() -> PublicFeed:
    return PublicFeed("all")


def kind_feed(kind: str) -> PublicFeed:
    if not GatheringKind.of(kind):
        raise FeedNotFound(kind)
    return PublicFeed(f"kind:{kind}", kind=kind)


def theme_feed(slug: str) -> PublicFeed:
    theme = db.session.scalars(sa.select(Theme).where(Theme.slug == slug)).first()
    if theme is None:
        raise FeedNotFound(slug)
    return PublicFeed(f"theme:{theme.id}", theme_id=theme.id, theme_name=theme.name)


def public_feeds() -> list[tuple[PublicFeed, str, dict]]:
    """Every public feed with the endpoint (and its values) it is served at, for the subscribe page."""
    feeds = [(all_feed(), "calendar.all_ics", {})]
    feeds += [(kind_feed(kind), "calendar.kind_ics", {"kind": kind}) for kind in GatheringKind]
    for theme in db.session.scalars(sa.select(Theme).order_by(Theme.name)):
        feeds.append((PublicFeed(f"theme:{theme.id}", theme_id=theme.id, theme_name=theme.name),
                      "calendar.theme_ics", {"slug": theme.slug}))
    return feeds


# --- what is in a feed -------------------------------------------------------

def in_feed_window(now, past_cutoff):
    """Drafts never; cancelled ones until they are over; past ones for PAST_DAYS."""
    return sa.or_(
        sa.and_(Gathering.status == "published", Gathering.ends_at > past_cutoff),
        sa.and_(Gathering.status == "cancelled", Gathering.ends_at > now),
    )


def _window_params(now: datetime) -> dict:
    return {"now": now, "past_cutoff": now - timedelta(days=PAST_DAYS)}


def _window_binds():
    return sa.bindparam("now", type_=UTCDateTime), sa.bindparam("past_cutoff", type_=UTCDateTime)


def _public_filter(feed: PublicFeed) -> list:
    """Conditions with bind parameters now, past_cutoff (and theme_id for a theme feed)."""
    conditions = [in_feed_window(*_window_binds())]
    if feed.kind:
        conditions.append(Gathering.kind == feed.kind)
    if feed.theme_id:
        conditions.append(Gathering.theme_id == sa.bindparam("theme_id"))
    return conditions


def _key(*parts) -> str:
    text = "\x1f".join(str(p) for p in (ics.format_fingerprint(), current_app.config["BASE_URL"], *parts))
    return hashlib.sha256(text.encode()).hexdigest()


def public_mark(feed: PublicFeed) -> sa.Select:
    """One aggregate row that changes whenever the feed's bytes can change: a
    gathering added (count, id sum), removed or aged out (count, id sum), or
    changed (changed_at, sequence). Renaming a theme or host, and any change of a
    programme's parts or workshops (the outline in the description), stamps its
    gatherings' changed_at (see calendar.__init__)."""
    return sa.select(
        sa.func.count(Gathering.id).label("n"), sa.func.max(Gathering.changed_at).label("newest"),
        sa.func.sum(Gathering.id).label("id_sum"), sa.func.sum(Gathering.sequence).label("seq_sum"),
    ).where(*_public_filter(feed))


def public_key_of(feed: PublicFeed):
    def key_of(row) -> tuple[str, datetime | None]:
        return _key(feed.cache_name, feed.title, row.n, row.newest, row.id_sum, row.seq_sum), row.newest
    return key_of


def public_feed_gatherings(feed: PublicFeed, now: datetime | None = None) -> list[Gathering]:
    now = now or utcnow()
    return list(db.session.scalars(
        sa.select(Gathering).where(*_public_filter(feed)).order_by(Gathering.starts_at, Gathering.id)
        # The programme's outline goes into each description: two queries for the whole feed.
        .options(selectinload(Gathering.programme).selectinload(ProgrammePart.workshops)),
        {**_window_params(now), "theme_id": feed.theme_id},
    ))


def build_public_feed(feed: PublicFeed, now: datetime | None = None) -> bytes:
    return ics.feed_calendar(public_feed_gatherings(feed, now), feed.title)


def public_feed_response(feed: PublicFeed) -> Feed:
    now = utcnow()
    mark_name = f"public:{feed.kind}:{bool(feed.theme_id)}"
    return cached_feed(feed.cache_name, mark_name, lambda: public_mark(feed),
                       {**_window_params(now), "theme_id": feed.theme_id}, public_key_of(feed),
                       lambda: build_public_feed(feed, now))


# --- personal feeds ----------------------------------------------------------

ACTIVE = ("confirmed", "waitlisted")


def _personal_filter() -> list:
    return [Registration.email_key == sa.bindparam("email_key"), Registration.status.in_(ACTIVE),
            in_feed_window(*_window_binds())]


def _own_choices(*columns) -> sa.ScalarSelect:
    """An aggregate over the workshop choices of the address's active registrations: a change of
    someone's own programme (a seat, a place in a line, another workshop) moves their feed's key."""
    return (sa.select(*columns).select_from(WorkshopChoice)
            .join(Registration, Registration.id == WorkshopChoice.registration_id)
            .where(Registration.email_key == sa.bindparam("email_key"), Registration.status.in_(ACTIVE))
            .scalar_subquery())


def personal_mark() -> sa.Select:
    waitlisted_ids = sa.func.sum(sa.case((Registration.status == "waitlisted", Registration.id), else_=0))
    return (
        sa.select(sa.func.count(Registration.id).label("n"), sa.func.sum(Registration.id).label("reg_sum"),
                  sa.func.max(Registration.updated_at).label("reg_newest"), waitlisted_ids.label("wait_sum"),
                  sa.func.max(Gathering.changed_at).label("newest"), sa.func.sum(Gathering.sequence).label("seq_sum"),
                  _own_choices(sa.func.count(WorkshopChoice.id)).label("choices"),
                  _own_choices(sa.func.max(WorkshopChoice.changed_at)).label("choice_newest"))
        .join(Gathering, Registration.gathering_id == Gathering.id)
        .where(*_personal_filter())
    )


def personal_key_of(email_key: str):
    def key_of(row) -> tuple[str, datetime | None]:
        key = _key("my", email_key, row.n, row.reg_sum, row.reg_newest, row.wait_sum, row.newest, row.seq_sum,
                   row.choices, row.choice_newest)
        return key, max([t for t in (row.newest, row.reg_newest, row.choice_newest) if t is not None], default=None)
    return key_of


def build_personal_feed(email_key: str, now: datetime) -> bytes:
    rows = db.session.execute(
        sa.select(Gathering, Registration)
        .join(Registration, Registration.gathering_id == Gathering.id)
        .where(*_personal_filter()),
        {**_window_params(now), "email_key": email_key},
    ).all()
    gatherings = [gathering for gathering, _registration in rows]
    waitlisted = {gathering.id for gathering, registration in rows if registration.status == "waitlisted"}
    # Each event shows the owner's own programme, and is stamped with their own last change when that is newer.
    own = {gathering.id: programme_of(registration) for gathering, registration in rows}
    changed = dict(db.session.execute(
        sa.select(WorkshopChoice.registration_id, sa.func.max(WorkshopChoice.changed_at))
        .where(WorkshopChoice.registration_id.in_([registration.id for _g, registration in rows]))
        .group_by(WorkshopChoice.registration_id)).all()) if rows else {}
    stamps = {gathering.id: max(gathering.changed_at, changed[registration.id])
              for gathering, registration in rows if changed.get(registration.id)}
    with force_locale("nl"):
        name = _("Mijn bijeenkomsten")
    return ics.feed_calendar(gatherings, name, waitlisted_ids=waitlisted, personal=True, own=own, stamps=stamps)


def personal_cache_name(email_key: str) -> str:
    # The address itself stays out of the cache table.
    return "my:" + hashlib.sha256(email_key.encode()).hexdigest()[:40]


def personal_feed_response(token: str) -> Feed:
    """The personal feed behind ``token``; FeedNotFound or FeedGone otherwise."""
    row = find_feed_token(token)
    if row is None:
        raise FeedNotFound(token)
    if not row.is_live:
        raise FeedGone(token)
    email_key, now = row.email_key, utcnow()
    return cached_feed(personal_cache_name(email_key), "personal", personal_mark,
                       {**_window_params(now), "email_key": email_key}, personal_key_of(email_key),
                       lambda: build_personal_feed(email_key, now), keep_body=False)


# --- feed tokens -------------------------------------------------------------

def find_feed_token(token: str) -> FeedToken | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalars(sa.select(FeedToken).where(FeedToken.token == token)).first()


def _live_token(email_key: str) -> FeedToken | None:
    return db.session.scalars(
        sa.select(FeedToken).where(FeedToken.email_key == email_key, FeedToken.replaced_at.is_(None))
    ).first()


def _insert_live_token(email_key: str) -> FeedToken | None:
    """A new live token, or None when another request made one at the same moment."""
    try:
        with db.session.begin_nested():
            row = FeedToken(email_key=email_key)
            db.session.add(row)
        return row
    except IntegrityError:
        return None


def live_feed_token(email_key: str) -> str | None:
    """The address's live personal-feed token, if one was made (reads only: for pages a GET shows)."""
    row = _live_token(email_key)
    return row.token if row is not None else None


def make_feed_token(email_key: str) -> str:
    """The address's live personal-feed token; the first time, made in a transaction of its own.

    For the /my page, a GET, whose own transaction never commits (``database.side_transaction``).
    """
    token = live_feed_token(email_key)
    if token is not None:
        return token
    try:
        with side_transaction() as session:
            session.add(FeedToken(email_key=email_key))
    except IntegrityError:
        pass  # another request made one at the same moment: that one is it
    return live_feed_token(email_key)


def feed_token_for(email_key: str) -> str:
    """The live personal-feed token of an address, made on first use. Flushes; the unit of work commits."""
    row = _live_token(email_key) or _insert_live_token(email_key) or _live_token(email_key)
    return row.token


def renew_feed_token(email_key: str) -> str:
    """Replace the address's feed token; the old feed address then answers 410 Gone."""
    now = utcnow()
    db.session.execute(
        sa.update(FeedToken).where(FeedToken.email_key == email_key, FeedToken.replaced_at.is_(None))
        .values(replaced_at=now)
    )
    row = _insert_live_token(email_key) or _live_token(email_key)  # a simultaneous renewal may have won
    return row.token


def forget_unused_feed_tokens() -> int:
    """Remove feed tokens (and cached validators) of addresses that no longer have any registration."""
    still_used = sa.select(Registration.id).where(Registration.email_key == FeedToken.email_key).exists()
    gone = list(db.session.scalars(sa.select(FeedToken.email_key).where(~still_used).distinct()))
    if gone:
        db.session.execute(sa.delete(FeedToken).where(FeedToken.email_key.in_(gone)))
        db.session.execute(sa.delete(FeedCache).where(FeedCache.feed.in_([personal_cache_name(k) for k in gone])))
    return len(gone)
