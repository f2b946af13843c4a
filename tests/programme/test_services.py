"""The seat rules of the programme: seat or waiting line per round, pending until the day's seat, cancel and change."""
import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.programme import services, signals
from gatherings.programme.models import WorkshopChoice
from gatherings.registration import services as registration_services
from tests.factories import locked_call, make_gathering, make_registration

from .factories import make_programme


def choice_of(registration, part):
    db.session.expire_all()
    return db.session.scalar(sa.select(WorkshopChoice).where(
        WorkshopChoice.registration_id == registration.id, WorkshopChoice.part_id == part.id))


def status(registration, part):
    choice = choice_of(registration, part)
    return (choice.workshop_id, choice.status) if choice else None


def registered(gathering, part_choices, **kwargs):
    """A new registration that chooses: {round: workshop or None}."""
    registration = make_registration(gathering, **kwargs)
    locked_call(services.choose, gathering, registration, {p.id: (w.id if w else None) for p, w in part_choices.items()})
    return registration


@pytest.fixture
def promoted():
    got = []

    def listener(choice, **_kw):
        got.append((choice.registration_id, choice.workshop_id))
    signals.workshop_promoted.connect(listener)
    yield got
    signals.workshop_promoted.disconnect(listener)


def test_a_confirmed_registration_gets_a_seat_in_each_chosen_workshop(app):
    g = make_gathering(capacity=10)
    r1, r2 = make_programme(g, [2, 2], [2, 2])
    reg = registered(g, {r1: r1.workshops[0], r2: r2.workshops[1]})
    assert status(reg, r1) == (r1.workshops[0].id, "seated")
    assert status(reg, r2) == (r2.workshops[1].id, "seated")
    counts = services.seats(g)
    assert counts[r1.workshops[0].id].seats_left == 1
    assert counts[r1.workshops[1].id].seats_left == 2


def test_a_full_workshop_puts_people_in_its_line_first_come_first_served(app):
    g = make_gathering(capacity=10)
    (r1,) = make_programme(g, [1, 5])
    small = r1.workshops[0]
    first = registered(g, {r1: small})
    second = registered(g, {r1: small})
    third = registered(g, {r1: small})
    assert status(first, r1) == (small.id, "seated")
    assert status(second, r1) == (small.id, "waiting")
    assert services.waiting_position(choice_of(second, r1)) == 1
    assert services.waiting_position(choice_of(third, r1)) == 2
    assert services.seats(g)[small.id] == services.WorkshopSeats(capacity=1, seated=1, waiting=2)


def test_waiting_for_the_day_keeps_choices_pending_until_the_seat_comes(app, promoted):
    g = make_gathering(capacity=1)
    (r1,) = make_programme(g, [1, 5])
    small = r1.workshops[0]
    seated = registered(g, {r1: r1.workshops[1]})
    waiting = registered(g, {r1: small})
    assert waiting.status == "waitlisted"
    assert status(waiting, r1) == (small.id, "pending")
    assert services.seats(g)[small.id].seated == 0  # a pending choice holds no seat

    locked_call(registration_services.cancel, g, seated.id)  # the day's seat goes to `waiting`
    db.session.expire_all()
    assert db.session.get(type(waiting), waiting.id).status == "confirmed"
    assert status(waiting, r1) == (small.id, "seated")
    assert status(seated, r1) is None  # a cancelled registration's choices are gone
    assert promoted == []  # the day's promotion mail shows the programme; no separate workshop mail


def test_a_pending_choice_for_a_full_workshop_waits_when_the_day_seat_comes(app):
    g = make_gathering(capacity=2)
    (r1,) = make_programme(g, [1, 5])
    small, big = r1.workshops
    first = registered(g, {r1: small})
    other = registered(g, {r1: big})
    late = registered(g, {r1: small})
    assert status(late, r1) == (small.id, "pending")
    locked_call(registration_services.cancel, g, other.id)
    assert status(late, r1) == (small.id, "waiting")
    assert services.waiting_position(choice_of(late, r1)) == 1
    assert status(first, r1) == (small.id, "seated")


def test_an_organiser_promotion_to_the_day_decides_pending_choices(app):
    g = make_gathering(capacity=0)
    (r1,) = make_programme(g, [3])
    reg = registered(g, {r1: r1.workshops[0]})
    assert status(reg, r1)[1] == "pending"
    locked_call(registration_services.promote, g, reg.id)
    assert status(reg, r1) == (r1.workshops[0].id, "seated")


def test_cancelling_frees_the_seat_for_the_first_in_line(app, promoted):
    g = make_gathering(capacity=10)
    (r1,) = make_programme(g, [1])
    small = r1.workshops[0]
    leaving = registered(g, {r1: small})
    first = registered(g, {r1: small})
    second = registered(g, {r1: small})
    locked_call(registration_services.cancel, g, leaving.id)
    assert status(first, r1) == (small.id, "seated")
    assert status(second, r1) == (small.id, "waiting")
    assert services.waiting_position(choice_of(second, r1)) == 1
    assert promoted == [(first.id, small.id)]


def test_a_pair_takes_two_seats_and_a_freed_seat_goes_to_the_first_who_fits(app, promoted):
    g = make_gathering(capacity=20)
    (r1,) = make_programme(g, [2])
    ws = r1.workshops[0]
    alone = registered(g, {r1: ws})
    pair = make_registration(g)
    pair.companion = True
    pair.companion_name = "Begeleider"
    db.session.commit()
    locked_call(services.choose, g, pair, {r1.id: ws.id})
    assert status(pair, r1) == (ws.id, "waiting")  # one seat left, the pair needs two
    single = registered(g, {r1: ws})
    assert status(single, r1) == (ws.id, "seated")  # it fits where the pair does not
    assert services.seats(g)[ws.id].seated == 2
    assert services.seats(g)[ws.id].waiting == 2  # the pair, in people

    locked_call(registration_services.cancel, g, alone.id)  # one seat frees: the pair still does not fit
    assert status(pair, r1) == (ws.id, "waiting")
    locked_call(registration_services.cancel, g, single.id)  # two free: the pair sits
    assert status(pair, r1) == (ws.id, "seated")
    assert services.seats(g)[ws.id].seated == 2
    assert promoted == [(pair.id, ws.id)]


def test_a_required_round_needs_a_workshop_and_a_workshop_must_be_of_its_round(app):
    g = make_gathering()
    r1, r2 = make_programme(g, [3], [3])
    reg = make_registration(g)
    with pytest.raises(services.ChoiceRefused) as refused:
        locked_call(services.choose, g, reg, {r1.id: r2.workshops[0].id})
    assert set(refused.value.errors) == {r1.id, r2.id}
    assert refused.value.errors[r1.id] == services.ChoiceRefused.UNKNOWN
    assert refused.value.errors[r2.id] == services.ChoiceRefused.REQUIRED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkshopChoice)) == 0


def test_an_optional_round_may_have_no_workshop(app):
    g = make_gathering()
    r1, r2 = make_programme(g, [3], [3], optional={1})
    reg = registered(g, {r1: r1.workshops[0], r2: None})
    assert status(reg, r2) == (None, "none")
    own = services.programme_of(reg)
    assert [p.part.kind for p in own] == ["plenary", "round", "round"]
    assert own[1].workshop.id == r1.workshops[0].id and own[1].room == "Oost 1.1"
    assert own[2].workshop is None and own[2].status == "none"


def test_changing_a_choice_takes_a_free_seat_and_frees_the_old_one_for_the_first_in_line(app, promoted):
    g = make_gathering()
    (r1,) = make_programme(g, [1, 3])
    a, b = r1.workshops
    mover = registered(g, {r1: a})
    waiting = registered(g, {r1: a})
    locked_call(services.change_choices, g, mover, {r1.id: b.id})
    assert status(mover, r1) == (b.id, "seated")
    assert status(waiting, r1) == (a.id, "seated")
    assert promoted == [(waiting.id, a.id)]


def test_a_change_to_a_full_workshop_keeps_the_seat_unless_the_participant_would_rather_wait(app):
    g = make_gathering()
    (r1,) = make_programme(g, [1, 1])
    a, b = r1.workshops
    holder_a = registered(g, {r1: a})
    holder_b = registered(g, {r1: b})
    with pytest.raises(services.ChoiceRefused) as refused:
        locked_call(services.change_choices, g, holder_a, {r1.id: b.id})
    assert refused.value.errors == {r1.id: services.ChoiceRefused.FULL_KEEPS_SEAT}
    assert status(holder_a, r1) == (a.id, "seated")
    locked_call(services.change_choices, g, holder_a, {r1.id: b.id}, wait_if_full=True)
    assert status(holder_a, r1) == (b.id, "waiting")
    assert status(holder_b, r1) == (b.id, "seated")
    assert services.seats(g)[a.id].seated == 0


def test_an_unchanged_choice_keeps_its_place_in_line(app):
    g = make_gathering()
    r1, r2 = make_programme(g, [1], [3, 3])
    registered(g, {r1: r1.workshops[0], r2: r2.workshops[0]})
    waiting = registered(g, {r1: r1.workshops[0], r2: r2.workshops[0]})
    behind = registered(g, {r1: r1.workshops[0], r2: r2.workshops[0]})
    locked_call(services.change_choices, g, waiting, {r1.id: r1.workshops[0].id, r2.id: r2.workshops[1].id})
    assert services.waiting_position(choice_of(waiting, r1)) == 1
    assert services.waiting_position(choice_of(behind, r1)) == 2
    assert status(waiting, r2) == (r2.workshops[1].id, "seated")


def test_an_organiser_moves_someone_refused_when_full_unless_going_over(app):
    g = make_gathering()
    (r1,) = make_programme(g, [1, 1])
    a, b = r1.workshops
    in_a = registered(g, {r1: a})
    registered(g, {r1: b})
    waits_a = registered(g, {r1: a})
    moved = []
    signals.choice_moved.connect(lambda reg, **kw: moved.append((reg.id, kw)), weak=False)
    with pytest.raises(services.WorkshopFull):
        locked_call(services.move, g, in_a, r1, b)
    locked_call(services.move, g, in_a, r1, b, allow_over=True)
    assert status(in_a, r1) == (b.id, "seated")
    assert services.seats(g)[b.id].seated == 2
    assert status(waits_a, r1) == (a.id, "seated")  # the seat in A went to who waited
    assert moved[-1][0] == in_a.id and moved[-1][1]["from_title"] == a.title and moved[-1][1]["to_title"] == b.title
    signals.choice_moved.receivers.clear()


def test_removing_a_workshop_moves_its_people_and_tells_them(app):
    g = make_gathering()
    (r1,) = make_programme(g, [2, 1])
    a, b = r1.workshops
    s1 = registered(g, {r1: a})
    s2 = registered(g, {r1: a})
    w = registered(g, {r1: a})
    told = []
    signals.choice_moved.connect(lambda reg, **kw: told.append((reg.id, kw["reason"], kw["to_title"])), weak=False)
    a_id, b_title = a.id, b.title
    locked_call(lambda gathering: services.remove_workshop(gathering, db.session.get(type(a), a_id),
                                                           db.session.get(type(b), b.id)), g)
    signals.choice_moved.receivers.clear()
    assert status(s1, r1) == (b.id, "seated")   # the one seat of B: who had a seat first
    assert status(s2, r1) == (b.id, "waiting")
    assert status(w, r1) == (b.id, "waiting")
    assert services.waiting_position(choice_of(w, r1)) == 1  # waited since before s2 lost its seat
    assert sorted(told) == sorted([(s1.id, "workshop_removed", b_title), (s2.id, "workshop_removed", b_title),
                                   (w.id, "workshop_removed", b_title)])


def test_removing_a_workshop_without_a_target_leaves_no_workshop(app):
    g = make_gathering()
    (r1,) = make_programme(g, [2, 1])
    a = r1.workshops[0]
    s1 = registered(g, {r1: a})
    locked_call(lambda gathering: services.remove_workshop(gathering, db.session.get(type(a), a.id)), g)
    assert status(s1, r1) == (None, "none")


def test_removing_a_round_tells_who_had_a_workshop(app):
    g = make_gathering()
    (r1,) = make_programme(g, [2])
    s1 = registered(g, {r1: r1.workshops[0]})
    told = []
    signals.choice_moved.connect(lambda reg, **kw: told.append((reg.id, kw["reason"], kw["round_title"])), weak=False)
    part_id = r1.id
    assert locked_call(lambda gathering: services.remove_round(gathering, db.session.get(type(r1), part_id)), g) == 1
    signals.choice_moved.receivers.clear()
    assert told == [(s1.id, "round_removed", "Ronde 1")]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkshopChoice)) == 0


def test_a_grown_workshop_seats_who_waits(app):
    g = make_gathering()
    (r1,) = make_programme(g, [1])
    ws = r1.workshops[0]
    registered(g, {r1: ws})
    waiting = registered(g, {r1: ws})
    ws.capacity = 2
    db.session.commit()
    locked_call(services.fill_workshops, g, [ws.id])
    assert status(waiting, r1) == (ws.id, "seated")


def test_services_refuse_an_unlocked_gathering(app):
    g = make_gathering()
    (r1,) = make_programme(g, [1])
    reg = make_registration(g)
    with pytest.raises(RuntimeError, match="write-locked"):
        services.choose(g, reg, {r1.id: r1.workshops[0].id})


def test_a_companion_removed_frees_a_workshop_seat_for_who_waits(app, promoted):
    from gatherings.registration import signals as registration_signals
    if not hasattr(registration_signals, "registration_changed"):
        pytest.skip("the participant's own change (/r/<token>/edit) is not built on this branch")
    g = make_gathering(capacity=20)
    (r1,) = make_programme(g, [2])
    ws = r1.workshops[0]
    pair = make_registration(g)
    pair.companion = True
    db.session.commit()
    locked_call(services.choose, g, pair, {r1.id: ws.id})
    waiting = registered(g, {r1: ws})
    assert status(waiting, r1) == (ws.id, "waiting")

    def without_companion(gathering):
        registration = services.locked_registration(gathering, pair.id)
        registration.companion = False
        db.session.flush()
        registration_signals.registration_changed.send(registration, changed=["companion"], invitation_changed=False)
    locked_call(without_companion, g)
    assert status(waiting, r1) == (ws.id, "seated")
    assert services.seats(g)[ws.id].seated == 2
    assert promoted == [(waiting.id, ws.id)]
