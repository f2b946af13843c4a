from datetime import timedelta

import pytest

from gatherings.attendance import listing, services
from gatherings.extensions import db
from gatherings.registration import services as registration, signals
from gatherings.registration.models import Registration
from gatherings.timeutil import utcnow
from tests.factories import locked_call, make_gathering, make_registration


def applicant(name, email=None, perspective=None, needs=""):
    return registration.Applicant(name=name, email=email, perspective=perspective, needs=needs,
                                  consent_version="test")


def test_lists_split_and_order(app):
    g = make_gathering(capacity=2)
    a = make_registration(g, name="Zoë de Vries")
    b = make_registration(g, name="Anna Bakker")
    w1 = make_registration(g, name="Wachtende Een")
    w2 = make_registration(g, name="Wachtende Twee")
    locked_call(registration.cancel, w2.gathering_id, w2.id)
    db.session.commit()
    view = listing.registrations_page(g)
    assert [r.name for r in view.confirmed.rows] == ["Anna Bakker", "Zoë de Vries"]
    assert [r.id for r in view.waiting.rows] == [w1.id]
    assert [r.id for r in view.cancelled.rows] == [w2.id]
    assert view.positions[w1.id] == 1
    assert (view.total_confirmed, view.total_waiting) == (2, 1)
    lists = listing.active_lists(g)
    assert [r.id for r in lists.confirmed] == [b.id, a.id]
    assert [(r.id, place) for r, place in lists.waiting] == [(w1.id, 1)]


def test_search_folds_accents_and_case(app):
    g = make_gathering()
    make_registration(g, name="Désirée Ëlsen")
    make_registration(g, name="Piet Jansen")
    assert [r.name for r in listing.registrations_page(g, "desiree").confirmed.rows] == ["Désirée Ëlsen"]
    assert [r.name for r in listing.registrations_page(g, "ELSEN").confirmed.rows] == ["Désirée Ëlsen"]
    assert listing.registrations_page(g, "niemand").confirmed.rows == []


def test_composition_of_a_mixed_session_counts_every_perspective(app):
    g = make_gathering(kind="mixed")
    for p in ("client", "client", "relative", "professional", "client"):
        make_registration(g, perspective=p)
    composition = listing.composition(g)
    counts = {c.code: (c.confirmed, c.waitlisted) for c in composition}
    assert counts["client"] == (2, 1)
    assert counts["relative"] == (1, 0)
    assert counts["professional"] == (1, 0)
    assert counts[None] == (0, 0)
    assert composition.hidden_below is None
    fill = dict(services.group_fill(g, registration.availability(g)))
    assert fill["lived"].confirmed == 2 and fill["lived"].waitlisted == 1


def test_door_search_needs_two_letters_and_skips_cancelled(app):
    g = make_gathering()
    keep = make_registration(g, name="Jan Smit")
    gone = make_registration(g, name="Jan Klaassen")
    locked_call(registration.cancel, gone.gathering_id, gone.id)
    db.session.commit()
    assert services.door_search(g, "") == []
    assert services.door_search(g, "j") == []
    assert [r.id for r in services.door_search(g, "ja")] == [keep.id]


def test_door_search_limits_results(app):
    g = make_gathering(capacity=100)
    for n in range(30):
        make_registration(g, name=f"Lid {n:02d}")
    assert len(services.door_search(g, "lid")) == services.DOOR_RESULTS


def test_check_in_and_undo(app):
    g = make_gathering()
    r = make_registration(g)
    services.check_in(g, r.id)
    db.session.commit()
    first = db.session.get(Registration, r.id).checked_in_at
    assert first is not None and first.tzinfo is not None
    services.check_in(g, r.id, now=first + timedelta(minutes=5))  # twice keeps the first time
    assert db.session.get(Registration, r.id).checked_in_at == first
    assert services.door_counts(g).as_dict() == {"confirmed": 1, "checked_in": 1, "expected": 0,
                                                 "waitlisted": 0, "walk_ins": 0}
    services.undo_check_in(g, r.id)
    db.session.commit()
    assert db.session.get(Registration, r.id).checked_in_at is None
    assert services.door_counts(g).checked_in == 0


def test_check_in_refuses_waiting_and_cancelled(app):
    g = make_gathering(capacity=1)
    make_registration(g)
    waiting = make_registration(g)
    with pytest.raises(services.ActionRefused) as refused:
        services.check_in(g, waiting.id)
    assert refused.value.reason == "waiting"
    locked_call(registration.cancel, waiting.gathering_id, waiting.id)
    with pytest.raises(services.ActionRefused):
        services.check_in(g, waiting.id)


def test_registration_of_other_gathering_is_not_found(app):
    mine, other = make_gathering(), make_gathering()
    theirs = make_registration(other)
    for action in (services.check_in, services.undo_check_in, services.promote, services.cancel_on_behalf):
        with pytest.raises(LookupError):
            action(mine, theirs.id)
    with pytest.raises(LookupError):
        services.update_needs(mine, theirs.id, "x")


def test_admit_waiting_person_at_the_door(app):
    g = make_gathering(capacity=1)
    make_registration(g)
    waiting = make_registration(g)
    r = locked_call(services.admit, g, waiting.id)
    db.session.commit()
    assert r.status == "confirmed" and r.checked_in_at is not None
    assert services.door_counts(g).confirmed == 2  # beyond capacity: the organiser decided


def test_walk_in_gets_a_seat_and_is_checked_in(app):
    g = make_gathering(capacity=2)
    result = locked_call(services.walk_in, g, applicant("Loop Binnen"))
    db.session.commit()
    assert result.created and result.checked_in
    assert result.registration.source == "walk_in"
    assert result.registration.email is None
    assert services.door_counts(g).walk_ins == 1


def test_walk_in_when_full_goes_on_waiting_list(app):
    g = make_gathering(capacity=1)
    make_registration(g)
    result = locked_call(services.walk_in, g, applicant("Te Laat"))
    assert result.registration.status == "waitlisted" and not result.checked_in


def test_walk_in_while_gathering_runs(app):
    now = utcnow()
    g = make_gathering(starts_at=now - timedelta(hours=1))
    result = locked_call(services.walk_in, g, applicant("Binnenloper"))
    assert result.checked_in
    # The public form stays closed once it has started.
    with pytest.raises(registration.RegistrationRefused):
        locked_call(registration.register, g, applicant("Online", email="online@voorbeeld.nl"))


def test_walk_in_refused_after_the_end(app):
    now = utcnow()
    g = make_gathering(starts_at=now - timedelta(hours=5))
    with pytest.raises(registration.RegistrationRefused):
        locked_call(services.walk_in, g, applicant("Te Laat"))


def test_promote_from_waiting_list_sends_signal(app):
    g = make_gathering(capacity=1)
    make_registration(g)
    waiting = make_registration(g)
    promoted = []
    with signals.registration_promoted.connected_to(lambda r: promoted.append(r.id)):
        with pytest.raises(services.OverCapacity) as asked:  # full: never without the organiser's yes
            locked_call(services.promote, g, waiting.id)
        assert asked.value.overbooking.total == 1 and promoted == []
        assert db.session.get(Registration, waiting.id).status == "waitlisted"
        locked_call(services.promote, g, waiting.id, beyond_capacity=True)
        db.session.commit()
    assert db.session.get(Registration, waiting.id).status == "confirmed"
    assert promoted == [waiting.id]
    with pytest.raises(services.ActionRefused):
        locked_call(services.promote, g, waiting.id, beyond_capacity=True)


def test_cancel_on_behalf_tells_participant_and_promotes(app):
    g = make_gathering(capacity=1)
    first = make_registration(g)
    second = make_registration(g)
    seen = []
    with signals.registration_cancelled.connected_to(lambda r, **kw: seen.append((r.id, kw))):
        promoted = locked_call(services.cancel_on_behalf, g, first.id)
        db.session.commit()
    assert seen == [(first.id, {"by_organiser": True, "freed_seat": True})]
    assert [r.id for r in promoted] == [second.id]
    with pytest.raises(services.ActionRefused):
        locked_call(services.cancel_on_behalf, g, first.id)


def test_add_by_hand_without_email(app):
    g = make_gathering()
    result = locked_call(services.add_by_hand, g, applicant("Belt Op", needs="rolstoel"))
    db.session.commit()
    assert result.registration.source == "organiser"
    assert result.registration.email is None and result.registration.status == "confirmed"
    # Two people without an address are two registrations.
    assert locked_call(services.add_by_hand, g, applicant("Belt Ook")).created


def test_add_by_hand_after_registration_closed(app):
    g = make_gathering(registration_closes_at=utcnow() - timedelta(hours=1))
    assert locked_call(services.add_by_hand, g, applicant("Belt Op")).registration.status == "confirmed"


def test_update_needs(app):
    g = make_gathering()
    r = make_registration(g)
    services.update_needs(g, r.id, "  gebarentolk  ")
    db.session.commit()
    assert db.session.get(Registration, r.id).needs == "gebarentolk"


