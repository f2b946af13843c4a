from datetime import timedelta

import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.registration import services, signals
from gatherings.registration.models import Registration
from gatherings.timeutil import utcnow
from tests.factories import locked_call, make_gathering, make_registration


def applicant(n, perspective=None, email=None):
    return services.Applicant(name=f"Persoon {n}", email=email or f"p{n}@voorbeeld.nl",
                              perspective=perspective, consent_version="test")


def test_seats_until_full_then_waiting_list_in_order(app):
    g = make_gathering(capacity=2)
    regs = [make_registration(g) for _ in range(4)]
    assert [r.status for r in regs] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [services.waitlist_position(r) for r in regs] == [None, None, 1, 2]
    assert services.availability(g).seats_left == 0


def test_cancel_confirmed_promotes_first_waiting(app):
    g = make_gathering(capacity=1)
    first, second, third = (make_registration(g) for _ in range(3))
    promoted = []
    with signals.registration_promoted.connected_to(lambda r: promoted.append(r.id)):
        locked_call(services.cancel, g, first.id)
    assert db.session.get(Registration, second.id).status == "confirmed"
    assert db.session.get(Registration, third.id).status == "waitlisted"
    assert services.waitlist_position(db.session.get(Registration, third.id)) == 1
    assert promoted == [second.id]


def test_cancel_waiting_promotes_nobody(app):
    g = make_gathering(capacity=1)
    make_registration(g)
    waiting = make_registration(g)
    assert locked_call(services.cancel, g, waiting.id) == []
    assert locked_call(services.cancel, g, waiting.id) == []  # twice is harmless


def test_mixed_allotments_per_group(app):
    g = make_gathering(kind="mixed")  # 2 per group
    lived = [make_registration(g, perspective=p) for p in ("client", "experience_expert", "client")]
    relatives = [make_registration(g, perspective="relative") for _ in range(2)]
    assert [r.status for r in lived] == ["confirmed", "confirmed", "waitlisted"]
    assert [r.status for r in relatives] == ["confirmed", "confirmed"]
    avail = services.availability(g)
    assert avail.groups["lived"].seats_left == 0
    assert avail.groups["professionals"].seats_left == 2
    # A relative cancelling frees a relatives' seat, not one for the waiting client.
    locked_call(services.cancel, g, relatives[0].id)
    assert db.session.get(Registration, lived[2].id).status == "waitlisted"
    locked_call(services.cancel, g, lived[0].id)
    assert db.session.get(Registration, lived[2].id).status == "confirmed"


def test_mixed_requires_perspective(app):
    g = make_gathering(kind="mixed")
    with pytest.raises(services.RegistrationRefused) as refused:
        locked_call(services.register, g, applicant(1, perspective=None))
    assert refused.value.reason == "perspective_required"


def test_registration_window(app):
    now = utcnow()
    later = make_gathering(registration_opens_at=now + timedelta(hours=1))
    closed = make_gathering(registration_closes_at=now - timedelta(minutes=1))
    past = make_gathering(starts_at=now - timedelta(hours=1))
    cancelled = make_gathering(status="cancelled")
    for g, reason in ((later, "not_yet_open"), (closed, "closed"), (past, "past"), (cancelled, "cancelled")):
        with pytest.raises(services.RegistrationRefused) as refused:
            locked_call(services.register, g, applicant(1))
        assert refused.value.reason == reason
    # Exactly at the opening moment it is open.
    assert locked_call(services.register, later, applicant(2), now=now + timedelta(hours=1)).created


def test_same_address_twice_creates_nothing(app):
    g = make_gathering()
    first = locked_call(services.register, g, applicant(1, email="Anna@Voorbeeld.nl"))
    again = locked_call(services.register, g, applicant(2, email=" anna@voorbeeld.NL "))
    assert first.created and not again.created
    assert again.registration.id == first.registration.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    # After cancelling, the address may register again.
    locked_call(services.cancel, g, first.registration.id)
    assert locked_call(services.register, g, applicant(3, email="anna@voorbeeld.nl")).created


def test_database_refuses_two_active_registrations_for_one_address(app):
    g = make_gathering()
    make_registration(g, email="dubbel@voorbeeld.nl")
    db.session.add(Registration(gathering=g, name="x", email="dubbel@voorbeeld.nl", email_key="dubbel@voorbeeld.nl",
                                status="confirmed", created_at=utcnow()))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_raised_capacity_fills_from_waiting_list(app):
    g = make_gathering(capacity=1)
    make_registration(g)
    waiting = [make_registration(g) for _ in range(3)]
    g.capacity = 3
    db.session.commit()
    promoted = locked_call(services.fill_from_waitlist, g)
    assert [r.id for r in promoted] == [waiting[0].id, waiting[1].id]


def test_tokens_are_long_and_unique(app):
    g = make_gathering()
    tokens = {make_registration(g).token for _ in range(5)}
    assert len(tokens) == 5
    assert all(len(t) >= 43 for t in tokens)  # 32 random bytes, url-safe base64
