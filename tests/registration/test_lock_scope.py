"""The gathering's lock is what every registration of the opening rush waits for: it is taken once, late, and only to write."""
import contextlib

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from gatherings.extensions import db
from tests.factories import make_gathering
from tests.programme.factories import make_programme
from tests.wire import round_trips

GOOD = {"name": "Anna de Vries", "email": "anna@voorbeeld.nl", "consent": "y"}


@contextlib.contextmanager
def statements():
    seen: list[str] = []

    def _record(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)


def _locking(seen: list[str]) -> list[str]:
    return [s for s in seen if "FOR UPDATE" in s or s.startswith("BEGIN IMMEDIATE")]


def _gathering_reads(seen: list[str]) -> list[str]:
    return [s for s in seen if s.startswith("SELECT gathering.id")]


def test_a_registration_locks_and_reads_its_gathering_once(client, is_postgres):
    slug = make_gathering().slug
    db.session.commit()
    if is_postgres:
        return  # one flight, not seen by SQLAlchemy's events: test_on_postgresql_a_registration_is_one_round_trip
    with statements() as seen:
        assert client.post(f"/gatherings/{slug}/register", data=GOOD).status_code == 303
    assert len(_locking(seen)) == 1
    assert len(_gathering_reads(seen)) == 1


def test_a_form_with_mistakes_never_takes_the_lock(client):
    slug = make_gathering().slug
    db.session.commit()
    with statements() as seen:
        answer = client.post(f"/gatherings/{slug}/register", data={**GOOD, "email": "geen-adres"})
    assert answer.status_code == 422 and "Anna de Vries" in answer.text
    assert _locking(seen) == []


def test_a_mixed_session_without_a_perspective_is_refused_at_the_field(client):
    slug = make_gathering(kind="mixed").slug
    db.session.commit()
    for perspective in (None, "not_said"):
        data = {**GOOD, "perspective": perspective} if perspective else GOOD
        answer = client.post(f"/gatherings/{slug}/register", data=data)
        assert answer.status_code == 422
        assert "Kies hoe u betrokken bent" in answer.text or "Deze keuze kan niet" in answer.text
        assert "Zeg ik liever niet" not in answer.text  # not offered where the seat depends on it
    assert client.post(f"/gatherings/{slug}/register", data={**GOOD, "perspective": "relative"}).status_code == 303


@pytest.mark.postgres
@pytest.mark.parametrize("with_programme", [False, True])
def test_on_postgresql_a_registration_is_one_round_trip_and_holds_the_lock_for_it(client, is_postgres, with_programme):
    """BEGIN, the lock, the one statement that decides and writes (registration, outbox row, choices) and
    COMMIT, sent together (registration/flight.py). The worker's first POST for a gathering reads its
    brief first (programme/brief.py), without a transaction; the next ones use what it kept."""
    if not is_postgres:
        pytest.skip("round trips are PostgreSQL's")
    gathering = make_gathering(capacity=2)
    data = dict(GOOD)
    if with_programme:
        (first, second) = make_programme(gathering, [1, 2], [3])
        data |= {f"round_{first.id}": str(first.workshops[0].id), f"round_{second.id}": str(second.workshops[0].id)}
    slug = gathering.slug
    db.session.commit()
    client.get(f"/gatherings/{slug}")
    for n, email in enumerate(["anna@voorbeeld.nl", "bert@voorbeeld.nl", "cor@voorbeeld.nl"]):
        with round_trips() as trips:
            assert client.post(f"/gatherings/{slug}/register", data={**data, "email": email}).status_code == 303
        assert len(trips) == (2 if n == 0 else 1), trips
        if n == 0:
            read = trips.pop(0)
            assert read[0].startswith("SELECT gathering.id") and "FOR UPDATE" not in read[0]
        (flight,) = trips
        assert flight[0] == "BEGIN" and "FOR UPDATE" in flight[1] and flight[-1] == "COMMIT"
        assert "INSERT INTO registration" in flight[2] and "INSERT INTO outbox_message" in flight[2]
        assert ("INSERT INTO workshop_choice" in flight[2]) == with_programme
        assert sum("FOR UPDATE" in s for s in flight) == 1
    db.session.expire_all()
    from gatherings.registration.models import Registration
    assert sorted(r.status for r in db.session.scalars(sa.select(Registration))) == ["confirmed", "confirmed",
                                                                                       "waitlisted"]
