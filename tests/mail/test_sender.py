"""Never lost, never twice: retries, permanent failures, dead senders, two senders at once."""
import threading
from collections import Counter
from datetime import timedelta

import pytest

from gatherings.extensions import db
from gatherings.mail import sender
from gatherings.mail.claim import record
from gatherings.mail.sender import claim_next, send_due
from gatherings.timeutil import utcnow
from tests.factories import make_gathering, make_registration

from .conftest import outbox


def queue_confirmations(n, gathering=None):
    gathering = gathering or make_gathering(capacity=n + 10)
    return [make_registration(gathering, email=f"p{i}@voorbeeld.nl") for i in range(n)]


def received_ids(smtp) -> Counter:
    return Counter(m["Message-ID"] for m in smtp.messages)


def test_server_down_then_up_each_message_sent_exactly_once(app, smtp, runner):
    queue_confirmations(3)
    start = utcnow()
    # Server down: every pass defers one message and stops (no point trying the rest).
    for _ in range(3):
        outcome = send_due()
        assert (outcome.sent, outcome.deferred) == (0, 1)
    rows = outbox()
    assert all(r.status == "queued" and r.attempts == 1 for r in rows)
    assert all("Connection" in r.last_error or "refused" in r.last_error.lower() for r in rows)
    # The first retry comes within a minute.
    assert all(timedelta(0) < r.next_attempt_at - start <= timedelta(minutes=1) for r in rows)
    assert runner.invoke(args=["mail", "send"]).exit_code == 0  # nothing due yet
    # Still down a minute later: the delay grows.
    send_due(now=start + timedelta(minutes=1, seconds=5))
    again = [r for r in outbox() if r.attempts == 2]
    assert again and again[0].next_attempt_at - (start + timedelta(minutes=1, seconds=5)) > timedelta(seconds=30)

    smtp.start()
    outcome = send_due(now=start + timedelta(minutes=10))
    assert outcome.sent == 3
    assert send_due(now=start + timedelta(days=2)).sent == 0
    assert received_ids(smtp) == Counter({r.message_id: 1 for r in outbox()})
    assert all(r.status == "sent" and r.sent_at is not None for r in outbox())


def test_cli_exit_code_says_what_happened(app, smtp, runner):
    queue_confirmations(1)
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 1  # server down: will be retried
    smtp.start()
    row = outbox()[0]
    row.next_attempt_at = utcnow()
    db.session.commit()
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    assert len(smtp.envelopes) == 1


def test_permanent_failure_is_marked_failed_with_the_servers_answer(app, smtp, runner):
    smtp.start()
    smtp.recorder.refuse["weg@voorbeeld.nl"] = "550 5.1.1 Mailbox does not exist"
    gathering = make_gathering()
    make_registration(gathering, email="weg@voorbeeld.nl")
    make_registration(gathering, email="er@voorbeeld.nl")
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 2
    failed, sent = outbox()
    assert failed.status == "failed" and "550" in failed.last_error and "does not exist" in failed.last_error
    assert sent.status == "sent"
    assert send_due(now=utcnow() + timedelta(days=2)).sent == 0


def test_temporary_refusal_of_one_recipient_is_retried_and_the_rest_goes(app, smtp):
    smtp.start()
    smtp.recorder.refuse["vol@voorbeeld.nl"] = "452 4.2.2 Mailbox full"
    gathering = make_gathering()
    make_registration(gathering, email="vol@voorbeeld.nl")
    make_registration(gathering, email="er@voorbeeld.nl")
    outcome = send_due()
    assert (outcome.sent, outcome.deferred) == (1, 1)
    full = outbox(to_address="vol@voorbeeld.nl")[0]
    assert full.status == "queued" and "452" in full.last_error
    del smtp.recorder.refuse["vol@voorbeeld.nl"]
    assert send_due(now=utcnow() + timedelta(minutes=1)).sent == 1
    assert len(smtp.envelopes) == 2


def test_temporary_failures_give_up_after_a_day(app, smtp):
    queue_confirmations(1)
    row = outbox()[0]
    later = row.created_at + timedelta(hours=24, minutes=1)
    outcome = send_due(now=later)
    assert outcome.failed == 1
    assert outbox()[0].status == "failed"


def test_a_dead_senders_claim_is_taken_over_after_the_timeout(app, smtp):
    smtp.start()
    queue_confirmations(1)
    now = utcnow()
    row_id, claim = claim_next(now)  # ...and then this sender dies
    assert outbox()[0].status == "sending"
    assert send_due(now=now + timedelta(minutes=1)).sent == 0  # a live claim is left alone
    assert send_due(now=now + timedelta(minutes=11)).sent == 1
    assert len(smtp.envelopes) == 1
    # Had the first sender only been slow, its late outcome would not overwrite the row.
    assert record(row_id, claim, status="queued") is False
    assert outbox()[0].status == "sent"


def test_message_id_is_stable_per_row(app, smtp):
    queue_confirmations(1)
    send_due()  # server down: the sender rendered the row and keeps it for the retry
    row = outbox()[0]
    first = sender.build_mime(row)
    second = sender.build_mime(row)
    assert first["Message-ID"] == second["Message-ID"] == row.message_id
    assert row.message_id.endswith("@gatherings.test>")


@pytest.mark.postgres
def test_two_senders_at_once_send_each_message_once(app, smtp, is_postgres):
    if not is_postgres:
        pytest.skip("two senders need PostgreSQL (FOR UPDATE SKIP LOCKED); on SQLite run one sender")
    smtp.start()
    queue_confirmations(40)
    db.session.remove()
    outcomes = []
    barrier = threading.Barrier(2)

    def run():
        with app.app_context():
            barrier.wait()
            outcomes.append(send_due())
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(o.sent for o in outcomes) == 40
    assert all(o.sent > 0 for o in outcomes), "both senders took part"
    counts = received_ids(smtp)
    assert len(counts) == 40 and set(counts.values()) == {1}
    assert {r.status for r in outbox()} == {"sent"}


def test_a_message_that_cannot_be_sent_is_failed_and_the_rest_goes(app, smtp):
    smtp.start()
    gathering = make_gathering()
    make_registration(gathering, email="an@voorbeeld.nl")
    make_registration(gathering, email="bo@voorbeeld.nl")
    make_registration(gathering, email="cor@voorbeeld.nl")
    broken, odd, fine = outbox()
    broken.to_address = "an@voorbeeld.nl\nBcc: x@voorbeeld.nl"  # would inject a header
    odd.to_address = "bö@voorbeeld.nl"  # non-ASCII, and the server offers no SMTPUTF8
    db.session.commit()
    outcome = send_due()
    assert (outcome.sent, outcome.failed) == (1, 2)
    broken, odd, fine = outbox()
    assert broken.status == odd.status == "failed"
    assert "could not be built" in broken.last_error
    assert fine.status == "sent"
    assert [e.rcpt_tos for e in smtp.envelopes] == [["cor@voorbeeld.nl"]]


def test_invitation_is_built_by_the_sender_and_kept_for_retries(app, smtp):
    queue_confirmations(1)
    assert outbox()[0].ics is None and outbox()[0].ics_method == "REQUEST"  # nothing built inside the request
    send_due()  # server down
    kept = outbox()[0].ics
    assert kept and "METHOD:REQUEST" in kept
    smtp.start()
    send_due(now=utcnow() + timedelta(minutes=1))
    (message,) = smtp.messages
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert part.get_content().replace("\r\n", "\n") == kept.replace("\r\n", "\n")
