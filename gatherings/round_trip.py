"""Statements sent to PostgreSQL together, as one round trip: libpq's pipeline mode, driven through psycopg.

For the opening rush's registration (registration/flight.py), whose lock must be held
for no more than one round trip of the server's work. psycopg's own ``Connection.pipeline()``
does this too, but per statement it makes a cursor, flushes the socket and keeps a queue
of pending results: about 7% of the POST's instructions (callgrind, bench/post_only.py's
POST in-process). Here the statements are queued in libpq (psycopg's ``pq`` interface),
flushed once, and their results read once, with psycopg's own adapters for the values
both ways and its own exceptions for a failure.

A statement marked ``prepared`` is prepared on the server the first time a connection
sends it (in the same round trip) and executed by name afterwards: the flight's
statement is long, and parsing and planning it anew cost the server as much as running it.
"""
from __future__ import annotations

import itertools
import select
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import psycopg
from psycopg import pq
from psycopg.adapt import PyFormat, Transformer
from psycopg.errors import error_from_result

_FAILED = (pq.ExecStatus.FATAL_ERROR, pq.ExecStatus.PIPELINE_ABORTED)
# Per connection: statement text -> its name on the server. Names are never used twice (a statement
# that failed is prepared again under a new name; the old one goes when the connection does).
_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_NAMES = itertools.count(1)


@dataclass(frozen=True)
class Statement:
    sql: str  # with PostgreSQL's own placeholders: $1, $2 ...
    params: Sequence = ()
    prepared: bool = False


def send(connection: psycopg.Connection, statements: Sequence[Statement]) -> list[list[tuple]]:
    """Send ``statements`` in one round trip; each one's rows. The first failure is raised (psycopg's exception
    for it) once every answer is in: what followed it was not run, and a transaction it was in is aborted.

    ``connection`` must not be in a transaction that psycopg began (autocommit, or statements that bring
    their own BEGIN and COMMIT).
    """
    pgconn = connection.pgconn
    transformer = Transformer(connection)
    prepared = _PREPARED.setdefault(connection, {})
    fresh: dict[str, bytes] = {}
    expected = []  # per result to come: the index of its statement, or None for a PREPARE
    pgconn.enter_pipeline_mode()
    try:
        for index, statement in enumerate(statements):
            values = transformer.dump_sequence(statement.params, [PyFormat.TEXT] * len(statement.params)) \
                if statement.params else None
            if not statement.prepared:
                pgconn.send_query_params(statement.sql.encode(), values)
            else:
                name = prepared.get(statement.sql) or fresh.get(statement.sql)
                if name is None:
                    name = fresh[statement.sql] = f"gatherings_{next(_NAMES)}".encode()
                    pgconn.send_prepare(name, statement.sql.encode(), param_types=transformer.types)
                    expected.append(None)
                pgconn.send_query_prepared(name, values)
            expected.append(index)
        pgconn.pipeline_sync()
        _flush(pgconn)
        results = _results(pgconn)
    finally:
        if pgconn.pipeline_status != pq.PipelineStatus.OFF:
            try:
                pgconn.exit_pipeline_mode()
            except psycopg.Error:
                pass  # results left behind: the connection is broken anyway, and its pool will not keep it
    failed = next((r for r in results if r.status in _FAILED and r.status != pq.ExecStatus.PIPELINE_ABORTED), None)
    if failed is None:
        failed = next((r for r in results if r.status in _FAILED), None)
    if failed is not None:
        raise error_from_result(failed, encoding=connection.info.encoding)
    prepared.update(fresh)
    rows: list[list[tuple]] = [[] for _ in statements]
    for index, result in zip(expected, results):
        if index is not None and result.ntuples:
            transformer.set_pgresult(result)
            rows[index] = transformer.load_rows(0, result.ntuples, tuple)
    return rows


def _flush(pgconn: pq.abc.PGconn) -> None:
    poller = None
    while pgconn.flush():  # 1: not all sent yet (a full socket buffer)
        if poller is None:
            poller = select.poll()
            poller.register(pgconn.socket, select.POLLOUT)
        poller.poll()


def _results(pgconn: pq.abc.PGconn) -> list[pq.abc.PGresult]:
    """Every result up to the pipeline's sync, in order (one per statement and per PREPARE)."""
    poller = select.poll()
    poller.register(pgconn.socket, select.POLLIN)
    results = []
    while True:
        while pgconn.is_busy():
            poller.poll()
            pgconn.consume_input()  # psycopg.OperationalError when the server is gone
        result = pgconn.get_result()
        if result is None:
            continue  # the end of one statement's results
        if result.status == pq.ExecStatus.PIPELINE_SYNC:
            return results
        results.append(result)
