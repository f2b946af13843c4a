"""Units of work and write locks (gatherings/database.py), on SQLite and PostgreSQL.

A unit of work begins at the boundary (``@writes`` or ``with unit_of_work()``),
services only flush, and the unit commits or rolls back as a whole; a write lock
is held until the unit ends and is never taken by ending someone's transaction.
"""
import contextlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from gatherings.catalogue.models import Gathering, Theme
from gatherings.catalogue.services import get_visible_gathering, lock_gathering
from gatherings.database import read_only, require_write_lock, unit_of_work, write_lock_row, writes
from gatherings.extensions import db
from gatherings.mail.models import OutboxMessage
from gatherings.registration import services, signals
from gatherings.registration.models import Registration
from tests.factories import make_gathering, make_registration


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


def count(model) -> int:
    db.session.rollback()  # a fresh look at what is committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- locks ---------------------------------------------------------------------------------------------------


def test_a_lock_is_held_until_the_unit_of_work_ends(app):
    gathering_id = make_gathering().id
    db.session.commit()
    with unit_of_work():
        locked = write_lock_row(Gathering, gathering_id)
        require_write_lock(locked)  # the services' check passes
        assert locked_elsewhere(gathering_id)
    assert not locked_elsewhere(gathering_id)
    with pytest.raises(RuntimeError, match="not write-locked"):
        require_write_lock(locked)  # a new transaction holds nothing


def test_locking_by_slug_is_one_query_and_the_service_asks_nothing_more(app):
    gathering = make_gathering()
    slug, gathering_id = gathering.slug, gathering.id
    db.session.commit()
    with unit_of_work():
        with statements() as seen:
            found = get_visible_gathering(slug, write_lock=True)
        assert len([s for s in seen if "FROM gathering" in s]) == 1
        assert found.id == gathering_id and locked_elsewhere(gathering_id)
        with statements() as seen:
            services.register(found, services.Applicant(name="Anna", email="anna@voorbeeld.nl"))
        assert not [s for s in seen if "FROM gathering" in s or "FOR UPDATE" in s]


def test_the_locked_row_is_read_fresh(app):
    gathering = make_gathering(capacity=5)
    db.session.commit()
    assert gathering.capacity == 5  # loaded in this session
    with db.engine.begin() as other:
        other.execute(sa.text("UPDATE gathering SET capacity = 9 WHERE id = :id"), {"id": gathering.id})
    with unit_of_work():
        assert write_lock_row(Gathering, gathering.id).capacity == 9


def test_a_lock_is_only_taken_inside_a_unit_of_work_and_never_commits_what_came_before(app):
    """The old write_lock_row committed the caller's transaction on SQLite to start BEGIN IMMEDIATE."""
    gathering_id = make_gathering().id
    db.session.add(Theme(slug="voor-de-lock", name="Geflusht, niet bewaard"))
    db.session.flush()
    with pytest.raises(RuntimeError, match="inside a unit of work"):
        write_lock_row(Gathering, gathering_id)
    with pytest.raises(RuntimeError, match="unsaved work"):
        with unit_of_work():
            pass
    db.session.rollback()
    assert count(Theme) == 0


def test_units_of_work_do_not_nest(app):
    with unit_of_work():
        with pytest.raises(RuntimeError, match="do not nest"):
            with unit_of_work():
                pass


def test_a_service_given_an_unlocked_gathering_refuses(app):
    gathering = make_gathering()
    with unit_of_work():
        with pytest.raises(RuntimeError, match="not write-locked"):
            services.register(db.session.get(Gathering, gathering.id),
                              services.Applicant(name="Anna", email="anna@voorbeeld.nl"))
    assert count(Registration) == 0


def test_a_lock_taken_in_a_savepoint_that_was_rolled_back_must_be_taken_again(app, is_postgres):
    if not is_postgres:
        pytest.skip("SQLite locks the whole database for the transaction, savepoints or not")
    gathering_id = make_gathering().id
    db.session.commit()
    with unit_of_work():
        nested = db.session.begin_nested()
        locked = write_lock_row(Gathering, gathering_id)
        nested.rollback()  # PostgreSQL lets go of a row lock taken after the savepoint
        assert not locked_elsewhere(gathering_id)
        with pytest.raises(RuntimeError, match="not write-locked"):
            require_write_lock(locked)
        require_write_lock(write_lock_row(Gathering, gathering_id))
        assert locked_elsewhere(gathering_id)


# --- one unit of work: all or nothing ------------------------------------------------------------------------


@contextlib.contextmanager
def failing_after_the_flush():
    """A receiver of registration_confirmed that fails: the registration row is flushed by then."""
    def _fail(registration, **_kw):
        assert registration.id is not None  # written to the database (flushed), not yet committed
        raise RuntimeError("the mail area failed")

    with signals.registration_confirmed.connected_to(_fail):
        yield


def test_a_service_failing_after_a_flush_leaves_nothing_behind(app):
    gathering = make_gathering()
    with failing_after_the_flush(), pytest.raises(RuntimeError, match="mail area failed"):
        with unit_of_work():
            services.register(lock_gathering(gathering.id), services.Applicant(name="Anna", email="a@voorbeeld.nl"))
    assert count(Registration) == 0
    assert count(OutboxMessage) == 0
    assert not locked_elsewhere(gathering.id)


def test_a_request_whose_service_fails_after_a_flush_leaves_nothing_behind(app, client):
    slug = make_gathering().slug
    db.session.commit()
    waiting = make_registration(make_gathering(capacity=0))  # a registration that is there before
    with failing_after_the_flush(), pytest.raises(RuntimeError, match="mail area failed"):
        client.post(f"/gatherings/{slug}/register",
                    data={"name": "Anna", "email": "anna@voorbeeld.nl", "consent": "y"})
    assert count(Registration) == 1 and db.session.get(Registration, waiting.id) is not None
    outbox = db.session.scalars(sa.select(OutboxMessage.kind)).all()
    assert outbox == ["waitlisted"]  # only the mail of the registration made before


def test_a_view_that_writes_commits_once_at_the_end(app, client):
    commits = []

    @app.post("/test-writes")
    @writes
    def _writes_view():
        db.session.add(Theme(slug="een", name="Een"))
        db.session.flush()
        db.session.add(Theme(slug="twee", name="Twee"))
        return "ok"

    def _committed(conn):
        commits.append(conn)

    event.listen(db.engine, "commit", _committed)
    try:
        assert client.post("/test-writes").text == "ok"
    finally:
        event.remove(db.engine, "commit", _committed)
    assert len(commits) == 1
    assert count(Theme) == 2


# --- reading -------------------------------------------------------------------------------------------------


def test_pages_that_only_read_never_commit(app, client):
    """GETs of the public pages, a result page, /my, the feeds: the request's session commits nothing.

    (A feed's cache row and the first visit's personal feed token are written in a transaction of their own.)
    """
    from gatherings.my.models import AccessToken, hash_token
    from gatherings.timeutil import utcnow

    gathering = make_gathering()
    registration = make_registration(gathering, email="anna@voorbeeld.nl")
    with unit_of_work():  # a /my link (its token is only mailed: one known to this test)
        db.session.add(AccessToken(token_hash=hash_token("t" * 43), email_key="anna@voorbeeld.nl",
                                   created_at=utcnow(), expires_at=utcnow() + timedelta(days=1)))
    commits = []

    def _committed(session):
        commits.append(session)

    event.listen(db.session, "after_commit", _committed)
    try:
        for path in ("/", f"/gatherings/{gathering.slug}", f"/r/{registration.token}", "/calendar.ics",
                     "/calendar/theme.ics", f"/gatherings/{gathering.slug}.ics", "/calendar", "/my", "/my/" + "t" * 43):
            assert client.get(path).status_code == 200, path
    finally:
        event.remove(db.session, "after_commit", _committed)
    assert commits == []


def test_a_read_only_view_runs_without_a_transaction_on_postgresql_and_gives_it_back(app, client, is_postgres):
    seen = {}

    @app.get("/test-read-only")
    @read_only
    def _read_only_view():
        connection = db.session.connection()
        seen["autocommit"] = connection.connection.driver_connection.autocommit if is_postgres else None
        seen["gathering"] = db.session.scalar(sa.select(sa.func.count()).select_from(Gathering))
        return "ok"

    make_gathering()
    db.session.commit()
    db.session.get(Gathering, 1)  # the test's own session has a transaction open: the view begins afresh
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


def test_every_relationship_is_in_place_once_the_app_is_made(tmp_path):
    """A worker's first request may build a loader option (Gathering.programme) before any query has run."""
    import subprocess
    import sys
    code = ("from gatherings import create_app\n"
            f"create_app({{'TESTING': True, 'SECRET_KEY': 'x', 'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/a.db'}})\n"
            "from gatherings.catalogue.models import Gathering\n"
            "print(Gathering.programme.property.mapper.class_.__name__)\n")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert found.stdout.strip() == "ProgrammePart", found.stderr[-2000:]
