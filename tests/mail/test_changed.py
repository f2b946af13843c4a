"""The "registration changed" message, delivered to a real SMTP server on loopback (aiosmtpd)."""
from datetime import timedelta

from gatherings.extensions import db
from gatherings.timeutil import utcnow
from gatherings.registration import changes
from gatherings.registration.models import Registration
from tests.factories import locked_call, make_gathering, make_registration

from .test_messages import assert_invitation_shape, deliver, html_of, invitation_of, parts, text_of


def change(gathering, registration, now=None, **fields):
    db.session.rollback()
    current = db.session.get(Registration, registration.id)
    wanted = dict(name=current.name, organisation=current.organisation, needs=current.needs,
                  perspective=current.perspective, companion=current.companion,
                  companion_name=current.companion_name)
    wanted.update(fields)
    return locked_call(changes.change_registration, gathering, registration.id, changes.Changes(**wanted), now=now)


def test_a_change_of_needs_sends_one_message_without_an_invitation(app, smtp):
    g = make_gathering(title="Kijkje in de keuken")
    r = make_registration(g, email="anna@voorbeeld.nl", name="Anna")
    deliver(smtp)  # the confirmation
    change(g, r, needs="Een rolstoelplek", companion=True, companion_name="Bea")
    (message,) = deliver(smtp)
    assert message["Subject"] == "Aanmelding gewijzigd: Kijkje in de keuken"
    assert message["To"].addresses[0].addr_spec == "anna@voorbeeld.nl"
    assert "text/calendar" not in parts(message)
    text = text_of(message)
    assert "Gewijzigd: wat u nodig heeft, begeleider, naam van uw begeleider" in text
    assert "Wat u nodig heeft: Een rolstoelplek" in text and "Begeleider: Bea" in text
    assert "U heeft een plek. Uw begeleider ook." in text
    assert "Kijkje in de keuken" in html_of(message) and "Bea" in html_of(message)


def test_a_new_name_sends_an_updated_invitation_that_calendars_take_over_the_old_one(app, smtp):
    g = make_gathering(title="Kijkje in de keuken")
    r = make_registration(g, email="anna@voorbeeld.nl", name="Anna")
    (confirmation,) = deliver(smtp)
    first = invitation_of(confirmation)[1].events[0]
    change(g, r, name="Anna de Vries", now=utcnow() + timedelta(minutes=1))
    (message,) = deliver(smtp)
    event = assert_invitation_shape(message, "REQUEST")
    assert event.uid == first.uid and event.sequence >= first.sequence
    assert event.dtstamp > first.dtstamp  # same SEQUENCE, later DTSTAMP: an update, not a duplicate
    assert [a.common_name for a in event.attendees] == ["Anna de Vries"]
    assert [a.common_name for a in first.attendees] == ["Anna"]
    assert "nieuwe agenda-uitnodiging" in text_of(message)


def test_a_waiting_participant_who_changes_their_name_gets_no_invitation(app, smtp):
    g = make_gathering(capacity=1)
    make_registration(g)
    r = make_registration(g, email="bo@voorbeeld.nl", name="Bo")
    deliver(smtp)
    change(g, r, name="Bo Bakker", companion=True)
    (message,) = deliver(smtp)
    assert "text/calendar" not in parts(message)
    assert "U en uw begeleider wachten samen op twee plekken." in text_of(message)


def test_nothing_changed_sends_nothing(app, smtp):
    g = make_gathering()
    r = make_registration(g)
    deliver(smtp)
    change(g, r)
    assert deliver(smtp) == []


def test_a_freed_seat_mails_the_promoted_participant(app, smtp):
    g = make_gathering(capacity=2)
    pair = make_registration(g, email="paar@voorbeeld.nl")
    change(g, pair, companion=True)
    waiting = make_registration(g, email="wacht@voorbeeld.nl")
    deliver(smtp)
    change(g, pair, companion=False)
    received = {m["To"].addresses[0].addr_spec: m for m in deliver(smtp)}
    assert set(received) == {"paar@voorbeeld.nl", "wacht@voorbeeld.nl"}
    assert received["wacht@voorbeeld.nl"]["Subject"].startswith("Er is een plek voor u")
    assert_invitation_shape(received["wacht@voorbeeld.nl"], "REQUEST")
    assert received["paar@voorbeeld.nl"]["Subject"].startswith("Aanmelding gewijzigd")
    db.session.rollback()
    assert db.session.get(Registration, waiting.id).status == "confirmed"


def test_the_confirmation_names_the_companion_once(app, smtp):
    from gatherings.registration import services

    g = make_gathering()
    locked_call(services.register, g, services.Applicant(name="Anna", email="anna@voorbeeld.nl", companion=True,
                                                          companion_name="Bea Bakker", consent_version="test"))
    (message,) = deliver(smtp)
    assert text_of(message).count("Begeleider: Bea Bakker") == 1
    assert "Bea Bakker" in html_of(message)
    r = db.session.query(Registration).one()
    change(g, r, companion_name="Bea de Boer")
    (message,) = deliver(smtp)
    assert text_of(message).count("Begeleider: Bea de Boer") == 1  # in the facts, not again in the details
