"""Gatherings as iCalendar (RFC 5545): feeds, downloads and mail invitations.

Every .ics the system produces comes from here, so feeds, downloads and
invitations agree on UIDs, SEQUENCE and the time zone.

- Same data, same bytes: DTSTAMP and LAST-MODIFIED come from the stored change
  time and nothing random (no generated UID, no "now") goes into the output.
  Feeds can therefore be cached and given an ETag computed from the bytes.
- Times are written as Europe/Amsterdam wall-clock times with one VTIMEZONE that
  uses RRULEs (last Sunday of March / October). icalendar's
  ``Timezone.from_tzid`` writes a list of RDATEs instead, which Outlook misreads.
- The text of feeds and downloads is Dutch (the movement's language), whatever
  the requester's locale, so that a cached feed is the same for everybody. An
  invitation in mail is in its participant's language (``invitation(language=...)``).
- icalendar does CRLF line ends, folding at 75 octets and escaping of commas,
  semicolons and newlines; tests/calendar/test_ics.py checks that it does.
"""
from __future__ import annotations

import hashlib
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
from . import programme, text

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
    return public_url("registration.gathering", slug=gathering.slug)


# --- one event ---------------------------------------------------------------

def _location(gathering, *, personal: bool) -> str:
    parts = [text.text(p) for p in (gathering.venue_name, gathering.venue_address, gathering.venue_city)]
    parts = [p for p in parts if p]
    if not parts and gathering.online_url:
        # The online link goes only to people who registered.
        return text.text(gathering.online_url) if personal else _("Online")
    return ", ".join(parts)


def _description(gathering, *, personal: bool, own=None) -> str:
    """``own``: the participant's own programme (``programme.queries.programme_of``), else the outline."""
    lines = []
    if gathering.status == "cancelled":
        lines += [_("Deze bijeenkomst gaat niet door."), ""]
    description = text.text(gathering.description, multiline=True)
    if description:
        lines += [description, ""]
    timetable = programme.own(own) if own is not None else programme.outline(gathering.programme)
    if timetable:
        lines += [*timetable, ""]
    if gathering.host:
        lines.append(_("Georganiseerd door: %(name)s", name=text.text(gathering.host.name)))
    if gathering.online_url and personal:
        lines.append(_("Online meedoen: %(url)s", url=text.text(gathering.online_url)))
    accessibility = text.text(gathering.accessibility, multiline=True)
    if accessibility:
        lines.append(_("Toegankelijkheid: %(text)s", text=accessibility))
    lines.append(_("Meer informatie: %(url)s", url=gathering_url(gathering)))
    return "\n".join(lines).strip()


def gathering_event(gathering, *, personal: bool = False, waitlisted: bool = False,
                    sequence: int | None = None, stamp: datetime | None = None,
                    cancelled: bool = False, own=None) -> Event:
    """The VEVENT of a gathering. ``personal`` adds what only registrants may see
    (the online link); it is never set for public feeds. ``own``: the participant's
    own programme, shown instead of the programme's outline."""
    summary = text.text(gathering.title)
    if waitlisted:
        summary = _("Wachtlijst: %(title)s", title=summary)
    if gathering.status == "cancelled":
        status = "CANCELLED"
        summary = _("Gaat niet door: %(title)s", title=summary)
    elif cancelled:
        # The participant's own cancellation: the gathering goes on, only not in their calendar.
        status = "CANCELLED"
        summary = _("Afgemeld: %(title)s", title=summary)
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
    event.add("description", _description(gathering, personal=personal, own=own))
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


def feed_calendar(gatherings: Iterable, name: str | None, *, description: str | None = None,
                  waitlisted_ids: Iterable[int] = (), personal: bool = False,
                  refresh: timedelta = DEFAULT_REFRESH, own: dict | None = None,
                  stamps: dict | None = None) -> bytes:
    """A feed or download (no METHOD: not an iTIP message; no ATTENDEE or ORGANIZER).

    ``name``: the feed's name, with NAME/X-WR-CALNAME, REFRESH-INTERVAL and
    X-PUBLISHED-TTL; None for a one-off download, which a client should add to
    an existing calendar rather than open as a calendar of its own.
    ``waitlisted_ids``: gatherings shown as TENTATIVE with "Wachtlijst:" in the
    title (personal feeds). ``personal``: the owner's own feed, may show the
    online link. ``own``: {gathering id: the owner's own programme} (personal feeds),
    shown instead of the programme's outline; ``stamps``: {gathering id: DTSTAMP} where the
    owner's own change is newer than the gathering's. Same input, same bytes.
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
        for g in sorted(gatherings, key=lambda g: (g.starts_at, g.id)):
            cal.add_component(gathering_event(g, personal=personal, waitlisted=g.id in waitlisted_ids,
                                              own=(own or {}).get(g.id), stamp=(stamps or {}).get(g.id)))
        return cal.to_ical()


_fingerprints: dict[str, str] = {}


def format_fingerprint() -> str:
    """A hash of what this code writes for a few made-up gatherings, one per kind of event.

    Stored feeds outlive the process that built them (calendar_feed_cache); their
    change key includes this, so a release that writes other bytes for the same data
    (code, icalendar, translations) rebuilds them. Nobody has to remember to bump a
    version. Computed once per process and BASE_URL.
    """
    key = base_url()
    found = _fingerprints.get(key)
    if found is None:
        found = hashlib.sha256(b"".join(_samples())).hexdigest()
        _fingerprints[key] = found
    return found


def _samples() -> list[bytes]:
    from ..catalogue.models import Gathering, HostOrganisation, Theme

    moment = datetime(2027, 10, 31, 0, 15, tzinfo=timezone.utc)  # in the doubled hour
    common = dict(starts_at=moment, ends_at=moment + timedelta(hours=3), changed_at=moment, created_at=moment,
                  sequence=2, description="Beschrijving, met; tekens\nen regels", accessibility="Lift")
    full = Gathering(id=1, slug="voorbeeld-een", kind="theme", status="published", title="Een, twee",
                     venue_name="Buurthuis", venue_address="Straat 1", venue_city="Utrecht", online_url="",
                     theme=Theme(name="Thema, met komma"), host=HostOrganisation(name="Gastheer"), **common)
    cancelled = Gathering(id=2, slug="voorbeeld-twee", kind="national", status="cancelled", title="Twee",
                          venue_name="Zaal", venue_address="", venue_city="", online_url="", **common)
    online = Gathering(id=3, slug="voorbeeld-drie", kind="mixed", status="published", title="Drie", venue_name="",
                       venue_address="", venue_city="", online_url="https://meet.example/x", **common)
    day, own = _sample_programme(moment)
    day.id, day.slug, day.kind, day.status, day.title = 4, "voorbeeld-vier", "national", "published", "Vier"
    for name, value in common.items():
        setattr(day, name, value)
    return [feed_calendar([full, cancelled, online, day], "Naam, met komma"),
            feed_calendar([full, online, day], "Mijn", waitlisted_ids={3}, personal=True, own={4: own}),
            feed_calendar([full], None)]


def _sample_programme(moment: datetime):
    """A made-up day with a plenary part and a round, and someone's own programme in it (one of each status)."""
    from ..catalogue.models import Gathering
    from ..programme.models import ProgrammePart, Workshop
    from ..programme.queries import OwnPart

    hour = timedelta(hours=1)
    plenary = ProgrammePart(id=1, kind="plenary", title="Opening, samen", starts_at=moment, ends_at=moment + hour)
    rounds = [ProgrammePart(id=2 + n, kind="round", title=f"Ronde {n}", starts_at=moment + hour,
                            ends_at=moment + 2 * hour) for n in range(4)]
    for n, part in enumerate(rounds):
        part.workshops = [Workshop(id=10 + n, title="Werkplaats; een", room="Zaal, 1" if n % 2 else "", capacity=3)]
    day = Gathering(programme=[plenary, *rounds])
    statuses = ["seated", "waiting", "pending", "none"]
    own = [OwnPart(plenary)] + [OwnPart(part, part.workshops[0] if status != "none" else None, status)
                                for part, status in zip(rounds, statuses)]
    return day, own


def organizer_address(gathering=None) -> str:
    """Who answers for the gathering: its contact, its host's, else CONTACT_EMAIL; never the no-reply
    sender, where a participant's "no" in their calendar would go unread."""
    if gathering is not None and gathering.contact_email:
        return gathering.contact_email
    if gathering is not None and gathering.host and gathering.host.contact_email:
        return gathering.host.contact_email
    return current_app.config["CONTACT_EMAIL"]


def organizer_name(gathering=None) -> str:
    """ORGANIZER's CN: the host, else the organisation that sends the mail."""
    if gathering is not None and gathering.host:
        return gathering.host.name
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[0] or "Gatherings"


def invitation(gathering, registration, method: str = "REQUEST", organizer_email: str | None = None,
               sequence: int | None = None, language: str = "nl") -> bytes:
    """An iTIP invitation (RFC 5546) for one participant, to attach to mail.

    REQUEST: the participant's place (new, promoted or changed gathering).
    CANCEL: the gathering was cancelled, or the participant cancelled. For a
    personal cancellation the SEQUENCE is raised above the gathering's so that
    clients accept it over the REQUEST they hold; a later re-registration gets a
    higher SEQUENCE again (see ``invitation_sequence``).
    The mail's MIME part must say the same method: ``text/calendar; method=...``.
    ``language``: of the texts the invitation adds ("Gaat niet door:", "Gastorganisatie: ..."), as the mail's.
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
    changed_at = getattr(registration, "invitation_changed_at", None)
    if not cancelled and changed_at and changed_at > stamp:
        # The participant changed what their own invitation shows (their name): a later DTSTAMP at the
        # same SEQUENCE is what makes a calendar take this REQUEST over the one it holds (RFC 5546 2.1.5).
        stamp = changed_at
    with force_locale(language):
        cal = _calendar(method)
        cal.add_component(amsterdam_vtimezone())
        event = gathering_event(gathering, personal=True, sequence=sequence, stamp=stamp, cancelled=cancelled,
                                own=None if cancelled else own_programme(registration))
        organizer = vCalAddress(f"mailto:{organizer_email or organizer_address(gathering)}")
        organizer.params["CN"] = organizer_name(gathering)
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


def own_programme(registration) -> list:
    """The participant's own programme as their calendar shows it (empty without a programme)."""
    from ..programme.queries import programme_of

    return programme_of(registration) if registration.id is not None else []


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
