"""The counters the database keeps (seat_counters.py) always equal a count of the rows behind them.

Random sequences of everything that moves a seat (registering alone or with a companion,
in a mixed session's groups, cancelling, changing perspective or companion, an organiser's
promotion beyond capacity, choosing and changing workshops, moving someone, removing a
workshop), on SQLite and PostgreSQL; after each step the counters are compared with a
count of the registrations and choices themselves.
"""
import random

import pytest
import sqlalchemy as sa

from gatherings import seat_counters
from gatherings.extensions import db
from gatherings.programme import services as programme
from gatherings.programme.models import ChoiceStatus, Workshop, WorkshopChoice
from gatherings.registration import changes, services
from gatherings.registration.models import Registration, RegistrationStatus, SeatCount
from gatherings.registration.perspectives import PERSPECTIVES
from tests.factories import locked_call, make_gathering

from .programme.factories import make_programme


def counted_seats(gathering_id):
    """{group: (confirmed people, waitlisted people, registrations waiting)} from the registrations."""
    result = {group: [0, 0, 0] for group in seat_counters.GROUPS}
    for r in db.session.scalars(sa.select(Registration).where(Registration.gathering_id == gathering_id)):
        for group in {"", r.perspective_group or ""}:
            if r.status == RegistrationStatus.CONFIRMED:
                result[group][0] += r.people
            elif r.status == RegistrationStatus.WAITLISTED:
                result[group][1] += r.people
                result[group][2] += 1
    return {group: tuple(v) for group, v in result.items()}


def kept_seats(gathering_id):
    return {row.grp: (row.confirmed, row.waitlisted, row.in_line) for row in db.session.scalars(
        sa.select(SeatCount).where(SeatCount.gathering_id == gathering_id).execution_options(populate_existing=True))}


def counted_workshops():
    result = {}
    for w in db.session.scalars(sa.select(Workshop)):
        result[w.id] = [0, 0, 0]
    index = {ChoiceStatus.SEATED: 0, ChoiceStatus.WAITING: 1, ChoiceStatus.PENDING: 2}
    for c in db.session.scalars(sa.select(WorkshopChoice)):
        if c.workshop_id is not None and c.status in index and c.registration.status != RegistrationStatus.CANCELLED:
            result[c.workshop_id][index[c.status]] += c.registration.people
    return {wid: tuple(v) for wid, v in result.items()}


def kept_workshops():
    return {w.id: (w.seated_people, w.waiting_people, w.pending_people) for w in db.session.scalars(
        sa.select(Workshop).execution_options(populate_existing=True))}


def assert_counters_hold(gathering, step):
    db.session.expire_all()
    assert kept_seats(gathering.id) == counted_seats(gathering.id), step
    assert kept_workshops() == counted_workshops(), step
    db.session.rollback()


def test_a_new_gathering_has_its_counters_at_zero(app):
    g = make_gathering()
    assert kept_seats(g.id) == {group: (0, 0, 0) for group in seat_counters.GROUPS}


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("kind", ["theme", "mixed"])
def test_the_counters_follow_every_change_of_seats(app, seed, kind):
    rng = random.Random(seed)
    g = make_gathering(kind=kind, **({"capacity": 5} if kind == "theme" else {}))
    rounds = make_programme(g, [1, 2], [2, 1, 1], optional=(1,))
    round_ids = [(p.id, [w.id for w in p.workshops]) for p in rounds]
    people = []
    for step in range(40):
        action = rng.choice(["register", "register", "register", "cancel", "change", "promote", "choices", "move"])
        live = [r for r in people if r[1] is not None]
        if action == "register" or not live:
            choices = {pid: rng.choice(wids + [None]) if i == 1 else rng.choice(wids) for i, (pid, wids) in enumerate(round_ids)}
            applicant = services.Applicant(name=f"Deelnemer {step}", email=f"d{seed}-{step}@voorbeeld.nl",
                                           perspective=rng.choice(sorted(PERSPECTIVES)), consent_version="test",
                                           companion=rng.random() < 0.4)

            def register_and_choose(locked, applicant=applicant, choices=choices):
                result = services.register(locked, applicant)
                programme.choose(locked, result.registration, choices, new=True)
                return result.registration.id
            people.append([f"d{seed}-{step}", locked_call(register_and_choose, g)])
        else:
            who = rng.choice(live)
            registration = db.session.get(Registration, who[1])
            try:
                if action == "cancel":
                    locked_call(services.cancel, g, who[1])
                    who[1] = None
                elif action == "change":
                    locked_call(changes.change_registration, g, who[1], changes.Changes(
                        name=registration.name, perspective=rng.choice(sorted(PERSPECTIVES)),
                        companion=not registration.companion))
                elif action == "promote":
                    locked_call(services.promote, g, who[1])
                elif action == "choices":
                    locked_call(lambda locked, r=registration: programme.change_choices(
                        locked, r, {pid: rng.choice(wids) for pid, wids in round_ids}, wait_if_full=True), g)
                else:
                    part = rounds[0]
                    target = db.session.get(Workshop, rng.choice(round_ids[0][1]))
                    locked_call(lambda locked, r=registration: programme.move(
                        locked, r, db.session.get(type(part), part.id), target, allow_over=True), g)
            except (changes.ChangeRefused, programme.ChoiceRefused):
                pass  # refused: nothing written, and the counters must say so too
        assert_counters_hold(g, (step, action))
    locked_call(lambda locked: programme.remove_workshop(locked, db.session.get(Workshop, round_ids[1][1][0])), g)
    assert_counters_hold(g, "workshop removed")


def test_recount_rebuilds_what_the_triggers_keep(app):
    g = make_gathering(capacity=1)
    (part,) = make_programme(g, [1])
    for n in range(3):
        locked_call(lambda locked, n=n: programme.choose(locked, services.register(locked, services.Applicant(
            name=f"D {n}", email=f"r{n}@voorbeeld.nl", consent_version="t", companion=n == 2)).registration,
            {part.id: part.workshops[0].id}, new=True), g)
    before = (kept_seats(g.id), kept_workshops())
    with db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE seat_count SET confirmed = 99")
        connection.exec_driver_sql("UPDATE workshop SET seated_people = 99")
        seat_counters.recount(connection)
    db.session.expire_all()
    assert (kept_seats(g.id), kept_workshops()) == before
    assert before[0][""] == (1, 3, 2)
