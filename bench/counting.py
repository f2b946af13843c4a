"""SQL statements per step of one registration, counted in-process on the app's own code path (bench/rush.py).

What goes through SQLAlchemy is seen by its events; what the app sends through psycopg itself
(registration/flight.py) by wrapping the driver's ``execute`` and ``round_trip.send`` for the count.
"""
from __future__ import annotations

import contextlib

import psycopg

from browsers import CSRF_FIELD


@contextlib.contextmanager
def counting_driver_statements(statements: list[str]):
    """Also count what the app sends through psycopg itself, past SQLAlchemy (registration/flight.py:
    the POST's brief when it is read, and BEGIN, FOR UPDATE, the one statement and COMMIT, sent together
    by round_trip.send)."""
    from gatherings import round_trip

    originals = {psycopg.Connection: psycopg.Connection.execute, psycopg.RawCursor: psycopg.RawCursor.execute}
    send = round_trip.send

    def sending(connection, sent):
        statements.extend(" ".join(s.sql.split())[:90] for s in sent)
        return send(connection, sent)
    round_trip.send = sending

    def recording(original):
        def execute(self, query, *args, **kwargs):
            statements.append(" ".join(str(query).split())[:90])
            return original(self, query, *args, **kwargs)
        return execute

    for cls, original in originals.items():
        cls.execute = recording(original)
    try:
        yield
    finally:
        round_trip.send = send
        for cls, original in originals.items():
            cls.execute = original


def count_queries(url: str) -> dict[str, list[tuple[str, list[str]]]]:
    """SQL statements per step of one registration, counted in-process on the app's own code path.

    Returns {"confirmed": [(step, [statements])...], "waitlisted": [...]}: the second registration (warm)
    gets a seat, the fourth (warm) goes on the waiting list of the 2-seat gathering "tel-de-queries".
    """
    from sqlalchemy import event

    from gatherings.extensions import db

    from rush import bench_app

    app = bench_app(url)
    found = {}
    with app.app_context():
        engine = db.engine
    # Requests outside that app context: each gets its own (and its own `g`, where the CSRF token is kept).
    statements: list[str] = []

    def _count(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split())[:90])

    event.listen(engine, "before_cursor_execute", _count)
    kw = {"base_url": "https://localhost",
          "headers": {"Accept-Language": "nl", "Referer": "https://localhost/gatherings/tel-de-queries"}}
    with counting_driver_statements(statements):
        _count_steps(app, statements, kw, found)
    event.remove(engine, "before_cursor_execute", _count)
    engine.dispose()
    return found


def _count_steps(app, statements: list[str], kw: dict, found: dict) -> None:
    for i in range(4):
        client = app.test_client()  # a new visitor
        steps = []
        statements.clear()
        page = client.get("/gatherings/tel-de-queries", **kw)
        steps.append(("GET page", list(statements)))
        token = CSRF_FIELD.search(page.get_data(as_text=True)).group(1)
        statements.clear()
        answer = client.post("/gatherings/tel-de-queries/register", data={
            "csrf_token": token, "name": f"Teller {i}", "email": f"teller{i}@voorbeeld.nl",
            "organisation": "", "needs": "", "consent": "y"}, **kw)
        assert answer.status_code == 303, (answer.status_code, answer.get_data(as_text=True)[:300])
        steps.append(("POST form", list(statements)))
        statements.clear()
        client.get(answer.headers["Location"], **kw)
        steps.append(("GET result", list(statements)))
        if i == 1:
            found["confirmed"] = steps
        elif i == 3:
            found["waitlisted"] = steps
