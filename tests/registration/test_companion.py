"""A participant with a companion: two seats together or waiting together, counted in people everywhere;
promotion takes the first in line who fits; changing one's registration under the gathering's lock.
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.mail.models import OutboxMessage
from gatherings.registration import changes, services, signals
from gatherings.registration.models import Registration
from gatherings.timeutil import utcnow
from tests.factories import locked_call, make_gathering

_n = iter(range(1, 10_000))


def register(gathering, *, companion=False, perspective=None, name=None):
    n = next(_n)
    if perspective is None and gathering.kind == "mixed":
        perspective = "client"
    result = locked_call(services.register, gathering, services.Applicant(
        name=name or f"Persoon {n}", email=f"persoon{n}@voorbeeld.nl", perspective=perspective,
        companion=companion, companion_name="Bea" if companion else "", consent_version="test"))
    return result.registration


def fresh(registration):
    db.session.rollback()
    return db.session.get(Registration, registration.id)


def change(gathering, registration, **fields):
    current = fresh(registration)
    wanted = dict(name=current.name, organisation=current.organisation, needs=current.needs,
                  perspective=current.perspective, companion=current.companion,
                  companion_name=current.companion_name)
    wanted.update(fields)
    return locked_call(changes.change_registration, gathering, registration.id, changes.Changes(**wanted))


def snapshot(gathering):
    db.session.rollback()
    return [(r.id, r.status, r.companion, r.companion_name, r.perspective, r.name, r.needs,
             r.waitlisted_at, r.confirmed_at) for r in db.session.scalars(
        sa.select(Registration).where(Registration.gathering_id == gathering.id).order_by(Registration.id))]


# -- registering -----------------------------------------------------------------------------

def test_a_pair_takes_two_seats_and_seats_are_counted_in_people(app):
    g = make_gathering(capacity=5)
    pair = register(g, companion=True)
    single = register(g)
    assert (pair.status, pair.people, pair.companion_name) == ("confirmed", 2, "Bea")
    avail = services.availability(g)
    assert (avail.total.confirmed, avail.seats_left) == (3, 2)
    assert single.people == 1


def test_a_pair_waits_together_when_only_one_seat_is_left(app):
    g = make_gathering(capacity=3)
    register(g, companion=True)
    pair = register(g, companion=True)
    assert pair.status == "waitlisted"
    avail = services.availability(g)
    assert (avail.total.confirmed, avail.total.waitlisted, avail.total.in_line, avail.seats_left) == (2, 2, 1, 1)
    # The one seat left goes to the next single: first who fits.
    single = register(g)
    assert single.status == "confirmed"
    assert services.availability(g).total.confirmed == 3


def test_a_waiting_pair_is_told_its_place_in_line_not_a_count_of_people(app):
    g = make_gathering(capacity=1)
    register(g)
    positions = []
    with signals.registration_waitlisted.connected_to(lambda r, position: positions.append(position)):
        first = register(g, companion=True)
        second = register(g)
    assert positions == [1, 2]
    assert services.waitlist_position(fresh(first)) == 1 and services.waitlist_position(fresh(second)) == 2


def test_in_a_mixed_session_the_companion_takes_a_seat_of_the_participants_group(app):
    g = make_gathering(kind="mixed")  # 2 seats per group, 6 in all
    pair = register(g, companion=True, perspective="relative")
    assert pair.status == "confirmed"
    avail = services.availability(g)
    assert avail.groups["relatives"].seats_left == 0
    assert avail.groups["lived"].seats_left == 2 and avail.seats_left == 4
    assert register(g, perspective="relative").status == "waitlisted"
    assert register(g, perspective="client").status == "confirmed"


# -- promotion: the first who fits -----------------------------------------------------------

def test_promotion_skips_a_pair_when_one_seat_frees_and_takes_the_first_single_behind(app):
    g = make_gathering(capacity=2)
    a, b = register(g), register(g)
    pair = register(g, companion=True)
    single = register(g)
    later = register(g)
    promoted = locked_call(services.cancel, g, a.id)
    assert [r.id for r in promoted] == [single.id]
    assert fresh(pair).status == "waitlisted" and fresh(later).status == "waitlisted"
    assert services.waitlist_position(fresh(pair)) == 1  # it keeps its place for the next seats
    # Two seats free (b and the single cancel): the pair is first and gets both together.
    locked_call(services.cancel, g, b.id)
    assert fresh(pair).status == "waitlisted"  # one seat: passed over again, and `later` gets it
    assert fresh(later).status == "confirmed"
    locked_call(services.cancel, g, single.id)
    locked_call(services.cancel, g, later.id)
    assert fresh(pair).status == "confirmed"
    assert services.availability(g).total.confirmed == 2


def test_two_free_seats_go_to_the_pair_first_in_line(app):
    g = make_gathering(capacity=2)
    pair_in = register(g, companion=True)
    waiting_pair = register(g, companion=True)
    single = register(g)
    promoted = locked_call(services.cancel, g, pair_in.id)
    assert [r.id for r in promoted] == [waiting_pair.id]
    assert fresh(single).status == "waitlisted"


def test_raising_the_capacity_by_one_seats_the_first_single_not_half_a_pair(app):
    g = make_gathering(capacity=1)
    register(g)
    pair = register(g, companion=True)
    single = register(g)
    db.session.rollback()
    g = db.session.get(type(g), g.id)
    g.capacity = 2
    db.session.commit()
    promoted = locked_call(services.fill_from_waitlist, g)
    assert [r.id for r in promoted] == [single.id]
    assert fresh(pair).status == "waitlisted"


# -- changing a registration ----------------------------------------------------------------

def test_adding_a_companion_takes_a_free_seat_and_the_participant_stays_confirmed(app):
    g = make_gathering(capacity=3)
    r = register(g)
    result = change(g, r, companion=True, companion_name="Bea")
    assert result.changed == ["companion", "companion_name"]
    r = fresh(r)
    assert (r.status, r.people, r.companion_name) == ("confirmed", 2, "Bea")
    assert services.availability(g).seats_left == 1


def test_adding_a_companion_when_full_is_refused_and_nothing_changes(app):
    g = make_gathering(capacity=2)
    r = register(g)
    register(g)
    before = snapshot(g)
    mail_before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    with pytest.raises(changes.ChangeRefused) as refused:
        change(g, r, companion=True, companion_name="Bea", needs="rolstoel", name="Nieuwe naam")
    assert refused.value.reason == "companion_full" and refused.value.field == "companion"
    assert "geen plek" in refused.value.message
    assert snapshot(g) == before  # not even the name or the needs
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == mail_before


def test_removing_a_companion_frees_a_seat_for_the_first_who_waits(app):
    g = make_gathering(capacity=2)
    pair = register(g, companion=True)
    waiting = register(g)
    result = change(g, pair, companion=False)
    assert [p.id for p in result.promoted] == [waiting.id]
    assert fresh(waiting).status == "confirmed"
    assert fresh(pair).status == "confirmed" and fresh(pair).companion_name == ""
    kinds = db.session.scalars(sa.select(OutboxMessage.kind).where(
        OutboxMessage.registration_id.in_([pair.id, waiting.id])).order_by(OutboxMessage.id)).all()
    assert kinds.count("promoted") == 1 and kinds.count("changed") == 1


def test_a_waiting_registration_that_adds_a_companion_keeps_its_place_and_waits_for_two(app):
    g = make_gathering(capacity=1)
    register(g)
    first = register(g)
    second = register(g)
    change(g, first, companion=True)
    assert services.waitlist_position(fresh(first)) == 1
    assert services.waitlist_position(fresh(second)) == 2
    # One seat frees: the pair is passed over, the single behind it gets it.
    holder = db.session.scalars(sa.select(Registration).where(
        Registration.gathering_id == g.id, Registration.status == "confirmed")).one()
    locked_call(services.cancel, g, holder.id)
    assert fresh(first).status == "waitlisted" and fresh(second).status == "confirmed"


def test_a_waiting_pair_that_drops_its_companion_gets_the_free_seat_at_once(app):
    g = make_gathering(capacity=3)
    register(g, companion=True)
    pair = register(g, companion=True)  # one seat left: waits
    result = change(g, pair, companion=False)
    assert result.seated and fresh(pair).status == "confirmed"


def test_mixed_group_change_needs_a_seat_in_the_new_group(app):
    g = make_gathering(kind="mixed")  # 2 per group
    r = register(g, perspective="client")
    register(g, perspective="relative")
    register(g, perspective="relative")
    before = snapshot(g)
    with pytest.raises(changes.ChangeRefused) as refused:
        change(g, r, perspective="relative")
    assert refused.value.reason == "group_full" and refused.value.field == "perspective"
    assert snapshot(g) == before
    # A group with room: the seat moves, and the one left behind goes to who waits in the old group.
    register(g, perspective="client")
    waiting_client = register(g, perspective="experience_expert")
    assert waiting_client.status == "waitlisted"
    result = change(g, r, perspective="professional")
    r = fresh(r)
    assert (r.status, r.perspective_group) == ("confirmed", "professionals")
    assert [p.id for p in result.promoted] == [waiting_client.id]


def test_mixed_pair_moving_group_needs_two_seats_there(app):
    g = make_gathering(kind="mixed")
    pair = register(g, perspective="client", companion=True)
    register(g, perspective="professional")
    with pytest.raises(changes.ChangeRefused):
        change(g, pair, perspective="management")  # one professional seat left
    assert fresh(pair).perspective == "client"
    change(g, pair, perspective="relative")
    assert services.availability(g).groups["relatives"].seats_left == 0
    assert services.availability(g).groups["lived"].seats_left == 2


def test_needs_changed_at_is_recorded_and_nothing_changed_writes_nothing(app):
    g = make_gathering()
    r = register(g)
    assert change(g, r).changed == []
    assert fresh(r).needs_changed_at is None
    moment = utcnow().replace(microsecond=0)
    locked_call(changes.change_registration, g, r.id, changes.Changes(name=fresh(r).name, needs="Een rolstoelplek"),
                now=moment)
    assert fresh(r).needs_changed_at == moment and fresh(r).needs == "Een rolstoelplek"
    assert db.session.scalars(sa.select(OutboxMessage.kind).where(OutboxMessage.registration_id == r.id)
                              .order_by(OutboxMessage.id)).all() == ["confirmed", "changed"]


@pytest.mark.parametrize("setup, reason", [
    ("cancelled_registration", "registration_cancelled"),
    ("cancelled_gathering", "cancelled"),
    ("past", "past"),
])
def test_closed_for_changes(app, setup, reason):
    g = make_gathering()
    r = register(g)
    if setup == "cancelled_registration":
        locked_call(services.cancel, g, r.id)
    elif setup == "cancelled_gathering":
        g.status = "cancelled"
        db.session.commit()
    else:
        g.starts_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    before = snapshot(g)
    with pytest.raises(changes.ChangeRefused) as refused:
        change(g, r, name="Iemand anders")
    assert refused.value.reason == reason and refused.value.closed
    assert ("aanmelding is geannuleerd" in refused.value.message) == (setup == "cancelled_registration")
    assert snapshot(g) == before


def test_a_change_requires_the_write_lock(app):
    g = make_gathering()
    r = register(g)
    with pytest.raises(Exception):
        changes.change_registration(g, r.id, changes.Changes(name="X"))
