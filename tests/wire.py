"""What really goes to PostgreSQL: libpq's own trace of the app's connections, as round trips.

A round trip is what the client sent before it waited for an answer (the trace's
"F" messages up to the next "B"). Statements sent by psycopg directly (the opening
rush's one flight, registration/flight.py) are in it too, unlike SQLAlchemy's events.
"""
import contextlib
import os
import tempfile

import psycopg
from sqlalchemy import event

from gatherings.extensions import db

FLAGS = psycopg.pq.Trace.SUPPRESS_TIMESTAMPS | psycopg.pq.Trace.REGRESS_MODE


@contextlib.contextmanager
def round_trips():
    """Yields a list that holds, when the block ends, each round trip as the statements sent in it."""
    trips: list[list[str]] = []
    traced: list[tuple] = []

    def _attach(dbapi_connection, _record, _proxy):
        pgconn = dbapi_connection.pgconn
        if any(t[0] is pgconn for t in traced):
            return
        fd, path = tempfile.mkstemp(prefix="wire-")
        os.unlink(path)
        pgconn.trace(fd)
        pgconn.set_trace_flags(FLAGS)
        traced.append((pgconn, fd))

    db.engine.dispose()  # every connection of the block is checked out (and traced) anew
    event.listen(db.engine, "checkout", _attach)
    try:
        yield trips
    finally:
        event.remove(db.engine, "checkout", _attach)
        for pgconn, fd in traced:
            pgconn.untrace()
            os.lseek(fd, 0, os.SEEK_SET)
            text = b""
            while chunk := os.read(fd, 1 << 16):
                text += chunk
            os.close(fd)
            trips += _trips(text.decode(errors="replace").splitlines())


def _trips(lines: list[str]) -> list[list[str]]:
    trips, sent, answered = [], [], False
    for line in lines:
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        direction, kind, rest = parts[0], parts[2], parts[3] if len(parts) > 3 else ""
        if direction == "F":
            if answered:
                trips.append(sent)
                sent, answered = [], False
            if kind in ("Parse", "Query"):
                sent.append(rest.split('"')[3] if kind == "Parse" else rest.split('"')[1])
            elif kind in ("Sync", "Bind") and not sent:
                sent.append(kind)
        elif direction == "B":
            answered = True
    if sent or answered:
        trips.append(sent)
    return trips
