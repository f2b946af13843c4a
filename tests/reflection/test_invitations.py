"""The invitation: once per checked-in participant with an address, after the gathering ended."""
import json
from datetime import timedelta

import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.mail.sender import send_due
from gatherings.reflection import invitations, services
from gatherings.reflection.models import ReflectionInvitation
from gatherings.timeutil import utcnow
from tests.factories import make_gathering, make_registration

from .conftest import check_in, invitation_rows, move


def test_each_checked_in_participant_with_an_address_is_invited_once(app, people, runner):
    present, absent = people
    assert invitations.queue_due_invitations() == 3
    assert invitations.queue_due_invitations() == 0
    assert runner.invoke(args=["mail", "remind"]).exit_code == 0
    rows = invitation_rows()
    assert sorted(r.to_address for r in rows) == sorted(p.email for p in present)
    assert absent.email not in {r.to_address for r in rows}
    invited = db.session.scalars(sa.select(ReflectionInvitation)).all()
    assert sorted(i.perspective_group for i in invited) == ["lived", "professionals", "relatives"]


def test_not_before_the_end_not_long_after_and_not_when_turned_off(app):
    now = utcnow()
    running, old, off = (make_gathering() for _ in range(3))
    registrations = [make_registration(g) for g in (running, old, off)]
    move(running, now - timedelta(hours=1))  # ends in two hours
    move(old, now - timedelta(days=30))
    move(off, now - timedelta(days=1))
    check_in(*registrations)
    services.save_settings(off, enabled=False, takeaway_question="", suggestion_question="")
    db.session.commit()
    assert invitations.queue_due_invitations(now) == 0
    assert invitations.queue_due_invitations(running.ends_at + timedelta(minutes=1)) == 1


def test_no_invitation_without_an_address_or_after_erasure(app, ended):
    move(ended, utcnow() + timedelta(days=3))
    phoned = make_registration(ended, perspective="client", source="organiser")
    phoned.email = phoned.email_key = None  # phoned in: no address
    db.session.commit()
    erased = make_registration(ended, perspective="client")
    move(ended, utcnow() - timedelta(days=1))
    check_in(phoned, erased)
    erased.anonymised_at = utcnow()
    db.session.commit()
    assert invitations.queue_due_invitations() == 0


def test_a_second_run_that_lost_the_race_leaves_no_invitation_behind(app, people):
    present, _absent = people
    assert invitations.queue_due_invitations() == 3
    # A run that had read "not invited yet" before the first committed: the outbox key refuses it,
    # and its invitation (a working token) goes with it.
    assert invitations.queue_invitation(present[0]) is False
    db.session.commit()
    assert len(invitation_rows()) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReflectionInvitation)) == 3


def _delivered(app, address):
    """The message as it left (the outbox keeps no bodies once sent): the .eml the file transport wrote."""
    import email
    import email.policy
    import pathlib

    for path in sorted(pathlib.Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address in str(message["To"]):
            yield message


def test_the_mail_links_to_the_reflection_and_the_certificate(app, people):
    import re

    present, _absent = people
    invitations.queue_due_invitations()
    send_due()
    row = next(r for r in invitation_rows() if r.to_address == present[1].email)
    assert row.status == "sent"
    message = next(m for m in _delivered(app, present[1].email) if "Hoe was het" in str(m["Subject"]))
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    token = re.search(r"http://gatherings\.test/reflect/([A-Za-z0-9_-]+)", text).group(1)
    assert f"http://gatherings.test/r/{present[1].token}/certificate.pdf" in text
    assert "Beste Naaste Twee" in text
    assert str(message["Subject"]) == "Hoe was het? Kijkje in de keuken"
    assert f'href="http://gatherings.test/reflect/{token}"' in html
    assert "annuleren" not in text  # the gathering is over: nothing to cancel
    assert token not in (row.body_text or "") + (row.context or "")  # nothing usable kept once sent


def test_an_invitation_of_someone_erased_before_sending_is_never_sent(app, people):
    present, _absent = people
    invitations.queue_due_invitations()
    present[0].anonymised_at = utcnow()
    present[0].email = None
    db.session.commit()
    send_due()
    statuses = {r.registration_id: r.status for r in invitation_rows()}
    assert statuses[present[0].id] == "dropped"
    assert statuses[present[1].id] == "sent"
