"""Engine behaviour per database: SQLite pragmas and write-locked transactions.

Capacity is decided under a lock inside the transaction that writes the
registration. PostgreSQL gives a row lock (``SELECT ... FOR UPDATE``). SQLite
has no row locks: there we start the transaction with ``BEGIN IMMEDIATE``, which
takes the database's write lock before anything is read, so two processes can
never both read "one seat left".
"""
import contextvars
from functools import cache

import sqlalchemy as sa
from flask import after_this_request
from sqlalchemy import event

from .extensions import db

_want_immediate = contextvars.ContextVar("want_immediate", default=False)


def configure_engine(engine: sa.engine.Engine) -> None:
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


def is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _start_write_locked() -> None:
    """On SQLite: make sure the session's transaction holds the database's write lock (``BEGIN IMMEDIATE``)."""
    conn = db.session.connection()
    if not conn.info.get("immediate"):
        # The current transaction only read (a view looked the gathering up);
        # end it and start a write-locked one.
        db.session.commit()
        token = _want_immediate.set(True)
        try:
            db.session.connection()
        finally:
            _want_immediate.reset(token)


def _locks_held() -> dict:
    """(model, id) -> instance, for the rows this session's current transaction holds a write lock on."""
    session = db.session()  # the scoped session's own Session
    session.connection()  # begun, so that the transaction below is the one the lock belongs to
    # The innermost: a lock taken inside a savepoint is gone when that savepoint is rolled back.
    transaction = session.get_nested_transaction() or session.get_transaction()
    held = session.info.get("write_locks")
    if held is None or held[0] is not transaction:
        held = (transaction, {})
        session.info["write_locks"] = held
    return held[1]


def write_lock_row(model, row_id):
    """Load ``model`` row ``row_id`` holding a write lock until the transaction ends.

    A row this transaction already locked (and so loaded fresh) is not asked for again.
    """
    if is_sqlite():
        _start_write_locked()
    held = _locks_held().get((model, row_id))
    return held if held is not None else write_lock_first(_by_id(model), {"row_id": row_id})


def write_lock_first(statement: sa.Select, params: dict | None = None):
    """The first row of ``statement`` (a select of one model) holding a write lock until the transaction ends.

    ``statement`` without FOR UPDATE: it is added here where the database has row locks.
    For a caller that finds the row by something else than its id (a gathering by its slug)
    and then calls services that lock it again by id: they find it held and ask nothing.
    """
    if is_sqlite():
        _start_write_locked()
    locking, model = _locking_variant(statement, not is_sqlite())
    instance = db.session.scalars(locking, params or {}).first()
    if instance is not None:
        _locks_held()[(model, instance.id)] = instance
    return instance


@cache
def _by_id(model) -> sa.Select:
    # Built once per model: this runs for every registration during the opening rush.
    return sa.select(model).where(model.id == sa.bindparam("row_id"))


@cache
def _locking_variant(statement: sa.Select, row_locks: bool) -> tuple[sa.Select, type]:
    # Per statement object: callers pass statements they built once (see catalogue.services, _by_id).
    model = statement.column_descriptions[0]["entity"]
    if row_locks:
        statement = statement.with_for_update(of=model)
    return statement.execution_options(populate_existing=True), model


def read_only() -> None:
    """This request only reads: on PostgreSQL its statements run without a transaction around them.

    That saves the BEGIN and ROLLBACK round trips of the pages everybody loads during the
    opening rush (a gathering, a result page), whose few reads need not be one snapshot: what
    counts is decided again under the lock when someone registers. The connection gets its
    usual isolation back when it returns to the pool. Call it before the request's first query;
    on SQLite (and after a query) it changes nothing.
    """
    if db.session().in_transaction() or is_sqlite():
        return
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})

    @after_this_request
    def _give_back(response):
        # At once, not only at teardown: a test (or a CLI) that shares this session must not go on in
        # autocommit. Ending the session's "transaction" returns the connection with its isolation reset.
        db.session.rollback()
        return response


def begin_write() -> None:
    """End the session's current transaction and start one that may write at once.

    On SQLite that is ``BEGIN IMMEDIATE`` (the write lock from the start, so a
    read-then-write cannot fail halfway with "database is locked"); on PostgreSQL
    a plain transaction, in which callers take row locks themselves.
    """
    db.session.commit()
    if not is_sqlite():
        return
    token = _want_immediate.set(True)
    try:
        db.session.connection()
    finally:
        _want_immediate.reset(token)
