"""A changed or cancelled gathering queues the right mail for its registrants (through the mail area's receivers)."""
import email
import glob
import os
from email.policy import default

import sqlalchemy as sa
from flask import current_app

from gatherings.extensions import db
from gatherings.mail.models import OutboxMessage
from gatherings.mail.sender import send_due
from tests.factories import locked_call, login_as, make_gathering, make_organiser, make_registration

from .test_gatherings import _edit_form


def _text(row) -> str:
    """The plain text of the message as written to its .eml file (the row forgets its bodies once sent)."""
    (path,) = glob.glob(os.path.join(current_app.config["MAIL_OUTBOX_DIR"], f"*-{row.id:06d}-{row.kind}.eml"))
    with open(path, "rb") as fh:
        message = email.message_from_binary_file(fh, policy=default)
    return message.get_body(preferencelist=("plain",)).get_content()


def _queued(kind):
    # The sender builds the invitation (into .eml files here, no MAIL_SERVER in tests); then read the rows.
    send_due()
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)
                                   .order_by(OutboxMessage.id).execution_options(populate_existing=True)))


def _setup(client):
    gathering = make_gathering(title="Thuis in de wijk", capacity=1)
    organiser = make_organiser("a@voorbeeld.nl", gatherings=[gathering])
    login_as(client, organiser)
    confirmed = make_registration(gathering, email="zeker@voorbeeld.nl")
    waiting = make_registration(gathering, email="wacht@voorbeeld.nl")
    cancelled = make_registration(gathering, email="weg@voorbeeld.nl")
    from gatherings.registration import services
    locked_call(services.cancel, gathering, cancelled.id)
    return gathering, confirmed, waiting


def test_new_time_queues_changed_mail_with_updated_invitation(client, app):
    gathering, confirmed, waiting = _setup(client)
    response = client.post(f"/organise/gatherings/{gathering.slug}/edit",
                           data=_edit_form(gathering, starts_at="2027-03-01T10:00", ends_at="2027-03-01T12:30"))
    assert response.status_code == 303
    messages = _queued("gathering_changed")
    assert sorted(m.to_address for m in messages) == ["wacht@voorbeeld.nl", "zeker@voorbeeld.nl"]
    to_confirmed = next(m for m in messages if m.to_address == "zeker@voorbeeld.nl")
    assert "Thuis in de wijk" in to_confirmed.subject
    assert "10:00" in _text(to_confirmed) and "12:30" in _text(to_confirmed)
    assert to_confirmed.ics_method == "REQUEST"
    assert "SEQUENCE:1" in to_confirmed.ics.replace("\r\n ", "")
    assert next(m for m in messages if m.to_address == "wacht@voorbeeld.nl").ics is None


def test_a_title_change_updates_the_calendars_of_the_confirmed_only(client, app):
    gathering, confirmed, waiting = _setup(client)
    client.post(f"/organise/gatherings/{gathering.slug}/edit", data=_edit_form(gathering, title="Andere titel"))
    (message,) = _queued("gathering_changed")
    assert message.to_address == "zeker@voorbeeld.nl" and message.ics_method == "REQUEST"
    assert "SUMMARY:Andere titel" in message.ics and "SEQUENCE:1" in message.ics


def test_a_change_calendars_do_not_show_queues_no_mail(client, app):
    gathering, _, _ = _setup(client)
    client.post(f"/organise/gatherings/{gathering.slug}/edit", data=_edit_form(gathering, capacity="5"))
    assert _queued("gathering_changed") == []


def test_cancel_queues_cancellation_with_the_organisers_words(client, app):
    gathering, confirmed, waiting = _setup(client)
    response = client.post(f"/organise/gatherings/{gathering.slug}/cancel",
                           data={"message": "De zaal is onder water gelopen.", "confirm": "y"})
    assert response.status_code == 303
    messages = _queued("gathering_cancelled")
    assert sorted(m.to_address for m in messages) == ["wacht@voorbeeld.nl", "zeker@voorbeeld.nl"]
    for message in messages:
        assert "De zaal is onder water gelopen." in _text(message)
    to_confirmed = next(m for m in messages if m.to_address == "zeker@voorbeeld.nl")
    assert to_confirmed.ics_method == "CANCEL" and "METHOD:CANCEL" in to_confirmed.ics


def test_cancelling_a_draft_queues_nothing(client, app):
    draft = make_gathering(status="draft")
    login_as(client, make_organiser("a@voorbeeld.nl", gatherings=[draft]))
    assert client.post(f"/organise/gatherings/{draft.slug}/cancel", data={"confirm": "y"}).status_code == 303
    assert _queued("gathering_cancelled") == []
