"""The programme's choices on the participant's own change page, /r/<token>/edit: one form, one unit, one lock."""
import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.programme.models import WorkshopChoice
from gatherings.registration.models import Registration
from tests.factories import make_gathering
from tests.htmlpage import Page
from tests.registration.test_views import register, token_from

from .factories import make_programme


@pytest.fixture
def day(app):
    g = make_gathering(capacity=10, title="Landelijke dag")
    r1, r2 = make_programme(g, [1, 5], [5], optional={1})
    return g, r1, r2


def seats(token) -> tuple[str, list[tuple[int, int | None, str]]]:
    """The registration's name and its choices (round id, workshop id, status), read from the database."""
    db.session.expire_all()
    r = db.session.scalar(sa.select(Registration).where(Registration.token == token))
    rows = db.session.scalars(sa.select(WorkshopChoice).where(WorkshopChoice.registration_id == r.id)
                              .order_by(WorkshopChoice.part_id))
    return r.name, [(c.part_id, c.workshop_id, str(c.status)) for c in rows]


def edit_form(name, r1, first, r2=None, second="none", **more) -> dict:
    data = {"name": name, "organisation": "", "needs": "", "perspective": "not_said", f"round_{r1.id}": str(first)}
    if r2 is not None:
        data[f"round_{r2.id}"] = str(second)
    return {**data, **more}


def round_group(page: Page, part):
    [group] = [f for f in page.find_all("fieldset") if f.find("input", name=f"round_{part.id}")]
    return group


def test_the_edit_page_shows_each_round_as_a_radio_group_with_the_current_choice(client, day):
    g, r1, r2 = day
    token = token_from(register(client, g, **{f"round_{r1.id}": str(r1.workshops[1].id),
                                              f"round_{r2.id}": str(r2.workshops[0].id)}))
    page = Page(client.get(f"/r/{token}/edit").text)
    first = round_group(page, r1)
    assert first.find("legend").text.startswith("Ronde 1, ")
    checked = [i.get("value") for i in first.find_all("input", type="radio") if i.get("checked") is not None]
    assert checked == [str(r1.workshops[1].id)]
    second = round_group(page, r2)
    checked = [i.get("value") for i in second.find_all("input", type="radio") if i.get("checked") is not None]
    assert checked == [str(r2.workshops[0].id)]
    assert "(niet verplicht)" in second.find("legend").text
    assert page.find("input", name="wait_if_full") is None  # offered only after a refusal
    # the personal page links to the edit page for changing workshops
    own = Page(client.get(f"/r/{token}").text).find("section", aria_labelledby="own-programme-title")
    assert own.find("a", href=f"/r/{token}/edit") is not None


def test_changing_a_workshop_and_the_name_together_frees_the_old_seat_for_who_waits(client, day):
    g, r1, r2 = day
    a, b = r1.workshops
    holder = token_from(register(client, g, **{f"round_{r1.id}": str(a.id)}, email="a@voorbeeld.nl"))
    waiter = token_from(register(client, g, **{f"round_{r1.id}": str(a.id)}, email="b@voorbeeld.nl"))
    assert seats(waiter)[1][0][1:] == (a.id, "waiting")

    response = client.post(f"/r/{holder}/edit", data=edit_form("Anna Jansen", r1, b.id, r2))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/r/{holder}")
    assert "uw keuze in het programma" in client.get(f"/r/{holder}").text
    name, choices = seats(holder)
    assert name == "Anna Jansen"
    assert choices[0][1:] == (b.id, "seated")
    assert seats(waiter)[1][0][1:] == (a.id, "seated")  # the freed seat went to the first who waited


def test_only_the_workshop_changed_says_so(client, day):
    g, r1, r2 = day
    token = token_from(register(client, g, **{f"round_{r1.id}": str(r1.workshops[1].id)}))
    db.session.expire_all()
    r = db.session.scalar(sa.select(Registration).where(Registration.token == token))
    response = client.post(f"/r/{token}/edit", data=edit_form(
        r.name, r1, r1.workshops[1].id, r2, r2.workshops[0].id,
        organisation=r.organisation, needs=r.needs, perspective=r.perspective))
    assert response.status_code == 303
    text = client.get(f"/r/{token}").text
    assert "Uw aanmelding is gewijzigd: uw keuze in het programma." in text
    assert seats(token)[1][1][1:] == (r2.workshops[0].id, "seated")


def test_a_full_workshop_is_refused_at_the_field_and_nothing_changes(client, day):
    g, r1, r2 = day
    a, b = r1.workshops
    register(client, g, **{f"round_{r1.id}": str(a.id)}, email="a@voorbeeld.nl")  # takes 1A's only seat
    mover = token_from(register(client, g, **{f"round_{r1.id}": str(b.id)}, email="b@voorbeeld.nl"))
    before = seats(mover)

    response = client.post(f"/r/{mover}/edit", data=edit_form("Nieuwe Naam", r1, a.id, r2))
    assert response.status_code == 409
    page = Page(response.text)
    message = "Deze werkplaats is vol. U houdt uw plek"
    assert message in page.find("div", id="error-summary").text
    assert message in round_group(page, r1).text  # at the field
    assert page.find("input", name="name").get("value") == "Nieuwe Naam"  # nothing typed is lost
    assert page.find("input", name="wait_if_full") is not None
    assert seats(mover) == before  # neither the name nor the seat changed

    response = client.post(f"/r/{mover}/edit", data=edit_form("Nieuwe Naam", r1, a.id, r2, wait_if_full="y"))
    assert response.status_code == 303
    name, choices = seats(mover)
    assert name == "Nieuwe Naam" and choices[0][1:] == (a.id, "waiting")


@pytest.mark.parametrize("value", ["abc", "-1", "0", "99999999999999999999999", "", "1 OR 1=1"])
def test_a_bad_workshop_value_is_a_422_at_the_field_never_a_500(client, day, value):
    g, r1, r2 = day
    token = token_from(register(client, g, **{f"round_{r1.id}": str(r1.workshops[1].id)}))
    before = seats(token)
    response = client.post(f"/r/{token}/edit", data=edit_form("Andere Naam", r1, value, r2))
    assert response.status_code == 422
    page = Page(response.text)
    at_field = round_group(page, r1).text
    assert ("Deze werkplaats hoort niet bij deze ronde" in at_field
            or "Kies een werkplaats voor deze ronde." in at_field)
    assert page.find("div", id="error-summary") is not None
    assert seats(token) == before


def test_a_workshop_of_another_round_or_an_unknown_round_is_refused_or_ignored(client, day):
    g, r1, r2 = day
    token = token_from(register(client, g, **{f"round_{r1.id}": str(r1.workshops[1].id)}))
    before = seats(token)
    response = client.post(f"/r/{token}/edit", data=edit_form("Andere Naam", r1, r2.workshops[0].id, r2))
    assert response.status_code == 422
    assert "Deze werkplaats hoort niet bij deze ronde" in response.text
    assert seats(token) == before
    response = client.post(f"/r/{token}/edit", data=edit_form("Andere Naam", r1, r1.workshops[1].id, r2,
                                                              round_99999999999="1", round_x="2"))
    assert response.status_code == 303
    assert seats(token) == ("Andere Naam", before[1])


def test_a_registration_without_a_programme_is_unaffected(client, app):
    g = make_gathering(capacity=5)
    token = token_from(register(client, g))
    page = Page(client.get(f"/r/{token}/edit").text)
    assert not [i for i in page.find_all("input") if (i.get("name") or "").startswith("round_")]
    assert page.find("input", name="wait_if_full") is None
    response = client.post(f"/r/{token}/edit", data={"name": "Bea Bakker", "perspective": "not_said",
                                                    "round_1": "1"})
    assert response.status_code == 303
    assert seats(token) == ("Bea Bakker", [])


def test_the_round_questions_in_english(client, day):
    g, r1, r2 = day
    token = token_from(register(client, g, **{f"round_{r1.id}": str(r1.workshops[1].id)}))
    client.set_cookie("lang", "en")
    page = Page(client.get(f"/r/{token}/edit", headers={"Accept-Language": "en"}).text)
    assert "No workshop" in round_group(page, r2).text and "Geen werkplaats" not in page.text
