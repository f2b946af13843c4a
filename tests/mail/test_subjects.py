"""A subject is written in the registrant's language with the gathering's title as it is, translated once per both.

Through the web form, as participants register: the outbox row keeps the subject it was queued with.
"""
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.mail import services as mail
from gatherings.mail.models import OutboxMessage
from tests.factories import make_gathering


def register(app, gathering, email: str, language: str):
    client = app.test_client()
    client.set_cookie("lang", language)
    answer = client.post(f"/gatherings/{gathering.slug}/register", data={
        "name": "Anna", "email": email, "consent": "y"})
    assert answer.status_code == 303, answer.status_code


def subject_to(email: str) -> str:
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMessage.subject).where(OutboxMessage.to_address == email)).one()


def test_registrants_in_turn_in_dutch_and_english_each_get_their_own_language(app):
    gathering = make_gathering(title="Keukentafel", capacity=2)
    for n, language in enumerate(["nl", "en", "nl", "en", "en"]):
        register(app, gathering, f"p{n}@voorbeeld.nl", language)
    assert [subject_to(f"p{n}@voorbeeld.nl") for n in range(5)] == [
        "Aanmelding bevestigd: Keukentafel", "Registration confirmed: Keukentafel",
        "U staat op de wachtlijst: Keukentafel", "You are on the waiting list: Keukentafel",
        "You are on the waiting list: Keukentafel"]


def test_a_new_title_is_in_the_next_subject(app):
    gathering = make_gathering(title="Keukentafel")
    register(app, gathering, "voor@voorbeeld.nl", "en")
    gathering.title = "Keukentafel in de bibliotheek"
    db.session.commit()
    register(app, gathering, "na@voorbeeld.nl", "en")
    register(app, gathering, "na-nl@voorbeeld.nl", "nl")
    assert subject_to("voor@voorbeeld.nl") == "Registration confirmed: Keukentafel"
    assert subject_to("na@voorbeeld.nl") == "Registration confirmed: Keukentafel in de bibliotheek"
    assert subject_to("na-nl@voorbeeld.nl") == "Aanmelding bevestigd: Keukentafel in de bibliotheek"


def test_a_subject_is_translated_once_per_title_and_language(app, monkeypatch):
    """Not for every registration of the rush: switching Babel's language is done once per title and language."""
    gathering = make_gathering(title="Keukentafel", capacity=100)
    register(app, gathering, "eerste-nl@voorbeeld.nl", "nl")
    register(app, gathering, "eerste-en@voorbeeld.nl", "en")
    switched = []
    original = mail.force_locale
    monkeypatch.setattr(mail, "force_locale", lambda language: switched.append(language) or original(language))
    for n in range(6):
        register(app, gathering, f"p{n}@voorbeeld.nl", "en" if n % 2 else "nl")
    assert switched == []
    assert subject_to("p4@voorbeeld.nl") == "Aanmelding bevestigd: Keukentafel"
    assert subject_to("p5@voorbeeld.nl") == "Registration confirmed: Keukentafel"
