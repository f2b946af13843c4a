"""Built feeds, shared by every server process through the database.

A feed is rebuilt only when its data changed: each request computes the
feed's *change key* from one cheap aggregate query (answered from an index)
and compares it with the key stored next to the built bytes (table
``calendar_feed_cache``), in the same query. The key is made of the gatherings'
change marks (how many, their ids, the newest ``changed_at``, their SEQUENCEs;
every change of a gathering's row moves its ``changed_at``, see
``calendar._stamp_change``), the feed's name, BASE_URL and a fingerprint of
what the code writes (``ics.format_fingerprint``). Whichever
process first sees a new key builds the feed and stores bytes, ETag and
Last-Modified under a write lock, in a transaction of its own beside the
request's (``database.side_transaction``: a feed request never commits its
own); the others serve what is stored.

Last-Modified is a high-water mark kept in the same row: when the bytes change
it moves to the newest change time in the feed, and at least one second past
the previous value, so it never goes backwards, also when a gathering leaves
the feed (removed, unpublished, or aged out).

The bytes a process has served (and their gzip form) are also kept in a small
in-process table keyed by their ETag, a hash of the bytes themselves. That table
can never be wrong, only missing something; the database stays the truth.

Measured with bench/feeds.py (2,000 gatherings, SQLite): a build costs about
1.5 s, a 200 from the stored feed well under 2 ms, so the stored feed earns its
place; the in-process table doubles the 200s per second over reading the bytes
from the database. ``CALENDAR_FEED_CACHE = False`` builds every feed on every
request (tests compare the bytes of both ways).
"""
from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..database import is_sqlite, side_transaction
from ..extensions import db
from ..timeutil import utcnow
from .models import FeedCache

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass
class Feed:
    etag: str  # quoted, strong
    last_modified: datetime  # whole seconds, UTC
    load_body: Callable[[], bytes]
    # False for a personal feed: its bytes are not kept in process memory either.
    shared: bool = True

    @property
    def body(self) -> bytes:
        return self.load_body()

    @property
    def gzip_etag(self) -> str:
        return gzip_etag_of(self.etag)

    def gzipped(self) -> bytes:
        """The bytes gzip-compressed (the same bytes every time: no file name, no time in the header)."""
        if not self.shared:
            return gzip.compress(self.body, compresslevel=6, mtime=0)
        body = bodies.get(self.gzip_etag)
        if body is None:
            body = gzip.compress(self.body, compresslevel=6, mtime=0)
            bodies.put(self.gzip_etag, body)
        return body


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def gzip_etag_of(etag: str) -> str:
    """The ETag of the gzip-encoded representation: another representation, so another
    strong ETag (RFC 9110 8.8.3), derived from the identity one."""
    return etag[:-1] + '-gzip"'


def whole_seconds(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(microsecond=0)


class _Bodies:
    """Bytes by ETag, bounded in size (least recently used out first)."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024):
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, etag: str) -> bytes | None:
        with self._lock:
            body = self._items.get(etag)
            if body is not None:
                self._items.move_to_end(etag)
            return body

    def put(self, etag: str, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            if etag in self._items:
                return
            self._items[etag] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                _, old = self._items.popitem(last=False)
                self._size -= len(old)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0


bodies = _Bodies()


def _stored_body(feed: str, etag: str) -> bytes:
    body = bodies.get(etag)
    if body is None:
        body = db.session.scalar(sa.select(FeedCache.body).where(FeedCache.feed == feed, FeedCache.etag == etag))
        if body is None:  # replaced meanwhile by another process: rare, and the caller retries
            raise LookupError(feed)
        body = bytes(body)
        bodies.put(etag, body)
    return body


_statements: dict[str, tuple[sa.Select, sa.Select]] = {}
_statements_lock = threading.Lock()


def _statements_for(name: str, make_mark: Callable[[], sa.Select]) -> tuple[sa.Select, sa.Select]:
    """The mark query and mark-plus-stored-row query, made once per process (they take bind parameters)."""
    found = _statements.get(name)
    if found is None:
        mark = make_mark()
        marks = mark.subquery()
        combined = (
            sa.select(marks, FeedCache.change_key.label("stored_key"), FeedCache.etag.label("stored_etag"),
                      FeedCache.last_modified.label("stored_last_modified"))
            .select_from(marks.outerjoin(FeedCache, FeedCache.feed == sa.bindparam("feed_name")))
        )
        with _statements_lock:
            found = _statements.setdefault(name, (mark, combined))
    return found


def cached_feed(feed: str, mark_name: str, make_mark: Callable[[], sa.Select], params: dict,
                key_of: Callable[[Any], tuple[str, datetime | None]], build: Callable[[], bytes],
                *, keep_body: bool = True) -> Feed:
    """The feed named ``feed``, built again only when its change key changed.

    ``make_mark()`` gives an aggregate query over the feed's data (with bind
    parameters ``params``; made once per ``mark_name``); ``key_of(row)`` turns
    its row into (change key, newest change time or None). The aggregate and the
    stored row are read in one query: a request for an unchanged feed costs one
    round trip. ``keep_body=False`` stores only the validators (personal feeds:
    no personal data in the cache); the bytes are then built again when needed,
    which gives the same bytes for the same key.
    """
    mark, combined = _statements_for(mark_name, make_mark)
    if not current_app.config.get("CALENDAR_FEED_CACHE", True):
        # Off (tests compare with it): built every time, nothing stored or kept in memory.
        _key, newest = key_of(db.session.execute(mark, params).one())
        body = build()
        return Feed(etag_of(body), whole_seconds(newest or utcnow()), lambda: body, shared=False)
    row = db.session.execute(combined, {**params, "feed_name": feed}).one()
    key, newest = key_of(row)
    etag, last_modified = row.stored_etag, row.stored_last_modified
    if row.stored_key == key:
        if keep_body:
            return Feed(etag, last_modified, lambda: _stored_body(feed, etag))
        return Feed(etag, last_modified, build, shared=False)
    if keep_body and etag and not _claim_build(feed):
        # Another request is building the new version right now: serve the stored
        # one for these few seconds instead of building the same bytes again.
        return Feed(etag, last_modified, lambda: _stored_body(feed, etag))

    body = build()
    etag = etag_of(body)

    def current_key(session) -> str:
        return key_of(session.execute(mark, params).one())[0]

    last_modified = _store(feed, key, newest, etag, body if keep_body else None, current_key)
    if keep_body:
        bodies.put(etag, body)
    return Feed(etag, last_modified, lambda: body, shared=keep_body)


BUILD_CLAIM = timedelta(seconds=60)  # a builder that died is replaced after this


def _claim_build(feed: str) -> bool:
    """Claim the (re)build of a stored feed; False when another request holds a live claim.

    In a transaction of its own (``side_transaction``): a feed request only reads, and never commits.
    """
    now = utcnow()
    with side_transaction() as session:
        return session.execute(
            sa.update(FeedCache)
            .where(FeedCache.feed == feed,
                   sa.or_(FeedCache.building_until.is_(None), FeedCache.building_until < now))
            .values(building_until=now + BUILD_CLAIM)
            .execution_options(synchronize_session=False)
        ).rowcount == 1


def _lock_row(session, feed: str) -> FeedCache:
    insert = sqlite_insert if is_sqlite() else pg_insert
    session.execute(
        insert(FeedCache).values(feed=feed, change_key="", etag="", last_modified=EPOCH, built_at=utcnow())
        .on_conflict_do_nothing(index_elements=["feed"])
    )
    query = sa.select(FeedCache).where(FeedCache.feed == feed).execution_options(populate_existing=True)
    if not is_sqlite():
        query = query.with_for_update()
    return session.scalars(query).one()


def _store(feed: str, key: str, newest: datetime | None, etag: str, body: bytes | None,
           current_key: Callable[[Any], str]) -> datetime:
    """Record a build under the row's write lock, in a transaction of its own; returns the feed's Last-Modified."""
    with side_transaction() as session:
        row = _lock_row(session, feed)
        row.building_until = None
        if current_key(session) != key:
            # The data moved on while we built: leave the row to the next build and
            # answer with the current high-water mark (our bytes are only moments old).
            return max(row.last_modified, whole_seconds(newest or utcnow()))
        if row.etag == etag:
            # Same bytes from different data (a change nobody sees): keep Last-Modified.
            row.change_key = key
        else:
            candidate = whole_seconds(newest or utcnow())
            if row.etag:  # never backwards, and strictly forwards when the bytes change
                candidate = max(candidate, row.last_modified + timedelta(seconds=1))
            row.change_key, row.etag, row.last_modified = key, etag, candidate
            row.body = body
            row.built_at = utcnow()
        return row.last_modified
