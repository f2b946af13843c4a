"""``flask mail remind``: a reminder before the gathering, exactly once per registration."""
from datetime import timedelta

from gatherings.extensions import db
from gatherings.mail.sender import send_due
from gatherings.mail.reminders import queue_due_reminders, queue_reminder
from gatherings.registration import services as registration
from gatherings.timeutil import utcnow
from tests.factories import locked_call, make_gathering, make_registration

from .conftest import outbox


def reminders():
    return outbox(kind="reminder")


def test_reminder_queued_once_however_often_remind_runs(app, smtp, runner):
    now = utcnow()
    gathering = make_gathering(starts_at=now + timedelta(days=10), capacity=2)
    confirmed = make_registration(gathering, email="an@voorbeeld.nl")
    make_registration(gathering, email="bo@voorbeeld.nl")
    waiting = make_registration(gathering, email="cor@voorbeeld.nl")
    assert queue_due_reminders(now) == 0  # ten days ahead: not due (default 2 days before)

    due = gathering.starts_at - timedelta(days=2) + timedelta(minutes=1)
    assert queue_due_reminders(due) == 2
    assert queue_due_reminders(due + timedelta(hours=1)) == 0
    result = runner.invoke(args=["mail", "remind"])
    assert result.exit_code == 0
    assert sorted(r.to_address for r in reminders()) == ["an@voorbeeld.nl", "bo@voorbeeld.nl"]
    assert waiting.status == "waitlisted"

    smtp.start()
    send_due()
    sent = [m for m in smtp.messages if m["Subject"].startswith("Herinnering: ")]
    assert len(sent) == 2
    text = sent[0].get_body(preferencelist=("plain",)).get_content()
    assert gathering.title in sent[0]["Subject"]
    assert f"/r/{confirmed.token}" in text or "/r/" in text


def test_reminder_days_per_gathering_and_no_reminder_for_cancelled_or_past(app):
    now = utcnow()
    five = make_gathering(starts_at=now + timedelta(days=4), reminder_days=5)
    none = make_gathering(starts_at=now + timedelta(days=1), reminder_days=0)
    later = make_gathering(starts_at=now + timedelta(days=4))  # default 2: not yet
    for g in (five, none, later):
        make_registration(g)
    gone = make_registration(five)
    # Everybody registered "long ago"; those confirmed inside the window got their confirmation recently.
    for r in registration_rows():
        r.confirmed_at = now - timedelta(days=20)
    db.session.commit()
    locked_call(registration.cancel, gone.gathering_id, gone.id)
    db.session.commit()
    assert queue_due_reminders(now) == 1
    assert [r.gathering_id for r in reminders()] == [five.id]
    assert queue_due_reminders(five.starts_at + timedelta(minutes=1)) == 0  # started: no more


def test_someone_confirmed_inside_the_window_is_not_reminded(app):
    now = utcnow()
    gathering = make_gathering(starts_at=now + timedelta(days=1))
    make_registration(gathering)  # confirmed now, one day before: the confirmation is the reminder
    assert queue_due_reminders(now) == 0


def test_two_remind_runs_at_once_still_queue_once(app):
    now = utcnow()
    gathering = make_gathering(starts_at=now + timedelta(days=1))
    reg = make_registration(gathering)
    reg.confirmed_at = now - timedelta(days=5)
    db.session.commit()
    assert queue_due_reminders(now) == 1
    # Two runs that both saw "no reminder yet": the unique key lets only the first write it.
    assert queue_reminder(reg, "Herinnering") is False
    db.session.commit()
    assert len(reminders()) == 1


def registration_rows():
    import sqlalchemy as sa
    from gatherings.registration.models import Registration
    return db.session.scalars(sa.select(Registration)).all()
