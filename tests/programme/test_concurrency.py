"""Many people choosing the same small workshop at the same moment: never oversold, never an error, lines in order.

Same set-up as tests/registration/test_concurrency.py (threads with their own test client and
database connection, released together by a barrier); runs on SQLite and on PostgreSQL.
"""
import re

import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.programme import services
from gatherings.programme.models import WorkshopChoice
from gatherings.registration.models import Registration
from tests.factories import make_gathering
from tests.registration.test_concurrency import simultaneously

from .factories import make_programme


def post_with_choice(app, slug, n, choices):
    def job():
        client = app.test_client()
        data = {"name": f"Persoon {n}", "email": f"persoon{n}@voorbeeld.nl", "consent": "y", **choices}
        response = client.post(f"/gatherings/{slug}/register", data=data)
        assert response.status_code == 303, (response.status_code, response.text[:300])
        token = re.search(r"/r/([A-Za-z0-9_-]+)", response.headers["Location"]).group(1)
        page = client.get(f"/r/{token}")
        assert page.status_code == 200
        told = re.search(r"U staat op de wachtlijst van werkplaats .*?U bent nummer (\d+)\.", page.text)
        return token, (int(told.group(1)) if told else None)
    return job


def state(gathering_id, workshop_id):
    db.session.rollback()  # a fresh snapshot: what the threads committed
    rows = db.session.execute(
        sa.select(Registration, WorkshopChoice).join(WorkshopChoice, WorkshopChoice.registration_id == Registration.id)
        .where(Registration.gathering_id == gathering_id, WorkshopChoice.workshop_id == workshop_id)
        .order_by(Registration.id)).all()
    return rows


@pytest.mark.parametrize("capacity, day, attempts", [(1, 30, 16), (4, 30, 16), (4, 10, 16)])
def test_simultaneous_choices_of_a_small_workshop_never_oversell(app, capacity, day, attempts):
    g = make_gathering(capacity=day)
    (r1,) = make_programme(g, [capacity, 50])
    small = r1.workshops[0]
    field = {f"round_{r1.id}": str(small.id)}
    results = simultaneously([post_with_choice(app, g.slug, n, field) for n in range(attempts)])

    rows = state(g.id, small.id)
    assert len(rows) == attempts
    with_day = [(r, c) for r, c in rows if r.status == "confirmed"]
    assert len(with_day) == min(day, attempts)
    seated = [(r, c) for r, c in with_day if c.status == "seated"]
    waiting = [(r, c) for r, c in with_day if c.status == "waiting"]
    assert len(seated) == min(capacity, len(with_day))  # never oversold, and no seat left empty
    assert len(waiting) == len(with_day) - len(seated)
    assert all(c.status == "pending" for r, c in rows if r.status == "waitlisted")
    assert services.seats(g)[small.id].seated == len(seated) <= capacity
    # First come, first served: who registered (was decided) earlier sits or stands ahead.
    if seated and waiting:
        assert max(r.id for r, _ in seated) < min(r.id for r, _ in waiting)
    positions = [services.waiting_position(c) for _, c in waiting]
    assert positions == list(range(1, len(waiting) + 1))
    # What each person was told on their page is still true.
    told = dict(results)
    for r, c in rows:
        assert told[r.token] == services.waiting_position(c)


def test_simultaneous_cancellations_changes_and_registrations_keep_the_workshop_within_capacity(app):
    g = make_gathering(capacity=40)
    (r1,) = make_programme(g, [3, 50])
    small, big = r1.workshops
    to_small = {f"round_{r1.id}": str(small.id)}
    first = simultaneously([post_with_choice(app, g.slug, n, to_small) for n in range(8)])  # 3 seated, 5 waiting
    tokens = [t for t, _ in first]
    before = state(g.id, small.id)
    by_token = {r.token: r for r, _ in before}
    seated_tokens = [r.token for r, c in before if c.status == "seated"]
    first_in_line = [r.id for r, c in sorted(before, key=lambda rc: (rc[1].waiting_since or rc[1].seated_at, rc[1].id))
                     if c.status == "waiting"][:2]

    def cancel(token):
        def job():
            response = app.test_client().post(f"/r/{token}/cancel", data={"confirm": "yes"})
            assert response.status_code == 303, response.status_code
        return job

    to_big = {f"round_{r1.id}": str(big.id)}  # read here: a thread has no app context to load them in

    def change(token):
        def job():
            response = app.test_client().post(f"/r/{token}/workshops", data=to_big)
            assert response.status_code == 303, response.status_code
        return job

    jobs = [cancel(seated_tokens[0]), change(seated_tokens[1])]
    jobs += [post_with_choice(app, g.slug, 100 + n, to_small) for n in range(6)]
    simultaneously(jobs)

    rows = state(g.id, small.id)
    seated = [r for r, c in rows if c.status == "seated"]
    waiting = sorted(((c.waiting_since, c.id), r) for r, c in rows if c.status == "waiting")
    assert len(seated) == 3
    assert services.seats(g)[small.id].seated == 3
    # The two freed seats went at once to the two who waited longest, not to anyone who came later.
    assert {r.id for r in seated} == {by_token[seated_tokens[2]].id, *first_in_line}
    assert len(tokens) == 8
    assert [services.waiting_position(c) for r, c in rows if c.status == "waiting"] == \
        sorted(services.waiting_position(c) for r, c in rows if c.status == "waiting")
    assert len(waiting) == 8 + 6 - 3 - 2
