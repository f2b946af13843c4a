"""What the pages of the opening rush cost in SQL statements, with and without a programme.

Every visitor of the rush loads the gathering page and, after registering, the result page
(``/r/<token>?new=1``): a statement more on either is paid thousands of times within minutes.
``bench/rush.py --programme --count-only`` counts the same on PostgreSQL, with the POST between them.
"""
import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.registration import services
from tests.factories import make_gathering, make_registration
from tests.programme.factories import make_programme
from tests.registration.test_views import register, registrations, token_from

# Transaction control is not a statement a page asks for (and differs per database).
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def statements(client, url: str) -> list[str]:
    """The SQL statements one GET of ``url`` sends (a 200 answer)."""
    seen = []

    def record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(CONTROL):
            seen.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, response.status_code
    return seen


def tables(found: list[str]) -> list[str]:
    """What each statement reads first (``SELECT gathering.id, ...`` -> ``gathering``), for the messages."""
    return [s.split()[1].split(".")[0] if s.startswith("SELECT") else s[:40] for s in found]


@pytest.fixture(params=["cache on", "cache off"])
def caches_(request, app):
    """The kept gathering page (caches.page) changes what is rendered, never what is read."""
    if request.param == "cache off":
        app.config["CACHES_OFF"] = {"page", "form", "date_line"}
    return request.param


def a_day(rounds=2, workshops=3):
    day = make_gathering(kind="national", capacity=3, title="Landelijke dag")
    parts = make_programme(day, *([[1] * workshops] * rounds), optional={rounds - 1})
    return day, parts


def choose_first(parts, n=0):
    return {f"round_{p.id}": str(p.workshops[n].id) for p in parts}


# --- the gathering page ----------------------------------------------------------------------------------------


def test_a_gathering_without_a_programme_costs_two_statements_and_none_for_the_programme(client, caches_):
    g = make_gathering()
    for visit in ("first", "second"):  # rendered, then (cache on) kept
        found = statements(client, f"/gatherings/{g.slug}")
        # The gathering (its outer joins find no programme: nothing more to ask) and its seats.
        assert tables(found) == ["gathering", "seat_count"], (visit, found)


def test_a_gathering_with_a_programme_costs_two_statements_however_many_parts_and_workshops(client, caches_):
    day, parts = a_day()
    token_from(register(client, day, email="een@voorbeeld.nl", **choose_first(parts)))
    found = statements(client, f"/gatherings/{day.slug}")
    # The gathering with its parts, their workshops and the workshops' seats in one statement; the day's seats.
    assert tables(found) == ["gathering", "seat_count"], found
    assert "programme_part" in found[0] and "workshop" in found[0]
    bigger, _ = a_day(rounds=4, workshops=6)
    assert tables(statements(client, f"/gatherings/{bigger.slug}")) == ["gathering", "seat_count"]


def test_the_gathering_page_shows_seats_taken_since_the_last_visit(client):
    """Read in the gathering's statement, a workshop's seats still follow every registration."""
    day, parts = a_day(rounds=1, workshops=2)
    page = client.get(f"/gatherings/{day.slug}").text
    assert "vol, wel wachtlijst" not in page and "vol: u komt op de wachtlijst" not in page
    token_from(register(client, day, email="een@voorbeeld.nl", **choose_first(parts)))
    page = client.get(f"/gatherings/{day.slug}").text
    # In the timetable and in the round's question alike.
    assert page.count("vol, wel wachtlijst") == 1 and page.count("vol: u komt op de wachtlijst") == 1


# --- the result page --------------------------------------------------------------------------------------------


def test_the_result_page_of_a_gathering_without_a_programme_costs_one_statement(client):
    g = make_gathering()
    token = token_from(register(client, g))
    found = statements(client, f"/r/{token}?new=1")
    assert tables(found) == ["registration"], found  # with its gathering, and knowing it has no programme


def test_the_result_page_with_a_programme_costs_one_statement_whatever_waits_where(client):
    day, parts = a_day(rounds=3, workshops=2)
    token_from(register(client, day, email="een@voorbeeld.nl", **choose_first(parts)))
    second = token_from(register(client, day, email="twee@voorbeeld.nl", **choose_first(parts)))
    found = statements(client, f"/r/{second}?new=1")
    # The registration with its gathering, the programme (parts, workshops and their seats) and its own
    # choices with their places in the workshops' lines: not a statement per choice that waits.
    assert tables(found) == ["registration"], found
    assert all(table in found[0] for table in ("programme_part", "workshop", "workshop_choice"))
    page = client.get(f"/r/{second}").text
    assert page.count("U bent nummer 1.") == 3  # waits in every round, first in line
    assert "Andere werkplaats kiezen" in page


def test_waiting_for_the_day_costs_no_statement_more(client):
    """Most people of the opening rush land on the waiting list: their place in it comes with the registration."""
    day, parts = a_day(rounds=1, workshops=2)
    for n in range(3):
        token_from(register(client, day, email=f"plek{n}@voorbeeld.nl", **choose_first(parts, n % 2)))
    waiting = token_from(register(client, day, email="wacht@voorbeeld.nl", **choose_first(parts)))
    assert tables(statements(client, f"/r/{waiting}?new=1")) == ["registration"]
    page = client.get(f"/r/{waiting}").text
    assert "U bent nummer 1 op de wachtlijst." in page and "U koos werkplaats Werkplaats 1A." in page
    g = make_gathering(capacity=1)
    token_from(register(client, g, email="een@voorbeeld.nl"))
    plain = token_from(register(client, g, email="twee@voorbeeld.nl"))
    assert tables(statements(client, f"/r/{plain}")) == ["registration"]


@pytest.mark.parametrize("kind", ["theme", "mixed"])
def test_the_page_gives_each_the_place_on_the_waiting_list_the_service_counts(client, kind):
    """The page reads the place with the registration (registration/own_page.py); the mails count it with
    services.waitlist_position: the same number, per perspective group in a mixed session, ties by id."""
    g = make_gathering(kind=kind, capacity=1, allot_lived=1, allot_relatives=1, allot_professionals=1)
    perspectives = ["client", "relative", "professional", "client", "relative", "client", "professional", "client"]
    for perspective in perspectives:
        make_registration(g, perspective=perspective)
    waiting = [r for r in registrations() if r.status == "waitlisted"]
    assert len(waiting) >= 4
    waiting[2].waitlisted_at = waiting[1].waitlisted_at  # the same moment: the lower id goes first
    db.session.commit()
    told = {r.id: services.waitlist_position(r) for r in waiting}
    if kind == "mixed":  # a line per group: nobody is behind everybody else
        assert max(told.values()) < len(waiting)
    else:
        assert sorted(told.values()) == list(range(1, len(waiting) + 1))
    for r in waiting:
        assert f"U bent nummer {told[r.id]} op de wachtlijst." in client.get(f"/r/{r.token}").text, r.id
