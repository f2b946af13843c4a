"""A message that has gone leaves no working link in the outbox (issue 9, security 7).

The outbox keeps rows for days (retention, export, "sent once" bookkeeping); the
links in a message (/my/<token>, /r/<token>) open a person's data for as long.
"""
import re

from gatherings.mail.models import OutboxMessage
from tests.factories import make_gathering, make_registration

from .conftest import outbox

SUBJECT = "Uw link naar uw aanmeldingen"


def stored_values() -> str:
    """Every column of every outbox row, as one text: what a leaked table or backup would show."""
    columns = [c.key for c in OutboxMessage.__table__.columns]
    return "\n".join(str(getattr(row, name)) for row in outbox() for name in columns)


def test_a_sent_access_link_leaves_no_token_that_opens_my(app, client, smtp, runner):
    smtp.start()
    registration = make_registration(make_gathering(title="Eerste"), email="an@voorbeeld.nl")
    assert client.post("/my", data={"email": "an@voorbeeld.nl"}).status_code == 303

    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    (message,) = [m for m in smtp.messages if m["Subject"] == SUBJECT]
    path = re.search(r"http://gatherings\.test(/my/[A-Za-z0-9_-]{40,})",
                     message.get_body(preferencelist=("plain",)).get_content()).group(1)
    token = path.rsplit("/", 1)[1]
    assert client.get(path).status_code == 200  # the person's link works...

    stored = stored_values()
    assert token not in stored and "/my/" not in stored  # ...and the outbox holds no copy of it,
    assert registration.token not in stored and "/r/" not in stored  # nor of the confirmation's link,
    (row,) = outbox(kind="access_link")
    assert row.context is None  # nor what the link was derived from
    assert row.status == "sent" and row.sent_at is not None and row.subject == SUBJECT


def test_an_access_link_that_fails_for_good_is_not_kept_either(app, client, smtp, runner):
    smtp.start()
    make_registration(make_gathering(), email="weg@voorbeeld.nl")
    smtp.recorder.refuse["weg@voorbeeld.nl"] = "550 5.1.1 Mailbox does not exist"
    client.post("/my", data={"email": "weg@voorbeeld.nl"})
    assert runner.invoke(args=["mail", "send"]).exit_code == 2
    (row,) = outbox(kind="access_link")
    assert row.status == "failed" and "550" in row.last_error
    assert "/my/" not in stored_values()


def test_a_message_waiting_for_a_retry_keeps_its_text(app, smtp):
    """Until it has gone, the row keeps what it will send: a retry sends the same words."""
    from gatherings.mail.sender import send_due

    make_registration(make_gathering(venue_name="De Pijler"), email="an@voorbeeld.nl")
    assert send_due().deferred == 1  # server down
    (row,) = outbox()
    assert row.status == "queued" and "De Pijler" in row.body_text and "/r/" in row.body_text
