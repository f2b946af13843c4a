"""Write locks (gatherings/database.py): held until the transaction ends, asked for once per transaction."""
import contextlib

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from gatherings.catalogue.models import Gathering
from gatherings.catalogue.services import get_visible_gathering
from gatherings.database import write_lock_row
from gatherings.extensions import db
from tests.factories import make_gathering


@contextlib.contextmanager
def statements():
    seen: list[str] = []

    def _record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)


def locked_elsewhere(gathering_id: int) -> bool:
    """Whether another connection is kept from locking the row (PostgreSQL) or from writing at all (SQLite)."""
    engine = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool,
                              connect_args={"timeout": 0.2} if db.engine.dialect.name == "sqlite" else {})
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("SET lock_timeout = '200ms'")
                conn.exec_driver_sql("SELECT id FROM gathering WHERE id = %s FOR UPDATE" % int(gathering_id))
            conn.rollback()
        return False
    except sa.exc.OperationalError:
        return True
    finally:
        engine.dispose()


def test_a_lock_is_held_until_the_transaction_ends_and_asked_for_once(app):
    gathering_id = make_gathering().id
    db.session.commit()
    with statements() as seen:
        first = write_lock_row(Gathering, gathering_id)
        asked = len(seen)
        again = write_lock_row(Gathering, gathering_id)
    assert asked >= 1 and len(seen) == asked  # the second call asked the database nothing
    assert again is first
    assert locked_elsewhere(gathering_id)
    db.session.commit()
    assert not locked_elsewhere(gathering_id)
    with statements() as seen:
        write_lock_row(Gathering, gathering_id)  # a new transaction: locked (and so read) again
    assert seen
    assert locked_elsewhere(gathering_id)
    db.session.rollback()


def test_locking_by_slug_then_by_id_is_one_query(app):
    gathering = make_gathering()
    slug, gathering_id = gathering.slug, gathering.id
    db.session.commit()
    with statements() as seen:
        found = get_visible_gathering(slug, write_lock=True)
        asked = len(seen)
        assert write_lock_row(Gathering, gathering_id) is found
    assert len(seen) == asked
    assert locked_elsewhere(gathering_id)
    db.session.rollback()


def test_the_locked_row_is_read_fresh(app):
    gathering = make_gathering(capacity=5)
    db.session.commit()
    assert gathering.capacity == 5  # loaded in this session
    with db.engine.begin() as other:
        other.execute(sa.text("UPDATE gathering SET capacity = 9 WHERE id = :id"), {"id": gathering.id})
    assert write_lock_row(Gathering, gathering.id).capacity == 9
    db.session.rollback()


def test_a_lock_taken_in_a_savepoint_that_was_rolled_back_is_taken_again(app, is_postgres):
    if not is_postgres:
        pytest.skip("SQLite locks the whole database for the transaction, savepoints or not")
    gathering_id = make_gathering().id
    db.session.commit()
    db.session.connection()
    nested = db.session.begin_nested()
    write_lock_row(Gathering, gathering_id)
    nested.rollback()  # PostgreSQL lets go of a row lock taken after the savepoint
    assert not locked_elsewhere(gathering_id)
    with statements() as seen:
        write_lock_row(Gathering, gathering_id)
    assert seen
    assert locked_elsewhere(gathering_id)
    db.session.rollback()


def test_a_read_only_request_runs_without_a_transaction_on_postgresql_and_gives_it_back(app, client, is_postgres):
    from gatherings.database import read_only

    seen = {}

    @app.get("/test-read-only")
    def _read_only_view():
        read_only()
        connection = db.session.connection()
        seen["autocommit"] = connection.connection.driver_connection.autocommit if is_postgres else None
        seen["gathering"] = db.session.scalar(sa.select(sa.func.count()).select_from(Gathering))
        return "ok"

    make_gathering()
    db.session.commit()
    assert client.get("/test-read-only").text == "ok"
    assert seen["gathering"] == 1
    if is_postgres:
        assert seen["autocommit"] is True
        # The test's own session (shared with the request) is back in transactions: a rollback undoes.
        make_gathering_id = make_gathering().id
        assert db.session.connection().connection.driver_connection.autocommit is False
        db.session.execute(sa.delete(Gathering).where(Gathering.id == make_gathering_id))
        db.session.rollback()
        assert db.session.get(Gathering, make_gathering_id) is not None
