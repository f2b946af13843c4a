"""The programme through HTTP: the timetable on the gathering page, the round questions, the own programme, changing it."""
import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.programme.models import WorkshopChoice
from gatherings.registration.models import Registration
from tests.factories import make_gathering
from tests.htmlpage import Page
from tests.registration.test_views import register, registrations, token_from

from .factories import make_programme


def choices() -> list[WorkshopChoice]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(WorkshopChoice).order_by(WorkshopChoice.registration_id,
                                                                      WorkshopChoice.part_id)))


def own_text(client, token) -> str:
    """The text of the person's own programme on /r/<token>, as a screen reader reads it out."""
    section = Page(client.get(f"/r/{token}").text).find("section", aria_labelledby="own-programme-title")
    return section.text.replace(" ,", ",") if section is not None else ""


@pytest.fixture
def day(app):
    g = make_gathering(capacity=10, title="Landelijke dag")
    r1, r2 = make_programme(g, [1, 5], [5], optional={1})
    return g, r1, r2


def rounds_of(g, r1, r2, first, second="none"):
    return {f"round_{r1.id}": str(first), f"round_{r2.id}": str(second)}


def test_the_gathering_page_shows_the_timetable_and_a_radio_group_per_round(client, day):
    g, r1, r2 = day
    register(client, g, **rounds_of(g, r1, r2, r1.workshops[0].id), email="eerste@voorbeeld.nl")
    page = Page(client.get(f"/gatherings/{g.slug}").text)
    timetable = page.find("section", class_="programme")
    assert timetable is not None and timetable.find("ol") is not None and timetable.find("table") is None
    assert [h.text for h in timetable.find_all("h3")][0].endswith("Opening en plenair deel")
    workshop_text = [li.text for li in timetable.find_all("li", class_="workshop")]
    assert "Werkplaats 1A" in workshop_text[0] and "vol, wel wachtlijst" in workshop_text[0]
    assert "nog 5 plekken vrij" in workshop_text[1]

    groups = [f for f in page.find_all("fieldset") if f.find("input", name=f"round_{r1.id}")]
    assert len(groups) == 1
    legend = groups[0].find("legend").text
    assert legend.startswith("Ronde 1, ") and "–" in legend and "(niet verplicht)" not in legend
    options = groups[0].find_all("input", type="radio")
    assert [o.get("value") for o in options] == [str(w.id) for w in r1.workshops]
    full = groups[0].find("label", for_=options[0].get("id")).text
    assert "vol: u komt op de wachtlijst van deze werkplaats" in full
    optional = [f for f in page.find_all("fieldset") if f.find("input", name=f"round_{r2.id}")][0]
    assert "(niet verplicht)" in optional.find("legend").text
    none = optional.find("input", value="none")
    assert none is not None and none.get("checked") is not None  # "geen werkplaats" until one is chosen


def test_registering_with_choices_shows_the_own_programme(client, day):
    g, r1, r2 = day
    response = register(client, g, **rounds_of(g, r1, r2, r1.workshops[1].id, r2.workshops[0].id))
    token = token_from(response)
    text = own_text(client, token)
    assert "Uw werkplaats: Werkplaats 1B, zaal: Oost 1.2" in text
    assert "Uw werkplaats: Werkplaats 2A, zaal: Oost 2.1" in text
    assert [(c.workshop_id, c.status) for c in choices()] == [(r1.workshops[1].id, "seated"),
                                                             (r2.workshops[0].id, "seated")]


def test_a_full_workshop_can_be_chosen_and_the_page_tells_the_place_in_its_line(client, day):
    g, r1, r2 = day
    register(client, g, **rounds_of(g, r1, r2, r1.workshops[0].id), email="a@voorbeeld.nl")
    register(client, g, **rounds_of(g, r1, r2, r1.workshops[0].id), email="b@voorbeeld.nl")
    token = token_from(register(client, g, **rounds_of(g, r1, r2, r1.workshops[0].id), email="c@voorbeeld.nl"))
    text = own_text(client, token)
    assert "U staat op de wachtlijst van werkplaats Werkplaats 1A. U bent nummer 2." in text
    assert "U heeft geen werkplaats gekozen." in text  # the optional round


def test_a_missing_required_choice_is_a_dutch_message_at_the_field_and_nothing_is_lost(client, day):
    g, r1, r2 = day
    response = register(client, g, **{f"round_{r2.id}": str(r2.workshops[0].id)}, name="Bea Bakker")
    assert response.status_code == 422
    page = Page(response.text)
    group = [f for f in page.find_all("fieldset") if f.find("input", name=f"round_{r1.id}")][0]
    assert "Kies een werkplaats voor deze ronde." in group.text
    summary = page.find("div", id="error-summary")
    assert summary.find("a", href=f"#round_{r1.id}-0").text == "Kies een werkplaats voor deze ronde."
    assert page.find("input", name="name").get("value") == "Bea Bakker"
    kept = page.find("input", name=f"round_{r2.id}", value=str(r2.workshops[0].id))
    assert kept.get("checked") is not None
    assert registrations() == [] and choices() == []


def test_other_mistakes_come_with_the_round_messages_at_once(client, day):
    g, r1, r2 = day
    response = register(client, g, email="geen-adres")
    assert response.status_code == 422
    text = Page(response.text).find("div", id="error-summary").text
    assert "Dit is geen geldig e-mailadres" in text and "Kies een werkplaats voor deze ronde." in text


@pytest.mark.parametrize("value", ["abc", "-1", "0", "99999999999999999999", "1e3", "１", "none", ""])
def test_a_bad_workshop_value_is_a_422_with_a_message(client, day, value):
    g, r1, r2 = day
    response = register(client, g, **{f"round_{r1.id}": value, f"round_{r2.id}": "none"})
    assert response.status_code == 422
    assert "Deze werkplaats hoort niet bij deze ronde" in response.text or "Kies een werkplaats" in response.text
    assert registrations() == []


def test_a_workshop_of_another_round_or_gathering_is_refused(client, day):
    g, r1, r2 = day
    other = make_gathering()
    (foreign,) = make_programme(other, [5], plenary=False)
    for value in (r2.workshops[0].id, foreign.workshops[0].id):
        response = register(client, g, **{f"round_{r1.id}": str(value)})
        assert response.status_code == 422
        assert "Deze werkplaats hoort niet bij deze ronde" in Page(response.text).find("div", id="error-summary").text
    assert registrations() == []


def test_unknown_round_fields_are_ignored_and_never_a_500(client, day):
    g, r1, r2 = day
    response = register(client, g, **rounds_of(g, r1, r2, r1.workshops[1].id),
                        round_99999999999999="1", round_0="x", **{"round_abc": "1", f"round_{r1.id + 1000}": "1"})
    token_from(response)
    assert len(choices()) == 2


def test_changing_a_workshop_on_the_personal_page(client, day):
    g, r1, r2 = day
    holder = token_from(register(client, g, **rounds_of(g, r1, r2, r1.workshops[0].id), email="a@voorbeeld.nl"))
    waiter = token_from(register(client, g, **rounds_of(g, r1, r2, r1.workshops[0].id), email="b@voorbeeld.nl"))
    page = Page(client.get(f"/r/{holder}").text)
    form = page.find("form", action=f"/r/{holder}/workshops#werkplaatsen")  # lands on the form after a mistake
    assert form.find("input", name=f"round_{r1.id}", value=str(r1.workshops[0].id)).get("checked") is not None

    response = client.post(f"/r/{holder}/workshops", data=rounds_of(g, r1, r2, r1.workshops[1].id))
    assert response.status_code == 303
    assert "Uw keuze in het programma is opgeslagen." in client.get(f"/r/{holder}").text
    text = own_text(client, waiter)
    assert "Uw werkplaats: Werkplaats 1A" in text  # the freed seat went to who waited


def test_a_change_to_a_full_workshop_keeps_the_seat_until_the_participant_chooses_to_wait(client, day):
    g, r1, r2 = day
    full = token_from(register(client, g, **rounds_of(g, r1, r2, r1.workshops[0].id), email="a@voorbeeld.nl"))
    mover = token_from(register(client, g, **rounds_of(g, r1, r2, r1.workshops[1].id), email="b@voorbeeld.nl"))
    response = client.post(f"/r/{mover}/workshops", data=rounds_of(g, r1, r2, r1.workshops[0].id))
    assert response.status_code == 409
    page = Page(response.text)
    assert "Deze werkplaats is vol. U houdt uw plek" in page.find("div", id="error-summary").text
    assert page.find("input", name="wait_if_full") is not None
    assert page.find("input", name=f"round_{r1.id}", value=str(r1.workshops[0].id)).get("checked") is not None
    own = own_text(client, mover)
    assert "Uw werkplaats: Werkplaats 1B" in own

    response = client.post(f"/r/{mover}/workshops",
                           data={**rounds_of(g, r1, r2, r1.workshops[0].id), "wait_if_full": "y"})
    assert response.status_code == 303
    own = own_text(client, mover)
    assert "U staat op de wachtlijst van werkplaats Werkplaats 1A. U bent nummer 1." in own
    assert full


def test_a_change_with_a_bad_value_is_a_422_and_keeps_the_choice(client, day):
    g, r1, r2 = day
    token = token_from(register(client, g, **rounds_of(g, r1, r2, r1.workshops[1].id)))
    for data in ({f"round_{r1.id}": "abc"}, {f"round_{r1.id}": str(r2.workshops[0].id)}, {}):
        response = client.post(f"/r/{token}/workshops", data=data)
        assert response.status_code == 422
    assert [c.workshop_id for c in choices()][0] == r1.workshops[1].id
    assert client.post("/r/onbekend/workshops", data={}).status_code == 404


def test_a_cancelled_registration_shows_no_programme_and_cannot_change(client, day):
    g, r1, r2 = day
    token = token_from(register(client, g, **rounds_of(g, r1, r2, r1.workshops[0].id), email="a@voorbeeld.nl"))
    waiter = token_from(register(client, g, **rounds_of(g, r1, r2, r1.workshops[0].id), email="b@voorbeeld.nl"))
    assert client.post(f"/r/{token}/cancel", data={"confirm": "yes"}).status_code == 303
    assert Page(client.get(f"/r/{token}").text).find("section", aria_labelledby="own-programme-title") is None
    assert client.post(f"/r/{token}/workshops", data=rounds_of(g, r1, r2, r1.workshops[1].id)).status_code == 303
    assert "Uw werkplaats: Werkplaats 1A" in own_text(client, waiter), Page(client.get(f"/r/{waiter}").text).text


def test_someone_waiting_for_the_day_keeps_choices_pending(client, app):
    g = make_gathering(capacity=1)
    (r1,) = make_programme(g, [5])
    register(client, g, **{f"round_{r1.id}": str(r1.workshops[0].id)}, email="a@voorbeeld.nl")
    token = token_from(register(client, g, **{f"round_{r1.id}": str(r1.workshops[0].id)}, email="b@voorbeeld.nl"))
    text = own_text(client, token)
    assert "U koos werkplaats Werkplaats 1A. Krijgt u een plek bij de bijeenkomst" in text


def test_a_gathering_without_a_programme_asks_nothing_more(client, app):
    g = make_gathering()
    page = client.get(f"/gatherings/{g.slug}").text
    assert 'class="programme' not in page and "round_" not in page
    token_from(register(client, g))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_the_timetable_and_questions_in_english(client, day):
    g, r1, r2 = day
    client.set_cookie("lang", "en")
    page = client.get(f"/gatherings/{g.slug}", headers={"Accept-Language": "en"}).text
    assert "Programme" in page and "No workshop" in page


def test_the_kept_gathering_page_follows_the_workshop_seats(client, day):
    """The page is kept (caches.page) on what it is made of: a seat taken in a workshop changes it."""
    g, r1, r2 = day
    seats_of = lambda: [li.text for li in Page(client.get(f"/gatherings/{g.slug}").text)  # noqa: E731
                        .find("section", class_="programme").find_all("li", class_="workshop")]
    assert "nog 5 plekken vrij" in seats_of()[1]
    assert "nog 5 plekken vrij" in seats_of()[1]  # the kept page
    token_from(register(client, g, **rounds_of(g, r1, r2, r1.workshops[1].id)))
    assert "nog 4 plekken vrij" in seats_of()[1]
    label = Page(client.get(f"/gatherings/{g.slug}").text).find("label", for_=f"round_{r1.id}-1").text
    assert "nog 4 plekken vrij" in label


def test_right_after_registering_the_page_links_to_the_workshop_form_instead_of_showing_it(client, day):
    g, r1, r2 = day
    token = token_from(register(client, g, **rounds_of(g, r1, r2, r1.workshops[0].id), email="a@voorbeeld.nl"))
    just = Page(client.get(f"/r/{token}?new=1").text)
    assert just.find("form", action=f"/r/{token}/workshops#werkplaatsen") is None
    assert just.find("a", href=f"/r/{token}#werkplaatsen") is not None
    later = Page(client.get(f"/r/{token}").text)
    assert later.find("form", action=f"/r/{token}/workshops#werkplaatsen") is not None
