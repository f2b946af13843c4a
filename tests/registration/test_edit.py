"""/r/<token>/edit through HTTP: the current values, saving, refusals at the field, closed states."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.mail.models import OutboxMessage
from gatherings.registration.models import Registration
from gatherings.timeutil import utcnow
from tests.factories import make_gathering, make_registration
from tests.htmlpage import Page


def fresh(registration_id) -> Registration:
    db.session.rollback()
    return db.session.get(Registration, registration_id)


def register_form(client, gathering, **fields):
    data = {"name": "Anna de Vries", "email": "anna@voorbeeld.nl", "perspective": "relative",
            "organisation": "Stichting Naast", "needs": "Een rustige plek", "consent": "y", **fields}
    return client.post(f"/gatherings/{gathering.slug}/register", data={k: v for k, v in data.items() if v is not None})


def current_form(registration) -> dict:
    return {"name": registration.name, "organisation": registration.organisation, "needs": registration.needs,
            "perspective": registration.perspective or "not_said",
            **({"companion": "y", "companion_name": registration.companion_name} if registration.companion else {})}


def test_registering_with_a_companion_through_the_form(client):
    g = make_gathering(capacity=5)
    response = register_form(client, g, companion="y", companion_name="Bea Jansen")
    assert response.status_code == 303
    [r] = db.session.scalars(sa.select(Registration)).all()
    assert (r.companion, r.companion_name, r.people) == (True, "Bea Jansen", 2)
    page = Page(client.get(response.headers["Location"]).text)
    assert "Bea Jansen" in page.text
    gathering_page = Page(client.get(f"/gatherings/{g.slug}").text).text
    assert "Nog 3 plekken vrij" in gathering_page
    api = client.get(f"/api/v1/gatherings/{g.slug}").get_json()
    assert (api["confirmed"], api["seats_left"]) == (2, 3)


def test_the_companion_name_without_the_checkbox_is_not_kept(client):
    g = make_gathering(capacity=5)
    register_form(client, g, companion_name="Bea Jansen")
    [r] = db.session.scalars(sa.select(Registration)).all()
    assert (r.companion, r.companion_name) == (False, "")


def test_the_form_shows_the_companion_fields_accessibly(client):
    g = make_gathering()
    page = Page(client.get(f"/gatherings/{g.slug}").text)
    box = page.by_id("companion")
    assert box is not None and box.get("type") == "checkbox"
    assert page.find("label", for_="companion").text == "Ik neem een begeleider mee"
    fieldset = [a for a in box.ancestors() if a.tag == "fieldset"][0]
    assert "samen op de wachtlijst" in page.described_by(fieldset)
    assert page.find("label", for_="companion_name") is not None


def test_get_shows_the_current_values_and_the_address_not_editable(client):
    g = make_gathering()
    r = make_registration(g, email="anna@voorbeeld.nl", name="Anna", perspective="relative")
    r.needs, r.organisation, r.companion, r.companion_name = "Een tolk", "Naast", True, "Bea"
    db.session.commit()
    response = client.get(f"/r/{r.token}/edit")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"
    page = Page(response.text)
    assert page.by_id("name").get("value") == "Anna"
    assert page.by_id("organisation").get("value") == "Naast"
    assert page.by_id("needs").text == "Een tolk"
    assert page.find("input", name="perspective", value="relative").get("checked") is not None
    assert page.by_id("companion").get("checked") is not None
    assert page.by_id("companion_name").get("value") == "Bea"
    assert page.find("input", name="email") is None
    assert "anna@voorbeeld.nl" in page.text and "Annuleer dan deze aanmelding en meld u opnieuw aan" in page.text
    legend = page.by_id("perspective-0").ancestors()
    assert any(a.tag == "fieldset" and a.find("legend") is not None for a in legend)


def test_the_personal_page_links_to_the_edit_page(client):
    g = make_gathering()
    r = make_registration(g)
    page = Page(client.get(f"/r/{r.token}").text)
    assert page.find("a", href=f"/r/{r.token}/edit").text == "Wijzig uw aanmelding"


def test_post_saves_and_the_personal_page_says_what_changed(client):
    g = make_gathering()
    r = make_registration(g, perspective="relative")
    data = {**current_form(r), "needs": "Een rolstoelplek", "companion": "y", "companion_name": "Bea"}
    response = client.post(f"/r/{r.token}/edit", data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/r/{r.token}")
    saved = fresh(r.id)
    assert (saved.needs, saved.companion, saved.companion_name) == ("Een rolstoelplek", True, "Bea")
    assert saved.needs_changed_at is not None
    text = Page(client.get(f"/r/{r.token}").text).text
    assert "Uw aanmelding is gewijzigd: wat u nodig heeft, uw begeleider, de naam van uw begeleider." in text
    assert db.session.scalars(sa.select(OutboxMessage.kind).where(OutboxMessage.registration_id == r.id)
                              .order_by(OutboxMessage.id)).all() == ["confirmed", "changed"]


def test_a_mistake_is_told_at_the_field_and_nothing_typed_is_lost(client):
    g = make_gathering()
    r = make_registration(g)
    data = {**current_form(r), "name": "   ", "needs": "Nieuw: een tolk", "companion": "y", "companion_name": "Bea"}
    response = client.post(f"/r/{r.token}/edit", data=data)
    assert response.status_code == 422
    page = Page(response.text)
    assert "Vul uw naam in." in page.error_for("name")
    assert page.by_id("error-summary") is not None
    assert page.by_id("needs").text == "Nieuw: een tolk"
    assert page.by_id("companion").get("checked") is not None and page.by_id("companion_name").get("value") == "Bea"
    assert fresh(r.id).needs == "" and not fresh(r.id).companion


def test_no_seat_for_a_companion_is_said_at_the_field_and_nothing_changes(client):
    g = make_gathering(capacity=2)
    r = make_registration(g)
    make_registration(g)
    data = {**current_form(r), "needs": "Een tolk", "companion": "y", "companion_name": "Bea"}
    response = client.post(f"/r/{r.token}/edit", data=data)
    assert response.status_code == 409
    page = Page(response.text)
    assert "Er is geen plek meer vrij voor een begeleider" in page.error_for("companion")
    assert "Er is geen plek meer vrij voor een begeleider" in page.by_id("error-summary").text
    assert page.by_id("needs").text == "Een tolk"  # what was typed is still there
    saved = fresh(r.id)
    assert (saved.status, saved.companion, saved.needs) == ("confirmed", False, "")


def test_mixed_session_requires_a_perspective_and_refuses_a_full_group(client):
    g = make_gathering(kind="mixed")
    r = make_registration(g, perspective="client")
    make_registration(g, perspective="relative")
    make_registration(g, perspective="relative")
    page = Page(client.get(f"/r/{r.token}/edit").text)
    assert page.find("input", name="perspective", value="not_said") is None
    response = client.post(f"/r/{r.token}/edit", data={**current_form(r), "perspective": ""})
    assert response.status_code == 422
    assert "Kies hoe u betrokken bent" in Page(response.text).error_for("perspective-0")
    response = client.post(f"/r/{r.token}/edit", data={**current_form(r), "perspective": "relative"})
    assert response.status_code == 409
    assert "Voor dit perspectief is geen plek meer vrij" in Page(response.text).error_for("perspective-0")
    assert fresh(r.id).perspective == "client"


@pytest.mark.parametrize("bad", [
    {"perspective": "astronaut"},
    {"name": "x" * 201},
    {"companion_name": "Bea\x07"},
    {"needs": "y" * 2001},
])
def test_bad_input_is_a_4xx_with_a_dutch_message(client, bad):
    g = make_gathering()
    r = make_registration(g)
    response = client.post(f"/r/{r.token}/edit", data={**current_form(r), "companion": "y", **bad})
    assert response.status_code == 422
    assert "Er is iets niet goed ingevuld" in response.text
    assert not fresh(r.id).companion


@pytest.mark.parametrize("state", ["cancelled_registration", "cancelled_gathering", "past"])
def test_closed_states_show_why_and_refuse_a_post(client, state):
    g = make_gathering()
    r = make_registration(g)
    if state == "cancelled_registration":
        client.post(f"/r/{r.token}/cancel", data={"confirm": "yes"})
    elif state == "cancelled_gathering":
        g.status = "cancelled"
    else:
        g.starts_at, g.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
    db.session.commit()
    page = client.get(f"/r/{r.token}/edit")
    assert page.status_code == 200
    assert Page(page.text).find("form", method="post") is None
    assert "niet meer wijzigen" in Page(page.text).text
    assert Page(client.get(f"/r/{r.token}").text).find("a", href=f"/r/{r.token}/edit") is None
    response = client.post(f"/r/{r.token}/edit", data={**current_form(fresh(r.id)), "name": "Iemand anders"})
    assert response.status_code == 409
    assert fresh(r.id).name != "Iemand anders"


def test_unknown_token_is_404(client):
    assert client.get("/r/onbekend/edit").status_code == 404
    assert client.post("/r/onbekend/edit", data={"name": "x"}).status_code == 404
    assert client.get(f"/r/{'a' * 300}/edit").status_code == 404


def test_english_page(client):
    g = make_gathering()
    r = make_registration(g)
    page = client.get(f"/r/{r.token}/edit", headers={"Accept-Language": "en"})
    assert "I am bringing a companion" in page.text and "Change your registration" in page.text


def test_a_change_locks_its_gathering_once(client):
    from .test_lock_scope import _locking, statements

    g = make_gathering()
    r = make_registration(g)
    data = {**current_form(r), "companion": "y"}
    db.session.commit()
    with statements() as seen:
        assert client.post(f"/r/{r.token}/edit", data=data).status_code == 303
    assert len(_locking(seen)) == 1


def test_a_companion_needs_a_seat_in_the_participants_workshops_too(client):
    from gatherings.programme import services as programme
    from tests.factories import locked_call
    from tests.programme.factories import make_programme

    g = make_gathering(capacity=20)
    (round_1,) = make_programme(g, [2])
    workshop = round_1.workshops[0]
    r = make_registration(g)
    other = make_registration(g)
    locked_call(programme.choose, g, r, {round_1.id: workshop.id})
    locked_call(programme.choose, g, other, {round_1.id: workshop.id})  # the workshop is full
    response = client.post(f"/r/{r.token}/edit", data={**current_form(r), "companion": "y", "needs": "Een tolk"})
    assert response.status_code == 409
    assert "In Werkplaats 1A is geen plek meer voor uw begeleider" in Page(response.text).error_for("companion")
    saved = fresh(r.id)
    assert (saved.companion, saved.needs, saved.status) == (False, "", "confirmed")
    # With room in the workshop, the pair sits there together.
    db.session.rollback()
    db.session.get(type(workshop), workshop.id).capacity = 3
    db.session.commit()
    response = client.post(f"/r/{r.token}/edit", data={**current_form(r), "companion": "y"})
    assert response.status_code == 303 and fresh(r.id).companion
    db.session.rollback()
    assert programme.seats(g)[workshop.id].seated == 3
