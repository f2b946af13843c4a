"""The programme in the JSON API: parts in time order, a round's workshops with their seats in people."""
from datetime import datetime, timedelta

import jsonschema
import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from tests.factories import make_gathering, make_registration
from tests.programme_factories import choose, make_programme

from .test_api import spec, validate  # noqa: F401  (the fixture and the check of answers against it)

PART_FIELDS = {"id", "kind", "title", "starts_at", "ends_at"}
WORKSHOP_FIELDS = {"id", "title", "room", "capacity", "confirmed", "waitlisted", "seats_left"}


def test_a_national_day_shows_its_programme_with_seats_per_workshop(client, spec):
    day = make_gathering(kind="national", title="Landelijke dag", capacity=100)
    opening, first, closing = make_programme(
        day, rounds=((("Herstel", "Zaal 1", 3), ("Wonen", "Zaal 2", 20), ("Werk", "", 5)),),
        plenary="Opening", plenary_last="Afsluiting")
    herstel, wonen, werk = first.workshops
    an, bo, cas, dirk = (make_registration(day) for _ in range(4))
    an.companion = True  # a companion sits beside them: two of the workshop's seats
    db.session.commit()
    choose(an, herstel)
    choose(bo, herstel)
    choose(cas, herstel, "waiting")
    choose(dirk, wonen)

    body = client.get(f"/api/v1/gatherings/{day.slug}").get_json()
    validate(spec, "/api/v1/gatherings/{slug}", 200, body)
    assert [(p["kind"], p["title"]) for p in body["programme"]] == [
        ("plenary", "Opening"), ("round", "Ronde 1"), ("plenary", "Afsluiting")]
    assert set(body["programme"][0]) == PART_FIELDS  # a plenary part has no workshops
    round_ = body["programme"][1]
    assert set(round_) == PART_FIELDS | {"workshops"} and round_["id"] == first.id
    assert [set(w) for w in round_["workshops"]] == [WORKSHOP_FIELDS] * 3
    by_title = {w["title"]: w for w in round_["workshops"]}
    assert by_title["Herstel"] == {"id": herstel.id, "title": "Herstel", "room": "Zaal 1", "capacity": 3,
                                   "confirmed": 3, "waitlisted": 1, "seats_left": 0}
    assert (by_title["Wonen"]["confirmed"], by_title["Wonen"]["waitlisted"], by_title["Wonen"]["seats_left"]) == (1, 0, 19)
    assert by_title["Werk"] == {"id": werk.id, "title": "Werk", "room": "", "capacity": 5, "confirmed": 0,
                                "waitlisted": 0, "seats_left": 5}
    # Times as the gathering's: ISO 8601 with the Amsterdam offset, the same moments as stored.
    assert datetime.fromisoformat(round_["starts_at"]) == first.starts_at
    assert datetime.fromisoformat(round_["ends_at"]) == first.ends_at
    assert datetime.fromisoformat(round_["starts_at"]).utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    # The list says the same.
    listed = client.get("/api/v1/gatherings?kind=national").get_json()
    validate(spec, "/api/v1/gatherings", 200, listed)
    assert listed["gatherings"][0]["programme"] == body["programme"]


def test_parts_come_in_time_order_whatever_order_they_were_made_in(client, spec):
    day = make_gathering(kind="national")
    parts = make_programme(day, rounds=((("A", "1", 5),), (("B", "2", 5),)), plenary="Opening")
    parts[0].starts_at, parts[0].ends_at = day.starts_at + timedelta(hours=3), day.starts_at + timedelta(hours=4)
    parts[0].title = "Slot"
    db.session.commit()
    body = client.get(f"/api/v1/gatherings/{day.slug}").get_json()
    validate(spec, "/api/v1/gatherings/{slug}", 200, body)
    assert [p["title"] for p in body["programme"]] == ["Ronde 1", "Ronde 2", "Slot"]
    starts = [datetime.fromisoformat(p["starts_at"]) for p in body["programme"]]
    assert starts == sorted(starts)


def test_cancelled_registrations_and_pending_choices_hold_no_workshop_seat(client, spec):
    day = make_gathering(kind="national", capacity=1)
    (part,) = make_programme(day, rounds=((("Herstel", "Zaal 1", 4),),), plenary=None)
    gone = make_registration(day)
    waiting_for_the_day = make_registration(day)
    choose(gone, part.workshops[0])
    choose(waiting_for_the_day, part.workshops[0], "pending")
    gone.status = "cancelled"
    db.session.commit()
    (workshop,) = client.get(f"/api/v1/gatherings/{day.slug}").get_json()["programme"][0]["workshops"]
    assert (workshop["confirmed"], workshop["waitlisted"], workshop["seats_left"]) == (0, 0, 4)


def test_a_gathering_without_programme_has_an_empty_list(client, spec):
    g = make_gathering()
    body = client.get(f"/api/v1/gatherings/{g.slug}").get_json()
    validate(spec, "/api/v1/gatherings/{slug}", 200, body)
    assert body["programme"] == []
    assert client.get("/api/v1/gatherings").get_json()["gatherings"][0]["programme"] == []


def test_the_list_asks_a_fixed_number_of_queries_however_many_programmes(app, client):
    """No query per gathering or per workshop: the list stays cheap as programmes grow."""
    def statements_for_list() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/api/v1/gatherings").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    day = make_gathering(kind="national")
    make_programme(day)
    one = statements_for_list()
    for _ in range(3):
        make_programme(make_gathering(kind="national"), rounds=((("A", "1", 5), ("B", "2", 5)), (("C", "3", 5),)))
    assert statements_for_list() == one


def test_the_description_has_parts_and_workshops_and_catches_a_wrong_part(client, spec):
    gathering = spec["components"]["schemas"]["Gathering"]
    assert "programme" in gathering["required"]
    assert set(spec["components"]["schemas"]["ProgrammePart"]["required"]) == PART_FIELDS
    assert set(spec["components"]["schemas"]["Workshop"]["required"]) == WORKSHOP_FIELDS
    day = make_gathering(kind="national")
    make_programme(day)
    good = client.get(f"/api/v1/gatherings/{day.slug}").get_json()
    plenary, round_ = good["programme"]
    broken_round = {k: v for k, v in round_.items() if k != "workshops"}
    broken_workshop = {**round_, "workshops": [{k: v for k, v in round_["workshops"][0].items() if k != "room"}]}
    for broken in ([{**plenary, "kind": "lunch"}], [broken_round], [broken_workshop],
                   [{**plenary, "workshops": []}], None):
        with pytest.raises(jsonschema.ValidationError):
            validate(spec, "/api/v1/gatherings/{slug}", 200, {**good, "programme": broken})
