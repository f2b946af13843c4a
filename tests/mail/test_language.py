"""Every mail to a participant is in the language of the page they registered on (Dutch or English).

Registered on the English page: English subject, body, dates, invitation text and
Content-Language, whatever happens later (waiting list, promotion, a change, a
cancellation, a reminder, an organiser's message, the reflection invitation).
Registered on the Dutch page, or added by an organiser: Dutch. Received by a real
SMTP server (aiosmtpd), as a participant would.
"""
import html as html_module
import re
from datetime import datetime, timedelta, timezone

import pytest

from gatherings.attendance.listing import recipients
from gatherings.extensions import db
from gatherings.mail import reminders
from gatherings.mail import services as mail
from gatherings.organise.services import EDITABLE_FIELDS, cancel_gathering, update_gathering
from gatherings.reflection import invitations
from gatherings.registration import services as registration
from gatherings.registration.models import Registration, RegistrationSource
from tests.factories import locked_call, make_gathering, make_registration

from .conftest import calendar_part, outbox, parse_strict
from .test_messages import deliver, html_of, text_of

# Tuesday 5 February 2030, 13:30 in Amsterdam.
STARTS = datetime(2030, 2, 5, 12, 30, tzinfo=timezone.utc)
MY = "http://gatherings.test/my"
# Words of the Dutch mail templates that no English sentence of ours contains.
DUTCH = re.compile(r"\b(de|het|een|u|uw|van|voor|niet|bent|heeft|kunt|wilt|naar|deze|dit|bij|met|zijn|wordt|"
                   r"Beste|aanmelding\w*|bijeenkomst\w*|wachtlijst|plek\w*|agenda|annuleren|Gastorganisatie|"
                   r"maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|januari|februari|maart|mei|juni|"
                   r"juli|augustus|oktober|Herinnering|Gewijzigd|Mijn)\b")


def dutch_words(text: str) -> list[str]:
    """Dutch words in ``text`` (in HTML: its text and the images' alt text), links left out (a token may
    hold any letters)."""
    text = re.sub(r"<[^>]*\balt=\"([^\"]*)\"[^>]*>", r" \1 ", text)
    text = re.sub(r"(https?|mailto):\S+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", text)))
    return DUTCH.findall(text)


def assert_english(message, *, allowed=()):
    """Subject, text, HTML and invitation in English; ``allowed``: words someone typed (the organiser's)."""
    assert str(message["Content-Language"]) == "en"
    body_text, body_html = text_of(message), html_of(message)
    for typed in allowed:
        body_text, body_html = body_text.replace(typed, ""), body_html.replace(typed, "")
    assert dutch_words(str(message["Subject"])) == [], message["Subject"]
    assert dutch_words(body_text) == [], body_text
    assert dutch_words(body_html) == [], body_html
    assert '<html lang="en">' in body_html
    assert MY in body_text and f'href="{MY}"' in body_html  # the way back to all one's registrations
    part = calendar_part(message)
    if part is not None:
        event = parse_strict(part.get_content()).events[0]
        assert dutch_words(f"{event.summary}\n{event.description}") == [], event.description


@pytest.fixture
def gathering(app):
    # Titles and places are the organiser's words, shown as typed: English ones here, so that any
    # Dutch left in an English message is ours.
    return make_gathering(title="Kitchen table", description="Talking together.", venue_name="Community hall",
                          venue_address="Main street 1", venue_city="Utrecht", starts_at=STARTS,
                          ends_at=STARTS + timedelta(hours=2, minutes=30), capacity=1)


def register_on_page(client, gathering, email, name, language):
    """The form posted from the page in ``language`` (the visitor chose it with the switch: a cookie)."""
    client.get(f"/taal/{language}")
    response = client.post(f"/gatherings/{gathering.slug}/register", data={
        "name": name, "email": email, "perspective": "relative", "consent": "y"})
    assert response.status_code == 303
    return db.session.scalars(db.select(Registration).where(Registration.email == email)).one()


def to(messages, address):
    return [m for m in messages if m["To"].addresses[0].addr_spec == address]


def test_registering_on_the_english_page_gives_english_mail_and_the_dutch_page_dutch(app, smtp, gathering):
    gathering.capacity = 2
    db.session.commit()
    ann = register_on_page(app.test_client(), gathering, "ann@example.org", "Ann Smith", "en")
    an = register_on_page(app.test_client(), gathering, "an@voorbeeld.nl", "An de Vries", "nl")
    assert (ann.language, an.language) == ("en", "nl")
    messages = deliver(smtp)

    (english,) = to(messages, "ann@example.org")
    assert english["Subject"] == "Registration confirmed: Kitchen table"
    text = text_of(english)
    assert "Dear Ann Smith," in text
    assert "When: Tuesday 5 February 2030, 13:30 – 16:00" in text
    assert f"My registrations: all your registrations in one place. {MY}" in text
    assert_english(english)
    event = parse_strict(calendar_part(english).get_content()).events[0]
    assert "More information: http://gatherings.test/gatherings/" in event.description

    (dutch,) = to(messages, "an@voorbeeld.nl")
    assert dutch["Subject"] == "Aanmelding bevestigd: Kitchen table"
    assert str(dutch["Content-Language"]) == "nl"
    text = text_of(dutch)
    assert "Beste An de Vries," in text
    assert "Wanneer: dinsdag 5 februari 2030, 13:30 – 16:00" in text
    assert f"Mijn aanmeldingen: al uw aanmeldingen op één plek. {MY}" in text
    assert '<html lang="nl">' in html_of(dutch)
    event = parse_strict(calendar_part(dutch).get_content()).events[0]
    assert "Meer informatie: http://gatherings.test/gatherings/" in event.description


def test_every_message_to_someone_who_registered_in_english_is_english(app, smtp, gathering):
    dutch = register_on_page(app.test_client(), gathering, "an@voorbeeld.nl", "An", "nl")  # takes the seat
    english_client = app.test_client()
    ann = register_on_page(english_client, gathering, "ann@example.org", "Ann", "en")
    (waiting,) = to(deliver(smtp), "ann@example.org")
    assert waiting["Subject"] == "You are on the waiting list: Kitchen table"
    assert "You are number 1 on the waiting list" in text_of(waiting)
    assert_english(waiting)

    # Someone else registers with Ann's address (on a Dutch page): Ann is told, in her language.
    other = app.test_client()
    other.get("/taal/nl")
    other.post(f"/gatherings/{gathering.slug}/register", data={
        "name": "Iemand", "email": "ann@example.org", "perspective": "relative", "consent": "y"})
    (duplicate,) = to(deliver(smtp), "ann@example.org")
    assert duplicate["Subject"] == "You are already registered: Kitchen table"
    assert_english(duplicate)

    locked_call(registration.cancel, gathering, dutch.id)
    (promoted,) = to(deliver(smtp), "ann@example.org")
    assert promoted["Subject"] == "There is a place for you: Kitchen table"
    assert_english(promoted)

    values = {name: getattr(gathering, name) for name in EDITABLE_FIELDS}
    values.update(venue_name="Library", starts_at=STARTS + timedelta(hours=1), ends_at=STARTS + timedelta(hours=3))
    locked_call(update_gathering, gathering, values)
    (changed,) = to(deliver(smtp), "ann@example.org")
    assert changed["Subject"] == "Changed: Kitchen table"
    text = text_of(changed)
    assert "Tuesday 5 February 2030, 13:30 – 16:00" in text and "14:30 – 16:30" in text
    assert "Place" in text and "Library" in text
    assert_english(changed)

    mail.queue_organiser_message(gathering, recipients(gathering, "confirmed"), "Route",
                                 "Neem de bus naar het station.", "Ria")
    db.session.commit()
    (message,) = to(deliver(smtp), "ann@example.org")
    assert message["Subject"] == "Kitchen table: Route"  # the organiser's subject, as typed
    assert message["From"].addresses[0].display_name == "Ria via Gatherings"
    assert "Neem de bus naar het station." in text_of(message)  # the organiser's words stay as typed
    assert "Ria sends you this message" in text_of(message)
    assert_english(message, allowed=["Neem de bus naar het station."])

    assert reminders.queue_due_reminders(gathering.starts_at - timedelta(days=1)) == 1
    (reminder,) = to(deliver(smtp), "ann@example.org")
    assert reminder["Subject"] == "Reminder: Kitchen table on Tuesday 5 February"
    assert_english(reminder)

    locked_call(cancel_gathering, gathering, "Sorry, de zaal is dicht.")
    (cancelled,) = to(deliver(smtp), "ann@example.org")
    assert cancelled["Subject"] == "Cancelled: Kitchen table"
    assert_english(cancelled, allowed=["Sorry, de zaal is dicht."])
    event = parse_strict(calendar_part(cancelled).get_content()).events[0]
    assert event.summary == "Cancelled: Kitchen table"


def test_ones_own_cancellation_and_its_invitation_are_english(app, smtp, gathering):
    client = app.test_client()
    ann = register_on_page(client, gathering, "ann@example.org", "Ann", "en")
    deliver(smtp)
    assert client.post(f"/r/{ann.token}/cancel", data={"confirm": "yes"}).status_code == 303
    (cancelled,) = to(deliver(smtp), "ann@example.org")
    assert cancelled["Subject"] == "Registration cancelled: Kitchen table"
    assert_english(cancelled)
    event = parse_strict(calendar_part(cancelled).get_content()).events[0]
    assert event.summary == "Registration cancelled: Kitchen table"


def test_the_reflection_invitation_is_in_the_participants_language(app, smtp, gathering):
    gathering.capacity = 5
    db.session.commit()
    ann = register_on_page(app.test_client(), gathering, "ann@example.org", "Ann", "en")
    an = register_on_page(app.test_client(), gathering, "an@voorbeeld.nl", "An", "nl")
    deliver(smtp)
    gathering.starts_at = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1, hours=3)
    gathering.ends_at = gathering.starts_at + timedelta(hours=2)
    for person in (ann, an):
        person.checked_in_at = gathering.starts_at + timedelta(minutes=5)
    db.session.commit()
    assert invitations.queue_due_invitations() == 2
    messages = deliver(smtp)
    (english,) = to(messages, "ann@example.org")
    assert english["Subject"] == "How was it? Kitchen table"
    assert "/reflect/" in text_of(english)
    assert_english(english)
    (dutch,) = to(messages, "an@voorbeeld.nl")
    assert dutch["Subject"] == "Hoe was het? Kitchen table"
    assert str(dutch["Content-Language"]) == "nl"
    assert MY in text_of(dutch)


def test_the_access_link_is_in_the_language_of_the_my_page_where_it_was_asked(app, smtp, gathering):
    make_registration(gathering, email="ann@example.org", name="Ann")  # registered in Dutch
    deliver(smtp)
    client = app.test_client()
    client.get("/taal/en")
    assert client.post("/my", data={"email": "ann@example.org"}).status_code == 303
    (english,) = deliver(smtp)
    assert english["Subject"] == "Your link to your registrations"
    assert re.search(r"http://gatherings\.test/my/[A-Za-z0-9_-]{40,}", text_of(english))
    assert_english(english)

    client.get("/taal/nl")
    assert client.post("/my", data={"email": "ann@example.org"}).status_code == 303
    (dutch,) = deliver(smtp)
    assert dutch["Subject"] == "Uw link naar uw aanmeldingen"
    assert str(dutch["Content-Language"]) == "nl"


def test_organiser_adds_and_walk_ins_are_dutch(app, gathering):
    gathering.capacity = 5
    db.session.commit()
    for source in (RegistrationSource.ORGANISER, RegistrationSource.WALK_IN):
        added = locked_call(registration.register, gathering, registration.Applicant(
            name="Per telefoon", email=f"{source}@voorbeeld.nl"), source=source).registration
        assert added.language == "nl"
        (row,) = outbox(registration_id=added.id)
        assert row.subject == "Aanmelding bevestigd: Kitchen table"


def test_a_stored_language_outside_the_catalogues_reads_as_dutch(app, smtp, gathering):
    ann = make_registration(gathering, email="ann@example.org", language="fr")
    assert ann.language == "nl"
    (message,) = deliver(smtp)
    assert str(message["Content-Language"]) == "nl" and message["Subject"].startswith("Aanmelding bevestigd")


def test_a_follower_who_asked_in_english_gets_the_new_gathering_in_english(app, client, smtp):
    from gatherings.alerts import services as alerts
    from gatherings.organise.services import publish_gathering
    from tests.factories import make_theme

    theme = make_theme()
    client.get("/taal/en")
    assert client.post("/alerts", data={"email": "ann@example.org", "theme": ["inclusie"],
                                        "consent": "y"}).status_code == 303
    (confirm,) = deliver(smtp)
    assert confirm["Subject"] == "Please confirm: messages about new gatherings"
    assert_english(confirm)
    link = re.search(r"http://gatherings\.test(/alerts/[A-Za-z0-9_-]{40,}/confirm)", text_of(confirm)).group(1)
    assert client.post(link).status_code == 303
    new = make_gathering(status="draft", theme_id=theme.id, title="Kitchen table", starts_at=STARTS,
                         ends_at=STARTS + timedelta(hours=2, minutes=30), venue_name="Community hall",
                         venue_address="Main street 1", venue_city="Utrecht")
    locked_call(publish_gathering, new)
    alerts.queue_due_alerts()
    (alert,) = deliver(smtp)
    assert alert["Subject"] == "New gathering: Kitchen table"
    assert "Tuesday 5 February 2030, 13:30 – 16:00" in text_of(alert)
    assert_english(alert, allowed=["Sociale inclusie"])  # the theme's name, as the organisers wrote it
