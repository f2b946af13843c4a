"""Messages about a registration are rendered by the sender, not inside the registering request.

The row written in the request's transaction has no body; ``mail send`` renders
it at the first claim, keeps the bodies on the row and sends them; a retry sends
the same text; an erased registration's message is dropped.
"""
import json
from datetime import timedelta

import flask
import pytest

from gatherings.attendance.listing import recipients
from gatherings.extensions import db
from gatherings.mail import services as mail
from gatherings.mail.changes import what_changed
from gatherings.mail.models import OutboxMessage
from gatherings.mail.sender import claim_next, send_due, send_one, Outcome
from gatherings.my import services as my_services
from gatherings.privacy.services import anonymise
from gatherings.registration import services as registration
from gatherings.registration import signals as registration_signals
from gatherings.timeutil import utcnow
from tests.factories import locked_call, make_gathering, make_registration

from .conftest import outbox
from .test_messages import deliver, html_of, text_of


def as_stored(text: str) -> str:
    """A body as the mail carries it: CRLF read back as LF, and a final line break added by MIME."""
    return text.replace("\r\n", "\n").rstrip("\n") + "\n"


def register_through_the_form(client, gathering, email, name="An"):
    return client.post(f"/gatherings/{gathering.slug}/register", data={
        "name": name, "email": email, "perspective": "relative", "consent": "y"})


def test_registering_writes_the_row_unrendered_and_renders_no_mail_template(app, client):
    gathering = make_gathering(capacity=1, title="Thuis in de wijk")
    rendered = []

    def record(sender, template, context, **_kw):
        rendered.append(template.name)

    with flask.template_rendered.connected_to(record, app):
        assert register_through_the_form(client, gathering, "an@voorbeeld.nl").status_code == 303
        assert register_through_the_form(client, gathering, "bo@voorbeeld.nl", name="Bo").status_code == 303
    assert not [name for name in rendered if name.startswith("mail/")]

    confirmed, waitlisted = outbox()
    assert (confirmed.kind, confirmed.status, confirmed.to_address, confirmed.to_name) == (
        "confirmed", "queued", "an@voorbeeld.nl", "An")
    assert confirmed.subject == "Aanmelding bevestigd: Thuis in de wijk"
    assert confirmed.ics_method == "REQUEST" and confirmed.ics is None
    assert confirmed.registration_id is not None and confirmed.gathering_id == gathering.id
    assert confirmed.message_id.startswith("<confirmed.")
    assert confirmed.body_text is None and confirmed.body_html is None
    assert json.loads(confirmed.context) == {"registration_status": "confirmed", "language": "nl"}
    assert waitlisted.kind == "waitlisted" and waitlisted.body_text is None and waitlisted.body_html is None
    assert json.loads(waitlisted.context) == {"position": 1, "registration_status": "waitlisted", "language": "nl"}


def test_mail_send_renders_and_delivers_the_bodies_and_then_forgets_them(app, smtp, runner):
    smtp.start()
    gathering = make_gathering(venue_name="De Pijler", venue_city="Utrecht")
    reg = make_registration(gathering, email="an@voorbeeld.nl", name="An de Vries")
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    (message,) = smtp.messages
    (row,) = outbox()
    assert row.status == "sent"
    assert "Beste An de Vries," in text_of(message) and "De Pijler" in text_of(message)
    assert f"http://gatherings.test/r/{reg.token}" in text_of(message)
    assert f'href="http://gatherings.test/r/{reg.token}"' in html_of(message)
    # Sent: the personal link is not kept in the outbox (issue 9, security 7).
    assert row.body_text == row.body_html == ""
    assert reg.token not in str([getattr(row, c.key) for c in OutboxMessage.__table__.columns])


def test_a_retry_sends_the_text_rendered_at_the_first_attempt(app, smtp):
    gathering = make_gathering(venue_name="De Pijler")
    make_registration(gathering, email="an@voorbeeld.nl", name="An")
    assert send_due().deferred == 1  # server down
    (row,) = outbox()
    first_text, first_html = row.body_text, row.body_html
    assert "De Pijler" in first_text and row.status == "queued"

    # What the message is rendered from changes before the retry: the retry does not render again.
    gathering.venue_name = "Wijkcentrum De Wijert"
    db.session.commit()
    smtp.start()
    (message,) = deliver_later(smtp)
    assert text_of(message) == as_stored(first_text)
    assert html_of(message) == as_stored(first_html)
    assert "Wijkcentrum" not in text_of(message)
    assert outbox()[0].body_text == ""  # sent: forgotten


def deliver_later(smtp, minutes=1):
    before = len(smtp.envelopes)
    outcome = send_due(now=utcnow() + timedelta(minutes=minutes))
    assert outcome.failed == 0 and outcome.deferred == 0
    return smtp.messages[before:]


class DyingTransport:
    """The sender dies while talking to the mail server (after rendering)."""

    def send(self, row, data):
        raise SystemExit("killed")

    def close(self):
        pass


def test_a_sender_taking_over_after_a_crash_sends_what_the_first_one_rendered(app, smtp):
    gathering = make_gathering(venue_name="De Pijler")
    make_registration(gathering, email="an@voorbeeld.nl")
    now = utcnow()
    claim = claim_next(now)
    with pytest.raises(SystemExit):
        send_one(*claim, DyingTransport(), Outcome(), now=now)
    db.session.rollback()
    row = outbox()[0]
    assert row.status == "sending" and "De Pijler" in row.body_text and "METHOD:REQUEST" in row.ics
    gathering.venue_name = "Ergens anders"
    db.session.commit()

    smtp.start()
    (message,) = deliver_later(smtp, minutes=11)  # the dead sender's claim has timed out
    assert text_of(message) == as_stored(row.body_text)


@pytest.mark.parametrize("how", ["anonymised", "deleted"])
def test_a_message_whose_registration_was_erased_before_sending_is_dropped(app, smtp, how):
    smtp.start()
    gathering = make_gathering()
    gone = make_registration(gathering, email="an@voorbeeld.nl", name="An")
    make_registration(gathering, email="bo@voorbeeld.nl")
    mail.queue_organiser_message(gathering, recipients(gathering, "all"), "Route", "An, neem de bus.", "Ria")
    db.session.commit()
    if how == "anonymised":  # what ``flask privacy purge`` does
        anonymise(gone, utcnow())
    else:  # the registration row removed: the outbox keeps the row, without its registration
        for row in outbox(to_address="an@voorbeeld.nl"):
            row.registration_id = None
    db.session.commit()

    outcome = send_due()
    assert (outcome.sent, outcome.dropped, outcome.failed) == (2, 2, 0)
    assert [e.rcpt_tos for e in smtp.envelopes] == [["bo@voorbeeld.nl"], ["bo@voorbeeld.nl"]]
    for row in outbox(to_address="an@voorbeeld.nl"):
        assert row.status == "dropped" and row.body_text is None and row.context is None
        assert "erased" in row.last_error
    assert send_due(now=utcnow() + timedelta(days=2)).sent == 0


def test_a_message_that_cannot_be_rendered_fails_with_the_reason_and_the_rest_goes(app, smtp, runner):
    smtp.start()
    gathering = make_gathering(capacity=0)
    make_registration(gathering, email="an@voorbeeld.nl")
    make_registration(gathering, email="bo@voorbeeld.nl")
    broken = outbox()[0]
    broken.context = json.dumps({"position": "eerste", "registration_status": "waitlisted"})  # not a number
    db.session.commit()
    assert runner.invoke(args=["mail", "send"]).exit_code == 2
    broken, fine = outbox()
    assert broken.status == "failed" and broken.body_text is None
    assert "could not be rendered" in broken.last_error and "TypeError" in broken.last_error
    assert fine.status == "sent"
    assert [e.rcpt_tos for e in smtp.envelopes] == [["bo@voorbeeld.nl"]]


def test_waiting_list_message_uses_the_position_sent_with_the_signal(app, smtp):
    gathering = make_gathering(capacity=0)
    waiting = make_registration(gathering, email="an@voorbeeld.nl")
    registration_signals.registration_waitlisted.send(waiting, position=7)
    db.session.commit()
    computed, passed = outbox()
    assert json.loads(computed.context)["position"] == 1  # nothing passed: counted by the receiver
    assert json.loads(passed.context)["position"] == 7
    _first, message = deliver(smtp)
    assert "U bent nummer 7 op de wachtlijst." in text_of(message)
    assert "nummer 7" in html_of(message)


def test_extras_are_stored_as_given(app):
    gathering = make_gathering(capacity=1)
    first = make_registration(gathering, email="an@voorbeeld.nl")
    make_registration(gathering, email="bo@voorbeeld.nl")
    from gatherings.catalogue import signals as catalogue_signals
    catalogue_signals.gathering_changed.send(gathering, changes=["starts_at", "venue_name"])
    locked_call(registration.cancel, first.gathering_id, first.id, by_organiser=True)
    mail.queue_organiser_message(gathering, recipients(gathering, "confirmed"), "Route", "Neem de <bus>.\nTot dan!", "Ria")
    db.session.commit()
    contexts = [(r.kind, json.loads(r.context)) for r in outbox() if r.kind not in ("confirmed", "waitlisted")]
    said = what_changed(gathering, ["starts_at", "venue_name"], {})
    assert [line["what"].split(":")[0] for line in said] == ["Tijd", "Plaats"]
    assert contexts == [
        ("gathering_changed", {"changes": ["starts_at", "venue_name"], "what_changed": said,
                               "registration_status": "confirmed", "language": "nl"}),
        ("gathering_changed", {"changes": ["starts_at", "venue_name"], "what_changed": said,
                               "registration_status": "waitlisted", "language": "nl"}),
        ("cancelled", {"by_organiser": True, "registration_status": "cancelled", "language": "nl"}),
        ("promoted", {"registration_status": "confirmed", "language": "nl"}),
        ("organiser_message", {"organiser_subject": "Route", "organiser_body": "Neem de <bus>.\nTot dan!",
                               "sender_name": "Ria", "registration_status": "confirmed", "language": "nl"}),
    ]
    with pytest.raises(TypeError):  # a tuple would come back as a list: refused, not changed silently
        mail.queue_for_registration("gathering_changed", first, subject="x", changes=("starts_at",))


def test_a_message_tells_what_was_true_when_it_was_queued(app, smtp):
    gathering = make_gathering()
    first = make_registration(gathering, email="an@voorbeeld.nl")
    register_through_the_form(app.test_client(), gathering, "an@voorbeeld.nl")  # again: the owner is told
    locked_call(registration.cancel, first.gathering_id, first.id)  # ...and cancels before the sender comes by
    db.session.commit()
    messages = {m["Subject"].split(":")[0]: m for m in deliver(smtp)}
    assert "U heeft een plek." in text_of(messages["U bent al aangemeld"])
    assert "geannuleerd" in text_of(messages["Aanmelding geannuleerd"])


def test_export_shows_a_queued_message_as_it_will_read_and_renders_nothing_into_the_row(app):
    make_registration(make_gathering(), email="an@voorbeeld.nl", name="An")
    (message,) = my_services.export_data("an@voorbeeld.nl")["messages"]
    assert message["kind"] == "confirmed" and message["status"] == "queued"
    assert "Beste An," in message["text"]
    assert outbox()[0].body_text is None  # the sender renders (and keeps) its own
