"""What participants receive: content, headers and the calendar invitation of each message."""
import os
import re
from datetime import timedelta

import pytest

from gatherings.attendance.listing import recipients
from gatherings.catalogue import signals as catalogue_signals
from gatherings.catalogue.models import HostOrganisation
from gatherings.extensions import db
from gatherings.mail import services as mail
from gatherings.mail.sender import send_due
from gatherings.registration import services as registration
from tests.factories import locked_call, make_gathering, make_registration

from .conftest import calendar_part, outbox, parse_strict, parts


def deliver(smtp):
    """Start the server (if needed), send what is due, return the messages received by this call."""
    if smtp.controller is None:
        smtp.start()
    before = len(smtp.envelopes)
    outcome = send_due()
    assert outcome.failed == 0 and outcome.deferred == 0
    return smtp.messages[before:]


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")


def invitation_of(message):
    part = calendar_part(message)
    assert part is not None, "no text/calendar part"
    calendar = parse_strict(part.get_content())
    return part, calendar


def assert_invitation_shape(message, method):
    """multipart/mixed(multipart/alternative(text, html, calendar; method=M), invite.ics); METHOD agrees.

    A seat at a place brings the door's QR code: the HTML is then multipart/related(html, png), still the
    second alternative, so clients show it and still find the invitation beside it.
    """
    html = ["multipart/related", "text/html", "image/png"] if "image/png" in parts(message) else ["text/html"]
    assert parts(message) == ["multipart/mixed", "multipart/alternative", "text/plain", *html,
                              "text/calendar", "application/ics"]
    part, calendar = invitation_of(message)
    assert part.get_param("method") == method
    assert part.get_content_charset() == "utf-8"
    assert calendar.method == method
    attachment = list(message.iter_attachments())[0]
    assert attachment.get_filename() == "invite.ics"
    attached = parse_strict(attachment.get_content().decode("utf-8"))
    assert attached.method == method
    assert attached.events[0].uid == calendar.events[0].uid
    return calendar.events[0]


@pytest.fixture
def host():
    h = HostOrganisation(slug="de-hoven", name="GGZ De Hoven", city="Utrecht", contact_email="info@dehoven.example")
    db.session.add(h)
    db.session.commit()
    return h


def test_confirmation_carries_facts_link_sender_and_a_request_invitation(app, smtp, host):
    gathering = make_gathering(title="Kijkje in de keuken", host=host, venue_name="De Pijler",
                               venue_address="Oudegracht 12", venue_city="Utrecht")
    reg = make_registration(gathering, email="an@voorbeeld.nl", name="An de Vries")
    (message,) = deliver(smtp)

    assert message["To"].addresses[0].addr_spec == "an@voorbeeld.nl"
    assert message["From"].addresses[0].addr_spec == "noreply@gatherings.test"
    assert message["Reply-To"] == "info@dehoven.example"
    assert message["Subject"] == "Aanmelding bevestigd: Kijkje in de keuken"
    assert message["Message-ID"] == outbox()[0].message_id
    assert message["Content-Language"] == "nl"
    text = text_of(message)
    assert "Beste An de Vries," in text
    assert "De Pijler, Oudegracht 12, Utrecht" in text
    assert re.search(r"\d{1,2} \w+ \d{4}, \d\d:\d\d – \d\d:\d\d", text)  # date and time, Amsterdam
    assert f"http://gatherings.test/r/{reg.token}" in text  # BASE_URL, not the request's host
    assert "GGZ De Hoven" in text and "info@dehoven.example" in text
    html = html_of(message)
    assert f'href="http://gatherings.test/r/{reg.token}"' in html
    assert "Oudegracht 12" in html

    event = assert_invitation_shape(message, "REQUEST")
    assert event.uid == f"gathering-{gathering.id}@gatherings.test"
    assert event.organizer.uri == "mailto:info@dehoven.example"
    assert [a.uri for a in event.attendees] == ["mailto:an@voorbeeld.nl"]
    assert event.sequence == gathering.sequence
    assert event.dtstart == gathering.starts_at


def test_waiting_list_message_has_position_and_no_invitation(app, smtp):
    gathering = make_gathering(capacity=1)
    make_registration(gathering)
    make_registration(gathering)
    third = make_registration(gathering, email="cor@voorbeeld.nl", name="Cor")
    messages = [m for m in deliver(smtp) if m["To"].addresses[0].addr_spec == "cor@voorbeeld.nl"]
    (message,) = messages
    assert message["Subject"] == f"U staat op de wachtlijst: {gathering.title}"
    assert parts(message) == ["multipart/alternative", "text/plain", "text/html"]
    text = text_of(message)
    assert "nummer 2 op de wachtlijst" in text
    assert "U hoeft zelf niets te doen" in text
    assert f"/r/{third.token}" in text


def test_cancel_sends_cancel_with_same_uid_higher_sequence_and_promotes_with_request(app, smtp):
    gathering = make_gathering(capacity=1)
    first = make_registration(gathering, email="an@voorbeeld.nl")
    waiting = make_registration(gathering, email="bo@voorbeeld.nl")
    (confirmed, _waitlisted) = deliver(smtp)
    _part, request_cal = invitation_of(confirmed)

    locked_call(registration.cancel, first.gathering_id, first.id)
    db.session.commit()
    messages = {m["To"].addresses[0].addr_spec: m for m in deliver(smtp)}
    assert set(messages) == {"an@voorbeeld.nl", "bo@voorbeeld.nl"}

    cancelled = messages["an@voorbeeld.nl"]
    assert cancelled["Subject"] == f"Aanmelding geannuleerd: {gathering.title}"
    cancel_event = assert_invitation_shape(cancelled, "CANCEL")
    assert cancel_event.uid == request_cal.events[0].uid
    assert cancel_event.sequence > request_cal.events[0].sequence

    promoted = messages["bo@voorbeeld.nl"]
    assert promoted["Subject"] == f"Er is een plek voor u: {gathering.title}"
    assert "plek vrijgekomen" in text_of(promoted)
    assert f"/r/{waiting.token}" in text_of(promoted)
    event = assert_invitation_shape(promoted, "REQUEST")
    assert [a.uri for a in event.attendees] == ["mailto:bo@voorbeeld.nl"]


def test_registering_again_after_cancelling_outranks_the_cancel(app, smtp):
    gathering = make_gathering()
    first = make_registration(gathering, email="an@voorbeeld.nl")
    locked_call(registration.cancel, first.gathering_id, first.id)
    db.session.commit()
    make_registration(gathering, email="an@voorbeeld.nl")
    _confirm, cancel, again = deliver(smtp)
    assert invitation_of(again)[1].events[0].sequence > invitation_of(cancel)[1].events[0].sequence


def test_waitlisted_person_who_cancels_gets_no_calendar_cancel(app, smtp):
    gathering = make_gathering(capacity=0)
    waiting = make_registration(gathering)
    locked_call(registration.cancel, waiting.gathering_id, waiting.id)
    db.session.commit()
    _waitlisted, cancelled = deliver(smtp)
    assert parts(cancelled) == ["multipart/alternative", "text/plain", "text/html"]


def test_gathering_changed_sends_updated_invitation_to_confirmed_and_text_to_waiting(app, smtp):
    gathering = make_gathering(capacity=1)
    make_registration(gathering, email="an@voorbeeld.nl")
    make_registration(gathering, email="bo@voorbeeld.nl")
    (confirmed, _waitlisted) = deliver(smtp)
    old_sequence = invitation_of(confirmed)[1].events[0].sequence

    gathering.starts_at += timedelta(days=1)
    gathering.ends_at += timedelta(days=1)
    gathering.venue_name = "Wijkcentrum De Wijert"
    gathering.touch(attendee_relevant=True)
    catalogue_signals.gathering_changed.send(gathering, changes=["starts_at", "ends_at", "venue_name"])
    db.session.commit()

    messages = {m["To"].addresses[0].addr_spec: m for m in deliver(smtp)}
    changed = messages["an@voorbeeld.nl"]
    assert changed["Subject"] == f"Gewijzigd: {gathering.title}"
    assert "Wijkcentrum De Wijert" in text_of(changed)
    event = assert_invitation_shape(changed, "REQUEST")
    assert event.sequence > old_sequence
    assert event.dtstart == gathering.starts_at
    assert parts(messages["bo@voorbeeld.nl"]) == ["multipart/alternative", "text/plain", "text/html"]


def test_gathering_cancelled_by_organiser_sends_cancel_with_their_words(app, smtp):
    gathering = make_gathering()
    make_registration(gathering, email="an@voorbeeld.nl")
    (confirmed,) = deliver(smtp)
    request_event = invitation_of(confirmed)[1].events[0]

    gathering.status = "cancelled"
    gathering.touch(attendee_relevant=True)
    catalogue_signals.gathering_cancelled.send(gathering, message="De spreker is ziek.")
    db.session.commit()
    (message,) = deliver(smtp)
    assert message["Subject"] == f"Gaat niet door: {gathering.title}"
    assert "De spreker is ziek." in text_of(message)
    event = assert_invitation_shape(message, "CANCEL")
    assert event.uid == request_event.uid and event.sequence > request_event.sequence


def test_organiser_message_goes_to_the_chosen_audience(app, smtp):
    gathering = make_gathering(capacity=1)
    make_registration(gathering, email="an@voorbeeld.nl")
    make_registration(gathering, email="bo@voorbeeld.nl")
    gone = make_registration(gathering, email="cor@voorbeeld.nl")
    locked_call(registration.cancel, gone.gathering_id, gone.id)
    db.session.commit()
    deliver(smtp)

    assert mail.queue_organiser_message(gathering, recipients(gathering, "waitlisted"), "Nog even geduld", "Er komt\nmisschien plek.",
                                        "Marieke") == 1
    assert mail.queue_organiser_message(gathering, recipients(gathering, "all"), "Route", "Neem de <bus>.", "Marieke") == 2
    db.session.commit()
    messages = deliver(smtp)
    assert [(m["To"].addresses[0].addr_spec, m["Subject"]) for m in messages] == [
        ("bo@voorbeeld.nl", f"{gathering.title}: Nog even geduld"),
        ("an@voorbeeld.nl", f"{gathering.title}: Route"),
        ("bo@voorbeeld.nl", f"{gathering.title}: Route"),
    ]
    assert messages[0]["From"].addresses[0].display_name == "Marieke via Gatherings"
    assert "Er komt\nmisschien plek." in text_of(messages[0])
    assert "Neem de &lt;bus&gt;." in html_of(messages[1])
    with pytest.raises(ValueError):
        recipients(gathering, "everyone")


def test_registration_through_the_web_form_queues_exactly_one_message_and_sends_nothing(app, client, smtp):
    smtp.start()
    gathering = make_gathering()
    response = client.post(f"/gatherings/{gathering.slug}/register", data={
        "name": "An", "email": "an@voorbeeld.nl", "perspective": "relative", "consent": "y"})
    assert response.status_code == 303
    assert [m.kind for m in outbox()] == ["confirmed"]
    assert outbox()[0].status == "queued"
    assert smtp.envelopes == []  # nothing sent inside the request


def test_duplicate_registration_mails_the_owner_and_the_page_reveals_nothing(app, smtp):
    gathering = make_gathering()
    first = make_registration(gathering, email="an@voorbeeld.nl")
    other_browser = app.test_client()
    response = other_browser.post(f"/gatherings/{gathering.slug}/register", data={
        "name": "Iemand", "email": "AN@voorbeeld.nl", "perspective": "relative", "consent": "y"})
    assert response.status_code == 200
    assert first.token not in response.get_data(as_text=True)
    (_confirmed, duplicate) = deliver(smtp)
    assert duplicate["Subject"] == f"U bent al aangemeld: {gathering.title}"
    assert f"http://gatherings.test/r/{first.token}" in text_of(duplicate)
    # Trying again and again does not flood the owner's inbox: one such message an hour.
    for _ in range(3):
        app.test_client().post(f"/gatherings/{gathering.slug}/register", data={
            "name": "Iemand", "email": "an@voorbeeld.nl", "perspective": "relative", "consent": "y"})
    assert len(outbox(kind="duplicate")) == 1


def test_online_link_only_for_confirmed(app, smtp):
    gathering = make_gathering(capacity=1, venue_name="", venue_address="", venue_city="",
                               online_url="https://meet.example/abc")
    make_registration(gathering, email="an@voorbeeld.nl")
    make_registration(gathering, email="bo@voorbeeld.nl")
    confirmed, waitlisted = deliver(smtp)
    assert "https://meet.example/abc" in text_of(confirmed)
    assert "https://meet.example/abc" not in text_of(waitlisted)


def test_without_mail_server_messages_become_eml_files(app):
    app.config["MAIL_SERVER"] = None
    gathering = make_gathering()
    make_registration(gathering, email="an@voorbeeld.nl")
    outcome = send_due()
    assert outcome.sent == 1
    files = os.listdir(app.config["MAIL_OUTBOX_DIR"])
    assert len(files) == 1 and files[0].endswith("-confirmed.eml")
    with open(os.path.join(app.config["MAIL_OUTBOX_DIR"], files[0]), "rb") as fh:
        assert b"Subject: Aanmelding bevestigd" in fh.read()
    assert outbox()[0].status == "sent"
    assert send_due().sent == 0  # and only once
