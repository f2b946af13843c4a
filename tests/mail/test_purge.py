"""``flask privacy purge`` also forgets the mail sent to purged registrations, and expired /my links."""
from datetime import timedelta

from gatherings.extensions import db
from gatherings.my.models import AccessToken
from gatherings.mail.sender import send_due
from gatherings.timeutil import utcnow
from tests.factories import make_gathering, make_registration

from .conftest import outbox


def test_purge_deletes_old_mail_and_expired_links(app, runner):
    app.config["MAIL_SERVER"] = None  # files
    old = make_gathering()
    make_registration(old, email="oud@voorbeeld.nl")
    make_registration(make_gathering(), email="nieuw@voorbeeld.nl")
    send_due()
    old.starts_at = utcnow() - timedelta(days=app.config["RETENTION_DAYS"] + 2)
    old.ends_at = old.starts_at + timedelta(hours=2)
    db.session.add(AccessToken(token_hash="a" * 64, email_key="oud@voorbeeld.nl",
                               expires_at=utcnow() - timedelta(days=1)))
    db.session.add(AccessToken(token_hash="b" * 64, email_key="nieuw@voorbeeld.nl",
                               expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()

    assert runner.invoke(args=["privacy", "purge"]).exit_code == 0
    db.session.expire_all()
    assert [m.to_address for m in outbox()] == ["nieuw@voorbeeld.nl"]
    assert [a.email_key for a in db.session.scalars(db.select(AccessToken))] == ["nieuw@voorbeeld.nl"]
