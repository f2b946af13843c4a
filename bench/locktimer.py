"""The app for bench/post_only.py, with the gathering's lock timed: a gunicorn target, never used in production.

``gunicorn -c gunicorn.conf.py --chdir bench locktimer:app`` serves the same app as
``wsgi:app`` and, for every transaction that takes a row lock (``SELECT ... FOR
UPDATE``, or the one flight of registration/flight.py), appends one line to the file named by
LOCKTIMER_FILE:

    asked got released

(seconds since the epoch, the same clock in every worker): when the FOR UPDATE was
sent, when its answer came back (the lock is held from here) and when the COMMIT or
ROLLBACK that let go of it came back. Only the bench's workers carry these
listeners; the app itself is not changed. The line is written after the lock is
let go, so the writing is not inside the time it measures.
"""
import os
import sys
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wsgi import app  # noqa: E402  (after the path: the checkout's app)
from gatherings.extensions import db  # noqa: E402
from gatherings.registration import flight  # noqa: E402

_out = os.open(os.environ["LOCKTIMER_FILE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
_held: dict[int, tuple[float, float]] = {}  # id(DBAPI connection) -> (asked, got)

with app.app_context():
    _engine = db.engine


@event.listens_for(_engine, "before_cursor_execute")
def _asking(_conn, cursor, statement, *_args):
    if "FOR UPDATE" in statement:
        _held[id(cursor.connection)] = (time.time(), 0.0)


@event.listens_for(_engine, "after_cursor_execute")
def _got(_conn, cursor, statement, *_args):
    if "FOR UPDATE" in statement:
        key = id(cursor.connection)
        asked = _held.get(key, (time.time(), 0.0))[0]
        _held[key] = (asked, time.time())


def _timed_end(end):
    """The dialect's do_commit / do_rollback, noting when it came back for a connection holding a lock."""

    def wrapper(connection):
        try:
            end(connection)
        finally:
            # SQLAlchemy passes the pool's proxy; the cursor's connection (above) is the DBAPI one inside it.
            held = _held.pop(id(getattr(connection, "dbapi_connection", connection)), None)
            if held is not None and held[1]:
                os.write(_out, f"{held[0]:.6f} {held[1]:.6f} {time.time():.6f}\n".encode())

    return wrapper


def _flown(asked: float, got: float, released: float) -> None:
    # The one flight (registration/flight.py) sends lock, decision and COMMIT together: its times are the
    # database's clock, read in the same flight (the same clock as time.time() on this machine).
    os.write(_out, f"{asked:.6f} {got:.6f} {released:.6f}\n".encode())


flight.observe = _flown
_engine.dialect.do_commit = _timed_end(_engine.dialect.do_commit)
_engine.dialect.do_rollback = _timed_end(_engine.dialect.do_rollback)
