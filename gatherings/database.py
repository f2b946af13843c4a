"""Units of work and write locks.

One unit of work per request or command that writes. It begins at the
boundary, before anything is read (a view decorated with ``@writes``, or
``with unit_of_work():`` in a view or CLI command); services only flush; the
unit commits when its block ends without an error and rolls back when it
raises. Nothing else commits: a write lock never ends someone's transaction to
start its own.

Capacity is decided under a lock inside the transaction that writes the
registration. PostgreSQL gives a row lock (``SELECT ... FOR UPDATE``, taken by
``write_lock_row`` / ``write_lock_first``). SQLite has no row locks: there a
unit of work begins with ``BEGIN IMMEDIATE``, which takes the database's write
lock before anything is read, so two processes can never both read "one seat
left"; the same functions then read the row fresh.
"""
import contextlib
import contextvars
import functools
import hashlib
import select
from collections.abc import Iterator
from functools import cache

import sqlalchemy as sa
from flask import request
from sqlalchemy import event, orm

from .extensions import db

# Set for the whole of a unit of work: every transaction SQLite begins inside it is BEGIN IMMEDIATE.
_want_immediate = contextvars.ContextVar("want_immediate", default=False)
_WROTE = "unit_of_work.wrote"  # session.info: this transaction flushed or executed a write
_IN_UNIT = "unit_of_work.open"
_LOCKED = "unit_of_work.locked"  # session.info: (model, id) of rows locked in this transaction; an assertion only


def configure_engine(engine: sa.engine.Engine) -> None:
    if engine.dialect.name == "postgresql":
        event.listen(engine, "checkout", _closed_while_idle)
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy (not pysqlite) emit BEGIN, so we can choose IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = _want_immediate.get()
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        conn.info["immediate"] = immediate

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn):
        # Connection.info outlives the transaction (it belongs to the pooled connection).
        conn.info["immediate"] = False


def _closed_while_idle(dbapi_connection, _record, _proxy) -> None:
    """Refuse a pooled PostgreSQL connection that the server closed while it lay in the pool (a restart).

    Instead of a ping (a round trip before every request's first statement, pool_pre_ping): an
    idle connection has nothing to read, unless the server said goodbye (or closed the socket).
    One look at the socket, no round trip. The pool then opens a new connection (DisconnectionError).
    A connection lost without a word (a cable pulled) is noticed at its first statement instead:
    that request gets the 503 page, and the pool is refreshed (errors.py).
    """
    if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
        raise sa.exc.DisconnectionError("connection closed")
    readable, _writable, _failed = select.select([dbapi_connection.fileno()], [], [], 0)
    if readable:
        raise sa.exc.DisconnectionError("the server closed the connection while it was idle")


def _flushed(session, _context):
    session.info[_WROTE] = True


def _executed(state):
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


def _ended(session, transaction):
    if transaction.parent is None:
        session.info.pop(_WROTE, None)
        session.info.pop(_LOCKED, None)


def _rolled_back(session, _previous):
    # Also a savepoint's rollback, which lets go of the row locks taken after it on PostgreSQL.
    session.info.pop(_LOCKED, None)


def configure_session() -> None:
    """Remember whether the session's transaction wrote anything, so a unit of work never silently drops it."""
    for name, listener in (("after_flush", _flushed), ("do_orm_execute", _executed),
                           ("after_transaction_end", _ended), ("after_soft_rollback", _rolled_back)):
        if not event.contains(db.session, name, listener):  # one `db` for every app the tests make
            event.listen(db.session, name, listener)


def is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _fresh_start(session: orm.Session) -> None:
    """End a transaction left open by reading (a login check, a test's own look-up); refuse to drop writes."""
    if not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted or session.info.get(_WROTE):
        raise RuntimeError("a unit of work begins before anything is written; this session holds unsaved work")
    session.rollback()


@contextlib.contextmanager
def unit_of_work() -> Iterator[None]:
    """The one transaction of a request or command that writes: commits at the end, rolls back on an error.

    On SQLite it is ``BEGIN IMMEDIATE`` (the write lock from the start, so a read-then-write
    cannot fail halfway with "database is locked"); on PostgreSQL a plain transaction, in
    which ``write_lock_row`` takes row locks. Units do not nest.
    """
    session = db.session()
    if session.info.get(_IN_UNIT):
        raise RuntimeError("units of work do not nest")
    _fresh_start(session)
    session.info[_IN_UNIT] = True
    token = _want_immediate.set(True)
    try:
        session.connection()  # BEGIN (IMMEDIATE on SQLite) now, before anything is read
        yield
    except BaseException:
        session.rollback()
        raise
    else:
        session.commit()
    finally:
        _want_immediate.reset(token)
        session.info.pop(_IN_UNIT, None)


def writes(view):
    """View decorator: a POST (any method but GET and HEAD) runs inside one ``unit_of_work``.

    Put it right under the route, above ``organiser_required`` and the like, so that the
    unit begins before the request's first query.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if request.method in ("GET", "HEAD"):
            return view(*args, **kwargs)
        with unit_of_work():
            return view(*args, **kwargs)

    return wrapper


@contextlib.contextmanager
def side_transaction() -> Iterator[orm.Session]:
    """A short transaction in a session and connection of its own, committed when the block ends.

    For a shared cache's bookkeeping (a built calendar feed, stored for every process) that a
    request which only reads may write: the request's own transaction is never touched, let
    alone committed. On SQLite it begins with the write lock (``BEGIN IMMEDIATE``).

    The request's own transaction (which must only have read) is ended first: its connection
    goes back to the pool, so a request never holds two connections (with as many requests
    as the pool has connections, each waiting for a second one, none would ever go on).
    """
    _fresh_start(db.session())
    with orm.Session(db.engine) as session, session.begin():
        token = _want_immediate.set(True)
        try:
            session.connection()
        finally:
            _want_immediate.reset(token)
        yield session


def in_unit_of_work() -> bool:
    return bool(db.session().info.get(_IN_UNIT))


def _check_write_lock_possible() -> None:
    if not in_unit_of_work():
        raise RuntimeError("write locks are taken inside a unit of work (database.unit_of_work or @writes)")


def write_lock_row(model, row_id):
    """Load ``model`` row ``row_id`` fresh, holding a write lock until the unit of work ends; None if missing."""
    return write_lock_first(_by_id(model), {"row_id": row_id})


def write_lock_first(statement: sa.Select, params: dict | None = None):
    """The first row of ``statement`` (a select of one model), read fresh and held until the unit of work ends.

    ``statement`` without FOR UPDATE: it is added here where the database has row locks
    (on SQLite the unit of work already holds the database's write lock).
    """
    _check_write_lock_possible()
    locking = _locking_variant(statement, not is_sqlite())
    instance = db.session.scalars(locking, params or {}).first()
    if instance is not None:
        db.session().info.setdefault(_LOCKED, set()).add((type(instance), instance.id))
    return instance


def write_lock_key(namespace: str, key: str) -> None:
    """Hold a write lock on a value that has no row to lock yet (an address), until the unit of work ends.

    Two requests about the same ``key`` then decide one after the other: on PostgreSQL through a
    transaction-level advisory lock on a 64-bit hash of ``namespace`` and ``key``; on SQLite the
    unit of work already holds the database's write lock.
    """
    _check_write_lock_possible()
    if is_sqlite():
        return
    digest = hashlib.blake2b(f"{namespace}\0{key}".encode(), digest_size=8).digest()
    db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"),
                       {"k": int.from_bytes(digest, "big", signed=True)})


def require_write_lock(instance) -> None:
    """Raise unless ``instance``'s row was write-locked in this transaction (by ``write_lock_row``/``_first``).

    Services that decide about seats call it on the gathering they were given: a caller that
    forgot the lock fails loudly instead of overselling quietly. It only checks; it never locks.
    """
    locked = db.session().info.get(_LOCKED, ())
    if (type(instance), instance.id) not in locked:
        raise RuntimeError(f"{instance!r} is not write-locked in this transaction (see database.write_lock_row)")


@cache
def _by_id(model) -> sa.Select:
    # Built once per model: this runs for every registration during the opening rush.
    return sa.select(model).where(model.id == sa.bindparam("row_id"))


@cache
def _locking_variant(statement: sa.Select, row_locks: bool) -> sa.Select:
    # Per statement object: callers pass statements they built once (see catalogue.services, _by_id).
    if row_locks:
        statement = statement.with_for_update(of=statement.column_descriptions[0]["entity"])
    return statement.execution_options(populate_existing=True)


_own_connection = contextvars.ContextVar("autocommit_connection", default=None)


@contextlib.contextmanager
def autocommit_connection() -> Iterator[object]:
    """PostgreSQL only: a pooled connection of the block's own, in autocommit, used through the driver (psycopg).

    For the opening rush's registration (registration/flight.py), whose statements bring their own
    BEGIN and COMMIT and go past the ORM: without the session's bookkeeping around them. The
    request's session is ended first (it holds no connection meanwhile, so a request never holds
    two). The connection goes back to the pool as it came: out of any transaction, not in autocommit.
    """
    _fresh_start(db.session())
    fairy = db.engine.raw_connection()
    raw = fairy.driver_connection
    token = _own_connection.set(raw)
    try:
        raw.autocommit = True
        yield raw
    finally:
        _own_connection.reset(token)
        try:
            if raw.info.transaction_status != raw.info.transaction_status.IDLE:
                raw.rollback()
            raw.autocommit = False
        except Exception:  # broken: the pool must not hand it out again
            fairy.invalidate()
        fairy.close()


def driver_connection():
    """The block's own connection (``autocommit_connection``), else the session's (inside ``no_transaction``)."""
    raw = _own_connection.get()
    return raw if raw is not None else db.session().connection().connection.driver_connection


@contextlib.contextmanager
def no_transaction() -> Iterator[None]:
    """On PostgreSQL, the block's statements run without a transaction around them (autocommit).

    For reads that need not be one snapshot (what counts is decided again under a lock), and for
    a write that brings its own BEGIN and COMMIT (registration.flight): it saves the BEGIN and
    ROLLBACK round trips. Nothing else may write in it (autocommit makes each write final at
    once). The connection gets its usual isolation back when the block ends. On SQLite it
    changes nothing.
    """
    session = db.session()
    if is_sqlite():
        yield
        return
    _fresh_start(session)
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    try:
        yield
    finally:
        # At once, not only at teardown: a test (or a CLI) that shares this session must not go on in
        # autocommit. Ending the session's "transaction" returns the connection with its isolation reset.
        session.rollback()


def read_only(view):
    """View decorator: on PostgreSQL the view's statements run without a transaction around them.

    That saves the BEGIN and ROLLBACK round trips of the pages everybody loads during the
    opening rush (a gathering, a result page), whose few reads need not be one snapshot: what
    counts is decided again under the lock when someone registers. The view must not write.
    See ``no_transaction``.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with no_transaction():
            return view(*args, **kwargs)

    return wrapper
