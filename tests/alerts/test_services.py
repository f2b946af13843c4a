"""Following themes: double opt-in, one mail per follower per gathering, ending, purge."""
import threading
from datetime import timedelta

import sqlalchemy as sa

from gatherings.alerts import services
from gatherings.alerts.models import Announcement, Follow, FollowStatus
from gatherings.database import unit_of_work
from gatherings.extensions import db
from gatherings.mail.models import OutboxMessage
from gatherings.organise.services import publish_gathering
from gatherings.privacy.services import purge
from gatherings.timeutil import utcnow
from tests.factories import locked_call, make_gathering, make_theme
from tests.mail.conftest import outbox


def _follow(email="volger@voorbeeld.nl", themes=("inclusie",), kinds=(), locale="nl", confirm=True, now=None):
    follow = services.request_follow(email, theme_slugs=themes, kinds=kinds, locale=locale,
                                     consent_version="alerts-test", now=now)
    db.session.commit()
    if confirm:
        with unit_of_work():  # as the confirming view (@writes) does
            follow = services.confirm(follow)
    return follow


def _publish(**fields):
    gathering = make_gathering(status="draft", **fields)
    locked_call(publish_gathering, gathering)
    return gathering


def test_a_request_is_pending_with_its_consent_until_confirmed(app):
    make_theme()
    follow = _follow(confirm=False)
    assert follow.status == FollowStatus.PENDING and follow.confirmed_at is None
    assert follow.consent_version == "alerts-test" and follow.consent_at is not None
    assert [t.slug for t in follow.themes] == ["inclusie"]
    (mail,) = outbox(kind="alert_confirm")
    assert mail.to_address == "volger@voorbeeld.nl" and mail.body_text is None  # rendered by the sender
    assert services.link_token(follow.nonce) not in (mail.context or "")  # no working link in the outbox


def test_an_unconfirmed_follower_is_told_nothing(app):
    theme = make_theme()
    _follow(confirm=False)
    _publish(theme_id=theme.id)
    assert services.queue_due_alerts() == 0
    assert outbox(kind="alert_gathering") == []


def test_publishing_writes_only_a_promise_and_the_worker_queues_one_mail_per_follower(app):
    theme = make_theme()
    first = _follow("een@voorbeeld.nl")
    second = _follow("twee@voorbeeld.nl", themes=(), kinds=("national",))
    gathering = _publish(theme_id=theme.id)
    # In the organiser's transaction: the announcement, no mail yet.
    assert db.session.get(Announcement, gathering.id) is not None
    assert outbox(kind="alert_gathering") == []
    assert services.queue_due_alerts() == 1
    (mail,) = outbox(kind="alert_gathering")
    assert mail.to_address == "een@voorbeeld.nl" and mail.dedupe_key == f"alert:{gathering.id}:{first.id}"
    national = _publish(kind="national")
    assert services.queue_due_alerts() == 1
    assert [m.to_address for m in outbox(kind="alert_gathering", dedupe_key=f"alert:{national.id}:{second.id}")] \
        == ["twee@voorbeeld.nl"]


def test_exactly_one_mail_per_follower_and_gathering_however_often_the_worker_runs(app):
    theme = make_theme()
    follow = _follow()
    gathering = _publish(theme_id=theme.id)
    assert services.queue_due_alerts() == 1
    assert services.queue_due_alerts() == 0
    # Even when the announcement is taken again (a worker that crashed before marking it done).
    db.session.get(Announcement, gathering.id).queued_at = None
    db.session.commit()
    assert services.queue_due_alerts() == 0
    assert len(outbox(kind="alert_gathering")) == 1
    assert outbox(kind="alert_gathering")[0].dedupe_key == f"alert:{gathering.id}:{follow.id}"


def test_two_workers_at_once_queue_each_mail_once(app):
    theme = make_theme()
    for n in range(5):
        _follow(f"volger{n}@voorbeeld.nl")
    _publish(theme_id=theme.id)
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        with app.app_context():
            try:
                barrier.wait(5)
                services.queue_due_alerts()
            except Exception as error:  # noqa: BLE001  (reported below)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not [e for e in errors if "locked" not in str(e)]
    services.queue_due_alerts()  # whatever a locked SQLite worker left
    assert sorted(m.to_address for m in outbox(kind="alert_gathering")) == [
        f"volger{n}@voorbeeld.nl" for n in range(5)]


def test_followers_hear_of_gatherings_published_after_they_confirmed(app):
    theme = make_theme()
    gathering = _publish(theme_id=theme.id)
    _follow()  # confirmed after the publication, before the worker came by
    assert services.queue_due_alerts() == 0


def test_a_gathering_cancelled_or_started_before_the_worker_came_is_not_announced(app):
    theme = make_theme()
    _follow()
    gathering = _publish(theme_id=theme.id)
    gathering.status = "cancelled"
    db.session.commit()
    assert services.queue_due_alerts() == 0
    assert db.session.get(Announcement, gathering.id).queued_at is not None


def test_confirming_a_second_request_adds_to_what_the_address_follows(app):
    make_theme()
    make_theme("thuis", "Thuis voelen")
    first = _follow()
    second = _follow("Volger@Voorbeeld.nl", themes=("thuis",), kinds=("mixed",), locale="en")
    assert second.id == first.id
    assert [t.slug for t in first.themes] == ["inclusie", "thuis"] and first.kind_codes == ["mixed"]
    assert first.locale == "en"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Follow)) == 1


def test_ending_deletes_the_follow_and_drops_its_queued_mail(app):
    theme = make_theme()
    follow = _follow()
    _publish(theme_id=theme.id)
    services.queue_due_alerts()
    services.end(follow)
    db.session.commit()
    assert db.session.scalars(sa.select(Follow)).all() == []
    assert [m.status for m in outbox(kind="alert_gathering")] == ["dropped"]


def test_purge_deletes_unconfirmed_requests_after_seven_days(app):
    make_theme()
    now = utcnow()
    old = _follow("oud@voorbeeld.nl", confirm=False, now=now - timedelta(days=8))
    recent = _follow("nieuw@voorbeeld.nl", confirm=False, now=now - timedelta(days=6))
    confirmed = _follow("bevestigd@voorbeeld.nl", now=now - timedelta(days=30))
    old_id, recent_id, confirmed_id = old.id, recent.id, confirmed.id
    # The old request's confirmation mail went out (or was dropped): it goes with the request.
    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.to_address == "oud@voorbeeld.nl")
                       .values(status="sent"))
    db.session.commit()
    purge(now=now)
    db.session.commit()
    left = {f.id for f in db.session.scalars(sa.select(Follow))}
    assert left == {recent_id, confirmed_id} and old_id not in left
    assert outbox(to_address="oud@voorbeeld.nl") == []


def test_flask_mail_remind_queues_the_followers_mails(app, runner):
    theme = make_theme()
    _follow()
    _publish(theme_id=theme.id)
    result = runner.invoke(args=["mail", "remind"])
    assert result.exit_code == 0, result.output
    assert [m.to_address for m in outbox(kind="alert_gathering")] == ["volger@voorbeeld.nl"]


def test_the_alert_never_gives_away_the_online_link_of_a_gathering(app, smtp):
    theme = make_theme()
    _follow()
    _publish(theme_id=theme.id, venue_name="", venue_address="", venue_city="",
             online_url="https://meet.example/geheim")
    services.queue_due_alerts()
    smtp.start()
    from gatherings.mail.sender import send_due

    send_due()
    (message,) = smtp.messages
    assert "Online: de link staat in uw bevestiging." in message.get_body(preferencelist=("plain",)).get_content()
    assert "meet.example" not in message.as_string()


def test_a_published_gathering_that_comes_to_match_is_announced_once_to_its_new_followers(app):
    from gatherings.organise.services import EDITABLE_FIELDS, update_gathering

    inclusie = make_theme()
    thuis = make_theme("thuis", "Thuis voelen")
    old_follower = _follow("oud@voorbeeld.nl", themes=("inclusie",))
    new_follower = _follow("nieuw@voorbeeld.nl", themes=("thuis",))
    gathering = _publish(theme_id=inclusie.id)
    assert services.queue_due_alerts() == 1  # only the follower of its theme
    values = {k: getattr(gathering, k) for k in EDITABLE_FIELDS}
    locked_call(update_gathering, gathering, {**values, "theme_id": thuis.id})
    assert services.queue_due_alerts() == 1  # now it concerns the other follower; the first is not told twice
    locked_call(update_gathering, gathering, {**values, "theme_id": inclusie.id})
    assert services.queue_due_alerts() == 0  # back to the first theme: each heard of it once already
    assert sorted(m.dedupe_key for m in outbox(kind="alert_gathering")) == sorted(
        [f"alert:{gathering.id}:{old_follower.id}", f"alert:{gathering.id}:{new_follower.id}"])


def test_two_requests_of_one_address_confirmed_at_once_leave_one_active_row_following_both(app):
    """Both confirmation links clicked at the same moment (two tabs, two devices): one row, all choices kept."""
    make_theme()
    make_theme(slug="thuis", name="Thuis voelen")
    first = _follow(themes=("inclusie",), confirm=False)
    second = _follow(themes=("thuis",), kinds=("national",), confirm=False)
    ids = [first.id, second.id]
    db.session.rollback()
    barrier = threading.Barrier(2)
    errors = []

    def worker(follow_id):
        with app.app_context():
            try:
                follow = db.session.get(Follow, follow_id)
                barrier.wait(5)
                with unit_of_work():
                    services.confirm(follow)
            except Exception as error:  # noqa: BLE001  (reported below)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    db.session.rollback()  # this thread's read snapshot predates the workers' commits
    (active,) = db.session.scalars(sa.select(Follow).where(Follow.email_key == "volger@voorbeeld.nl")).all()
    assert active.status == FollowStatus.ACTIVE
    assert sorted(t.slug for t in active.themes) == ["inclusie", "thuis"] and active.kind_codes == ["national"]


def test_the_database_refuses_a_second_active_row_for_an_address(app):
    make_theme()
    _follow()
    other = _follow(themes=(), kinds=("theme",), confirm=False)
    other.status = FollowStatus.ACTIVE
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
    else:
        raise AssertionError("two active rows for one address were stored")
