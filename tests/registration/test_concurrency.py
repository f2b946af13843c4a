"""Many people at the same moment: capacity holds, the waiting list has no gaps, nobody gets an error.

Each simulated person is a thread with its own test client; every request pushes
its own app context, so each has its own session and database connection (from
the engine's pool), as separate gunicorn workers would. A Barrier releases them
together. The same tests run on SQLite (BEGIN IMMEDIATE) and on PostgreSQL
(SELECT ... FOR UPDATE) in the two passes of ``make test``.
"""
import re
import threading
import time

import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.registration import services
from gatherings.registration.models import Registration
from tests.factories import make_gathering, make_registration

PERSPECTIVES = ["client", "relative", "professional", "experience_expert", "management", "other"]


def simultaneously(jobs, timeout=120):
    """Run the callables at the same moment, each in its own thread; return their results, raise their errors."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)
    errors = []

    def run(i, job):
        try:
            barrier.wait(timeout=30)
            results[i] = job()
        except BaseException as error:  # noqa: BLE001  (reported below, with the thread's number)
            errors.append((i, error))

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a request hung"
    if errors:
        raise AssertionError(f"{len(errors)} of {len(jobs)} failed; first: {errors[0]!r}") from errors[0][1]
    return results


def post_registration(app, slug, n, perspective=None):
    """One person in their own browser: submit the form, then read the result page it leads to."""
    def job():
        client = app.test_client()
        data = {"name": f"Persoon {n}", "email": f"persoon{n}@voorbeeld.nl", "consent": "y"}
        if perspective:
            data["perspective"] = perspective
        response = client.post(f"/gatherings/{slug}/register", data=data)
        assert response.status_code == 303, (response.status_code, response.text[:300])
        token = re.search(r"/r/([A-Za-z0-9_-]+)", response.headers["Location"]).group(1)
        page = client.get(f"/r/{token}").text
        told = re.search(r"U bent nummer (\d+) op de wachtlijst", page)
        return token, (int(told.group(1)) if told else None)
    return job


def all_registrations(gathering_id):
    db.session.rollback()  # a fresh snapshot: see what the threads committed
    return list(db.session.scalars(
        sa.select(Registration).where(Registration.gathering_id == gathering_id).order_by(Registration.id)))


def assert_waiting_list_sound(regs, group=None):
    """Positions 1..k without gaps, in the order people got in line (which is the order they were written)."""
    waiting = [r for r in regs if r.status == "waitlisted" and (group is None or r.perspective_group == group)]
    positions = [services.waitlist_position(r) for r in waiting]
    assert sorted(positions) == list(range(1, len(waiting) + 1))
    by_position = [r.id for _, r in sorted(zip(positions, waiting), key=lambda pr: pr[0])]
    assert by_position == sorted(by_position), "the waiting list is not first come, first served"
    confirmed = [r.id for r in regs if r.status == "confirmed" and (group is None or r.perspective_group == group)]
    if confirmed and waiting:
        assert max(confirmed) < min(r.id for r in waiting), "someone who came later got a seat before someone waiting"


@pytest.mark.parametrize("capacity, attempts", [(1, 20), (5, 20), (25, 20)])
def test_simultaneous_registrations_never_oversell(app, capacity, attempts):
    g = make_gathering(capacity=capacity)
    results = simultaneously([post_registration(app, g.slug, n) for n in range(attempts)])

    regs = all_registrations(g.id)
    assert len(regs) == attempts
    confirmed = [r for r in regs if r.status == "confirmed"]
    assert len(confirmed) == min(capacity, attempts)
    assert_waiting_list_sound(regs)
    # What each person was told right after registering is still true: nobody slipped in ahead of them.
    by_token = {r.token: r for r in regs}
    for token, told in results:
        assert told == services.waitlist_position(by_token[token])


def test_simultaneous_registrations_in_a_mixed_session_respect_each_allotment(app):
    allot = {"lived": 2, "relatives": 1, "professionals": 3}
    g = make_gathering(kind="mixed", capacity=6, allot_lived=2, allot_relatives=1, allot_professionals=3)
    jobs = [post_registration(app, g.slug, n, PERSPECTIVES[n % len(PERSPECTIVES)]) for n in range(24)]
    simultaneously(jobs)

    regs = all_registrations(g.id)
    assert len(regs) == 24
    for group, seats in allot.items():
        in_group = [r for r in regs if r.perspective_group == group]
        assert sum(r.status == "confirmed" for r in in_group) == min(seats, len(in_group))
        assert_waiting_list_sound(regs, group)
    assert sum(r.status == "confirmed" for r in regs) == 6


def test_simultaneous_cancellations_and_registrations_keep_capacity_and_order(app):
    capacity = 5
    g = make_gathering(capacity=capacity)
    seated = [make_registration(g) for _ in range(capacity)]
    waiting = [make_registration(g) for _ in range(5)]
    leaving = seated[:3] + waiting[3:]
    tokens = [r.token for r in leaving]
    stay_seated = {r.id for r in seated[3:]} | {r.id for r in waiting[:3]}

    done = threading.Event()
    most_confirmed = []

    def watch():
        # Its own app context and connection: counts what is committed, over and over, while the others work.
        with app.app_context():
            while not done.is_set():
                db.session.rollback()
                most_confirmed.append(db.session.scalar(sa.select(sa.func.count()).where(
                    Registration.gathering_id == g.id, Registration.status == "confirmed")))
                time.sleep(0.002)
            db.session.remove()

    def cancel(token):
        def job():
            response = app.test_client().post(f"/r/{token}/cancel", data={"confirm": "yes"})
            assert response.status_code == 303, (response.status_code, response.text[:300])
        return job

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        jobs = [cancel(t) for t in tokens] + [post_registration(app, g.slug, 100 + n) for n in range(10)]
        simultaneously(jobs)
    finally:
        done.set()
        watcher.join(30)

    assert most_confirmed and max(most_confirmed) <= capacity
    regs = all_registrations(g.id)
    assert sum(r.status == "cancelled" for r in regs) == len(leaving)
    confirmed = {r.id for r in regs if r.status == "confirmed"}
    # The freed seats went to the three who were already waiting, not to newcomers.
    assert confirmed == stay_seated
    assert_waiting_list_sound(regs)
    assert sum(r.status == "waitlisted" for r in regs) == 10


def test_the_same_address_at_the_same_moment_is_one_registration(app):
    g = make_gathering(capacity=3)
    slug = g.slug

    def job():
        client = app.test_client()
        return client.post(f"/gatherings/{slug}/register",
                           data={"name": "Dubbel", "email": "dubbel@voorbeeld.nl", "consent": "y"}).status_code

    statuses = simultaneously([job for _ in range(10)])
    # One new registration (303 to its page); the others, from other browsers, get the neutral page.
    assert sorted(statuses) == [200] * 9 + [303]
    assert len(all_registrations(g.id)) == 1
