"""The programme's organiser-side rules, in the services (under the gathering's lock), and the gathering's times."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gatherings.database import unit_of_work
from gatherings.extensions import db
from gatherings.organise import services as organise
from gatherings.programme import organise_services as services
from gatherings.programme.models import ProgrammePart, Workshop
from gatherings.programme import services as seats
from gatherings.timeutil import local
from tests.factories import locked_call, make_gathering, make_organiser, make_registration

from .conftest import at
from .factories import make_programme


def values(**overrides):
    data = {"kind": "round", "title": "Ronde", "description": "", "starts_at": at(13), "ends_at": at(14),
            "optional": False}
    data.update(overrides)
    return data


@pytest.fixture
def heard():
    got = []

    def listener(gathering, **kwargs):
        got.append((kwargs["what"], sorted(kwargs["workshops"])))
    services.programme_changed.connect(listener)
    yield got
    services.programme_changed.disconnect(listener)


def test_the_rules_name_the_field_they_are_about(day):
    assert set(services.part_mistakes(day, values(starts_at=at(9)))) == {"starts_at"}
    assert set(services.part_mistakes(day, values(ends_at=at(18)))) == {"ends_at"}
    assert set(services.part_mistakes(day, values(ends_at=at(12)))) == {"ends_at"}
    assert services.part_mistakes(day, values()) == {}


def test_rounds_may_touch_but_not_overlap(day):
    locked_call(services.add_part, day, values())
    assert services.part_mistakes(day, values(starts_at=at(14), ends_at=at(15))) == {}
    assert set(services.part_mistakes(day, values(starts_at=at(13, 59), ends_at=at(15)))) == {"starts_at"}
    assert services.part_mistakes(day, values(kind="plenary", starts_at=at(13, 30), ends_at=at(15))) == {}


def test_a_round_may_keep_its_own_times_when_it_changes(day):
    part = locked_call(services.add_part, day, values())
    assert services.part_mistakes(day, values(ends_at=at(14, 30)), part) == {}


def test_adding_a_part_refuses_what_breaks_a_rule_and_stores_nothing(day):
    with pytest.raises(services.ProgrammeRefused) as refused:
        locked_call(services.add_part, day, values(starts_at=at(8)))
    assert refused.value.field == "starts_at"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgrammePart)) == 0


def test_the_services_need_the_lock(day):
    db.session.commit()
    with unit_of_work():
        with pytest.raises(Exception):
            services.add_part(day, values())


def test_a_cancelled_gathering_is_refused(day):
    day.status = "cancelled"
    db.session.commit()
    with pytest.raises(services.ProgrammeRefused):
        locked_call(services.add_part, day, values())


def test_a_change_moves_the_gatherings_change_mark_and_says_who_is_affected(day, heard):
    before = day.changed_at
    part = locked_call(services.add_part, day, values())
    workshop = locked_call(services.add_workshop, day, part, {"title": "A", "description": "", "leader": "",
                                                              "room": "1", "capacity": 5})
    locked_call(services.update_workshop, day, db.session.get(Workshop, workshop.id), {"capacity": 6})
    locked_call(services.update_workshop, day, db.session.get(Workshop, workshop.id), {"room": "2"})
    locked_call(services.update_part, day, db.session.get(ProgrammePart, part.id), values(ends_at=at(14, 30)))
    assert heard == [("part_added", []), ("workshop_added", []), ("workshop_changed", []),
                     ("workshop_changed", [workshop.id]), ("part_changed", [workshop.id])]
    db.session.expire_all()
    assert day.changed_at != before


def test_seats_cannot_go_below_the_people_seated_a_companion_counting(day):
    (round_1,) = make_programme(day, [3], plenary=False)
    workshop = round_1.workshops[0]
    pair = make_registration(day)
    pair.companion, pair.companion_name = True, "Begeleider"  # a seat for two
    db.session.commit()
    locked_call(seats.choose, day, pair, {round_1.id: workshop.id})
    assert services.seated_people(workshop) == 2
    with pytest.raises(services.ProgrammeRefused) as refused:
        locked_call(services.update_workshop, day, workshop, {"capacity": 1})
    assert refused.value.field == "capacity"
    db.session.rollback()
    result = locked_call(services.update_workshop, day, db.session.get(Workshop, workshop.id), {"capacity": 2})
    assert result.changed == ["capacity"]


def test_only_a_round_has_workshops(day):
    plenary = locked_call(services.add_part, day, values(kind="plenary"))
    with pytest.raises(services.ProgrammeRefused):
        locked_call(services.add_workshop, day, db.session.get(ProgrammePart, plenary.id),
                    {"title": "A", "capacity": 3})


def test_parts_and_workshops_of_another_gathering_are_not_found(day):
    other = make_gathering()
    (foreign,) = make_programme(other, [3], plenary=False)
    for finder, thing in ((services.part_of, foreign.id), (services.workshop_of, foreign.workshops[0].id),
                          (services.part_of, 0), (services.part_of, 2**31)):
        with pytest.raises(LookupError):
            finder(day, thing)


# -- the gathering's own times ---------------------------------------------------------------------------------------

def _edit(gathering, **changes):
    form_values = {k: getattr(gathering, k) for k in organise.EDITABLE_FIELDS}
    form_values.update(changes)
    return locked_call(organise.update_gathering, gathering, form_values)


def test_the_programme_moves_with_the_gatherings_date_at_the_same_hours(day, heard):
    make_programme(day, [3])
    next_year = day.starts_at.replace(year=2031)  # 12 March 2031, still winter time
    _edit(day, starts_at=next_year, ends_at=next_year + timedelta(hours=7))
    db.session.expire_all()
    parts = db.session.scalars(sa.select(ProgrammePart).order_by(ProgrammePart.starts_at)).all()
    assert [p.starts_at for p in parts] == [at(10).replace(year=2031), at(10, 30).replace(year=2031)]
    assert heard[-1][0] == "programme_moved"


def test_the_programme_keeps_its_wall_clock_hours_across_the_change_to_summer_time(day):
    make_programme(day, [3])  # 12 March 2030, winter time
    summer = at(10).replace(month=6)
    _edit(day, starts_at=summer, ends_at=summer + timedelta(hours=7))
    db.session.expire_all()
    first = db.session.scalars(sa.select(ProgrammePart).order_by(ProgrammePart.starts_at)).first()
    assert local(first.starts_at).hour == 10 and local(first.starts_at).utcoffset() == timedelta(hours=2)


def test_an_end_before_the_programme_ends_is_refused_at_the_end(day):
    make_programme(day, [3])  # runs until 11:20
    with pytest.raises(organise.GatheringRefused) as refused:
        _edit(day, ends_at=at(11))
    assert refused.value.field == "ends_at"


def test_the_gathering_form_shows_the_refusal_at_the_end(client, day):
    from tests.factories import login_as
    from tests.htmlpage import Page

    make_programme(day, [3])
    login_as(client, make_organiser(gatherings=[day]))
    form = {"title": day.title, "slug": day.slug, "kind": "national", "theme_id": "None", "host_id": "None",
            "starts_at": "12-03-2030 10:00", "ends_at": "12-03-2030 11:00", "venue_name": "Jaarbeurs",
            "capacity": "100", "reminder_days": "2", "organiser_ids": [str(o.id) for o in day.organisers]}
    response = client.post(f"/organise/gatherings/{day.slug}/edit", data=form)
    assert response.status_code == 409
    assert "Het programma loopt tot" in Page(response.get_data(as_text=True)).error_for("ends_at")
