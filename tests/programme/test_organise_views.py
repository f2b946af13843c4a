"""Organisers build the programme: parts in time order, rounds with workshops; every mistake gets a message at its field."""
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.programme import organise_services, services, signals
from gatherings.programme.models import ProgrammePart, Workshop, WorkshopChoice
from tests.factories import locked_call, login_as, make_gathering, make_organiser, make_registration
from tests.htmlpage import Page

from .conftest import DAY, at, typed
from .factories import make_programme


def url(gathering, path=""):
    return f"/organise/gatherings/{gathering.slug}/programme{path}"


def part_form(**overrides):
    data = {"kind": "round", "title": "Werkplaatsen ronde 1", "description": "Kies er een.",
            "starts_at": typed(13, 30), "ends_at": typed(14, 30)}
    data.update(overrides)
    return data


def workshop_form(**overrides):
    data = {"title": "Herstel in de wijk", "description": "Samen kijken wat werkt.", "leader": "Cliëntenraad Utrecht",
            "room": "Zaal 2", "capacity": "20"}
    data.update(overrides)
    return data


def parts_of(gathering):
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ProgrammePart).where(ProgrammePart.gathering_id == gathering.id)
                                   .order_by(ProgrammePart.starts_at)))


def choose(gathering, part, workshop, **kwargs):
    registration = make_registration(gathering, **kwargs)
    locked_call(services.choose, gathering, registration, {part.id: workshop.id if workshop else None})
    return registration


def choice(registration, part):
    db.session.expire_all()
    return db.session.scalar(sa.select(WorkshopChoice).where(WorkshopChoice.registration_id == registration.id,
                                                             WorkshopChoice.part_id == part.id))


# -- the programme page ------------------------------------------------------------------------------------------

def test_an_empty_programme_says_so_and_offers_both_kinds_of_part(org_client, day):
    page = Page(org_client.get(url(day)).get_data(as_text=True))
    assert "nog geen programma" in page.text
    assert page.find("a", href=url(day, "/parts/new?kind=plenary"))
    assert page.find("a", href=url(day, "/parts/new?kind=round"))


def test_the_gathering_page_links_to_its_programme(org_client, day):
    page = Page(org_client.get(f"/organise/gatherings/{day.slug}").get_data(as_text=True))
    assert page.find("a", href=url(day))


def test_parts_are_listed_in_time_order_with_each_workshops_seats(org_client, day):
    (round_1,) = make_programme(day, [2, 3])
    choose(day, round_1, round_1.workshops[0])
    text = Page(org_client.get(url(day)).get_data(as_text=True)).text
    assert text.index("Opening en plenair deel") < text.index("Ronde 1")
    assert "1 van 2" in text and "0 van 3" in text


# -- adding and changing parts ------------------------------------------------------------------------------------

def test_a_new_part_starts_where_the_last_one_ended(org_client, day):
    make_programme(day, [5])  # plenary 10:00-10:30, round 10:30-11:20
    page = Page(org_client.get(url(day, "/parts/new?kind=round")).get_data(as_text=True))
    assert page.by_id("starts_at").get("value") == "2030-03-12T11:20"
    assert page.find("input", id="kind-1").get("checked") is not None


def test_adding_a_round_stores_it_in_amsterdam_time(org_client, day):
    response = org_client.post(url(day, "/parts/new"), data=part_form(optional="y"))
    assert response.status_code == 303
    (part,) = parts_of(day)
    assert (part.kind, part.title, part.optional) == ("round", "Werkplaatsen ronde 1", True)
    assert part.starts_at == at(13, 30) and part.ends_at == at(14, 30)
    assert "Werkplaatsen ronde 1" in org_client.get(url(day)).get_data(as_text=True)


def test_a_plenary_part_is_never_optional(org_client, day):
    org_client.post(url(day, "/parts/new"), data=part_form(kind="plenary", optional="y"))
    (part,) = parts_of(day)
    assert part.kind == "plenary" and part.optional is False


def _refused(response, field_id, words):
    assert response.status_code == 422, response.status_code
    page = Page(response.get_data(as_text=True))
    assert words in page.error_for(field_id), page.error_for(field_id)
    assert words in page.by_id("error-summary").text
    return page


def test_a_part_before_the_gathering_starts_is_refused_at_the_field_and_nothing_typed_is_lost(org_client, day):
    response = org_client.post(url(day, "/parts/new"), data=part_form(starts_at=typed(9), title="Vroeg"))
    page = _refused(response, "starts_at", "begint voor de bijeenkomst begint")
    assert page.by_id("starts_at").get("value") == typed(9)
    assert page.by_id("title").get("value") == "Vroeg"
    assert page.by_id("description").text == "Kies er een."
    assert parts_of(day) == []


def test_a_part_that_ends_after_the_gathering_is_refused(org_client, day):
    _refused(org_client.post(url(day, "/parts/new"), data=part_form(ends_at=typed(17, 30))),
             "ends_at", "eindigt na het einde van de bijeenkomst")


def test_a_part_on_another_day_is_refused(org_client, day):
    _refused(org_client.post(url(day, "/parts/new"), data=part_form(
        starts_at="13-03-2030 13:30", ends_at="13-03-2030 14:30")), "starts_at", "al voorbij")


def test_a_part_that_ends_before_it_starts_is_refused(org_client, day):
    _refused(org_client.post(url(day, "/parts/new"), data=part_form(ends_at=typed(13))),
             "ends_at", "Het einde moet na het begin liggen")


def test_rounds_do_not_overlap_but_a_plenary_part_may(org_client, day):
    assert org_client.post(url(day, "/parts/new"), data=part_form()).status_code == 303
    _refused(org_client.post(url(day, "/parts/new"), data=part_form(starts_at=typed(14), ends_at=typed(15))),
             "starts_at", "valt (deels) samen met de ronde")
    # Touching is not overlapping; a plenary part over the round is allowed.
    assert org_client.post(url(day, "/parts/new"), data=part_form(starts_at=typed(14, 30), ends_at=typed(15)))\
        .status_code == 303
    assert org_client.post(url(day, "/parts/new"), data=part_form(kind="plenary", starts_at=typed(13),
                                                                   ends_at=typed(16))).status_code == 303
    assert len(parts_of(day)) == 3


def test_unreadable_and_missing_values_get_dutch_messages(org_client, day):
    response = org_client.post(url(day, "/parts/new"), data={"starts_at": "morgen", "ends_at": "", "title": " "})
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert "Vul een datum en tijd in" in page.error_for("starts_at")
    assert "Vul in wanneer dit deel eindigt" in page.error_for("ends_at")
    assert "Vul een titel in" in page.error_for("title")
    assert "plenair is of een ronde" in page.error_for("kind-0")
    assert page.by_id("starts_at").get("value") == "morgen"


def test_a_time_the_clocks_skip_is_refused(org_client, app):
    night = make_gathering(kind="national", starts_at=at(0, 0, DAY.replace(month=3, day=31)),
                           ends_at=at(12, 0, DAY.replace(month=3, day=31)))
    login_as(org_client, make_organiser(gatherings=[night]))
    response = org_client.post(url(night, "/parts/new"), data=part_form(
        starts_at="31-03-2030 02:30", ends_at="31-03-2030 04:00"))
    _refused(response, "starts_at", "Deze tijd bestaat niet")


def test_a_time_that_happens_twice_asks_which_one(org_client, app):
    night = make_gathering(kind="national", starts_at=at(0, 0, DAY.replace(month=10, day=27)),
                           ends_at=at(12, 0, DAY.replace(month=10, day=27)))
    login_as(org_client, make_organiser(gatherings=[night]))
    data = part_form(starts_at="27-10-2030 02:30", ends_at="27-10-2030 04:00")
    page = _refused(org_client.post(url(night, "/parts/new"), data=data), "starts_at", "twee keer voor")
    assert page.find("input", name="starts_at-klok", value="wintertijd")
    assert org_client.post(url(night, "/parts/new"), data={**data, "starts_at-klok": "wintertijd"}).status_code == 303
    (part,) = parts_of(night)
    assert part.starts_at.utcoffset() is not None and part.starts_at.hour == 1  # 02:30 winter time is 01:30 UTC


def test_editing_a_part_keeps_it_inside_the_rules(org_client, day):
    org_client.post(url(day, "/parts/new"), data=part_form())
    (part,) = parts_of(day)
    page = Page(org_client.get(url(day, f"/parts/{part.id}/edit")).get_data(as_text=True))
    assert page.by_id("starts_at").get("value") == "2030-03-12T13:30"
    assert org_client.post(url(day, f"/parts/{part.id}/edit"), data=part_form(title="Ronde een", ends_at=typed(15)))\
        .status_code == 303
    (part,) = parts_of(day)
    assert part.title == "Ronde een" and part.ends_at == at(15)
    _refused(org_client.post(url(day, f"/parts/{part.id}/edit"), data=part_form(ends_at=typed(18))),
             "ends_at", "eindigt na het einde")


def test_a_round_with_workshops_cannot_become_plenary(org_client, day):
    (round_1,) = make_programme(day, [5], plenary=False)
    _refused(org_client.post(url(day, f"/parts/{round_1.id}/edit"), data=part_form(
        kind="plenary", starts_at=typed(10, 30), ends_at=typed(11, 20))), "kind-0", "Verwijder eerst de werkplaatsen")


# -- workshops ----------------------------------------------------------------------------------------------------

def test_adding_a_workshop_to_a_round(org_client, day):
    (round_1,) = make_programme(day, [], plenary=False)
    response = org_client.post(url(day, f"/parts/{round_1.id}/workshops/new"), data=workshop_form())
    assert response.status_code == 303
    db.session.expire_all()
    (workshop,) = db.session.scalars(sa.select(Workshop).where(Workshop.part_id == round_1.id)).all()
    assert (workshop.title, workshop.leader, workshop.room, workshop.capacity) == (
        "Herstel in de wijk", "Cliëntenraad Utrecht", "Zaal 2", 20)


def test_a_plenary_part_has_no_workshops(org_client, day):
    make_programme(day)
    (plenary,) = parts_of(day)
    assert org_client.get(url(day, f"/parts/{plenary.id}/workshops/new")).status_code == 404


def test_workshop_mistakes_get_messages_at_the_field(org_client, day):
    (round_1,) = make_programme(day, [], plenary=False)
    for capacity, words in (("twintig", "Vul een heel getal in"), ("-1", "Vul een aantal van 0 tot 100000 in"),
                            ("", "Vul het aantal plekken in"), ("99999999999999", "Vul een aantal van 0 tot 100000")):
        response = org_client.post(url(day, f"/parts/{round_1.id}/workshops/new"),
                                   data=workshop_form(capacity=capacity, title="Blijft staan"))
        page = _refused(response, "capacity", words)
        assert page.by_id("title").get("value") == "Blijft staan"
    _refused(org_client.post(url(day, f"/parts/{round_1.id}/workshops/new"), data=workshop_form(title="")),
             "title", "Vul een titel in")
    _refused(org_client.post(url(day, f"/parts/{round_1.id}/workshops/new"), data=workshop_form(room="a\x07b")),
             "room", "op één regel")


def test_a_workshop_cannot_lose_seats_below_the_people_in_it(org_client, day):
    (round_1,) = make_programme(day, [3, 3], plenary=False)
    small = round_1.workshops[0]
    choose(day, round_1, small)
    choose(day, round_1, small)
    page = _refused(org_client.post(url(day, f"/workshops/{small.id}/edit"), data=workshop_form(capacity="1")),
                    "capacity", "Er zitten al 2 mensen in deze werkplaats")
    assert page.by_id("capacity").get("value") == "1"
    assert org_client.post(url(day, f"/workshops/{small.id}/edit"), data=workshop_form(capacity="2"))\
        .status_code == 303


def test_more_seats_go_to_who_waits_for_the_workshop(org_client, day):
    (round_1,) = make_programme(day, [1, 3], plenary=False)
    small = round_1.workshops[0]
    choose(day, round_1, small)
    waiting = choose(day, round_1, small)
    assert choice(waiting, round_1).status == "waiting"
    response = org_client.post(url(day, f"/workshops/{small.id}/edit"), data=workshop_form(capacity="2"),
                               follow_redirects=True)
    assert "1 persoon van de wachtlijst van deze werkplaats heeft nu een plek" in response.get_data(as_text=True)
    assert choice(waiting, round_1).status == "seated"


# -- removing -----------------------------------------------------------------------------------------------------

class Told:
    def __init__(self):
        self.moves = []

    def __call__(self, registration, **kwargs):
        self.moves.append((registration.id, kwargs["reason"], kwargs["to_title"]))


def test_removing_a_workshop_with_people_asks_where_they_go_and_tells_them(org_client, day):
    (round_1,) = make_programme(day, [2, 5], plenary=False)
    gone, other = round_1.workshops
    people = [choose(day, round_1, gone) for _ in range(2)]
    page = Page(org_client.get(url(day, f"/workshops/{gone.id}/remove")).get_data(as_text=True))
    assert "2 mensen kozen deze werkplaats" in page.text
    assert page.find("input", name="target", value=str(other.id)) and page.find("input", name="target", value="geen")
    _refused(org_client.post(url(day, f"/workshops/{gone.id}/remove"), data={}), "target-0", "Kies waar")
    told = Told()
    signals.choice_moved.connect(told)
    try:
        response = org_client.post(url(day, f"/workshops/{gone.id}/remove"), data={"target": str(other.id)},
                                   follow_redirects=True)
    finally:
        signals.choice_moved.disconnect(told)
    assert "2 mensen gaan naar" in response.get_data(as_text=True)
    assert sorted(told.moves) == sorted((p.id, "workshop_removed", other.title) for p in people)
    assert db.session.get(Workshop, gone.id) is None
    assert all(choice(p, round_1).workshop_id == other.id and choice(p, round_1).status == "seated" for p in people)


def test_removing_a_workshop_to_no_workshop(org_client, day):
    (round_1,) = make_programme(day, [2, 5], plenary=False)
    gone = round_1.workshops[0]
    person = choose(day, round_1, gone)
    assert org_client.post(url(day, f"/workshops/{gone.id}/remove"), data={"target": "geen"}).status_code == 303
    assert choice(person, round_1).workshop_id is None and choice(person, round_1).status == "none"


def test_a_workshop_of_another_round_is_no_place_to_move_people_to(org_client, day):
    round_1, round_2 = make_programme(day, [2, 5], [5], plenary=False, optional=(1,))
    choose(day, round_1, round_1.workshops[0])
    kept = round_1.workshops[0].id
    response = org_client.post(url(day, f"/workshops/{kept}/remove"), data={"target": str(round_2.workshops[0].id)})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Workshop, kept) is not None


def test_removing_an_empty_workshop_needs_only_the_button(org_client, day):
    (round_1,) = make_programme(day, [2, 5], plenary=False)
    gone = round_1.workshops[0].id
    assert org_client.post(url(day, f"/workshops/{gone}/remove")).status_code == 303
    db.session.expire_all()
    assert db.session.get(Workshop, gone) is None


def test_removing_a_round_says_who_is_told_and_tells_them(org_client, day):
    (round_1,) = make_programme(day, [2, 5], plenary=False)
    person = choose(day, round_1, round_1.workshops[0])
    page = Page(org_client.get(url(day, f"/parts/{round_1.id}/remove")).get_data(as_text=True))
    assert "1 persoon heeft een werkplaats in deze ronde" in page.text
    told = Told()
    signals.choice_moved.connect(told)
    try:
        response = org_client.post(url(day, f"/parts/{round_1.id}/remove"), follow_redirects=True)
    finally:
        signals.choice_moved.disconnect(told)
    assert "1 persoon had hier een werkplaats en krijgt daarover een e-mail" in response.get_data(as_text=True)
    assert told.moves == [(person.id, "round_removed", None)]
    assert parts_of(day) == []


# -- addresses and gatherings that cannot change -------------------------------------------------------------------

def test_ids_out_of_range_or_of_another_gathering_are_404(org_client, day):
    (round_1,) = make_programme(day, [2], plenary=False)
    other = make_gathering(kind="national")
    (foreign,) = make_programme(other, [2], plenary=False)
    for path in (f"/parts/{foreign.id}/edit", f"/workshops/{foreign.workshops[0].id}",
                 f"/workshops/{foreign.workshops[0].id}/edit", "/workshops/2147483648", "/parts/99999999999/edit",
                 "/workshops/0", f"/parts/{round_1.id}/workshops/99/edit"):
        assert org_client.get(url(day, path)).status_code == 404, path


def test_another_organiser_gets_403_and_a_visitor_the_login_page(client, day):
    (round_1,) = make_programme(day, [2], plenary=False)
    assert client.get(url(day)).status_code == 302
    login_as(client, make_organiser("ander@voorbeeld.nl", gatherings=[make_gathering()]))
    for path in ("", f"/parts/{round_1.id}/edit", f"/workshops/{round_1.workshops[0].id}"):
        assert client.get(url(day, path)).status_code == 403
    assert client.post(url(day, "/parts/new"), data=part_form()).status_code == 403
    assert len(parts_of(day)) == 1


def test_a_cancelled_gathering_keeps_its_programme(org_client, day):
    day.status = "cancelled"
    db.session.commit()
    response = org_client.post(url(day, "/parts/new"), data=part_form())
    assert response.status_code == 303 and parts_of(day) == []
    assert "kan niet meer veranderen" in org_client.get(url(day)).get_data(as_text=True)


def test_the_service_checks_again_under_the_lock(app, day):
    organise_services_values = {"kind": "round", "title": "Te laat", "starts_at": at(16), "ends_at": at(18)}
    try:
        locked_call(organise_services.add_part, day, organise_services_values)
    except organise_services.ProgrammeRefused as refused:
        assert refused.field == "ends_at"
    else:
        raise AssertionError("a part after the gathering was stored")
