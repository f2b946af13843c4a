"""No header of a message can be shaped by what a visitor or organiser typed (issue 9, security 1).

Each hostile name goes in through the real form, `mail send` delivers to a real
SMTP server on loopback, and the message that arrived is read as a mail client would.
"""
import base64

import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.mail import services as mail
from gatherings.mail.message import as_bytes, build_mime
from gatherings.mail.models import OutboxMessage
from gatherings.registration.models import Registration
from gatherings.timeutil import utcnow
from tests.factories import login_as, make_gathering, make_organiser, make_registration

from .conftest import outbox, parts

INJECTION = "Eve\r\nX-Injected: yes\r\nReply-To: attacker@evil.example"
HOSTILE_NAMES = {
    "issue": "=?utf-8?q?Eve=0D=0AX-Injected=3A_yes=0D=0AReply-To=3A_attacker=40evil=2Eexample?=",
    "q, body split": "=?utf-8?q?Eve=0D=0AX-Injected=3A_yes=0D=0A=0D=0AIk_ben_de_bank?=",
    "b": "=?utf-8?b?" + base64.b64encode(INJECTION.encode()).decode() + "?=",
    "b, lower case, nested": "=?UTF-8?B?" + base64.b64encode(
        b"=?utf-8?q?Eve=0D=0AX-Injected=3A_yes?=").decode() + "?=",
    "literal CR LF": INJECTION,
    "literal LF only": "Eve\nX-Injected: yes",
    "unicode separators": "Eve\u2028X-Injected: yes\u2029Reply-To: attacker@evil.example\u0085Bcc: x@evil.example",
    # (No NUL: PostgreSQL cannot store one, so no stored name holds it.)
    "C1 and tab": "Eve\x85X-Injected: yes\x0bY\tZ\x1b[0m",
    "very long": ("Evelien van den Heuvel-Ouwerkerk " * 70)[:2000],
    "long with encoded words": ("=?utf-8?q?Eve=0D=0AX-Injected=3A_yes?= " * 60)[:2000],
}
# What a participant's confirmation carries, and nothing else.
EXPECTED_HEADERS = ["From", "To", "Reply-To", "Subject", "Date", "Message-ID", "Auto-Submitted", "Content-Type",
                    "MIME-Version", "Content-Language"]


def received_one(runner, smtp):
    before = len(smtp.envelopes)
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert len(smtp.envelopes) == before + 1
    return smtp.messages[-1], smtp.envelopes[-1]


def assert_only_expected_headers(message, expected=EXPECTED_HEADERS):
    assert sorted(message.keys()) == sorted(expected)
    assert message["X-Injected"] is None and message["Bcc"] is None
    for name in message.keys():
        value = str(message[name])
        assert "\r" not in value and "\n" not in value and "\u2028" not in value
        assert "X-Injected" not in name


def register_through_form(client, gathering, name, email):
    response = client.post(f"/gatherings/{gathering.slug}/register",
                           data={"name": name, "email": email, "consent": "y"})
    registration = db.session.scalars(sa.select(Registration).where(Registration.email == email)).first()
    if registration is None:
        # The form refused the name (too long, or a control character): the mail layer must still be safe
        # with whatever is stored, from an older form, an import or an organiser adding someone by hand.
        assert response.status_code in (400, 422)
        registration = make_registration(gathering, email=email, name=name[:200])
    else:
        assert response.status_code == 303
    return registration


@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_a_hostile_name_adds_no_header_to_the_confirmation(app, client, runner, smtp, name):
    smtp.start()
    gathering = make_gathering(title="Kijkje in de keuken", contact_email="vragen@dehoven.example")
    register_through_form(client, gathering, name, "eve@voorbeeld.nl")
    message, envelope = received_one(runner, smtp)

    assert_only_expected_headers(message)
    assert envelope.rcpt_tos == ["eve@voorbeeld.nl"]
    assert [a.addr_spec for a in message["To"].addresses] == ["eve@voorbeeld.nl"]
    assert [a.addr_spec for a in message["Reply-To"].addresses] == ["vragen@dehoven.example"]
    assert [a.addr_spec for a in message["From"].addresses] == ["noreply@gatherings.test"]
    assert message["Subject"] == "Aanmelding bevestigd: Kijkje in de keuken"
    shown = message["To"].addresses[0].display_name
    assert "Eve" in shown and len(shown) <= 200 and "=?" not in shown
    # The body is the whole confirmation, not text an attacker pushed out of the headers.
    assert parts(message) == ["multipart/mixed", "multipart/alternative", "text/plain", "multipart/related",
                              "text/html", "image/png", "text/calendar", "application/ics"]
    assert message.preamble is None
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("Beste ") and "Kijkje in de keuken" in text and "Ik ben de bank" not in text
    # Every header line is folded, none is longer than the standard allows.
    head = envelope.original_content.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 998 for line in head.split(b"\r\n"))
    assert not any(line.startswith((b"X-Injected", b"Bcc")) for line in head.split(b"\r\n"))
    assert sum(line.lower().startswith(b"reply-to:") for line in head.split(b"\r\n")) == 1


@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_an_organisers_name_and_subject_add_no_header(app, client, runner, smtp, name):
    smtp.start()
    gathering = make_gathering(title="Thuis in de wijk")
    make_registration(gathering, email="an@voorbeeld.nl", name="An")
    runner.invoke(args=["mail", "send"])  # the confirmation
    organiser = make_organiser("ria@voorbeeld.nl", gatherings=[gathering])
    login_as(client, organiser)
    subject = name.replace("Eve", "Nieuwe route")
    response = client.post(f"/organise/gatherings/{gathering.slug}/message", data={
        "audience": "all", "subject": subject, "body": "Neem de achteringang.", "sender_name": name,
        "step": "send", "recipients": "1"})  # confirmed on the preview
    if response.status_code != 303:  # the form refused it: queue what an older form could have stored
        assert response.status_code in (400, 422)
        recipients = db.session.scalars(sa.select(Registration).where(Registration.gathering_id == gathering.id))
        assert mail.queue_organiser_message(gathering, list(recipients), subject[:150], "Neem de achteringang.",
                                            name) == 1
        db.session.commit()
    message, _envelope = received_one(runner, smtp)

    assert_only_expected_headers(message)
    (sender,) = message["From"].addresses
    assert sender.addr_spec == "noreply@gatherings.test"
    assert sender.display_name.startswith("Eve") and sender.display_name.endswith("via Gatherings")
    assert message["Subject"].startswith("Thuis in de wijk: ")
    assert "Nieuwe route" in message["Subject"] or "Eve" in message["Subject"]
    assert "\n" not in message["Subject"] and "=?" not in message["Subject"]
    assert "Neem de achteringang." in message.get_body(preferencelist=("plain",)).get_content()


def test_a_name_stored_before_the_fix_is_cleaned_when_the_message_is_built(app):
    """Rows queued by an older version keep their raw names: the sender cleans them too."""
    row = OutboxMessage(kind="confirmed", to_address="eve@voorbeeld.nl", to_name=HOSTILE_NAMES["issue"],
                        email_key="eve@voorbeeld.nl", from_name=INJECTION, reply_to="", subject=INJECTION * 40,
                        body_text="Tekst", body_html="<p>Tekst</p>", message_id="<x.1@gatherings.test>",
                        created_at=utcnow())
    data = as_bytes(build_mime(row))
    head = data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert not any(line.startswith((b"X-Injected", b"Reply-To")) for line in head)
    assert all(len(line) <= 78 for line in head)


@pytest.mark.parametrize("address", ["eve@voorbeeld.nl\r\nBcc: x@evil.example", "eve@voorbeeld.nl\u2028",
                                     "eve\x85@voorbeeld.nl", "geen-adres"])
def test_an_address_with_a_control_character_is_refused_not_repaired(app, address):
    row = OutboxMessage(kind="confirmed", to_address=address, to_name="Eve", email_key="x", reply_to="",
                        subject="Hallo", body_text="Tekst", body_html="<p>Tekst</p>",
                        message_id="<x.2@gatherings.test>", created_at=utcnow())
    with pytest.raises(ValueError):
        as_bytes(build_mime(row))


def test_outbox_rows_keep_names_and_subjects_as_they_will_stand_in_the_headers(app):
    gathering = make_gathering(title="Titel\r\nX-Injected: ja")
    make_registration(gathering, email="eve@voorbeeld.nl", name=HOSTILE_NAMES["b"])
    (row,) = outbox()
    assert row.to_name == "Eve X-Injected: yes Reply-To: attacker@evil.example"
    assert row.subject == "Aanmelding bevestigd: Titel X-Injected: ja"
