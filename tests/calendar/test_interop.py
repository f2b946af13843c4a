"""What five calendar parsers make of our feeds: the same times, names and categories.

The parsers: `ical` (strict, with the file's own VTIMEZONE), `icalendar`,
`recurring-ical-events` (which reads X-WR-TIMEZONE), `vobject`, and ical.js
(Thunderbird's parser) under node.
"""
import datetime as dt

import icalendar
import pytest
import recurring_ical_events
import vobject

from gatherings.calendar import ics
from gatherings.extensions import db
from gatherings.timeutil import WINTER_TIME, from_local

from ..factories import make_gathering, make_theme
from .conftest import parse_strict, utc_by_file_vtimezone

UTC = dt.timezone.utc

# (year, last Sunday of March, last Sunday of October)
DST_WEEKENDS = [(2026, 29, 25), (2027, 28, 31)]


def _utc(moment) -> dt.datetime:
    return moment.astimezone(UTC)


def by_strict_parser(body: bytes, _tmp) -> dict:
    calendar = parse_strict(body)
    return {e.uid: (utc_by_file_vtimezone(calendar, e.dtstart.replace(tzinfo=None))
                    if e.dtstart.tzinfo is not UTC else e.dtstart,
                    utc_by_file_vtimezone(calendar, e.dtend.replace(tzinfo=None))
                    if e.dtend.tzinfo is not UTC else e.dtend)
            for e in calendar.events}


def by_icalendar(body: bytes, _tmp) -> dict:
    return {str(e["UID"]): (_utc(e["DTSTART"].dt), _utc(e["DTEND"].dt))
            for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def by_recurring_ical_events(body: bytes, _tmp) -> dict:
    calendar = icalendar.Calendar.from_ical(body)
    events = recurring_ical_events.of(calendar).between(dt.datetime(2026, 1, 1), dt.datetime(2028, 1, 1))
    return {str(e["UID"]): (_utc(e["DTSTART"].dt), _utc(e["DTEND"].dt)) for e in events}


def by_vobject(body: bytes, _tmp) -> dict:
    calendar = vobject.readOne(body.decode("utf-8"))
    return {e.uid.value: (_utc(e.dtstart.value), _utc(e.dtend.value)) for e in calendar.vevent_list}


PYTHON_PARSERS = [by_strict_parser, by_icalendar, by_recurring_ical_events, by_vobject]


def _dst_weekend(year: int, march: int, october: int):
    """Gatherings on both switch weekends of ``year``, with the UTC times every parser must find."""
    def local(month, day, hour, minute=0, fold=0):
        return from_local(dt.datetime(year, month, day, hour, minute), fold)

    cases = [
        ("zaterdag voor de zomertijd", local(3, march - 1, 10), local(3, march - 1, 12)),
        ("net voor de sprong", local(3, march, 1, 30), local(3, march, 1, 59)),
        ("eerste minuut zomertijd", local(3, march, 3), local(3, march, 4)),
        ("nacht door de sprong", local(3, march - 1, 20), local(3, march, 10)),
        ("voor het dubbele uur", local(10, october, 1, 59), local(10, october, 2, 0)),
        ("eerste 02:15 (zomertijd)", local(10, october, 2, 15), local(10, october, 2, 45)),
        ("tweede 02:15 (wintertijd)", local(10, october, 2, 15, WINTER_TIME), local(10, october, 4)),
        ("van zomertijd naar wintertijd", local(10, october, 2, 45), local(10, october, 2, 15, WINTER_TIME)),
        ("eerste uur wintertijd", local(10, october, 3), local(10, october, 4)),
        ("nacht door het dubbele uur", local(10, october - 1, 20), local(10, october, 10)),
    ]
    made = []
    for title, starts, ends in cases:
        gathering = make_gathering(title=title, starts_at=starts)
        gathering.ends_at = ends
        made.append(gathering)
    db.session.commit()
    return made


@pytest.mark.parametrize("year, march, october", DST_WEEKENDS)
def test_both_dst_weekends_read_alike_by_every_parser(app, icaljs, tmp_path, year, march, october):
    made = _dst_weekend(year, march, october)
    body = ics.feed_calendar(made, "Zomer en winter")
    expected = {ics.gathering_uid(g): (g.starts_at, g.ends_at) for g in made}
    # the doubled hour really is in the test: the first and second 02:15 are an hour apart
    assert made[6].starts_at - made[5].starts_at == dt.timedelta(hours=1)
    for parse in PYTHON_PARSERS:
        found = parse(body, tmp_path)
        for g in made:
            assert found[ics.gathering_uid(g)] == expected[ics.gathering_uid(g)], (parse.__name__, g.title)
    for event in icaljs(body, tmp_path)["events"]:
        starts, ends = expected[event["uid"]]
        assert (event["start_utc"], event["end_utc"]) == (f"{starts:%Y-%m-%dT%H:%M}:00.000Z",
                                                          f"{ends:%Y-%m-%dT%H:%M}:00.000Z"), event["summary"]


def test_both_occurrences_of_a_doubled_time_are_written_in_utc(app):
    first = make_gathering(starts_at=from_local(dt.datetime(2027, 10, 31, 2, 15)))
    second = make_gathering(starts_at=from_local(dt.datetime(2027, 10, 31, 2, 15), WINTER_TIME))
    text = ics.feed_calendar([first, second], "Alle").decode()
    assert "DTSTART:20271031T001500Z\r\n" in text and "DTSTART:20271031T011500Z\r\n" in text
    assert "TZID=Europe/Amsterdam:20271031T0215" not in text
    assert "X-WR-TIMEZONE" not in text  # it makes recurring-ical-events move UTC times


# --- names and categories ----------------------------------------------------

AWKWARD_THEME = "Je thuis voelen, in de wijk; of elders \\ samen\r\nX-Injected:ja\x07"
CLEAN_THEME = "Je thuis voelen – in de wijk – of elders / samen X-Injected:ja"


def test_names_and_categories_need_no_escapes_and_parsers_agree(app, icaljs, tmp_path):
    theme = make_theme(slug="thuis", name=AWKWARD_THEME)
    gathering = make_gathering(theme=theme)
    body = ics.feed_calendar([gathering], f"Bijeenkomsten over {theme.name}")
    text = body.replace(b"\r\n ", b"").decode()
    name = f"Bijeenkomsten over {CLEAN_THEME}"
    assert f"\r\nNAME:{name}\r\n" in text and f"\r\nX-WR-CALNAME:{name}\r\n" in text
    assert f"\r\nCATEGORIES:Themabijeenkomst,{CLEAN_THEME}\r\n" in text
    assert "\r\nX-Injected" not in text and "\x07" not in text

    strict = parse_strict(body)
    assert strict.name == [name] and strict.events[0].categories == ["Themabijeenkomst", CLEAN_THEME]
    parsed = icalendar.Calendar.from_ical(body)
    assert str(parsed["NAME"]) == str(parsed["X-WR-CALNAME"]) == name
    assert [str(c) for c in parsed.walk("VEVENT")[0]["CATEGORIES"].cats] == ["Themabijeenkomst", CLEAN_THEME]
    loaded = vobject.readOne(body.decode())
    assert loaded.contents["name"][0].value == loaded.contents["x-wr-calname"][0].value == name
    assert loaded.vevent.categories.value == ["Themabijeenkomst", CLEAN_THEME]
    js = icaljs(body, tmp_path)
    assert js["name"] == js["x_wr_calname"] == name
    assert js["events"][0]["categories"] == ["Themabijeenkomst", CLEAN_THEME]


def test_control_characters_in_organisers_text_never_reach_the_file(app, icaljs, tmp_path):
    gathering = make_gathering(title="Koffie\x01 en\u2028 praten\x1b", description="Eerste regel\r\ntweede\x0bderde\x7f",
                               venue_name="Buurthuis\r\nDe Pijl", accessibility="Lift\x08.")
    body = ics.feed_calendar([gathering], "Alle")
    assert not any(ch in body for ch in b"\x01\x07\x08\x0b\x1b\x7f")
    (event,) = parse_strict(body).events
    assert event.summary == "Koffie en praten"
    assert event.description.startswith("Eerste regel\ntweede\nderde")
    assert event.location.startswith("Buurthuis De Pijl")
    (js_event,) = icaljs(body, tmp_path)["events"]
    assert js_event["summary"] == "Koffie en praten"


# --- no iTIP method outside invitations --------------------------------------

def test_feeds_and_downloads_carry_no_method_invitations_do(app):
    from ..factories import make_registration

    gathering = make_gathering()
    assert b"METHOD:" not in ics.feed_calendar([gathering], "Alle")
    assert b"METHOD:" not in ics.feed_calendar([gathering], None)
    assert b"METHOD:" not in ics.feed_calendar([gathering], "Mijn bijeenkomsten", personal=True)
    registration = make_registration(gathering)
    assert b"\r\nMETHOD:REQUEST\r\n" in ics.invitation(gathering, registration)
    assert b"\r\nMETHOD:CANCEL\r\n" in ics.invitation(gathering, registration, method="CANCEL")
