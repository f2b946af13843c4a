"""Personal feeds: a secret, renewable token per e-mail address."""
import pytest

from gatherings.calendar import cache, ics, services
from gatherings.calendar.models import FeedCache, FeedToken
from gatherings.database import unit_of_work
from gatherings.extensions import db
from gatherings.registration import services as registration

from ..factories import locked_call, make_gathering, make_registration
from .conftest import parse_strict

EMAIL = "Marieke@Voorbeeld.nl"
KEY = "marieke@voorbeeld.nl"


@pytest.fixture(autouse=True)
def _fresh_process_memory():
    cache.bodies.clear()


@pytest.fixture
def registrations(app):
    confirmed = make_gathering(title="Erbij", online_url="https://meet.example/abc")
    full = make_gathering(title="Vol", capacity=1)
    make_registration(full, email="eerder@voorbeeld.nl")
    cancelled = make_gathering(title="Toch niet")
    other = make_gathering(title="Van een ander")
    mine = {
        "confirmed": make_registration(confirmed, email=EMAIL),
        "waitlisted": make_registration(full, email=EMAIL),
        "cancelled": make_registration(cancelled, email=EMAIL),
    }
    make_registration(other, email="iemand@voorbeeld.nl")
    locked_call(registration.cancel, mine["cancelled"].gathering_id, mine["cancelled"].id)
    db.session.commit()
    assert mine["waitlisted"].status == "waitlisted"
    return mine


def test_token_is_long_lived_and_per_address(app):
    token = services.feed_token_for(KEY)
    db.session.commit()
    assert len(token) >= 40
    assert services.feed_token_for(KEY) == token
    assert services.feed_token_for("ander@voorbeeld.nl") != token


def test_personal_feed_lists_own_registrations(client, registrations, icaljs, tmp_path):
    token = services.feed_token_for(KEY)
    db.session.commit()
    response = client.get(f"/calendar/my/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    events = {e.summary: e for e in parse_strict(response.data).events}
    assert set(events) == {"Erbij", "Wachtlijst: Vol"}
    assert events["Erbij"].status == "CONFIRMED"
    assert events["Wachtlijst: Vol"].status == "TENTATIVE"
    assert events["Erbij"].uid == ics.gathering_uid(registrations["confirmed"].gathering)
    assert "https://meet.example/abc" in events["Erbij"].description  # the owner may see the online link
    assert "ATTENDEE" not in response.data.decode()
    parsed = icaljs(response.data, tmp_path)
    assert parsed["name"] == "Mijn bijeenkomsten"
    assert {e["summary"] for e in parsed["events"]} == {"Erbij", "Wachtlijst: Vol"}
    again = client.get(f"/calendar/my/{token}.ics", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    # no personal feed bytes are kept in the cache table (written in a transaction of its own: look afresh)
    db.session.rollback()
    assert db.session.scalars(db.select(FeedCache.body).where(FeedCache.feed.like("my:%"))).all() == [None]


def test_promotion_changes_the_personal_feed(client, registrations):
    token = services.feed_token_for(KEY)
    db.session.commit()
    before = client.get(f"/calendar/my/{token}.ics")
    first_in_line = db.session.scalars(
        db.select(registration.Registration).where(registration.Registration.email_key == "eerder@voorbeeld.nl")).one()
    locked_call(registration.cancel, first_in_line.gathering_id, first_in_line.id)  # Marieke moves up from the waiting list
    db.session.commit()
    after = client.get(f"/calendar/my/{token}.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert {e.summary for e in parse_strict(after.data).events} == {"Erbij", "Vol"}


def test_renewal_makes_the_old_address_gone(client, registrations):
    old = services.feed_token_for(KEY)
    db.session.commit()
    assert client.get(f"/calendar/my/{old}.ics").status_code == 200
    with unit_of_work():  # as the renew view does
        new = services.renew_feed_token(KEY)
    assert new != old
    assert services.feed_token_for(KEY) == new
    assert client.get(f"/calendar/my/{old}.ics").status_code == 410
    assert client.get(f"/calendar/my/{new}.ics").status_code == 200
    assert client.get("/calendar/my/onbekend-token.ics").status_code == 404
    assert client.get(f"/calendar/my/{'x' * 100}.ics").status_code == 404


def test_token_made_by_another_request_at_the_same_time_is_reused(app):
    db.session.add(FeedToken(email_key=KEY, token="al-gemaakt"))
    db.session.commit()
    # as if this request had looked before the other one committed
    assert services._insert_live_token(KEY) is None
    assert services.feed_token_for(KEY) == "al-gemaakt"


def test_partial_template_shows_webcal_link_and_renew_form(app):
    token = services.feed_token_for(KEY)
    with app.test_request_context():
        html = app.jinja_env.get_template("calendar/_my_feed.html").render(feed_token=token, renew_url="/vernieuw")
    assert f'href="webcal://gatherings.test/calendar/my/{token}.ics"' in html
    assert f'href="http://gatherings.test/calendar/my/{token}.ics"' in html
    assert '<form method="post" action="/vernieuw">' in html


def test_privacy_purge_forgets_tokens_of_addresses_without_registrations(app, registrations):
    from gatherings.privacy import services as privacy

    token = services.feed_token_for(KEY)
    services.feed_token_for("niemand@voorbeeld.nl")
    db.session.commit()
    privacy.purge()
    db.session.commit()
    assert services.find_feed_token(token) is not None
    assert db.session.scalars(db.select(FeedToken.email_key)).all() == [KEY]
