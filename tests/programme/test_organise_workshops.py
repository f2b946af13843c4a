"""Organisers run the workshops: lists, composition, sign-in list, moving people; exports, dashboard, messages, copies."""
import csv
import io

import sqlalchemy as sa

from gatherings.attendance.models import ExportLog
from gatherings.catalogue.models import Gathering
from gatherings.extensions import db
from gatherings.mail.models import OutboxMessage
from gatherings.programme import services, signals
from gatherings.programme.models import ProgrammePart, WorkshopChoice
from tests.factories import locked_call, make_gathering, make_registration
from tests.htmlpage import Page

from .factories import make_programme
from .test_organise_views import Told, choice, choose, url


def move_url(day, workshop, person):
    return url(day, f"/workshops/{workshop.id}/people/{person.id}/move")


# -- the workshop page -------------------------------------------------------------------------------------------

def test_the_workshop_page_lists_who_sits_and_who_waits_in_order(org_client, day):
    (round_1,) = make_programme(day, [2, 5], plenary=False)
    small = round_1.workshops[0]
    choose(day, round_1, small, name="Zara Zeeman")
    choose(day, round_1, small, name="Anna Appel")
    choose(day, round_1, small, name="Wim Wachter")
    choose(day, round_1, small, name="Els Eerder")
    choose(day, round_1, round_1.workshops[1], name="Ergens Anders")
    page = Page(org_client.get(url(day, f"/workshops/{small.id}")).get_data(as_text=True))
    seated = page.by_id("seated-title").parent.text
    assert seated.index("Anna Appel") < seated.index("Zara Zeeman") and "Wim" not in seated
    waiting = page.by_id("waiting-title").parent.text
    assert waiting.index("1 Wim Wachter") < waiting.index("2 Els Eerder")
    assert "Ergens Anders" not in page.text
    assert "2 van 2 bezet" in page.text


def test_the_composition_hides_small_counts_like_the_gatherings(org_client, day):
    (round_1,) = make_programme(day, [20], plenary=False)
    for _ in range(6):
        choose(day, round_1, round_1.workshops[0], perspective="relative")
    choose(day, round_1, round_1.workshops[0], perspective="client")
    page = Page(org_client.get(url(day, f"/workshops/{round_1.workshops[0].id}")).get_data(as_text=True))
    table = page.by_id("composition-title").parent.find("table")
    rows = {tr.find("th").text: [td.text for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")}
    assert rows["Naaste"][0] == "6"
    assert rows["Cliënt"][0] == "<5"
    assert "6" in page.find("svg").find("desc").text


def test_a_mixed_session_shows_the_composition_in_full(org_client, app):
    from tests.factories import login_as, make_organiser

    mixed = make_gathering(kind="mixed")
    login_as(org_client, make_organiser(gatherings=[mixed]))
    (round_1,) = make_programme(mixed, [5], plenary=False)
    choose(mixed, round_1, round_1.workshops[0], perspective="client")
    page = Page(org_client.get(url(mixed, f"/workshops/{round_1.workshops[0].id}")).get_data(as_text=True))
    rows = {tr.find("th").text: [td.text for td in tr.find_all("td")]
            for tr in page.by_id("composition-title").parent.find("table").find("tbody").find_all("tr")}
    assert rows["Cliënt"][0] == "1"


def test_the_sign_in_list_has_the_seated_people_and_is_logged(org_client, day):
    (round_1,) = make_programme(day, [1, 5], plenary=False)
    choose(day, round_1, round_1.workshops[0], name="Piet Plek")
    choose(day, round_1, round_1.workshops[0], name="Wanda Wacht")
    response = org_client.post(url(day, f"/workshops/{round_1.workshops[0].id}/sign-in-list"))
    assert response.status_code == 200
    text = Page(response.get_data(as_text=True)).text
    assert "Piet Plek" in text and "Wanda Wacht" not in text and round_1.workshops[0].room in text
    db.session.expire_all()
    (entry,) = db.session.scalars(sa.select(ExportLog)).all()
    assert (entry.format, entry.row_count, entry.gathering_id) == ("print", 1, day.id)


def test_the_sign_in_list_is_a_post(org_client, day):
    (round_1,) = make_programme(day, [1], plenary=False)
    assert org_client.get(url(day, f"/workshops/{round_1.workshops[0].id}/sign-in-list")).status_code == 405


# -- moving someone ----------------------------------------------------------------------------------------------

def test_moving_someone_to_a_workshop_with_room(org_client, day):
    (round_1,) = make_programme(day, [2, 2], plenary=False)
    here, there = round_1.workshops
    person = choose(day, round_1, here, name="Mo Verhuizer")
    waiting = [choose(day, round_1, here) for _ in range(2)]  # one more seated, one in line
    page = Page(org_client.get(move_url(day, here, person)).get_data(as_text=True))
    assert page.find("input", name="target", value=str(there.id))
    assert page.find("input", name="target", value=str(here.id)) is None
    told = Told()
    signals.choice_moved.connect(told)
    try:
        response = org_client.post(move_url(day, here, person), data={"target": str(there.id)}, follow_redirects=True)
    finally:
        signals.choice_moved.disconnect(told)
    assert "Mo Verhuizer is verplaatst naar" in response.get_data(as_text=True)
    assert told.moves == [(person.id, "moved", there.title)]
    assert (choice(person, round_1).workshop_id, choice(person, round_1).status) == (there.id, "seated")
    assert choice(waiting[1], round_1).status == "seated"  # the freed seat went to the first in line


def test_moving_into_a_full_workshop_needs_the_organiser_to_confirm_going_over(org_client, day):
    (round_1,) = make_programme(day, [5, 1], plenary=False)
    here, full = round_1.workshops
    choose(day, round_1, full)
    person = choose(day, round_1, here)
    response = org_client.post(move_url(day, here, person), data={"target": str(full.id)})
    assert response.status_code == 409
    page = Page(response.get_data(as_text=True))
    assert "gaat de werkplaats 1 plek over het aantal plekken" in page.error_for("target-0")
    assert page.find("input", name="target", value=str(full.id)).get("checked") is not None
    assert page.by_id("over") is not None
    assert choice(person, round_1).workshop_id == here.id
    response = org_client.post(move_url(day, here, person), data={"target": str(full.id), "over": "y"})
    assert response.status_code == 303
    assert services.seats(day)[full.id].seated == 2


def test_moving_to_no_workshop(org_client, day):
    (round_1,) = make_programme(day, [5, 5], plenary=False)
    person = choose(day, round_1, round_1.workshops[0])
    assert org_client.post(move_url(day, round_1.workshops[0], person), data={"target": "geen"}).status_code == 303
    assert choice(person, round_1).status == "none"


def test_moving_needs_a_choice_and_someone_of_this_workshop(org_client, day):
    (round_1,) = make_programme(day, [5, 5], plenary=False)
    here, there = round_1.workshops
    person = choose(day, round_1, here)
    assert org_client.post(move_url(day, here, person), data={}).status_code == 422
    assert org_client.post(move_url(day, here, person), data={"target": "12345"}).status_code == 422
    assert org_client.get(move_url(day, there, person)).status_code == 404  # not in that workshop
    stranger = make_registration(make_gathering())
    assert org_client.get(move_url(day, here, stranger)).status_code == 404
    assert org_client.get(url(day, f"/workshops/{here.id}/people/2147483648/move")).status_code == 404


# -- exports, dashboard, messages ----------------------------------------------------------------------------------

def test_exports_have_a_column_per_round(org_client, day):
    round_1, round_2 = make_programme(day, [1, 5], [5], optional=(1,))
    choose_both = {round_1.id: round_1.workshops[0].id, round_2.id: None}
    seated = make_registration(day, name="Anna Appel")
    locked_call(services.choose, day, seated, choose_both)
    waiting = make_registration(day, name="Bert Bakker")
    locked_call(services.choose, day, waiting, {round_1.id: round_1.workshops[0].id, round_2.id: round_2.workshops[0].id})
    body = org_client.post(f"/organise/gatherings/{day.slug}/export.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    header = rows[0]
    assert header[-3:] == ["Ronde 1 (10:30)", "Ronde 2 (11:30)", "Ingecheckt"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Anna Appel"][-3:-1] == ["Werkplaats 1A", "Geen werkplaats"]
    assert by_name["Bert Bakker"][-3:-1] == ["Werkplaats 1A (wachtlijst)", "Werkplaats 2A"]
    xlsx = org_client.post(f"/organise/gatherings/{day.slug}/export.xlsx")
    assert xlsx.status_code == 200


def test_a_gathering_without_a_programme_exports_as_before(org_client, day):
    make_registration(day, name="Anna Appel")
    body = org_client.post(f"/organise/gatherings/{day.slug}/export.csv").get_data().decode("utf-8-sig")
    assert body.splitlines()[0] == "Naam;Organisatie;Wat nodig is;Begeleider;Status;Ingecheckt"


def test_the_dashboard_shows_how_full_each_workshop_is(org_client, day):
    (round_1,) = make_programme(day, [4, 5], plenary=False)
    choose(day, round_1, round_1.workshops[0])
    page = Page(org_client.get("/organise/dashboard").get_data(as_text=True))
    fill = [li.text for div in page.find_all("div", class_="workshop-fill") for li in div.find_all("li")]
    assert fill == ["Werkplaats 1A : 1 van 4 (25%)", "Werkplaats 1B : 0 van 5 (0%)"]
    assert "Ronde 1 (10:30)" in page.find("div", class_="workshop-fill").text


def test_a_message_can_go_to_one_workshops_participants(org_client, day):
    (round_1,) = make_programme(day, [1, 5], plenary=False)
    here = round_1.workshops[0]
    seated = choose(day, round_1, here)
    choose(day, round_1, here)  # waits for it: not a participant of the workshop
    choose(day, round_1, round_1.workshops[1])
    form = Page(org_client.get(f"/organise/gatherings/{day.slug}/message?audience=workshop-{here.id}")
                .get_data(as_text=True))
    option = form.find("input", name="audience", value=f"workshop-{here.id}")
    assert option is not None and option.get("checked") is not None
    fields = {"audience": f"workshop-{here.id}", "subject": "Zaal verplaatst", "body": "We zitten in zaal 3.",
              "sender_name": "Organisatie"}
    preview = org_client.post(f"/organise/gatherings/{day.slug}/message", data={**fields, "step": "preview"})
    assert preview.status_code == 200 and "1 persoon" in preview.get_data(as_text=True)
    response = org_client.post(f"/organise/gatherings/{day.slug}/message",
                               data={**fields, "step": "send", "recipients": "1"})
    assert response.status_code == 303
    db.session.expire_all()
    messages = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "organiser_message")).all()
    assert [m.registration_id for m in messages] == [seated.id]
    # The history names the workshop, as it was called when the message went.
    history = org_client.get(f"/organise/gatherings/{day.slug}/message").get_data(as_text=True)
    assert f"Werkplaats {here.title}" in history


def test_a_message_to_a_workshop_of_another_gathering_is_refused(org_client, day):
    (foreign,) = make_programme(make_gathering(), [5], plenary=False)
    response = org_client.post(f"/organise/gatherings/{day.slug}/message", data={
        "audience": f"workshop-{foreign.workshops[0].id}", "subject": "Hallo", "body": "Tekst",
        "sender_name": "Organisatie"})
    assert response.status_code == 422


# -- duplicating ---------------------------------------------------------------------------------------------------

def test_duplicating_a_gathering_copies_its_programme_without_people(org_client, day):
    (round_1,) = make_programme(day, [3, 4], optional=(0,))
    choose(day, round_1, round_1.workshops[0])
    response = org_client.post(f"/organise/gatherings/{day.slug}/duplicate")
    assert response.status_code == 303
    db.session.expire_all()
    copy = db.session.scalars(sa.select(Gathering).where(Gathering.id != day.id)).one()
    parts = list(db.session.scalars(sa.select(ProgrammePart).where(ProgrammePart.gathering_id == copy.id)
                                    .order_by(ProgrammePart.starts_at)))
    assert [(p.kind, p.title, p.starts_at, p.optional) for p in parts] == [
        ("plenary", "Opening en plenair deel", day.starts_at, False),
        ("round", "Ronde 1", round_1.starts_at, True)]
    assert [(w.title, w.capacity, w.room, w.leader) for w in parts[1].workshops] == [
        (w.title, w.capacity, w.room, w.leader) for w in round_1.workshops]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkshopChoice)
                             .where(WorkshopChoice.part_id == parts[1].id)) == 0
