"""The gathering's lock is what every registration of the opening rush waits for: it is taken once, late, and only to write."""
import contextlib

from sqlalchemy import event

from gatherings.extensions import db
from tests.factories import make_gathering

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


def test_a_registration_locks_and_reads_its_gathering_once(client):
    slug = make_gathering().slug
    db.session.commit()
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
