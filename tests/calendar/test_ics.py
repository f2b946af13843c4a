"""The one module that writes iCalendar: feeds, downloads and invitations."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from ical.timezone import IcsTimezoneInfo

from gatherings.calendar import ics
from gatherings.extensions import db
from gatherings.timeutil import from_local

from ..factories import locked_call, make_gathering, make_registration, make_theme
from .conftest import parse_strict, utc_by_file_vtimezone

AMS = ZoneInfo("Europe/Amsterdam")
UTC = dt.timezone.utc


def lines_of(body: bytes) -> list[bytes]:
    assert body.endswith(b"\r\n")
    return body[:-2].split(b"\r\n")


def at(y, mo, d, h, mi=0):
    return from_local(dt.datetime(y, mo, d, h, mi))


# --- the time zone -----------------------------------------------------------

def test_vtimezone_is_written_with_rrules_not_an_rdate_list(app):
    body = ics.feed_calendar([], "Leeg")
    text = body.decode()
    assert text.count("BEGIN:VTIMEZONE") == 1
    assert "RDATE" not in text
    assert "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n" in text
    assert "BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n" in text
    assert "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200" in text and "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100" in text


def test_vtimezone_agrees_with_the_tz_database_for_years(app):
    """Every six hours from 2020 to 2037, a parser using our VTIMEZONE finds the tz database's offset."""
    calendar = parse_strict(ics.feed_calendar([], "Leeg"))
    ours = IcsTimezoneInfo.from_timezone(calendar.timezones[0])
    moment = dt.datetime(2020, 1, 1, tzinfo=UTC)
    checked = 0
    while moment.year < 2038:
        wall = moment.astimezone(AMS)
        if not wall.fold and wall.replace(fold=1).utcoffset() == wall.utcoffset():  # skip the doubled hour
            assert wall.replace(tzinfo=ours).utcoffset() == wall.utcoffset(), wall
            checked += 1
        moment += dt.timedelta(hours=6)
    assert checked > 26000


# Local start (Amsterdam), expected UTC start: summer, winter and both switch weekends of 2027.
DST_CASES = [
    (dt.datetime(2027, 7, 15, 14, 0), dt.datetime(2027, 7, 15, 12, 0)),    # summer: +02:00
    (dt.datetime(2027, 1, 20, 14, 0), dt.datetime(2027, 1, 20, 13, 0)),    # winter: +01:00
    (dt.datetime(2027, 3, 27, 10, 0), dt.datetime(2027, 3, 27, 9, 0)),     # Saturday before clocks go forward
    (dt.datetime(2027, 3, 28, 1, 30), dt.datetime(2027, 3, 28, 0, 30)),    # Sunday, just before 02:00
    (dt.datetime(2027, 3, 28, 10, 0), dt.datetime(2027, 3, 28, 8, 0)),     # Sunday after the switch
    (dt.datetime(2027, 10, 30, 10, 0), dt.datetime(2027, 10, 30, 8, 0)),   # Saturday before clocks go back
    (dt.datetime(2027, 10, 31, 10, 0), dt.datetime(2027, 10, 31, 9, 0)),   # Sunday after the switch
]


@pytest.fixture
def dst_gatherings(app):
    made = [make_gathering(starts_at=from_local(local), title=f"Om {local:%Y-%m-%d %H:%M}") for local, _ in DST_CASES]
    # Across the night the clocks go forward: 20:00 Saturday to 10:00 Sunday is 13 hours.
    overnight = make_gathering(starts_at=at(2027, 3, 27, 20), title="Nachtwake")
    overnight.ends_at = at(2027, 3, 28, 10)
    # The hour that happens twice: the second 02:30 (CET) is 01:30 UTC.
    doubled = make_gathering(starts_at=dt.datetime(2027, 10, 31, 1, 30, tzinfo=UTC), title="Tweede half drie")
    db.session.commit()
    return made, overnight, doubled


def test_dst_times_as_the_strict_parser_computes_them(app, dst_gatherings):
    made, overnight, doubled = dst_gatherings
    calendar = parse_strict(ics.feed_calendar(made + [overnight, doubled], "Zomer en winter"))
    starts = {e.uid: e for e in calendar.events}
    for gathering, (_local, expected_utc) in zip(made, DST_CASES):
        event = starts[ics.gathering_uid(gathering)]
        start = utc_by_file_vtimezone(calendar, event.dtstart.replace(tzinfo=None))
        assert start == expected_utc.replace(tzinfo=UTC), gathering.title
        assert utc_by_file_vtimezone(calendar, event.dtend.replace(tzinfo=None)) == gathering.ends_at
    night = starts[ics.gathering_uid(overnight)]
    night_start = utc_by_file_vtimezone(calendar, night.dtstart.replace(tzinfo=None))
    night_end = utc_by_file_vtimezone(calendar, night.dtend.replace(tzinfo=None))
    assert night_end - night_start == dt.timedelta(hours=13)
    second = starts[ics.gathering_uid(doubled)]
    assert second.dtstart == dt.datetime(2027, 10, 31, 1, 30, tzinfo=UTC)


def test_dst_times_as_thunderbird_computes_them(app, dst_gatherings, icaljs, tmp_path):
    made, overnight, doubled = dst_gatherings
    parsed = icaljs(ics.feed_calendar(made + [overnight, doubled], "Zomer en winter"), tmp_path)
    events = {e["uid"]: e for e in parsed["events"]}
    for gathering, (_local, expected_utc) in zip(made, DST_CASES):
        event = events[ics.gathering_uid(gathering)]
        assert event["start_zone"] == "Europe/Amsterdam"
        assert event["start_utc"] == expected_utc.strftime("%Y-%m-%dT%H:%M:00.000Z"), gathering.title
        assert event["end_utc"] == gathering.ends_at.strftime("%Y-%m-%dT%H:%M:00.000Z")
    night = events[ics.gathering_uid(overnight)]
    assert (night["start_utc"], night["end_utc"]) == ("2027-03-27T19:00:00.000Z", "2027-03-28T08:00:00.000Z")
    assert events[ics.gathering_uid(doubled)]["start_utc"] == "2027-10-31T01:30:00.000Z"


# --- the text ----------------------------------------------------------------

TRICKY_TITLE = "Café-ontmoeting: één, twee; drie\\vier – naasten ëerst"
TRICKY_DESCRIPTION = ("Welkom bij de café-ontmoeting, met koffie; thee en taart.\n"
                      "Tweede regel: ë é ï ü — " + "heel lang verhaal over zorg en ondersteuning " * 6)


@pytest.fixture
def tricky(app):
    theme = make_theme(slug="thuis", name="Je thuis voelen, in de wijk; of elders")
    return make_gathering(title=TRICKY_TITLE, description=TRICKY_DESCRIPTION, theme=theme,
                          venue_name="Buurthuis De Ëik", venue_address="Kerkstraat 1, achteringang",
                          venue_city="Zwolle", starts_at=at(2027, 6, 1, 13, 30))


def test_crlf_folding_and_utf8(app, tricky):
    body = ics.feed_calendar([tricky], "Alle bijeenkomsten")
    body.decode("utf-8")  # valid UTF-8
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert b"\r" not in body.replace(b"\r\n", b"")
    lines = lines_of(body)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines), "the long description is folded"
    for line in lines:  # folding never splits a UTF-8 character
        line.decode("utf-8")


def test_escaping_and_accents_survive_both_parsers(app, tricky, icaljs, tmp_path):
    body = ics.feed_calendar([tricky], "Alle bijeenkomsten")
    unfolded = body.replace(b"\r\n ", b"").decode()
    assert "SUMMARY:Café-ontmoeting: één\\, twee\\; drie\\\\vier – naasten ëerst\r\n" in unfolded
    assert "LOCATION:Buurthuis De Ëik\\, Kerkstraat 1\\, achteringang\\, Zwolle\r\n" in unfolded
    assert "koffie\\; thee en taart.\\nTweede regel" in unfolded

    (event,) = parse_strict(body).events
    assert event.summary == TRICKY_TITLE
    assert event.description.startswith(TRICKY_DESCRIPTION.strip())
    assert event.location == "Buurthuis De Ëik, Kerkstraat 1, achteringang, Zwolle"

    (js_event,) = icaljs(body, tmp_path)["events"]
    assert js_event["summary"] == TRICKY_TITLE
    assert js_event["description"].startswith(TRICKY_DESCRIPTION.strip())
    assert js_event["location"] == event.location
    # commas and semicolons stay out of categories: clients disagree about their escapes there
    assert js_event["categories"] == ["Themabijeenkomst", "Je thuis voelen – in de wijk – of elders"]


def test_feed_has_the_calendar_properties_and_event_fields(app, tricky, icaljs, tmp_path):
    body = ics.feed_calendar([tricky], "Themabijeenkomsten")
    text = body.decode()
    for line in ("NAME:Themabijeenkomsten", "X-WR-CALNAME:Themabijeenkomsten",
                 "REFRESH-INTERVAL;VALUE=DURATION:PT6H", "X-PUBLISHED-TTL:PT6H",
                 f"UID:gathering-{tricky.id}@gatherings.test", "SEQUENCE:0", "STATUS:CONFIRMED",
                 f"URL:http://gatherings.test/gatherings/{tricky.slug}",
                 "DTSTART;TZID=Europe/Amsterdam:20270601T133000"):
        assert line + "\r\n" in text, line
    assert "ATTENDEE" not in text and "ORGANIZER" not in text and "METHOD" not in text
    assert f"Meer informatie: http://gatherings.test/gatherings/{tricky.slug}" in body.replace(b"\r\n ", b"").decode()
    (event,) = parse_strict(body).events
    assert event.dtstamp == tricky.changed_at.replace(microsecond=0)
    assert event.last_modified == tricky.changed_at.replace(microsecond=0)
    parsed = icaljs(body, tmp_path)
    assert (parsed["method"], parsed["name"], parsed["x_wr_calname"]) == (None, "Themabijeenkomsten",
                                                                          "Themabijeenkomsten")


def test_same_data_same_bytes_whatever_the_language(app, tricky):
    first = ics.feed_calendar([tricky], "Alle bijeenkomsten")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with force_locale("en"):
            again = ics.feed_calendar([tricky], "Alle bijeenkomsten")
    assert again == first


def test_public_feed_keeps_the_online_link_for_registrants(app):
    online = make_gathering(venue_name="", venue_address="", venue_city="", online_url="https://meet.example/geheim")
    public = ics.feed_calendar([online], "Alle").decode()
    assert "meet.example" not in public
    assert "LOCATION:Online" in public
    personal = ics.feed_calendar([online], "Mijn bijeenkomsten", personal=True).replace(b"\r\n ", b"").decode()
    assert "https://meet.example/geheim" in personal


def test_cancelled_and_waitlisted(app):
    cancelled = make_gathering(status="cancelled", title="Afgelast")
    waiting = make_gathering(title="Vol")
    calendar = parse_strict(ics.feed_calendar([cancelled, waiting], "Mijn", waitlisted_ids={waiting.id}))
    by_uid = {e.uid: e for e in calendar.events}
    assert by_uid[ics.gathering_uid(cancelled)].status == "CANCELLED"
    assert by_uid[ics.gathering_uid(cancelled)].summary == "Gaat niet door: Afgelast"
    assert by_uid[ics.gathering_uid(waiting)].status == "TENTATIVE"
    assert by_uid[ics.gathering_uid(waiting)].summary == "Wachtlijst: Vol"


def test_a_change_raises_sequence_and_changes_the_bytes(app, tricky):
    before = ics.feed_calendar([tricky], "Alle")
    tricky.starts_at += dt.timedelta(hours=1)
    tricky.ends_at += dt.timedelta(hours=1)
    tricky.touch(attendee_relevant=True)
    db.session.commit()
    after = ics.feed_calendar([tricky], "Alle")
    assert after != before
    (event,) = parse_strict(after).events
    assert event.sequence == 1


# --- invitations -------------------------------------------------------------

def test_invitation_request(app, tricky, icaljs, tmp_path):
    registration = make_registration(tricky, email="Anne@Voorbeeld.nl", name="Anne de Vries")
    body = ics.invitation(tricky, registration, organizer_email="bijeenkomsten@voorbeeld.nl")
    text = body.replace(b"\r\n ", b"").decode()
    assert "METHOD:REQUEST\r\n" in text
    assert "ORGANIZER;CN=Gatherings:mailto:bijeenkomsten@voorbeeld.nl\r\n" in text
    assert "mailto:Anne@Voorbeeld.nl" in text
    assert max(len(line) for line in lines_of(body)) <= 75
    (event,) = parse_strict(body).events
    assert event.uid == f"gathering-{tricky.id}@gatherings.test"
    assert event.sequence == tricky.sequence == 0
    assert event.status == "CONFIRMED"
    parsed = icaljs(body, tmp_path)
    assert parsed["method"] == "REQUEST"
    assert parsed["events"][0]["attendees"] == ["mailto:Anne@Voorbeeld.nl"]
    assert parsed["events"][0]["organizer"] == "mailto:bijeenkomsten@voorbeeld.nl"


def test_invitation_organizer_is_the_contact_never_the_no_reply_sender(app, tricky):
    registration = make_registration(tricky)
    text = ics.invitation(tricky, registration).decode().replace("\r\n ", "")
    organizer = next(line for line in text.split("\r\n") if line.startswith("ORGANIZER"))
    assert organizer.endswith(":mailto:contact@gatherings.localhost")  # CONTACT_EMAIL (dev default)
    assert "CN=" in organizer and "noreply" not in organizer


def test_personal_cancellation_outranks_the_request_and_a_new_registration_outranks_that(app, tricky):
    from gatherings.registration import services

    first = make_registration(tricky, email="piet@voorbeeld.nl")
    request_seq = parse_strict(ics.invitation(tricky, first)).events[0].sequence
    locked_call(services.cancel, tricky, first.id)
    cancel = parse_strict(ics.invitation(tricky, first, method="CANCEL"))
    assert "METHOD:CANCEL" in ics.invitation(tricky, first, method="CANCEL").decode()
    assert cancel.events[0].status == "CANCELLED"
    assert cancel.events[0].uid == ics.gathering_uid(tricky)
    assert cancel.events[0].sequence == request_seq + 1

    again = make_registration(tricky, email="piet@voorbeeld.nl")
    again_seq = parse_strict(ics.invitation(tricky, again)).events[0].sequence
    assert again_seq > cancel.events[0].sequence


def test_invitation_refuses_unknown_methods(app, tricky):
    registration = make_registration(tricky)
    with pytest.raises(ValueError):
        ics.invitation(tricky, registration, method="PUBLISH")
