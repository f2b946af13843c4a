"""The programme in calendars: public feeds keep one event per gathering with the programme's outline in its
description; a participant's own calendar (personal feed, invitation) shows their own workshops, times and rooms.
Read with the strict `ical` parser and ical.js; same data, same bytes; caches follow every change."""
from datetime import timedelta

import pytest

from gatherings.calendar import cache, ics, services
from gatherings.extensions import db
from gatherings.programme import services as programme
from gatherings.registration import services as registration
from gatherings.timeutil import local

from ..factories import locked_call, make_gathering, make_registration
from ..programme_factories import make_programme
from .conftest import parse_strict

EMAIL = "marieke@voorbeeld.nl"


@pytest.fixture(autouse=True)
def _fresh_process_memory():
    cache.bodies.clear()
    yield
    cache.bodies.clear()


@pytest.fixture
def day(app):
    day = make_gathering(kind="national", title="Landelijke dag", capacity=50)
    make_programme(day, rounds=((("Herstel", "Zaal 1", 1), ("Wonen", "Zaal 2", 20)),
                                (("Werk", "Zaal 3", 20), ("Naasten", "", 20))),
                   plenary="Opening", plenary_last="Afsluiting")
    return day


def _parts(day):
    opening, first, second, closing = day.programme
    return opening, first, second, closing


def _hm(moment) -> str:
    return f"{local(moment):%H:%M}"


def register(day, email, choices):
    """Registered with ``choices`` ({round id: workshop id}); other rounds get their last (roomy) workshop."""
    person = make_registration(day, email=email)
    every = {p.id: p.workshops[-1].id for p in day.programme if p.kind == "round"}
    locked_call(programme.choose, day, person, {**every, **choices})
    db.session.commit()
    return person


def description_of(body: bytes, uid: str) -> str:
    (event,) = [e for e in parse_strict(body).events if e.uid == uid]
    return event.description


# -- public feeds: one event, the outline ------------------------------------------------------------------------

def test_public_feed_has_one_event_per_gathering_with_the_outline(client, day, icaljs, tmp_path):
    opening, first, second, closing = _parts(day)
    other = make_gathering(title="Zonder programma")
    body = client.get("/calendar.ics").data
    events = parse_strict(body).events
    assert sorted(e.summary for e in events) == ["Landelijke dag", "Zonder programma"]
    text = description_of(body, ics.gathering_uid(day))
    assert (f"Programma:\n{_hm(opening.starts_at)}–{_hm(opening.ends_at)} Opening\n"
            f"{_hm(first.starts_at)}–{_hm(first.ends_at)} Ronde 1\n- Herstel (Zaal 1)\n- Wonen (Zaal 2)\n"
            f"{_hm(second.starts_at)}–{_hm(second.ends_at)} Ronde 2\n- Werk (Zaal 3)\n- Naasten\n"
            f"{_hm(closing.starts_at)}–{_hm(closing.ends_at)} Afsluiting\n") in text
    assert "Programma" not in description_of(body, ics.gathering_uid(other))
    (js_event,) = [e for e in icaljs(body, tmp_path)["events"] if e["uid"] == ics.gathering_uid(day)]
    assert js_event["description"] == text
    # The download and the kind's feed say the same.
    assert description_of(client.get(f"/gatherings/{day.slug}.ics").data, ics.gathering_uid(day)) == text
    assert description_of(client.get("/calendar/national.ics").data, ics.gathering_uid(day)) == text


def test_public_feed_bytes_do_not_move_with_registrations_but_with_the_programme(client, day):
    _opening, first, _second, _closing = _parts(day)
    before = client.get("/calendar.ics")
    # Same data, same bytes: built again from scratch, nothing changes.
    cache.bodies.clear()
    assert ics.feed_calendar(services.public_feed_gatherings(services.all_feed()), services.all_feed().title) \
        == before.data
    register(day, EMAIL, {first.id: first.workshops[0].id})
    after_registration = client.get("/calendar.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert after_registration.status_code == 304  # no seat counts in the outline: nothing to fetch again

    first.workshops[1].room = "Grote zaal"
    db.session.commit()
    changed = client.get("/calendar.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != before.headers["ETag"]
    assert "- Wonen (Grote zaal)" in description_of(changed.data, ics.gathering_uid(day))
    assert changed.last_modified > before.last_modified


@pytest.mark.parametrize("change", ["add_workshop", "remove_part", "new_time"])
def test_every_change_of_the_programme_rebuilds_the_stored_feed(client, day, change, app_config):
    from gatherings import create_app
    from gatherings.programme.models import Workshop

    _opening, first, _second, closing = _parts(day)
    before = client.get("/calendar.ics")
    if change == "add_workshop":
        first.workshops.append(Workshop(title="Nieuw", room="Zaal 9", capacity=5))
    elif change == "remove_part":
        db.session.delete(closing)
    else:
        closing.starts_at += timedelta(minutes=15)
    db.session.commit()
    after = client.get("/calendar.ics")
    assert after.headers["ETag"] != before.headers["ETag"]
    # The stored feed is what a process without the cache builds.
    other = create_app({**app_config, "CALENDAR_FEED_CACHE": False})
    with other.app_context():
        try:
            assert other.test_client().get("/calendar.ics").data == after.data
        finally:
            db.session.remove()
            db.engine.dispose()  # its connections: closed now, not left to the garbage collector


# -- a person's own calendar -------------------------------------------------------------------------------------

def test_personal_feed_lists_own_workshops_with_times_and_rooms(client, day, icaljs, tmp_path):
    opening, first, second, closing = _parts(day)
    register(day, "eerder@voorbeeld.nl", {first.id: first.workshops[0].id, second.id: second.workshops[0].id})
    register(day, EMAIL, {first.id: first.workshops[0].id, second.id: second.workshops[1].id})  # Herstel is full
    token = services.feed_token_for(EMAIL)
    db.session.commit()
    body = client.get(f"/calendar/my/{token}.ics").data
    text = description_of(body, ics.gathering_uid(day))
    assert (f"Uw programma:\n{_hm(opening.starts_at)}–{_hm(opening.ends_at)} Opening\n"
            f"{_hm(first.starts_at)}–{_hm(first.ends_at)} Ronde 1: wachtlijst voor Herstel (Zaal 1)\n"
            f"{_hm(second.starts_at)}–{_hm(second.ends_at)} Ronde 2: Naasten\n"
            f"{_hm(closing.starts_at)}–{_hm(closing.ends_at)} Afsluiting\n") in text
    assert "Programma:" not in text and "Wonen" not in text  # their own, not the outline
    (js_event,) = icaljs(body, tmp_path)["events"]
    assert js_event["description"] == text


def test_personal_feed_follows_a_seat_in_the_workshop_waited_for(client, day):
    """A seat that frees goes to the first who waits; their feed shows it at once, with a new ETag and a
    newer DTSTAMP (no 304 for the old bytes)."""
    _opening, first, _second, _closing = _parts(day)
    herstel = first.workshops[0]
    earlier = register(day, "eerder@voorbeeld.nl", {first.id: herstel.id})
    register(day, EMAIL, {first.id: herstel.id})
    token = services.feed_token_for(EMAIL)
    db.session.commit()
    before = client.get(f"/calendar/my/{token}.ics")
    assert "wachtlijst voor Herstel (Zaal 1)" in description_of(before.data, ics.gathering_uid(day))

    locked_call(registration.cancel, day, earlier.id)
    after = client.get(f"/calendar/my/{token}.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    text = description_of(after.data, ics.gathering_uid(day))
    assert "Ronde 1: Herstel (Zaal 1)" in text and "wachtlijst" not in text
    (old,), (new,) = parse_strict(before.data).events, parse_strict(after.data).events
    assert new.dtstamp >= old.dtstamp and new.sequence > old.sequence  # DTSTAMP: whole seconds
    # Built again from the same data: the same bytes.
    cache.bodies.clear()
    assert client.get(f"/calendar/my/{token}.ics").data == after.data


def test_personal_feed_changes_when_the_owner_changes_a_choice(client, day):
    _opening, first, _second, _closing = _parts(day)
    person = register(day, EMAIL, {first.id: first.workshops[1].id})
    token = services.feed_token_for(EMAIL)
    db.session.commit()
    before = client.get(f"/calendar/my/{token}.ics")
    locked_call(programme.change_choices, day, person, {first.id: first.workshops[0].id,
                                                        _second.id: _second.workshops[-1].id})
    after = client.get(f"/calendar/my/{token}.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "Ronde 1: Herstel (Zaal 1)" in description_of(after.data, ics.gathering_uid(day))


def test_waiting_for_the_day_shows_the_choice_as_not_yet_certain(client, app):
    full = make_gathering(kind="national", title="Vol", capacity=1)
    (first,) = make_programme(full, rounds=((("Herstel", "Zaal 1", 5),),), plenary=None)
    make_registration(full, email="eerder@voorbeeld.nl")
    person = register(full, EMAIL, {first.id: first.workshops[0].id})
    assert person.status == "waitlisted"
    token = services.feed_token_for(EMAIL)
    db.session.commit()
    body = client.get(f"/calendar/my/{token}.ics").data
    (event,) = parse_strict(body).events
    assert event.summary == "Wachtlijst: Vol"
    assert "Ronde 1: uw keuze Herstel (Zaal 1) (zeker als u een plek voor de dag krijgt)" in event.description
