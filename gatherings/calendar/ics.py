"""Gatherings as iCalendar (RFC 5545): feeds, downloads and mail invitations.

Every .ics the system produces comes from here, so feeds, downloads and
invitations agree on UIDs, SEQUENCE and the time zone.

- Same data, same bytes: DTSTAMP and LAST-MODIFIED come from the stored change
  time and nothing random (no generated UID, no "now") goes into the output.
  Feeds can therefore be cached and given an ETag computed from the bytes.
- Times are written as Europe/Amsterdam wall-clock times with one VTIMEZONE that
  uses RRULEs (last Sunday of March / October). icalendar's
  ``Timezone.from_tzid`` writes a list of RDATEs instead, which Outlook misreads.
- The text is Dutch (the movement's language), whatever the requester's locale,
  so that a cached feed is the same for everybody.
- icalendar does CRLF line ends, folding at 75 octets and escaping of commas,
  semicolons and newlines; tests/calendar/test_ics.py checks that it does.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta, timezone
from email.utils import parseaddr
from typing import Iterable
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import (Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vDuration,
                       vRecur, vText)

from ..catalogue.labels import KIND_LABELS
from ..timeutil import AMSTERDAM, doubled_hour_side
from ..urls import base_url, public_url
from . import text

TZID = "Europe/Amsterdam"
PRODID = "-//Gatherings//Bijeenkomsten//NL"
# How often clients should fetch a feed again.
DEFAULT_REFRESH = timedelta(hours=6)


# --- the time zone -----------------------------------------------------------

def amsterdam_vtimezone() -> Timezone:
    """Europe/Amsterdam as RRULEs: CEST from the last Sunday of March 02:00,
    CET from the last Sunday of October 03:00 (the EU rule since 1996)."""
    tz = Timezone()
    tz.add("tzid", TZID)
    tz.add("x-lic-location", TZID)

    daylight = TimezoneDaylight()
    daylight.add("tzname", "CEST")
    daylight.add("tzoffsetfrom", timedelta(hours=1))
    daylight.add("tzoffsetto", timedelta(hours=2))
    # 29 March 1970 was the last Sunday of March: DTSTART must be a first onset of the rule.
    daylight.add("dtstart", datetime(1970, 3, 29, 2, 0, 0))
    daylight.add("rrule", vRecur(freq="YEARLY", bymonth=3, byday="-1SU"))
    tz.add_component(daylight)

    standard = TimezoneStandard()
    standard.add("tzname", "CET")
    standard.add("tzoffsetfrom", timedelta(hours=2))
    standard.add("tzoffsetto", timedelta(hours=1))
    # 25 October 1970 was the last Sunday of October.
    standard.add("dtstart", datetime(1970, 10, 25, 3, 0, 0))
    standard.add("rrule", vRecur(freq="YEARLY", bymonth=10, byday="-1SU"))
    tz.add_component(standard)
    return tz


def local_time(moment: datetime) -> datetime:
    """A stored UTC time as written in the calendar.

    Normally the Amsterdam wall-clock time (TZID=Europe/Amsterdam). A wall-clock
    time that happens twice (the hour the clocks go back) is written in UTC, both
    occurrences: parsers disagree about which one a TZID time in that hour means
    (ical.js and libical take the second, RFC 5545 says the first), while a UTC
    time means the same to all of them.
    """
    if doubled_hour_side(moment) is not None:
        return moment.astimezone(timezone.utc)
    return moment.astimezone(AMSTERDAM)


# --- addresses ---------------------------------------------------------------

def uid_host() -> str:
    # The host of BASE_URL, as it has always been: a UID that changed would make
    # subscribers' calendars show every gathering twice.
    return urlsplit(base_url()).hostname or "localhost"


def gathering_uid(gathering) -> str:
    """Stable for the gathering's life; the same in feeds, downloads and mail."""
    return f"gathering-{gathering.id}@{uid_host()}"


def gathering_url(gathering) -> str:
    return public_url("public.gathering", slug=gathering.slug)


# --- one event ---------------------------------------------------------------

def _location(gathering, *, personal: bool) -> str:
    parts = [text.text(p) for p in (gathering.venue_name, gathering.venue_address, gathering.venue_city)]
    parts = [p for p in parts if p]
    if not parts and gathering.online_url:
        # The online link goes only to people who registered.
        return text.text(gathering.online_url) if personal else _("Online")
    return ", ".join(parts)


def _description(gathering, *, personal: bool) -> str:
    lines = []
    if gathering.status == "cancelled":
        lines += [_("Deze bijeenkomst gaat niet door."), ""]
    description = text.text(gathering.description, multiline=True)
    if description:
        lines += [description, ""]
    if gathering.host:
        lines.append(_("Gastorganisatie: %(name)s", name=text.text(gathering.host.name)))
    if gathering.online_url and personal:
        lines.append(_("Online meedoen: %(url)s", url=text.text(gathering.online_url)))
    accessibility = text.text(gathering.accessibility, multiline=True)
    if accessibility:
        lines.append(_("Toegankelijkheid: %(text)s", text=accessibility))
    lines.append(_("Meer informatie: %(url)s", url=gathering_url(gathering)))
    return "\n".join(lines).strip()


def gathering_event(gathering, *, personal: bool = False, waitlisted: bool = False,
                    sequence: int | None = None, stamp: datetime | None = None,
                    cancelled: bool = False) -> Event:
    """The VEVENT of a gathering. ``personal`` adds what only registrants may see
    (the online link); it is never set for public feeds."""
    summary = text.text(gathering.title)
    if waitlisted:
        summary = _("Wachtlijst: %(title)s", title=summary)
    if cancelled or gathering.status == "cancelled":
        status = "CANCELLED"
        summary = _("Gaat niet door: %(title)s", title=summary)
    elif waitlisted:
        status = "TENTATIVE"
    else:
        status = "CONFIRMED"
    changed = stamp or gathering.changed_at

    event = Event()
    event.add("uid", gathering_uid(gathering))
    event.add("dtstamp", changed.astimezone(timezone.utc))
    event.add("last-modified", changed.astimezone(timezone.utc))
    if gathering.created_at:
        event.add("created", gathering.created_at.astimezone(timezone.utc))
    event.add("sequence", gathering.sequence if sequence is None else sequence)
    event.add("dtstart", local_time(gathering.starts_at))
    event.add("dtend", local_time(gathering.ends_at))
    event.add("summary", summary)
    event.add("description", _description(gathering, personal=personal))
    location = _location(gathering, personal=personal)
    if location:
        event.add("location", location)
    event.add("url", gathering_url(gathering))
    categories = [text.name(str(KIND_LABELS[gathering.kind]))]
    if gathering.theme and text.name(gathering.theme.name):
        categories.append(text.name(gathering.theme.name))
    event.add("categories", categories)
    event.add("status", status)
    event.add("transp", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
    event.add("class", "PUBLIC")
    return event


# --- whole calendars ---------------------------------------------------------

def _calendar(method: str | None) -> Calendar:
    """``method``: the iTIP method of an invitation; None for feeds and downloads,
    which are no iTIP messages (METHOD:PUBLISH would ask for an ORGANIZER in every
    event, and libical's iTIP check refuses events without one)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    return cal


class _EventMemo:
    """VEVENT bytes by everything that goes into them (see ``_event_inputs``).

    icalendar needs some milliseconds per event; a feed of 2,000 gatherings
    would take seconds after every change. Keyed on all inputs, a remembered
    VEVENT can never be out of date, so after a change only the changed events
    are written again. Bounded; least recently used out first.
    """

    def __init__(self, max_items: int = 20000):
        self.max_items = max_items
        self._items: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple, value: bytes) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


event_memo = _EventMemo()


def _event_inputs(gathering, personal: bool, waitlisted: bool) -> tuple:
    g = gathering
    return (
        base_url(), personal, waitlisted, g.id, g.slug, g.kind, g.status, g.title, g.description,
        g.starts_at, g.ends_at, g.venue_name, g.venue_address, g.venue_city, g.online_url, g.accessibility,
        g.sequence, g.changed_at, g.created_at, g.theme.name if g.theme else None, g.host.name if g.host else None,
    )


def _event_bytes(gathering, personal: bool, waitlisted: bool) -> bytes:
    key = _event_inputs(gathering, personal, waitlisted)
    body = event_memo.get(key)
    if body is None:
        body = gathering_event(gathering, personal=personal, waitlisted=waitlisted).to_ical()
        event_memo.put(key, body)
    return body


END_VCALENDAR = b"END:VCALENDAR\r\n"


def feed_calendar(gatherings: Iterable, name: str | None, *, description: str | None = None,
                  waitlisted_ids: Iterable[int] = (), personal: bool = False,
                  refresh: timedelta = DEFAULT_REFRESH) -> bytes:
    """A feed or download (no METHOD: not an iTIP message; no ATTENDEE or ORGANIZER).

    ``name``: the feed's name, with NAME/X-WR-CALNAME, REFRESH-INTERVAL and
    X-PUBLISHED-TTL; None for a one-off download, which a client should add to
    an existing calendar rather than open as a calendar of its own.
    ``waitlisted_ids``: gatherings shown as TENTATIVE with "Wachtlijst:" in the
    title (personal feeds). ``personal``: the owner's own feed, may show the
    online link. Same input, same bytes.

    The calendar is written by icalendar without its events, and the events'
    own icalendar bytes (remembered, see ``_EventMemo``) are put in before the
    END line: exactly what icalendar writes for the whole calendar at once.
    """
    waitlisted_ids = set(waitlisted_ids)
    with force_locale("nl"):
        cal = _calendar(None)
        if name is not None:
            # vText: NAME and X-WR-CALNAME would otherwise be written raw.
            cal.add("name", vText(text.name(name)))
            cal.add("x-wr-calname", vText(text.name(name)))
            if description:
                cal.add("description", text.text(description, multiline=True))
                cal.add("x-wr-caldesc", text.text(description, multiline=True))
            # No X-WR-TIMEZONE: every time carries its TZID or is UTC, and
            # recurring-ical-events moves UTC times into the X-WR-TIMEZONE zone.
            cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
            cal.add("x-published-ttl", vDuration(refresh))
        cal.add_component(amsterdam_vtimezone())
        head = cal.to_ical()
        if not head.endswith(END_VCALENDAR):
            raise RuntimeError("icalendar no longer ends a calendar with END:VCALENDAR")
        events = [_event_bytes(g, personal, g.id in waitlisted_ids)
                  for g in sorted(gatherings, key=lambda g: (g.starts_at, g.id))]
    return b"".join([head[:-len(END_VCALENDAR)], *events, END_VCALENDAR])


def organizer_address(gathering=None) -> str:
    """The address invitations come from: the gathering's contact, else the sender."""
    if gathering is not None and gathering.contact_email:
        return gathering.contact_email
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]


def invitation(gathering, registration, method: str = "REQUEST", organizer_email: str | None = None,
               sequence: int | None = None) -> bytes:
    """An iTIP invitation (RFC 5546) for one participant, to attach to mail.

    REQUEST: the participant's place (new, promoted or changed gathering).
    CANCEL: the gathering was cancelled, or the participant cancelled. For a
    personal cancellation the SEQUENCE is raised above the gathering's so that
    clients accept it over the REQUEST they hold; a later re-registration gets a
    higher SEQUENCE again (see ``invitation_sequence``).
    The mail's MIME part must say the same method: ``text/calendar; method=...``.
    """
    method = method.upper()
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    cancelled = method == "CANCEL"
    if sequence is None:
        sequence = invitation_sequence(gathering, registration, method)
    stamp = gathering.changed_at
    if cancelled and registration.cancelled_at and registration.cancelled_at > stamp:
        stamp = registration.cancelled_at
    with force_locale("nl"):
        cal = _calendar(method)
        cal.add_component(amsterdam_vtimezone())
        event = gathering_event(gathering, personal=True, sequence=sequence, stamp=stamp, cancelled=cancelled)
        organizer = vCalAddress(f"mailto:{organizer_email or organizer_address(gathering)}")
        event.add("organizer", organizer)
        attendee = vCalAddress(f"mailto:{registration.email}")
        if registration.name:
            attendee.params["CN"] = registration.name
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        if not cancelled:
            # Registering was the answer: no accept/decline buttons needed.
            attendee.params["PARTSTAT"] = "ACCEPTED"
        attendee.params["RSVP"] = "FALSE"
        event.add("attendee", attendee)
        cal.add_component(event)
        return cal.to_ical()


def invitation_sequence(gathering, registration, method: str = "REQUEST") -> int:
    """SEQUENCE for a participant's invitation.

    The gathering's SEQUENCE, plus 2 for every earlier cancelled registration of
    the same address for this gathering, plus 1 for a cancellation (personal or
    of the whole gathering). So REQUEST < CANCEL < REQUEST (after registering
    again) < CANCEL ...: every message outranks the one the participant's
    calendar holds.
    """
    import sqlalchemy as sa

    from ..extensions import db
    from ..registration.models import Registration

    earlier = 0
    if registration.email_key and registration.id is not None:
        earlier = db.session.scalar(
            sa.select(sa.func.count(Registration.id)).where(
                Registration.gathering_id == gathering.id,
                Registration.email_key == registration.email_key,
                Registration.status == "cancelled",
                Registration.id < registration.id,
            )
        ) or 0
    return (gathering.sequence or 0) + 2 * earlier + (1 if method.upper() == "CANCEL" else 0)
