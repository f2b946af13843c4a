"""Statements sent together (gatherings/round_trip.py): answers in order, one round trip, failures as psycopg's own.

PostgreSQL only: a psycopg connection of the test's own, on the test database.
"""
import psycopg
import pytest

from gatherings import round_trip
from gatherings.extensions import db
from gatherings.round_trip import Statement

pytestmark = pytest.mark.postgres


@pytest.fixture
def connection(app, is_postgres):
    if not is_postgres:
        pytest.skip("libpq's pipeline is PostgreSQL's")
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TEMPORARY TABLE seat (id serial PRIMARY KEY, who text UNIQUE NOT NULL, at timestamptz)")
        yield conn


INSERT = "INSERT INTO seat (who, at) VALUES ($1, $2) RETURNING id, who, at"


def test_answers_come_back_in_order_with_psycopgs_own_types(connection):
    from datetime import datetime, timezone

    at = datetime(2027, 3, 1, 9, 30, tzinfo=timezone.utc)
    answers = round_trip.send(connection, [
        Statement("BEGIN"),
        Statement(INSERT, ("Anna", at), prepared=True),
        Statement(INSERT, ("Bert", None), prepared=True),
        Statement("SELECT count(*), $1::int + 1 FROM seat", (41,)),
        Statement("COMMIT"),
    ])
    assert answers[0] == [] and answers[-1] == []
    (anna,), (bert,) = answers[1], answers[2]
    assert anna[1:] == ("Anna", at) and bert[1:] == ("Bert", None) and bert[0] == anna[0] + 1
    assert answers[3] == [(2, 42)]
    assert connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


def test_a_prepared_statement_is_prepared_once_per_connection(connection):
    for who in ("Anna", "Bert", "Cor"):
        round_trip.send(connection, [Statement(INSERT, (who, None), prepared=True)])
    prepared = connection.execute("SELECT statement FROM pg_prepared_statements").fetchall()
    assert [row[0] for row in prepared].count(INSERT) == 1


def test_one_round_trip_whatever_the_number_of_statements(connection):
    """libpq's own trace: everything is sent before the first answer is read."""
    import os
    import tempfile

    fd, path = tempfile.mkstemp()
    os.unlink(path)
    connection.pgconn.trace(fd)
    connection.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS | psycopg.pq.Trace.REGRESS_MODE)
    round_trip.send(connection, [Statement("BEGIN"), Statement(INSERT, ("Anna", None), prepared=True),
                                 Statement("SELECT 1"), Statement("COMMIT")])
    connection.pgconn.untrace()
    os.lseek(fd, 0, os.SEEK_SET)
    lines = os.read(fd, 1 << 20).decode().splitlines()
    os.close(fd)
    directions = [line.split("\t")[0] for line in lines if "\t" in line]
    first_answer = directions.index("B")
    assert "F" not in directions[first_answer:]  # nothing sent after the first answer came
    assert sum("\tSync" in line for line in lines) == 1


def test_a_failure_is_psycopgs_exception_and_what_followed_did_not_run(connection):
    round_trip.send(connection, [Statement(INSERT, ("Anna", None), prepared=True)])
    with pytest.raises(psycopg.errors.UniqueViolation):
        round_trip.send(connection, [
            Statement("BEGIN"),
            Statement(INSERT, ("Bert", None), prepared=True),
            Statement(INSERT, ("Anna", None), prepared=True),  # taken
            Statement(INSERT, ("Cor", None), prepared=True),
            Statement("COMMIT"),
        ])
    assert connection.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
    connection.execute("ROLLBACK")
    assert [r[0] for r in connection.execute("SELECT who FROM seat ORDER BY id")] == ["Anna"]
    # The connection is as before: out of pipeline mode, and its prepared statement still works.
    assert round_trip.send(connection, [Statement(INSERT, ("Dina", None), prepared=True)])[0][0][1] == "Dina"


def test_a_statement_that_cannot_be_prepared_fails_and_is_not_remembered(connection):
    with pytest.raises(psycopg.errors.UndefinedTable):
        round_trip.send(connection, [Statement("SELECT who FROM nowhere WHERE who = $1", ("x",), prepared=True)])
    connection.execute("CREATE TEMPORARY TABLE nowhere (who text)")
    assert round_trip.send(connection, [Statement("SELECT who FROM nowhere WHERE who = $1", ("x",),
                                                  prepared=True)]) == [[]]
