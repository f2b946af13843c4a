"""Invitations in mail that calendars and people read right (issue 9, calendars 5, 6 and 7).

Each message goes through `mail send` to a real SMTP server on loopback; the
.ics is read with the strict `ical` parser.
"""
import re
from datetime import timedelta

import pytest

from gatherings import create_app
from gatherings.catalogue.models import HostOrganisation
from gatherings.extensions import db
from gatherings.registration import services as registration
from tests.factories import locked_call, login_as, make_gathering, make_organiser, make_registration
from tests.organise.test_gatherings import _edit_form

from .test_messages import assert_invitation_shape, deliver, html_of, invitation_of, text_of

DECLINE = "wijst u de uitnodiging in uw agenda af, dan blijft u aangemeld"


def by_address(messages) -> dict:
    return {m["To"].addresses[0].addr_spec: m for m in messages}


# -- calendars 5: a personal cancellation is not the gathering's -------------------------------

def test_a_participants_own_cancellation_says_afgemeld_and_the_organisers_says_gaat_niet_door(app, smtp):
    gathering = make_gathering(title="Kijkje in de keuken")
    an = make_registration(gathering, email="an@voorbeeld.nl")
    make_registration(gathering, email="bo@voorbeeld.nl")
    request = invitation_of(by_address(deliver(smtp))["an@voorbeeld.nl"])[1].events[0]

    locked_call(registration.cancel, gathering, an.id)
    own = assert_invitation_shape(by_address(deliver(smtp))["an@voorbeeld.nl"], "CANCEL")
    assert own.summary == "Afgemeld: Kijkje in de keuken"
    assert own.uid == request.uid and own.sequence > request.sequence

    from gatherings.organise import services as organise
    locked_call(organise.cancel_gathering, gathering, "De zaal is dicht.")
    (called_off,) = deliver(smtp)
    event = assert_invitation_shape(called_off, "CANCEL")
    assert event.summary == "Gaat niet door: Kijkje in de keuken"
    assert event.uid == request.uid


# -- calendars 6: the organiser is someone who answers -----------------------------------------

@pytest.mark.parametrize("own, host_address, expected", [
    ("vragen@keuken.example", "info@dehoven.example", "vragen@keuken.example"),
    ("", "info@dehoven.example", "info@dehoven.example"),
    ("", None, "contact@gatherings.localhost"),  # CONTACT_EMAIL (its default outside production)
])
def test_organizer_reply_to_and_questions_line_are_the_gatherings_contact(app, smtp, own, host_address, expected):
    host = None
    if host_address:
        host = HostOrganisation(slug="de-hoven", name="GGZ De Hoven", city="Utrecht", contact_email=host_address)
        db.session.add(host)
        db.session.commit()
    gathering = make_gathering(title="Thuis", host=host, contact_email=own)
    an = make_registration(gathering, email="an@voorbeeld.nl")
    (message,) = deliver(smtp)

    event = assert_invitation_shape(message, "REQUEST")
    assert event.organizer.uri == f"mailto:{expected}"
    assert event.organizer.common_name == ("GGZ De Hoven" if host else "Gatherings")
    assert "noreply" not in event.organizer.uri
    assert [a.addr_spec for a in message["Reply-To"].addresses] == [expected]
    text = text_of(message)
    assert f"Vragen? Mail naar {expected}" in text
    # Declining in the calendar does not give up the seat: the mail says so, with the link that does.
    manage = f"http://gatherings.test/r/{an.token}"
    assert DECLINE in text and manage in text.split(DECLINE, 1)[1]
    assert DECLINE in html_of(message) and f'href="{manage}"' in html_of(message)


def test_a_waiting_list_message_has_no_invitation_and_no_decline_note(app, smtp):
    gathering = make_gathering(capacity=0)
    make_registration(gathering, email="an@voorbeeld.nl")
    (message,) = deliver(smtp)
    assert DECLINE not in text_of(message)


def test_production_refuses_to_start_without_a_contact_address(app_config, monkeypatch):
    monkeypatch.delenv("CONTACT_EMAIL", raising=False)
    production = {**app_config, "GATHERINGS_ENV": "production", "TESTING": False, "SECRET_KEY": "x" * 40}
    with pytest.raises(RuntimeError, match="CONTACT_EMAIL"):
        create_app(production)
    assert create_app({**production, "CONTACT_EMAIL": "bijeenkomsten@voorbeeld.nl"}).config[
        "CONTACT_EMAIL"] == "bijeenkomsten@voorbeeld.nl"


# -- calendars 7: who sends, what changed, every change reaches calendars ---------------------

def test_the_access_link_says_who_sends_it_the_same_in_text_and_html(app, client, smtp):
    make_registration(make_gathering(), email="an@voorbeeld.nl")
    client.post("/my", data={"email": "an@voorbeeld.nl"})
    (message,) = [m for m in deliver(smtp) if m["Subject"] == "Uw link naar uw aanmeldingen"]
    assert "namens" not in html_of(message) and "namens" not in text_of(message)
    assert "Deze e-mail komt van Gatherings." in html_of(message)
    assert "Deze e-mail komt van Gatherings." in text_of(message)


@pytest.fixture
def organised(app, client):
    gathering = make_gathering(title="Thuis in de wijk", capacity=1, venue_name="De Pijler",
                               venue_address="Oudegracht 12", venue_city="Utrecht")
    login_as(client, make_organiser("org@voorbeeld.nl", gatherings=[gathering]))
    make_registration(gathering, email="an@voorbeeld.nl", name="An")
    make_registration(gathering, email="bo@voorbeeld.nl", name="Bo")  # waiting
    return gathering


def edit(client, gathering, **changes):
    response = client.post(f"/organise/gatherings/{gathering.slug}/edit", data=_edit_form(gathering, **changes))
    assert response.status_code == 303


def test_the_change_mail_gives_the_old_and_the_new_time_and_place(app, client, smtp, organised):
    first = by_address(deliver(smtp))
    old_event = invitation_of(first["an@voorbeeld.nl"])[1].events[0]
    day = (organised.starts_at + timedelta(days=7)).strftime("%Y-%m-%d")
    edit(client, organised, starts_at=f"{day}T10:00", ends_at=f"{day}T12:30", venue_name="Wijkcentrum De Wijert",
         venue_address="Arendsweg 44")

    messages = by_address(deliver(smtp))
    assert set(messages) == {"an@voorbeeld.nl", "bo@voorbeeld.nl"}  # time and place: everyone hears
    for message in messages.values():
        text = text_of(message)
        assert re.search(r"Tijd: was \w+ \d+ \w+ \d{4}, \d\d:\d\d – \d\d:\d\d, wordt \w+ \d+ \w+ \d{4}, "
                         r"10:00 – 12:30", text), text
        assert "Plaats: was De Pijler, Oudegracht 12, Utrecht, wordt Wijkcentrum De Wijert, Arendsweg 44, Utrecht" \
            in text
        assert "wordt Wijkcentrum De Wijert" in html_of(message)
    event = assert_invitation_shape(messages["an@voorbeeld.nl"], "REQUEST")
    assert event.uid == old_event.uid and event.sequence > old_event.sequence
    assert event.location.startswith("Wijkcentrum De Wijert")


@pytest.mark.parametrize("changes, said", [
    ({"title": "Thuis in de buurt"}, "Naam van de bijeenkomst: was Thuis in de wijk, wordt Thuis in de buurt"),
    ({"description": "Een nieuwe uitleg."}, "De beschrijving is aangepast."),
])
def test_a_title_or_description_change_reaches_the_calendar(app, client, smtp, organised, changes, said):
    old_event = invitation_of(by_address(deliver(smtp))["an@voorbeeld.nl"])[1].events[0]
    edit(client, organised, **changes)

    (message,) = deliver(smtp)  # only the confirmed have the gathering in their calendar
    assert message["To"].addresses[0].addr_spec == "an@voorbeeld.nl"
    assert said in text_of(message)
    event = assert_invitation_shape(message, "REQUEST")
    assert event.uid == old_event.uid and event.sequence > old_event.sequence
    assert event.summary == changes.get("title", "Thuis in de wijk")
    if "description" in changes:
        assert event.description.startswith("Een nieuwe uitleg.")


def test_a_title_with_markup_is_escaped_in_the_change_mail(app, client, smtp, organised):
    deliver(smtp)
    edit(client, organised, title="<b>Vet</b> & zo")
    (message,) = deliver(smtp)
    assert "wordt &lt;b&gt;Vet&lt;/b&gt; &amp; zo" in html_of(message)
