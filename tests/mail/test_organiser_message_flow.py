"""An organiser's message, through the pages and a real SMTP server (aiosmtpd): preview, a test copy to the
organiser's own address, confirmation with the number of recipients, the history; no greeting above theirs."""
import re

import pytest
import sqlalchemy as sa

from gatherings.attendance.models import GatheringMessage
from gatherings.extensions import db
from gatherings.mail.models import OutboxMessage
from gatherings.organise.models import Organiser
from gatherings.registration import services as registration
from gatherings.registration.models import Registration
from tests.factories import locked_call, login_as, make_gathering, make_organiser, make_registration

from .test_messages import deliver, html_of, text_of

BODY = "Beste deelnemers,\n\nDe ingang is deze keer aan de achterkant.\n\nGroet, Ria"
FORM = {"audience": "all", "subject": "Andere ingang", "body": BODY, "sender_name": "Ria Smit"}


@pytest.fixture
def gathering(app):
    g = make_gathering(title="Kijkje in de keuken", capacity=2, contact_email="info@keuken.example")
    make_registration(g, email="an@voorbeeld.nl", name="An Jansen")
    make_registration(g, email="bo@voorbeeld.nl", name="Bo de Vries")
    make_registration(g, email="cor@voorbeeld.nl", name="Cor Wacht")  # waiting
    return g


@pytest.fixture
def organiser(gathering):
    return make_organiser("ria@organisatie.example", gatherings=[gathering])


@pytest.fixture
def org_client(client, organiser):
    login_as(client, organiser)
    return client


def post(client, gathering, **data):
    return client.post(f"/organise/gatherings/{gathering.slug}/message", data={**FORM, **data})


def organiser_rows():
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "organiser_message")))


def test_preview_shows_the_mail_as_participants_get_it_and_sends_nothing(org_client, gathering, smtp):
    page = post(org_client, gathering).get_data(as_text=True)
    assert "Dit bericht gaat naar 3 personen" in page
    assert "Ja, verstuur naar 3 personen" in page
    assert "Kijkje in de keuken: Andere ingang" in page  # the subject as it will stand
    assert "Ria Smit via Gatherings" in page and "info@keuken.example" in page
    preview = re.search(r'<pre class="mail-text"[^>]*>(.*?)</pre>', page, re.S).group(1)
    assert preview.lstrip().startswith("Beste deelnemers,")  # nothing of ours above their greeting
    assert "Beste An" not in page and "An Jansen" not in page  # and no participant's name in the preview
    assert "/r/voorbeeld-persoonlijke-link" in preview  # an example where each one's own link will be
    # Everything typed is kept in the form that goes on (send, test, edit).
    assert 'name="body" value="Beste deelnemers,\n\nDe ingang' in page
    assert organiser_rows() == [] and db.session.scalar(sa.select(sa.func.count(GatheringMessage.id))) == 0
    assert not [m for m in deliver(smtp) if "Andere ingang" in m["Subject"]]  # only the confirmations


def test_a_test_copy_goes_to_the_organiser_only_through_the_outbox(org_client, gathering, smtp):
    deliver(smtp)  # the confirmations
    answer = post(org_client, gathering, step="test")
    assert answer.status_code == 200
    assert "Er is een testbericht naar ria@organisatie.example gestuurd." in answer.get_data(as_text=True)
    assert "Ja, verstuur naar 3 personen" in answer.get_data(as_text=True)  # still one step from sending
    [message] = deliver(smtp)
    assert [a.addr_spec for a in message["To"].addresses] == ["ria@organisatie.example"]
    assert message["Subject"] == "[Test] Kijkje in de keuken: Andere ingang"
    assert message["From"].addresses[0].display_name == "Ria Smit via Gatherings"
    assert message["Reply-To"].addresses[0].addr_spec == "info@keuken.example"
    body = text_of(message)
    assert body.startswith("Testbericht: alleen u krijgt dit.")
    assert "Beste deelnemers,\n\nDe ingang is deze keer aan de achterkant." in body
    assert "Beste An" not in body and "Beste Ria" not in body
    assert "De ingang is deze keer aan de achterkant." in html_of(message)
    assert organiser_rows() == [] and db.session.scalar(sa.select(sa.func.count(GatheringMessage.id))) == 0
    # Sent: the outbox keeps neither the words nor their context.
    row = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "organiser_message_test")).one()
    db.session.refresh(row)
    assert (row.status, row.body_text, row.context) == ("sent", "", None)


def test_sending_needs_the_confirmed_number_and_goes_into_the_history(org_client, gathering, organiser, smtp):
    # A send without the number confirmed on the preview sends nothing.
    refused = post(org_client, gathering, step="send")
    assert refused.status_code == 409 and organiser_rows() == []
    # Someone cancels between the preview (3) and the click: asked again with the new number.
    person = db.session.scalars(sa.select(Registration).where(Registration.name == "Bo de Vries")).one()
    locked_call(registration.cancel, gathering, person.id)
    db.session.commit()
    changed = post(org_client, gathering, step="send", recipients="3")
    assert changed.status_code == 409
    page = changed.get_data(as_text=True)
    assert "Intussen is het aantal veranderd: het bericht gaat nu naar 2 personen." in page
    assert organiser_rows() == []
    deliver(smtp)  # the cancellation's and the promotion's mail
    before = len(smtp.messages)

    sent = post(org_client, gathering, step="send", recipients="2")
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/message#history-title")
    history_page = org_client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Het bericht gaat naar 2 personen." in history_page
    received = smtp.messages[before:] + deliver(smtp)
    assert sorted(a.addr_spec for m in received for a in m["To"].addresses) == ["an@voorbeeld.nl", "cor@voorbeeld.nl"]
    for message in received:
        assert text_of(message).startswith("Beste deelnemers,")
        assert "Beste An" not in text_of(message) and "Beste Cor" not in text_of(message)

    [entry] = db.session.scalars(sa.select(GatheringMessage)).all()
    assert (entry.gathering_id, entry.sender_id, entry.sender_email, entry.sender_name, entry.audience,
            entry.subject, entry.body, entry.recipient_count) == (
        gathering.id, organiser.id, "ria@organisatie.example", "Ria Smit", "all", "Andere ingang", BODY, 2)
    history = history_page.split('id="history-title"', 1)[1]
    assert "Andere ingang" in history and "Ria Smit" in history and "ria@organisatie.example" in history
    assert "Iedereen: met een plek en op de wachtlijst" in history and ">2</td>" in history
    assert "De ingang is deze keer aan de achterkant." in history


def test_an_audience_without_addresses_cannot_be_sent_to(org_client, gathering):
    page = post(org_client, gathering, audience="waitlisted", step="preview").get_data(as_text=True)
    assert "Dit bericht gaat naar 1 persoon" in page
    empty = make_gathering(title="Leeg")
    empty.organisers.extend(db.session.scalars(sa.select(Organiser)).all())
    db.session.commit()
    page = post(org_client, empty).get_data(as_text=True)
    assert "Niemand in deze groep heeft een e-mailadres: er gaat niets weg." in page and "Ja, verstuur" not in page
    assert post(org_client, empty, step="send", recipients="0").status_code == 409
    assert db.session.scalar(sa.select(sa.func.count(GatheringMessage.id))) == 0


def test_edit_returns_to_the_form_with_everything_typed(org_client, gathering):
    page = post(org_client, gathering, step="edit").get_data(as_text=True)
    assert "Beste deelnemers,\n\nDe ingang is deze keer aan de achterkant." in page
    assert 'value="Andere ingang"' in page and 'value="Ria Smit"' in page
    assert re.search(r'value="all"[^>]*checked|checked[^>]*value="all"', page)


def test_the_pages_in_english(org_client, gathering):
    page = org_client.post(f"/organise/gatherings/{gathering.slug}/message", data=FORM,
                           headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "This message goes to 3 people" in page and "Send me a test message" in page
    # The mail itself is Dutch, like every message to registrants.
    assert "stuurt u dit bericht over de bijeenkomst" in page
