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

from ..catalogue.models import KINDS, Gathering, HostOrganisation, Theme
from ..extensions import db
from ..registration.models import Registration
from ..timeutil import utcnow
from . import ics
from .cache import Feed, cached_feed
from .models import FeedCache, FeedToken

# Past gatherings stay in feeds this long, so people can look back.
PAST_DAYS = 90
# Part of every change key: raise it when ics.py writes different bytes for the same data.
FORMAT_VERSION = "1"


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
    if kind not in KINDS:
        raise FeedNotFound(kind)
    return PublicFeed(f"kind:{kind}", kind=kind)


def theme_feed(slug: str) -> PublicFeed:
    theme = db.session.scalars(sa.select(Theme).where(Theme.slug == slug)).first()
    if theme is None:
        raise FeedNotFound(slug)
    return PublicFeed(f"theme:{theme.id}", theme_id=theme.id, theme_name=theme.name)


def public_feeds() -> list[tuple[PublicFeed, str]]:
    """Every public feed with the path it is served at (for the subscribe page)."""
    feeds = [(all_feed(), "/calendar.ics")]
    feeds += [(kind_feed(kind), f"/calendar/{kind}.ics") for kind in KINDS]
    for theme in db.session.scalars(sa.select(Theme).order_by(Theme.name)):
        feeds.append((PublicFeed(f"theme:{theme.id}", theme_id=theme.id, theme_name=theme.name),
                      f"/calendar/themes/{theme.slug}.ics"))
    return feeds


# --- what is in a feed -------------------------------------------------------

def in_feed_window(now: datetime):
    """Drafts never; cancelled ones until they are over; past ones for PAST_DAYS."""
    return sa.or_(
        sa.and_(Gathering.status == "published", Gathering.ends_at > now - timedelta(days=PAST_DAYS)),
        sa.and_(Gathering.status == "cancelled", Gathering.ends_at > now),
    )


def _public_filter(feed: PublicFeed, now: datetime) -> list:
    conditions = [in_feed_window(now)]
    if feed.kind:
        conditions.append(Gathering.kind == feed.kind)
    if feed.theme_id:
        conditions.append(Gathering.theme_id == feed.theme_id)
    return conditions


def _names_signature() -> str:
    """Theme and host names appear in events (CATEGORIES, DESCRIPTION) without touching gatherings."""
    rows = db.session.execute(
        sa.union_all(
            sa.select(sa.literal("t"), Theme.id, Theme.slug, Theme.name),
            sa.select(sa.literal("h"), HostOrganisation.id, HostOrganisation.slug, HostOrganisation.name),
        )
    ).all()
    return "|".join(f"{r[0]}{r[1]}:{r[2]}:{r[3]}" for r in sorted(rows))


def _key(*parts) -> str:
    text = "\x1f".join(str(p) for p in (FORMAT_VERSION, current_app.config["BASE_URL"], *parts))
    return hashlib.sha256(text.encode()).hexdigest()


def public_change_key(feed: PublicFeed, now: datetime | None = None) -> tuple[str, datetime | None]:
    """(key, newest change) of a public feed, from one aggregate query over its gatherings.

    Any change that can alter the bytes alters the key: a gathering added
    (count, id sum), removed or aged out (count, id sum), changed (changed_at,
    sequence), or a theme or host renamed (names).
    """
    now = now or utcnow()
    count, newest, id_sum, seq_sum = db.session.execute(
        sa.select(sa.func.count(Gathering.id), sa.func.max(Gathering.changed_at), sa.func.sum(Gathering.id),
                  sa.func.sum(Gathering.sequence)).where(*_public_filter(feed, now))
    ).one()
    return _key(feed.cache_name, feed.title, count, newest, id_sum, seq_sum, _names_signature()), newest


def public_feed_gatherings(feed: PublicFeed, now: datetime | None = None) -> list[Gathering]:
    now = now or utcnow()
    return list(db.session.scalars(
        sa.select(Gathering).where(*_public_filter(feed, now)).order_by(Gathering.starts_at, Gathering.id)
    ))


def build_public_feed(feed: PublicFeed, now: datetime | None = None) -> bytes:
    return ics.feed_calendar(public_feed_gatherings(feed, now), feed.title)


def public_feed_response(feed: PublicFeed) -> Feed:
    now = utcnow()
    return cached_feed(feed.cache_name, lambda: public_change_key(feed, now), lambda: build_public_feed(feed, now))


# --- personal feeds ----------------------------------------------------------

ACTIVE = ("confirmed", "waitlisted")


def _personal_filter(email_key: str, now: datetime) -> list:
    return [Registration.email_key == email_key, Registration.status.in_(ACTIVE), in_feed_window(now)]


def personal_change_key(email_key: str, now: datetime) -> tuple[str, datetime | None]:
    waitlisted_ids = sa.func.sum(sa.case((Registration.status == "waitlisted", Registration.id), else_=0))
    count, reg_sum, reg_newest, wait_sum, newest, seq_sum = db.session.execute(
        sa.select(sa.func.count(Registration.id), sa.func.sum(Registration.id), sa.func.max(Registration.updated_at),
                  waitlisted_ids, sa.func.max(Gathering.changed_at), sa.func.sum(Gathering.sequence))
        .join(Gathering, Registration.gathering_id == Gathering.id)
        .where(*_personal_filter(email_key, now))
    ).one()
    key = _key("my", email_key, count, reg_sum, reg_newest, wait_sum, newest, seq_sum, _names_signature())
    changed = max([t for t in (newest, reg_newest) if t is not None], default=None)
    return key, changed


def build_personal_feed(email_key: str, now: datetime) -> bytes:
    rows = db.session.execute(
        sa.select(Gathering, Registration.status)
        .join(Registration, Registration.gathering_id == Gathering.id)
        .where(*_personal_filter(email_key, now))
    ).all()
    gatherings = [gathering for gathering, _status in rows]
    waitlisted = {gathering.id for gathering, status in rows if status == "waitlisted"}
    with force_locale("nl"):
        name = _("Mijn bijeenkomsten")
    return ics.feed_calendar(gatherings, name, waitlisted_ids=waitlisted, personal=True)


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
    return cached_feed(personal_cache_name(email_key), lambda: personal_change_key(email_key, now),
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


def feed_token_for(email_key: str) -> str:
    """The live personal-feed token of an address, made on first use. Flushes; the caller commits."""
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
