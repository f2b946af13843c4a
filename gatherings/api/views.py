"""Public read-only JSON: the gatherings, as docs/product.md describes them."""
from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from ..catalogue import filters
from ..catalogue import services as catalogue
from ..catalogue.models import GatheringKind
from ..programme.outline import programmes_for, seats_for
from ..programme.queries import WorkshopSeats
from ..registration.perspectives import PerspectiveGroup
from ..registration.seats import Seats, availability_for
from ..timeutil import local
from ..urls import public_url
from .openapi import MAX_QUERY, SPEC

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _seats(seats: Seats) -> dict:
    return {"capacity": seats.capacity, "confirmed": seats.confirmed, "waitlisted": seats.waitlisted,
            "seats_left": seats.seats_left}


def _workshop_seats(seats: WorkshopSeats) -> dict:
    """Seated in the workshop counts as confirmed, waiting for it as waitlisted; a choice that waits
    for the day's seat (pending) holds nothing yet."""
    return {"capacity": seats.capacity, "confirmed": seats.seated, "waitlisted": seats.waiting,
            "seats_left": seats.seats_left}


def _programme(parts, seats: dict[int, WorkshopSeats]) -> list[dict]:
    """The parts in time order; a round with its workshops and their seats (in people)."""
    found = []
    for part in parts:
        item = {"id": part.id, "kind": part.kind, "title": part.title,
                "starts_at": local(part.starts_at).isoformat(), "ends_at": local(part.ends_at).isoformat()}
        if part.is_round:
            item["workshops"] = [{"id": w.id, "title": w.title, "room": w.room,
                                  **_workshop_seats(seats.get(w.id) or WorkshopSeats(w.capacity))}
                                 for w in part.workshops]
        found.append(item)
    return found


def programmes_json(gatherings) -> dict[int, list[dict]]:
    """Each gathering's ``programme`` (an empty list without one), for any number of gatherings in three queries."""
    parts = programmes_for([g.id for g in gatherings])
    seats = seats_for([gid for gid, found in parts.items() if found])
    return {gid: _programme(found, seats) for gid, found in parts.items()}


def gathering_json(gathering, avail, programme: list[dict]) -> dict:
    data = {
        "slug": gathering.slug,
        "title": gathering.title,
        "kind": gathering.kind,
        "theme": gathering.theme.slug if gathering.theme else None,
        "description": gathering.description,
        "starts_at": local(gathering.starts_at).isoformat(),
        "ends_at": local(gathering.ends_at).isoformat(),
        "venue": {"name": gathering.venue_name, "address": gathering.venue_address, "city": gathering.venue_city},
        "online": bool(gathering.online_url),
        "accessibility": gathering.accessibility,
        "host": gathering.host.name if gathering.host else None,
        "url": public_url("registration.gathering", slug=gathering.slug),
        "ics_url": public_url("calendar.gathering_ics", slug=gathering.slug),
        "status": gathering.status,
        "registration_open": gathering.registration_state() == "open",
        "registration_opens_at": gathering.registration_opens_at.isoformat() if gathering.registration_opens_at else None,
        "registration_closes_at": gathering.registration_closes_at.isoformat() if gathering.registration_closes_at else None,
        "capacity": gathering.capacity,
        "confirmed": avail.total.confirmed,
        "waitlisted": avail.total.waitlisted,
        "seats_left": avail.seats_left,
        "programme": programme,
    }
    if gathering.is_mixed:
        data["allotments"] = {group: _seats(avail.groups[group]) for group in PerspectiveGroup}
    return data


class BadFilter(Exception):
    """A filter outside what openapi.json allows: a 400 that says which one, never a silently other answer."""


@bp.errorhandler(BadFilter)
def _bad_filter(error: BadFilter):
    return jsonify({"error": _("Ongeldige waarde voor %(name)s.", name=str(error)), "status": 400}), 400


def _day(name: str):
    value = request.args.get(name)
    if value is None:
        return None
    try:
        return filters.parse_day(value, strict=True)
    except ValueError:
        raise BadFilter(name) from None


def _filters() -> filters.ListFilters:
    kind, q, city = request.args.get("kind"), request.args.get("q"), request.args.get("city")
    if kind is not None and GatheringKind.of(kind) is None:
        raise BadFilter("kind")
    if q is not None and len(q) > MAX_QUERY:
        raise BadFilter("q")
    if city is not None and len(city) > filters.MAX_CITY:
        raise BadFilter("city")
    try:
        online = filters.parse_online(request.args.get("online"))
    except ValueError:
        raise BadFilter("online") from None
    # Days outside 2000 .. 2100 are read as those years' ends (catalogue/filters.py): the same gatherings.
    return filters.ListFilters(kind=kind, theme=request.args.get("theme") or None, q=q or None,
                               city=city or None, online=online, start=_day("from"), end=_day("to"))


@bp.get("/gatherings")
def gatherings():
    found = catalogue.upcoming(filters=_filters())
    seats, programmes = availability_for(found), programmes_json(found)
    return jsonify({"gatherings": [gathering_json(g, seats[g.id], programmes[g.id]) for g in found]})


@bp.get("/gatherings/<slug>")
def gathering(slug: str):
    found = catalogue.get_visible_gathering(slug)
    return jsonify(gathering_json(found, availability_for([found])[found.id], programmes_json([found])[found.id]))


@bp.get("/openapi.json")
def openapi():
    return jsonify(SPEC)
