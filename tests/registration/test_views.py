"""The registration form and the personal page, through HTTP as a browser uses them."""
import re

import sqlalchemy as sa

from gatherings.extensions import db
from gatherings.registration.models import Registration
from tests.factories import make_gathering, make_registration
from tests.htmlpage import Page

GOOD = {
    "name": "Anna de Vries",
    "email": "anna@voorbeeld.nl",
    "perspective": "relative",
    "organisation": "Stichting Naast",
    "needs": "Een rustige plek",
    "consent": "y",
}


def register(client, gathering, **changes):
    data = {**GOOD, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"/gatherings/{gathering.slug}/register", data=data)


def registrations() -> list[Registration]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Registration).order_by(Registration.id)))


def token_from(response) -> str:
    assert response.status_code == 303, response.status_code
    match = re.match(r"^(?:https?://[^/]+)?/r/([A-Za-z0-9_-]+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


# --- the good paths ---------------------------------------------------------------------------------------------


def test_register_confirmed_shows_result_with_personal_link(client):
    g = make_gathering(capacity=5, title="Kijkje in de keuken")
    response = register(client, g)
    token = token_from(response)
    assert "new=1" in response.headers["Location"]

    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    text = Page(page.text).text
    assert "Gelukt. U bent aangemeld." in text
    assert "Kijkje in de keuken" in text
    assert f"/r/{token}" in text  # the personal link, readable and clickable
    assert Page(page.text).find("a", href=f"http://gatherings.test/r/{token}") is not None  # BASE_URL
    assert page.headers["Cache-Control"] == "private, no-store"

    [reg] = registrations()
    assert (reg.status, reg.name, reg.email, reg.perspective, reg.organisation, reg.needs) == (
        "confirmed", "Anna de Vries", "anna@voorbeeld.nl", "relative", "Stichting Naast", "Een rustige plek")
    assert reg.consent_at is not None and reg.consent_version


def test_register_waitlisted_tells_the_position_in_words(client):
    g = make_gathering(capacity=1)
    make_registration(g)
    make_registration(g)  # already one waiting
    page = client.get(register(client, g).headers["Location"])
    text = Page(page.text).text
    assert "U staat op de wachtlijst." in text
    assert "U bent nummer 2 op de wachtlijst." in text
    assert "Komt er een plek vrij, dan krijgt u die meteen." in text


def test_full_gathering_offers_the_waiting_list_on_the_button(client):
    g = make_gathering(capacity=1)
    make_registration(g)
    page = Page(client.get(f"/gatherings/{g.slug}").text)
    assert page.find("button", type="submit").text == "Aanmelden voor de wachtlijst"


def test_mixed_session_needs_a_perspective_and_places_per_group(client):
    g = make_gathering(kind="mixed", allot_lived=1, allot_relatives=1, allot_professionals=1, capacity=3)
    form = Page(client.get(f"/gatherings/{g.slug}").text)
    values = [i.get("value") for i in form.find_all("input", name="perspective")]
    assert "not_said" not in values  # "zeg ik liever niet" is no answer where seats depend on it
    assert all(i.get("required") is not None for i in form.find_all("input", name="perspective"))

    relative = client.get(register(client, g, perspective="relative").headers["Location"])
    assert "U bent aangemeld." in Page(relative.text).text
    # The relatives' seat is taken: the next relative waits, a professional still gets in.
    second = client.get(register(client, g, email="b@voorbeeld.nl", perspective="relative").headers["Location"])
    assert "U bent nummer 1 op de wachtlijst." in Page(second.text).text
    pro = client.get(register(client, g, email="c@voorbeeld.nl", perspective="professional").headers["Location"])
    assert "U bent aangemeld." in Page(pro.text).text
    assert [r.status for r in registrations()] == ["confirmed", "waitlisted", "confirmed"]


def test_perspective_is_optional_elsewhere_and_not_said_is_stored_as_nothing(client):
    g = make_gathering()
    token_from(register(client, g, perspective="not_said"))
    token_from(register(client, g, email="b@voorbeeld.nl", perspective=None))
    assert [r.perspective for r in registrations()] == [None, None]


def test_personal_page_shows_status_and_details(client):
    g = make_gathering(title="Thuis in de wijk")
    reg = make_registration(g, name="Bram", email="bram@voorbeeld.nl")
    page = client.get(f"/r/{reg.token}")
    assert page.status_code == 200
    text = Page(page.text).text
    assert "U bent aangemeld." in text and "Gelukt" not in text  # only right after registering
    assert "Bram" in text and "bram@voorbeeld.nl" in text and "Thuis in de wijk" in text
    assert page.headers["X-Robots-Tag"] == "noindex"


def test_unknown_or_malformed_token_is_404(client):
    make_registration(make_gathering())
    assert client.get("/r/" + "A" * 43).status_code == 404
    assert client.get("/r/" + "A" * 500).status_code == 404
    assert client.get("/r/x/cancel").status_code == 404
    assert client.post("/r/" + "A" * 43 + "/cancel", data={"confirm": "yes"}).status_code == 404
    assert "Deze pagina bestaat niet" in client.get("/r/nope").text


def test_cancel_asks_first_then_cancels_and_the_first_waiting_gets_the_seat(client):
    g = make_gathering(capacity=1, title="Samen koken")
    seated = make_registration(g)
    waiting = make_registration(g)

    # The personal page offers cancelling; following it shows a confirmation step, nothing changes yet.
    page = Page(client.get(f"/r/{seated.token}").text)
    form = [f for f in page.find_all("form") if f.get("action") == f"/r/{seated.token}/cancel"]
    assert form and form[0].get("method") == "get"
    confirm = client.get(f"/r/{seated.token}/cancel")
    assert confirm.status_code == 200
    confirm_page = Page(confirm.text)
    assert "Weet u zeker dat u uw aanmelding voor Samen koken wilt annuleren?" in confirm_page.text
    post_form = confirm_page.find("form", method="post")
    assert post_form.get("action") == f"/r/{seated.token}/cancel"
    assert post_form.find("input", name="confirm").get("value") == "yes"
    assert [r.status for r in registrations()] == ["confirmed", "waitlisted"]

    # A POST without the confirmation (a link preview, a stray request) only shows the question again.
    again = client.post(f"/r/{seated.token}/cancel")
    assert again.status_code == 200 and "Weet u zeker" in again.text
    assert [r.status for r in registrations()] == ["confirmed", "waitlisted"]

    done = client.post(f"/r/{seated.token}/cancel", data={"confirm": "yes"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/r/{seated.token}")
    shown = Page(client.get(done.headers["Location"]).text).text
    assert "Uw aanmelding is geannuleerd." in shown
    assert "Deze aanmelding is geannuleerd." in shown
    assert "Aanmelding annuleren" not in shown.replace("Uw aanmelding is geannuleerd.", "")
    assert [r.status for r in registrations()] == ["cancelled", "confirmed"]
    assert "U bent aangemeld." in Page(client.get(f"/r/{waiting.token}").text).text

    # Cancelling twice is harmless.
    assert client.post(f"/r/{seated.token}/cancel", data={"confirm": "yes"}).status_code == 303
    assert "al geannuleerd" in client.get(f"/r/{seated.token}/cancel").text
    assert [r.status for r in registrations()] == ["cancelled", "confirmed"]


# --- bad input: the form again, a Dutch message at the field, nothing lost, nothing written ----------------------


def test_address_already_registered_reveals_nothing_to_another_browser(app, client):
    """What "reveals nothing" means here.

    Someone else types an address that already has a registration. They get the
    neutral page "Aanmelding ontvangen, kijk in uw e-mail" (200), byte for byte the
    page a bot gets when it fills the honeypot: no name, status, waiting-list place,
    perspective or personal link of the existing registration, and no different
    wording for confirmed, waiting or another gathering. Nothing is stored; the
    address's owner is mailed their own link (the registration_duplicate signal).

    What it cannot hide: a fresh address gets a new registration and its result
    page (303 to /r/<token>), as the issue asks. So a stranger who submits an
    address learns whether it was new, but only by registering that person, who
    then gets a confirmation mail; the rate limit per address (10 an hour) keeps
    this from being used to test many guesses about one address.
    """
    g = make_gathering(capacity=1)
    owner = make_registration(g, email="anna@voorbeeld.nl", perspective="client")
    make_registration(g, email="wacht@voorbeeld.nl")  # on the waiting list

    duplicates = []
    signal_log = []
    from gatherings.registration import signals
    with signals.registration_duplicate.connected_to(lambda r: signal_log.append(r.id)):
        stranger = app.test_client()
        for email in ("anna@voorbeeld.nl", " ANNA@voorbeeld.nl ", "wacht@voorbeeld.nl"):
            response = register(stranger, g, email=email, name="Iemand anders")
            assert response.status_code == 200
            duplicates.append(response.text)
    bot = register(app.test_client(), g, email="nieuw@voorbeeld.nl", website="x").text
    assert duplicates[0] == duplicates[1] == duplicates[2] == bot
    text = Page(duplicates[0]).text
    assert "Kijk in uw e-mail." in text
    for secret in (owner.token, "Anna", "wachtlijst", "aangemeld", "Cliënt", "/r/"):
        assert secret not in text
    assert signal_log == [owner.id, owner.id, registrations()[1].id]
    assert len(registrations()) == 2
    # The new address gets the result page: that is the difference that remains (see docstring).
    assert register(stranger, g, email="nieuw@voorbeeld.nl").status_code == 303


def test_after_cancelling_the_address_may_register_again(client):
    g = make_gathering()
    token = token_from(register(client, g))
    client.post(f"/r/{token}/cancel", data={"confirm": "yes"})
    new_token = token_from(register(client, g))
    assert new_token != token
    assert [r.status for r in registrations()] == ["cancelled", "confirmed"]


def test_rate_limit_per_address_answers_429_in_dutch(make_app):
    limited = make_app(RATELIMIT_ENABLED=True)
    with limited.app_context():
        slug = make_gathering().slug
    client = limited.test_client()
    statuses = [client.post(f"/gatherings/{slug}/register", data={**GOOD, "email": "zelfde@voorbeeld.nl"}).status_code
                for _ in range(10)]
    # Ten are let through: the first registers; the others get the neutral page (this test client posts
    # without a session secret, so it is not known as the same browser: see test_double_click.py).
    assert statuses == [303] + [200] * 9
    last = client.post(f"/gatherings/{slug}/register", data={**GOOD, "email": "zelfde@voorbeeld.nl"})
    assert last.status_code == 429
    assert "Even rustig aan" in last.text
