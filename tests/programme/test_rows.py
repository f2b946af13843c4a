"""The programme read as plain values in the statement of its page (programme/rows.py): what the ORM way reads."""
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.catalogue.services import find_visible_with
from gatherings.programme.rows import add_own, add_own_chosen, add_timetable, own, timetable
from gatherings.programme import queries
from gatherings.programme.queries import programme_of
from gatherings.registration import own_page
from gatherings.registration.models import Registration
from tests.factories import make_gathering
from tests.registration.test_views import register, token_from

from .factories import make_programme


def _what_pages_read(own_parts, form=True) -> list[tuple]:
    """Everything the own programme, its page and (``form``) its form of workshops read of each part."""
    return [(
        item.part.id, item.part.kind, item.part.title, item.part.description, item.starts_at, item.ends_at,
        bool(item.part.optional), item.is_round, item.room,
        [(w.id, w.title, w.description, w.leader, w.room, w.capacity, w.seated_people) for w in item.part.workshops]
        if form else None,
        (item.workshop.id, item.workshop.title) if item.workshop is not None else None, item.status, item.position,
        (item.choice.part_id, item.choice.workshop_id, item.choice.status) if item.choice is not None else None,
    ) for item in own_parts]


def test_every_state_of_a_choice_reads_as_programme_of_reads_it(client):
    day = make_gathering(kind="national", capacity=3)
    small, roomy, _last = make_programme(day, [1, 3], [1, 2, 3], [2], optional={2})  # the last one optional
    tokens = []
    for n in range(5):  # seats for the day for three, then two wait for the day (their choices pending)
        chosen = {f"round_{small.id}": str(small.workshops[0].id), f"round_{roomy.id}": str(roomy.workshops[n % 2].id)}
        tokens.append(token_from(register(client, day, email=f"p{n}@voorbeeld.nl", **chosen)))  # last round: none
    plain = make_gathering()
    tokens.append(token_from(register(client, plain, email="zonder@voorbeeld.nl")))
    statuses = set()
    for token in tokens:
        db.session.expire_all()
        registration, _position, rows = own_page.find(token, add=add_own)
        db.session.expire_all()
        expected = programme_of(db.session.scalar(sa.select(Registration).filter_by(token=token)))
        assert _what_pages_read(own(rows)) == _what_pages_read(expected), token
        # Right after registering: the same but for the workshops not chosen (no form of workshops there).
        db.session.expire_all()
        chosen = own(own_page.find(token, add=add_own_chosen)[2])
        assert _what_pages_read(chosen, form=False) == _what_pages_read(expected, form=False), token
        assert all(w.id == item.workshop.id for item in chosen if item.workshop for w in item.part.workshops)
        statuses |= {item.status for item in expected}
    # Seated, waiting (first and second in line), pending, an optional round left at "none", a plenary part.
    assert statuses >= {"seated", "waiting", "pending", "none", None}
    assert own(own_page.find(tokens[-1], add=add_own)[2]) == []


def test_the_result_page_shows_the_places_in_line_read_in_its_one_statement(client):
    day = make_gathering(kind="national", capacity=5)
    (only,) = make_programme(day, [1])
    for n in range(3):
        token = token_from(register(client, day, email=f"p{n}@voorbeeld.nl", **{f"round_{only.id}": str(only.workshops[0].id)}))
    page = client.get(f"/r/{token}?new=1").text
    assert "U staat op de wachtlijst van werkplaats Werkplaats 1A. U bent nummer 2." in page


def test_the_gathering_page_reads_the_timetable_the_ordinary_way_reads(client):
    day = make_gathering(kind="national", capacity=3)
    first, second = make_programme(day, [1, 3], [2, 1, 2], optional={1})
    for n in range(2):  # the first round's small workshop full (the second waits), seats taken in the other
        register(client, day, email=f"p{n}@voorbeeld.nl", **{f"round_{first.id}": str(first.workshops[0].id),
                                                             f"round_{second.id}": str(second.workshops[n].id)})
    db.session.expire_all()
    gathering, rows = find_visible_with(day.slug, add_timetable)
    read = timetable(rows)
    assert read == queries.timetable(gathering)
    assert [w.seats_left for w in read[1].workshops] == [0, 3] and [w.seats_left for w in read[2].workshops] == [1, 0, 2]
    plain = make_gathering()
    assert timetable(find_visible_with(plain.slug, add_timetable)[1]) == () == queries.timetable(plain)
    assert find_visible_with("bestaat-niet", add_timetable) is None
