"""``flask privacy purge`` and /my: expired links go, and so do the link mails once their links have expired."""
from datetime import timedelta

from gatherings.extensions import db
from gatherings.mail.sender import send_due
from gatherings.timeutil import utcnow
from tests.factories import make_gathering, make_registration
from tests.mail.conftest import outbox


def test_a_request_for_an_unknown_address_is_not_kept_for_the_retention_period(app, client, runner):
    app.config["MAIL_SERVER"] = None  # files
    make_registration(make_gathering(), email="an@voorbeeld.nl")
    client.post("/my", data={"email": "niemand@voorbeeld.nl"})
    client.post("/my", data={"email": "an@voorbeeld.nl"})
    send_due()
    assert {(m.to_address, m.status) for m in outbox(kind="access_link")} == {
        ("niemand@voorbeeld.nl", "dropped"), ("an@voorbeeld.nl", "sent")}

    assert runner.invoke(args=["privacy", "purge"]).exit_code == 0
    assert len(outbox(kind="access_link")) == 2  # their links still work (or would have): kept

    for message in outbox(kind="access_link"):
        message.created_at = utcnow() - timedelta(days=app.config.get("MY_LINK_DAYS", 7) + 1)
    db.session.commit()
    assert runner.invoke(args=["privacy", "purge"]).exit_code == 0
    assert outbox(kind="access_link") == []
    assert [m.kind for m in outbox()] == ["confirmed"]  # other mail follows the retention period
