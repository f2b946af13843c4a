"""Pairs and singles racing for the last seats, on SQLite and PostgreSQL: never oversold, a pair never split,
and a seat left free only when nobody waiting fits in it.

The same shape as test_concurrency.py: each simulated person is a thread with its own test client (its own
session and database connection), released together by a Barrier.
"""
import re
import threading
import time

import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.registration.models import Registration
from tests.factories import make_gathering, make_registration

from .test_concurrency import all_registrations, simultaneously


def post(app, slug, n, *, companion=False, perspective=None):
    def job():
        client = app.test_client()
        data = {"name": f"Persoon {n}", "email": f"persoon{n}@voorbeeld.nl", "consent": "y"}
        if companion:
            data.update(companion="y", companion_name=f"Begeleider {n}")
        if perspective:
            data["perspective"] = perspective
        response = client.post(f"/gatherings/{slug}/register", data=data)
        assert response.status_code == 303, (response.status_code, response.text[:300])
        return re.search(r"/r/([A-Za-z0-9_-]+)", response.headers["Location"]).group(1)
    return job


def edit(app, token, **fields):
    def job():
        client = app.test_client()
        data = {"name": fields.get("name", "Iemand"), "perspective": fields.get("perspective", "not_said"),
                "needs": fields.get("needs", "")}
        if fields.get("companion"):
            data.update(companion="y", companion_name="Begeleider")
        return client.post(f"/r/{token}/edit", data=data).status_code
    return job


def seated_people(regs, group=None):
    return sum(r.people for r in regs if r.status == "confirmed" and (group is None or r.perspective_group == group))


def assert_nobody_waiting_fits(regs, seats_left):
    waiting = [r for r in regs if r.status == "waitlisted"]
    assert all(r.people > seats_left for r in waiting), "a seat is free while someone who fits waits"


@pytest.mark.parametrize("capacity", [1, 2, 5])
def test_pairs_and_singles_registering_at_once_never_oversell(app, capacity):
    g = make_gathering(capacity=capacity)
    jobs = [post(app, g.slug, n, companion=n % 2 == 0) for n in range(16)]
    simultaneously(jobs)
    regs = all_registrations(g.id)
    assert len(regs) == 16
    assert seated_people(regs) <= capacity
    # A pair is one registration with one status: both seated or both waiting, never half.
    assert all(r.companion_name == f"Begeleider {r.name.split()[-1]}" for r in regs if r.companion)
    assert_nobody_waiting_fits(regs, capacity - seated_people(regs))
    # In order of arrival (the waiting list's order), everyone seated came before anyone waiting who would
    # have fitted in their seat: a single is only seated ahead of a waiting pair, never ahead of a single.
    waiting_singles = [r.waitlisted_at for r in regs if r.status == "waitlisted" and not r.companion]
    seated_singles = [r.confirmed_at for r in regs if r.status == "confirmed" and not r.companion]
    if waiting_singles and seated_singles:
        assert max(seated_singles) <= min(waiting_singles)


def test_adding_companions_at_once_for_the_last_seats_never_oversells_and_refusals_change_nothing(app):
    capacity = 6
    g = make_gathering(capacity=capacity)
    people = [make_registration(g, name=f"Deelnemer {n}") for n in range(4)]  # 2 seats left
    before = {r.id: r.name for r in people}
    jobs = [edit(app, r.token, name=f"Nieuw {n}", companion=True, needs="rolstoel") for n, r in enumerate(people)]
    jobs += [post(app, g.slug, 100 + n) for n in range(2)]
    statuses = simultaneously(jobs)[:4]
    regs = {r.id: r for r in all_registrations(g.id)}
    assert seated_people(regs.values()) <= capacity
    assert all(s in (303, 409) for s in statuses), statuses
    assert statuses.count(409) >= 2  # four want a second seat; two seats were free
    for n, (status, r) in enumerate(zip(statuses, people)):
        now = regs[r.id]
        assert now.status == "confirmed"  # nobody loses a seat by a change
        if status == 409:  # refused: kept exactly what they had
            assert (now.companion, now.name, now.needs) == (False, before[r.id], "")
        else:
            assert (now.companion, now.name, now.needs) == (True, f"Nieuw {n}", "rolstoel")
    regs = list(regs.values())
    assert_nobody_waiting_fits(regs, capacity - seated_people(regs))


def test_cancellations_changes_and_registrations_at_once_never_pass_capacity(app):
    capacity = 6
    g = make_gathering(capacity=capacity)
    seated = [make_registration(g) for _ in range(capacity)]
    done = threading.Event()
    most = []

    def watch():
        with app.app_context():
            while not done.is_set():
                db.session.rollback()
                most.append(db.session.scalar(sa.select(sa.func.sum(Registration.people)).where(
                    Registration.gathering_id == g.id, Registration.status == "confirmed")) or 0)
                time.sleep(0.002)
            db.session.remove()

    def cancel(token):
        return lambda: app.test_client().post(f"/r/{token}/cancel", data={"confirm": "yes"}).status_code

    # Built before the watcher starts: reading the rows' tokens uses this thread's session.
    jobs = [cancel(r.token) for r in seated[:2]]
    jobs += [edit(app, r.token, name=r.name, companion=True) for r in seated[2:5]]
    jobs += [post(app, g.slug, 200 + n, companion=n % 2 == 0) for n in range(8)]
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        simultaneously(jobs)
    finally:
        done.set()
        watcher.join(30)
    assert most and max(most) <= capacity
    regs = all_registrations(g.id)
    assert seated_people(regs) <= capacity
    assert_nobody_waiting_fits(regs, capacity - seated_people(regs))


def test_pairs_in_a_mixed_session_stay_within_their_groups_allotment(app):
    g = make_gathering(kind="mixed", capacity=9, allot_lived=3, allot_relatives=3, allot_professionals=3)
    groups = ["client", "relative", "professional"]
    jobs = [post(app, g.slug, n, companion=n % 3 != 0, perspective=groups[n % 3]) for n in range(18)]
    simultaneously(jobs)
    regs = all_registrations(g.id)
    for group in ("lived", "relatives", "professionals"):
        in_group = [r for r in regs if r.perspective_group == group]
        left = 3 - seated_people(in_group)
        assert left >= 0
        assert_nobody_waiting_fits(in_group, left)
