"""Who to ask (issue 15, item 4): every mail a participant gets names someone to write to, also about a
gathering without a host or a contact address of its own, and replies go there, never to the no-reply
sender. Sent through `mail send` to a real SMTP server on loopback (aiosmtpd)."""
from gatherings.alerts import services as alerts
from gatherings.database import unit_of_work
from gatherings.extensions import db
from gatherings.my import services as my
from gatherings.organise.services import publish_gathering
from gatherings.registration import services as registration
from tests.factories import locked_call, make_gathering, make_registration, make_theme

from .test_messages import deliver, html_of, text_of

CONTACT = "contact@gatherings.localhost"  # CONTACT_EMAIL outside production


def assert_names_the_contact(message, contact=CONTACT):
    assert [a.addr_spec for a in message["Reply-To"].addresses] == [contact], message["Subject"]
    assert "noreply" not in str(message["Reply-To"])
    assert f"Vragen? Mail naar {contact} of beantwoord deze e-mail." in text_of(message), message["Subject"]
    assert f"Vragen? Mail naar {contact}" in html_of(message), message["Subject"]


def test_mail_about_a_gathering_without_host_or_own_address_names_the_organisation(app, smtp):
    gathering = make_gathering(title="Zonder gastheer", capacity=1, host=None, contact_email="")
    first = make_registration(gathering, email="an@voorbeeld.nl")
    make_registration(gathering, email="bo@voorbeeld.nl")  # the waiting list
    locked_call(registration.cancel, gathering, first.id)  # cancelled, and Bo promoted
    received = deliver(smtp)
    assert len(received) == 4, [m["Subject"] for m in received]  # confirmed, waiting, cancelled, promoted
    for message in received:
        assert_names_the_contact(message)


def test_the_access_link_and_the_alert_mails_name_someone_too(app, smtp):
    theme = make_theme()
    gathering = make_gathering(title="Oud", host=None, contact_email="")
    make_registration(gathering, email="an@voorbeeld.nl")
    deliver(smtp)

    my.request_access_link("an@voorbeeld.nl")
    follow = alerts.request_follow("an@voorbeeld.nl", theme_slugs=[theme.slug], kinds=[], locale="nl",
                                   consent_version="test")
    db.session.commit()
    received = deliver(smtp)
    assert len(received) == 2, [m["Subject"] for m in received]  # the access link, the request to confirm
    for message in received:
        assert_names_the_contact(message)

    with unit_of_work():  # as the confirming view (@writes) does
        alerts.confirm(follow)
    new = make_gathering(status="draft", theme_id=theme.id, title="Nieuw", host=None, contact_email="vragen@nieuw.example")
    locked_call(publish_gathering, new)
    alerts.queue_due_alerts()
    db.session.commit()
    (alert,) = deliver(smtp)
    assert alert["Subject"] == "Nieuwe bijeenkomst: Nieuw"
    assert_names_the_contact(alert, "vragen@nieuw.example")
